import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Site } from "../../inventory/types";
import { nodeGroups } from "./compute";

export const CLOUD_POOLS_TYPE = "aisc:cluster:CloudGpuPools";

export interface CloudGpuPoolsArgs {
  readonly site: Site;
  readonly provider: aws.Provider;
  readonly clusterName: pulumi.Input<string>;
  /** The security group EKS creates for the cluster; EFA traffic flows within it. */
  readonly clusterSecurityGroupId: pulumi.Input<string>;
  /** Private subnets, one per zone, in the site's zone order. */
  readonly privateSubnetIds: pulumi.Input<string>[];
}

/**
 * Cloud burst GPU pools as EKS managed node groups, one per pool. Each node group has a launch
 * template that requires IMDSv2, encrypts the root volume (with the account's EBS key: a
 * customer key would need grants for the Auto Scaling service role), attaches an EFA
 * interface where the instance type has one, targets the pool's Capacity Block when it runs
 * in one, and for GPU pools carries the containerd config of every GPU node (charts/containerd). EFA pools are kept in the first zone, since RDMA between GPUs does not cross zones.
 */
export class CloudGpuPools extends pulumi.ComponentResource {
  /** Node group names by pool. */
  public readonly nodeGroupNames: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: CloudGpuPoolsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(CLOUD_POOLS_TYPE, name, {}, opts);
    const child = { parent: this, provider: args.provider };
    const specs = nodeGroups(args.site);
    this.nodeGroupNames = {};
    if (specs.length > 0) {
      const role = new aws.iam.Role(`${name}-node-role`, {
        description: `Cloud GPU nodes of ${args.site.name}`,
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
      }, child);
      const attachments = ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryPullOnly"].map(
        (policy) => new aws.iam.RolePolicyAttachment(`${name}-${policy}`, { role: role.name, policyArn: `arn:aws:iam::aws:policy/${policy}` }, child),
      );
      for (const spec of specs) {
        const template = new aws.ec2.LaunchTemplate(`${name}-${spec.pool}`, {
          description: spec.description,
          metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2, httpEndpoint: "enabled" },
          blockDeviceMappings: [{
            deviceName: "/dev/xvda",
            ebs: { volumeSize: spec.diskGi, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
          }],
          ...(spec.efa
            ? { networkInterfaces: [{ deviceIndex: 0, networkCardIndex: 0, interfaceType: "efa", deleteOnTermination: "true", securityGroups: [args.clusterSecurityGroupId] }] }
            : {}),
          ...(spec.capacityReservationId
            ? {
                instanceMarketOptions: { marketType: "capacity-block" },
                capacityReservationSpecification: { capacityReservationTarget: { capacityReservationId: spec.capacityReservationId } },
              }
            : {}),
          tagSpecifications: [{ resourceType: "instance", tags: { "aisc.hk/pool": spec.pool, "aisc.hk/site": args.site.name } }],
          ...(spec.userData ? { userData: spec.userData } : {}),
        }, child);
        const group = new aws.eks.NodeGroup(`${name}-${spec.pool}`, {
          clusterName: args.clusterName,
          nodeGroupName: spec.nodeGroupName,
          nodeRoleArn: role.arn,
          subnetIds: spec.efa ? [args.privateSubnetIds[0]] : args.privateSubnetIds,
          instanceTypes: [spec.instanceType],
          amiType: spec.amiType,
          capacityType: spec.capacityType,
          scalingConfig: { desiredSize: spec.nodes, minSize: spec.nodes, maxSize: spec.nodes },
          updateConfig: { maxUnavailable: 1 },
          launchTemplate: { id: template.id, version: pulumi.interpolate`${template.latestVersion}` },
          labels: spec.labels,
          taints: spec.taints,
        }, { ...child, dependsOn: attachments });
        this.nodeGroupNames[spec.pool] = group.nodeGroupName;
      }
    }
    this.registerOutputs({ nodeGroupNames: this.nodeGroupNames });
  }
}
