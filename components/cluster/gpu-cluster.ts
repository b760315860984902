import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterKind, Site } from "../../inventory/types";
import { ClusterAccess } from "./access";
import { CloudGpuPools } from "./cloud-pools";
import { Stage } from "../platform/stages";
import { addonSpecs, createAddon } from "./addons";
import { AwsIdentity, clusterName as clusterNameOf, CONTROL_PLANE_LOGS, eksKubeconfig, logGroupName, logKeyPolicy, LOG_RETENTION_DAYS } from "./control-plane";
import { hasHybridNodes } from "./hybrid-spec";
import { HybridNodes } from "./hybrid-nodes";
import { Network } from "./network";
import { Storage } from "./storage";

export const GPU_CLUSTER_TYPE = "aisc:cluster:GpuCluster";

/** The account and partition the site's AWS provider runs in (STS GetCallerIdentity). */
function awsIdentity(provider: aws.Provider, parent: pulumi.Resource): pulumi.Output<AwsIdentity> {
  return aws.getCallerIdentityOutput({}, { provider, parent }).apply((id) => ({ accountId: id.accountId, partition: id.arn.split(":")[1] }));
}

export interface GpuClusterArgs {
  /** The validated site inventory. */
  readonly site: Site;
  /** The site's AWS provider; required when `site.cluster.kind` is `eks`. */
  readonly provider?: aws.Provider;
  /**
   * Kubeconfig of an existing cluster; required when `site.cluster.kind` is `existing`, and
   * given as a secret (`pulumi config set --secret aisc:kubeconfig`).
   */
  readonly kubeconfig?: pulumi.Input<string>;
  /** The date (YYYY-MM-DD) the plan is made for; today unless `aisc plan --as-of` says otherwise. */
  readonly asOf: string;
  /** What this run deploys (../platform/stages): `cluster` stops short of the Kubernetes API. */
  readonly stage: Stage;
}

/** What a {@link GpuCluster} records as its inputs (see {@link gpuClusterInputs}). */
export interface GpuClusterInputs {
  /** The EKS cluster's name; an existing cluster goes by the site's. */
  readonly clusterName: string;
  readonly kind: ClusterKind;
  /** The Kubernetes version EKS runs and the add-ons are pinned for; absent for an existing cluster, whose version is its operator's. */
  readonly kubernetesVersion?: string;
}

/**
 * Which cluster, of which kind, at which Kubernetes version: an upgrade is the change a
 * reviewer most needs to see on the cluster itself, since every add-on version follows it.
 * Never the kubeconfig (a secret), the provider or the plan's date.
 */
export function gpuClusterInputs(site: Site): GpuClusterInputs {
  return site.cluster.kind === "existing"
    ? { clusterName: site.name, kind: "existing" }
    : { clusterName: clusterNameOf(site), kind: site.cluster.kind, kubernetesVersion: site.cluster.kubernetesVersion };
}

/**
 * A site's GPU Kubernetes cluster and the one Kubernetes provider every workload is deployed
 * through. With `cluster.kind: eks` (the default) it is an EKS control plane in the site's
 * region: private endpoint unless the inventory opens it, Secrets envelope-encrypted with a
 * rotating KMS key, api/audit/authenticator logs kept a year, API-only authentication, and the
 * on-premises node and pod networks declared as remote networks so on-premises GPU servers
 * join as hybrid nodes; cloud burst pools become managed node groups. With `existing` it
 * creates no AWS resource and only wraps the given kubeconfig. The key, the log group and the
 * cluster are protected: deleting any of them loses data no `pulumi up` can bring back.
 *
 * @example
 *   const cluster = new GpuCluster("cyberport-cluster", { site, provider: awsProvider });
 *   new k8s.core.v1.Namespace("ns", {}, { provider: cluster.k8sProvider });
 */
