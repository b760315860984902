import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Site } from "../../inventory/types";
import { nodeGroups, NodeGroupSpec } from "./node-groups";

export const CLOUD_POOLS_TYPE = "aisc:cluster:CloudGpuPools";

export interface CloudGpuPoolsArgs {
  readonly site: Site;
  readonly provider: aws.Provider;
  readonly clusterName: pulumi.Input<string>;
  /** The security group EKS creates for the cluster; EFA traffic flows within it. */
  readonly clusterSecurityGroupId: pulumi.Input<string>;
  /** Private subnets by zone. */
  readonly privateSubnets: Readonly<Record<string, pulumi.Input<string>>>;
}

/**
 * The launch template's network interfaces for an instance with `cards` network cards, all EFA:
 * the primary on card 0 at device index 0, then one on each further card at device index 1, as
 * eksctl's `efaEnabled` node groups have them (EKS user guide, "Manage EFA devices"). Every one
 * carries the cluster security group, which admits all traffic from itself, as EFA requires.
 */
export function efaNetworkInterfaces(cards: number, securityGroupId: pulumi.Input<string>): aws.types.input.ec2.LaunchTemplateNetworkInterface[] {
  return Array.from({ length: cards }, (_, card) => ({
    deviceIndex: card === 0 ? 0 : 1,
    networkCardIndex: card,
    interfaceType: "efa",
    deleteOnTermination: "true",
    securityGroups: [securityGroupId],
  }));
}

/** One node group as {@link cloudGpuPoolsInputs} records it. */
export interface CloudPoolInputs {
  readonly instanceType: string;
  readonly capacityType: string;
  readonly nodes: number;
}

/** What a {@link CloudGpuPools} records as its inputs: each node group, by pool, sorted. */
export interface CloudGpuPoolsInputs {
  readonly pools: Readonly<Record<string, CloudPoolInputs>>;
}

/**
 * What the cloud pools cost and hold: each pool's instance type, how it is bought and how many
 * nodes, the figures a reviewer weighs in a burst change, shown on this component in a preview.
 */
export function cloudGpuPoolsInputs(specs: readonly NodeGroupSpec[]): CloudGpuPoolsInputs {
  const pools: Record<string, CloudPoolInputs> = {};
  for (const spec of [...specs].sort((a, b) => (a.pool < b.pool ? -1 : 1)))
    pools[spec.pool] = { instanceType: spec.instanceType, capacityType: spec.capacityType, nodes: spec.nodes };
  return { pools };
}

/**
 * Cloud burst GPU pools as EKS managed node groups, one per pool. Each node group has a launch
 * template that requires IMDSv2, encrypts the root volume (with the account's EBS key: a
 * customer key would need grants for the Auto Scaling service role), attaches one EFA
 * interface per network card where the instance type has EFA, puts EFA pools in a cluster
 * placement group of their own, targets the pool's Capacity Block when it runs in one, and for
 * GPU pools carries the containerd config of every GPU node (charts/containerd). Each node
 * group uses the private subnets of its pool's zones (see `poolZones`). A capacity-block pool
 * starts at 0 nodes and is scaled to its nodes by a scheduled action at the block's start.
 */
export class CloudGpuPools extends pulumi.ComponentResource {
  /** Node group names by pool. */
  public readonly nodeGroupNames: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: CloudGpuPoolsArgs, opts?: pulumi.ComponentResourceOptions) {
    const specs = nodeGroups(args.site);
    super(CLOUD_POOLS_TYPE, name, cloudGpuPoolsInputs(specs), opts);
    const child = { parent: this, provider: args.provider };
    this.nodeGroupNames = {};
    if (specs.length > 0) {
      const role = new aws.iam.Role(
        `${name}-node-role`,
        {
          description: `Cloud GPU nodes of ${args.site.name}`,
          assumeRolePolicy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
          }),
        },
        child,
      );
      const attachments = ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryPullOnly"].map(
        (policy) => new aws.iam.RolePolicyAttachment(`${name}-${policy}`, { role: role.name, policyArn: `arn:aws:iam::aws:policy/${policy}` }, child),
      );
      for (const spec of specs) {
        const block = spec.capacityReservationId !== undefined;
        const placement = spec.placementGroup
          ? new aws.ec2.PlacementGroup(`${name}-${spec.pool}`, { name: spec.nodeGroupName, strategy: "cluster", tags: { "aisc.hk/pool": spec.pool } }, child)
          : undefined;
        const template = new aws.ec2.LaunchTemplate(
          `${name}-${spec.pool}`,
          {
            description: spec.description,
            metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2, httpEndpoint: "enabled" },
            blockDeviceMappings: [
              {
                deviceName: "/dev/xvda",
                ebs: { volumeSize: spec.diskGi, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
              },
            ],
            ...(spec.efaInterfaces > 0 ? { networkInterfaces: efaNetworkInterfaces(spec.efaInterfaces, args.clusterSecurityGroupId) } : {}),
            ...(placement ? { placement: { groupName: placement.name } } : {}),
            // A capacity block's instance type is the launch template's, never the node group's (EKS
            // refuses both), and the template targets the block (EKS user guide, capacity-blocks-mng).
            ...(block
              ? {
                  instanceType: spec.instanceType,
                  instanceMarketOptions: { marketType: "capacity-block" },
                  capacityReservationSpecification: { capacityReservationTarget: { capacityReservationId: spec.capacityReservationId } },
                }
              : {}),
            tagSpecifications: [{ resourceType: "instance", tags: { "aisc.hk/pool": spec.pool, "aisc.hk/site": args.site.name } }],
            ...(spec.userData ? { userData: spec.userData } : {}),
          },
          child,
        );
        const group = new aws.eks.NodeGroup(
          `${name}-${spec.pool}`,
          {
            clusterName: args.clusterName,
            nodeGroupName: spec.nodeGroupName,
            nodeRoleArn: role.arn,
            subnetIds: spec.zones.map((zone) => args.privateSubnets[zone]),
            ...(block ? {} : { instanceTypes: [spec.instanceType] }),
            amiType: spec.amiType,
            capacityType: spec.capacityType,
            scalingConfig: block ? { desiredSize: 0, minSize: 0, maxSize: spec.nodes } : { desiredSize: spec.nodes, minSize: spec.nodes, maxSize: spec.nodes },
            updateConfig: { maxUnavailable: 1 },
            launchTemplate: { id: template.id, version: pulumi.interpolate`${template.latestVersion}` },
            labels: spec.labels,
            taints: spec.taints,
          },
          {
            ...child,
            dependsOn: attachments,
            // The block's scheduled actions (ours at its start, EKS's before its end) own the size.
            ...(block ? { ignoreChanges: ["scalingConfig.desiredSize"] } : {}),
          },
        );
        if (block && spec.capacityBlockStart) {
          new aws.autoscaling.Schedule(
            `${name}-${spec.pool}-block-start`,
            {
              scheduledActionName: `aisc-${spec.pool}-capacity-block-start`,
              autoscalingGroupName: group.resources.apply((r) => r[0]?.autoscalingGroups?.[0]?.name ?? ""),
              startTime: spec.capacityBlockStart,
              desiredCapacity: spec.nodes,
              minSize: 0,
              maxSize: spec.nodes,
            },
            child,
          );
        }
        this.nodeGroupNames[spec.pool] = group.nodeGroupName;
      }
    }
    this.registerOutputs({ nodeGroupNames: this.nodeGroupNames });
  }
}
