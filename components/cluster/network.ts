import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Site } from "../../inventory/types";
import { subnetLayout, zoneKey } from "./subnets";

export const NETWORK_TYPE = "aisc:cluster:Network";

export interface NetworkArgs {
  /** The validated site; its `networks` block decides every range. */
  readonly site: Site;
  /** The site's AWS provider (its region). */
  readonly provider: aws.Provider;
  /** Cluster name, for the `kubernetes.io/cluster/<name>` subnet tags load balancers need. */
  readonly clusterName: string;
}

/** What a {@link Network} records as its inputs (see {@link networkInputs}). */
export interface NetworkInputs {
  readonly clusterName: string;
  readonly vpcCidr: string;
  /** In the inventory's order, which decides each zone's subnets. */
  readonly availabilityZones: readonly string[];
  /** The operators' and CI runners' networks admitted to the API, sorted. */
  readonly apiAccessCidrs: readonly string[];
}

/**
 * The VPC's ranges and zones, which no `pulumi up` changes without replacing subnets, and who
 * may reach the API from outside the VPC: the two kinds of network change a reviewer must see.
 */
export function networkInputs(site: Site, clusterName: string): NetworkInputs {
  return {
    clusterName,
    vpcCidr: site.networks.vpcCidr,
    availabilityZones: [...site.networks.availabilityZones],
    apiAccessCidrs: [...site.cluster.apiAccessCidrs].sort(),
  };
}

/**
 * The site's VPC: private subnets in each zone for the control plane's network interfaces and
 * cloud GPU nodes, a NAT gateway per zone for their egress (image pulls, EKS and SSM APIs) so
 * one zone's outage does not cut off the other, and a virtual private gateway whose routes
 * reach the on-premises node and pod networks over the site's Direct Connect or VPN. The
 * security group lets hybrid nodes and their pods reach the API server, as EKS requires, and
 * the operators' and CI runners' networks (`cluster.apiAccessCidrs`) that run the platform stage.
 */
export class Network extends pulumi.ComponentResource {
  public readonly vpcId: pulumi.Output<string>;
  public readonly privateSubnetIds: pulumi.Output<string>[];
  /** The same subnets by zone, for node groups confined to some zones. */
  public readonly privateSubnets: Record<string, pulumi.Output<string>>;
  /** Extra cluster security group admitting the on-premises networks to the API server. */
  public readonly clusterSecurityGroupId: pulumi.Output<string>;
  public readonly vpnGatewayId: pulumi.Output<string>;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super(NETWORK_TYPE, name, networkInputs(args.site, args.clusterName), opts);
    const { site, provider, clusterName } = args;
    const child = { parent: this, provider };
    const layout = subnetLayout(site.networks.vpcCidr, site.networks.availabilityZones);

    const vpc = new aws.ec2.Vpc(
      `${name}-vpc`,
      {
        cidrBlock: site.networks.vpcCidr,
        enableDnsHostnames: true,
        enableDnsSupport: true,
        tags: { Name: `${clusterName}` },
      },
      { ...child, protect: true },
    );
    const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: { Name: `${clusterName}` } }, child);
    // Protected with the VPC: the site's Direct Connect or VPN is attached to this gateway by hand,
    // and replacing it would cut every hybrid node off until it is attached again.
    const vgw = new aws.ec2.VpnGateway(`${name}-vgw`, { vpcId: vpc.id, tags: { Name: `${clusterName}-on-prem` } }, { ...child, protect: true });
    const publicRoutes = new aws.ec2.RouteTable(
      `${name}-public-rt`,
      {
        vpcId: vpc.id,
        routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }],
        tags: { Name: `${clusterName}-public` },
      },
      child,
    );

    this.privateSubnets = {};
    this.privateSubnetIds = layout.map((z) => {
      const key = zoneKey(z.zone);
      const pub = new aws.ec2.Subnet(
        `${name}-public-${key}`,
        {
          vpcId: vpc.id,
          cidrBlock: z.publicCidr,
          availabilityZone: z.zone,
          mapPublicIpOnLaunch: false,
          tags: { Name: `${clusterName}-public-${key}`, "kubernetes.io/role/elb": "1" },
        },
        child,
      );
      new aws.ec2.RouteTableAssociation(`${name}-public-${key}`, { subnetId: pub.id, routeTableId: publicRoutes.id }, child);
      const eip = new aws.ec2.Eip(`${name}-nat-${key}`, { domain: "vpc", tags: { Name: `${clusterName}-nat-${key}` } }, child);
      const nat = new aws.ec2.NatGateway(
        `${name}-nat-${key}`,
        {
          subnetId: pub.id,
          allocationId: eip.id,
          tags: { Name: `${clusterName}-${key}` },
        },
        { ...child, dependsOn: [igw] },
      );
      const routes = new aws.ec2.RouteTable(
        `${name}-private-rt-${key}`,
        {
          vpcId: vpc.id,
          routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }],
          // Routes to the on-premises networks arrive by BGP over the virtual private gateway.
          propagatingVgws: [vgw.id],
          tags: { Name: `${clusterName}-private-${key}` },
        },
        child,
      );
      const priv = new aws.ec2.Subnet(
        `${name}-private-${key}`,
        {
          vpcId: vpc.id,
          cidrBlock: z.privateCidr,
          availabilityZone: z.zone,
          tags: {
            Name: `${clusterName}-private-${key}`,
            "kubernetes.io/role/internal-elb": "1",
            [`kubernetes.io/cluster/${clusterName}`]: "shared",
          },
        },
        child,
      );
      new aws.ec2.RouteTableAssociation(`${name}-private-${key}`, { subnetId: priv.id, routeTableId: routes.id }, child);
      this.privateSubnets[z.zone] = priv.id;
      return priv.id;
    });

    const onPrem = [...site.networks.onPremNodeCidrs, ...site.networks.onPremPodCidrs];
    const operators = [...site.cluster.apiAccessCidrs];
    const sg = new aws.ec2.SecurityGroup(
      `${name}-cluster-sg`,
      {
        vpcId: vpc.id,
        description: `EKS API access for ${clusterName} hybrid nodes and pods`,
        ingress: [
          ...(onPrem.length
            ? [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: onPrem, description: "Hybrid nodes and pods to the Kubernetes API" }]
            : []),
          // The platform stage runs from here: operators' and CI runners' networks over the site's link.
          ...(operators.length
            ? [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: operators, description: "Operators and CI runners to the Kubernetes API" }]
            : []),
        ],
        egress: onPrem.length
          ? [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: onPrem, description: "API server to kubelets and webhooks on hybrid nodes" }]
          : [],
        tags: { Name: `${clusterName}-hybrid-api` },
      },
      child,
    );

    this.vpcId = vpc.id;
    this.clusterSecurityGroupId = sg.id;
    this.vpnGatewayId = vgw.id;
    this.registerOutputs({
      vpcId: this.vpcId,
      privateSubnetIds: this.privateSubnetIds,
      clusterSecurityGroupId: this.clusterSecurityGroupId,
      vpnGatewayId: this.vpnGatewayId,
    });
  }
}