export class GpuCluster extends pulumi.ComponentResource {
  public readonly clusterName: pulumi.Output<string>;
  /** The API endpoint; undefined for an existing cluster, whose endpoint is in its kubeconfig. */
  public readonly endpoint?: pulumi.Output<string>;
  /** Kubeconfig of the cluster, as a secret. */
  public readonly kubeconfig: pulumi.Output<string>;
  /** The provider every Kubernetes object goes through; none in the cluster stage, which never reaches the API. */
  public readonly k8sProvider?: k8s.Provider;
  public readonly kmsKeyArn?: pulumi.Output<string>;
  /** The virtual private gateway the site's Direct Connect or VPN is attached to (between the stages). */
  public readonly vpnGatewayId?: pulumi.Output<string>;
  /** Parameter Store names of each on-premises pool's nodeadm config, for the servers' provisioning. */
  public readonly nodeConfigParameters?: Record<string, pulumi.Output<string>>;
  /** What the platform's workloads wait for: the node groups and the add-ons their pods need. */
  public readonly ready: pulumi.Resource[] = [];

  constructor(name: string, args: GpuClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super(GPU_CLUSTER_TYPE, name, gpuClusterInputs(args.site), opts);
    const { site } = args;
    const render = site.cluster.renderYamlToDirectory ? { renderYamlToDirectory: site.cluster.renderYamlToDirectory } : {};

    if (site.cluster.kind === "existing") {
      if (args.kubeconfig === undefined)
        throw new pulumi.RunError(
          "aisc:kubeconfig: expected the existing cluster's kubeconfig as a secret (pulumi config set --secret aisc:kubeconfig < kubeconfig)",
        );
      this.clusterName = pulumi.output(site.name);
      this.kubeconfig = pulumi.secret(args.kubeconfig);
      this.k8sProvider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig, ...render }, { parent: this });
      this.registerOutputs({ clusterName: this.clusterName, kubeconfig: this.kubeconfig });
      return;
    }
    // A ResourceError ties the failure to this component, so the CLI reports it against its URN.
    if (!args.provider) throw new pulumi.ResourceError("GpuCluster: an AWS provider is required for an EKS cluster (args.provider)", this);
    const provider = args.provider;
    const child = { parent: this, provider };
    const eksName = clusterNameOf(site);

    const identity = awsIdentity(provider, this);
    const key = new aws.kms.Key(
      `${name}-secrets-key`,
      {
        description: `Envelope encryption of Kubernetes Secrets in ${eksName}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
      },
      { ...child, protect: true },
    );
    new aws.kms.Alias(`${name}-secrets-key`, { name: `alias/${eksName}-secrets`, targetKeyId: key.keyId }, child);
    // The control plane's logs (audit among them) are encrypted with a key of their own, whose
    // policy lets CloudWatch Logs use it for this log group only.
    const logKey = new aws.kms.Key(
      `${name}-logs-key`,
      {
        description: `Encryption of ${eksName}'s control-plane logs`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: identity.apply((id) => logKeyPolicy(id, site.region, eksName)),
      },
      { ...child, protect: true },
    );
    new aws.kms.Alias(`${name}-logs-key`, { name: `alias/${eksName}-logs`, targetKeyId: logKey.keyId }, child);
    const logs = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      {
        name: logGroupName(eksName),
        retentionInDays: LOG_RETENTION_DAYS,
        kmsKeyId: logKey.arn,
      },
      { ...child, protect: true, retainOnDelete: true },
    );
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        description: `EKS control plane of ${eksName}`,
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
        }),
      },
      child,
    );
    const policy = new aws.iam.RolePolicyAttachment(
      `${name}-role-policy`,
      {
        role: role.name,
        policyArn: "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
      },
      child,
    );
    const network = new Network(`${name}-network`, { site, provider, clusterName: eksName }, { parent: this });
    const onPrem = hasHybridNodes(site);

    const cluster = new aws.eks.Cluster(
      `${name}-eks`,
      {
        name: eksName,
        version: site.cluster.kubernetesVersion,
        roleArn: role.arn,
        vpcConfig: {
          subnetIds: network.privateSubnetIds,
          securityGroupIds: [network.clusterSecurityGroupId],
          endpointPrivateAccess: true,
          endpointPublicAccess: site.cluster.endpointPublicAccess,
        },
        // Who administers the cluster is in the inventory (cluster.access), not whoever created it.
        accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
        encryptionConfig: { provider: { keyArn: key.arn }, resources: ["secrets"] },
        enabledClusterLogTypes: [...CONTROL_PLANE_LOGS],
        kubernetesNetworkConfig: { serviceIpv4Cidr: site.networks.serviceCidr },
        ...(onPrem
          ? {
              remoteNetworkConfig: {
                remoteNodeNetworks: { cidrs: [...site.networks.onPremNodeCidrs] },
                remotePodNetworks: { cidrs: [...site.networks.onPremPodCidrs] },
              },
            }
          : {}),
        deletionProtection: true,
        upgradePolicy: { supportType: site.cluster.supportType === "extended" ? "EXTENDED" : "STANDARD" },
        tags: { "aisc.hk/site": site.name },
      },
      { ...child, protect: true, dependsOn: [logs, policy] },
    );

    new ClusterAccess(
      `${name}-access`,
      { site, provider, clusterName: cluster.name, clusterSecurityGroupId: cluster.vpcConfig.clusterSecurityGroupId },
      { parent: this },
    );

    this.clusterName = cluster.name;
    this.endpoint = cluster.endpoint;
    this.kmsKeyArn = key.arn;
    this.kubeconfig = pulumi.secret(
      pulumi
        .all([cluster.name, cluster.endpoint, cluster.certificateAuthority])
        .apply(([n, endpoint, ca]) => eksKubeconfig(n, endpoint, ca.data ?? "", site.region)),
    );
    const platform = args.stage === "platform";
    this.k8sProvider = platform ? new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig, ...render }, { parent: this }) : undefined;

    // Add-ons whose pods need no node come with the cluster, before the node groups (cloud
    // nodes need the VPC CNI to become Ready); CoreDNS waits for the platform's nodes.
    const specs = addonSpecs(site);
    const early = specs.filter((a) => a.stage === "cluster").map((a) => createAddon(`${name}-${a.addon}`, cluster.name, a, child));
    const hybrid = onPrem
      ? new HybridNodes(
          `${name}-hybrid`,
          {
            site,
            provider,
            ...(this.k8sProvider ? { k8sProvider: this.k8sProvider } : {}),
            clusterName: cluster.name,
            clusterArn: cluster.arn,
            identity,
            asOf: args.asOf,
          },
          { parent: this },
        )
      : undefined;
    const nodeGroups = new CloudGpuPools(
      `${name}-cloud`,
      {
        site,
        provider,
        clusterName: cluster.name,
        clusterSecurityGroupId: cluster.vpcConfig.clusterSecurityGroupId,
        privateSubnets: network.privateSubnets,
      },
      { parent: this, dependsOn: early },
    );
    this.ready.push(nodeGroups);
    this.vpnGatewayId = network.vpnGatewayId;
    this.nodeConfigParameters = hybrid?.nodeConfigParameters ?? {};
    if (this.k8sProvider) {
      // On hybrid nodes, pods get a network only once Cilium runs.
      const cni = hybrid?.cni ? [hybrid.cni] : [];
      for (const a of specs.filter((x) => x.stage === "nodes"))
        this.ready.push(createAddon(`${name}-${a.addon}`, cluster.name, a, { ...child, dependsOn: [nodeGroups, ...cni] }));
      if (site.system.placement === "cloud") {
        this.ready.push(
          new Storage(
            `${name}-storage`,
            { site, provider, k8sProvider: this.k8sProvider, clusterName: cluster.name, dependsOn: [nodeGroups, ...early] },
            { parent: this },
          ),
        );
      }
    }
    this.registerOutputs({
      clusterName: this.clusterName,
      endpoint: this.endpoint,
      kubeconfig: this.kubeconfig,
      kmsKeyArn: this.kmsKeyArn,
      vpnGatewayId: this.vpnGatewayId,
      nodeConfigParameters: this.nodeConfigParameters,
    });
  }
}
