import { GPU_TAINT, NODE_LABELS, nodeGroupName, SYSTEM_NODE_SELECTOR, SYSTEM_POOL } from "../../inventory/platform";
import { CapacityType, CloudPool, GpuPool, Site } from "../../inventory/types";
import { cloudGpuContainerdConfig, nodeConfigUserData } from "../../charts/containerd";

/**
 * The shape of each node a site brings up: the labels every GPU node carries (hybrid or cloud)
 * and each managed node group in the cloud. CloudGpuPools and HybridNodes only wire these to
 * AWS, so the decisions are tested without Pulumi.
 */

/** Labels every node of `pool` carries, hybrid or cloud. */
export function gpuNodeLabels(pool: GpuPool): Record<string, string> {
  const layout = pool.sharing.migLayout;
  return {
    [NODE_LABELS.pool]: pool.name,
    [NODE_LABELS.gpuModel]: pool.gpu.model,
    [NODE_LABELS.devicePluginConfig]: pool.name,
    ...(layout ? { [NODE_LABELS.migConfig]: layout.name, [NODE_LABELS.migManager]: "true" } : {}),
  };
}

const CAPACITY_TYPE: Record<CapacityType, string> = {
  "on-demand": "ON_DEMAND",
  spot: "SPOT",
  "capacity-block": "CAPACITY_BLOCK",
};

export interface NodeGroupSpec {
  readonly pool: string;
  readonly nodeGroupName: string;
  readonly instanceType: string;
  readonly amiType: string;
  readonly capacityType: string;
  readonly nodes: number;
  /** EFA interfaces to attach, one per network card of the instance type; 0 without EFA. */
  readonly efaInterfaces: number;
  /**
   * Whether the pool gets its own cluster placement group, so its nodes sit on one network
   * spine: EFA pools outside Capacity Blocks (a block's instances are already placed together
   * in an UltraCluster, and EC2 launches a reservation into a cluster placement group only if the
   * reservation was made in it).
   */
  readonly placementGroup: boolean;
  readonly capacityReservationId?: string;
  /**
   * Capacity blocks: when the block starts. The node group is created at 0 nodes (EKS takes a
   * block's instance type from the launch template only, and a block launches nothing before it
   * starts) and a scheduled action scales it to the pool's nodes then; EKS itself scales it back
   * to 0 forty minutes before the block ends.
   */
  readonly capacityBlockStart?: string;
  /** Zones whose private subnets the node group uses, in the site's zone order. */
  readonly zones: readonly string[];
  readonly labels: Record<string, string>;
  readonly taints: { key: string; value: string; effect: string }[];
  /** What the launch template says the nodes are for. */
  readonly description: string;
  /** The root volume's size. */
  readonly diskGi: number;
  /** GPU pools only: the launch template's user data, a NodeConfig with their containerd config (see charts/containerd). */
  readonly userData?: string;
}

/** Graviton families (m7g, c6gn, r8gd, ...) are ARM; everything else aisc may pick is x86_64. */
function isArm(instanceType: string): boolean {
  return /^[a-z]+\d+g[a-z]*\./.test(instanceType);
}

/** The system node group of an eks site whose platform runs in the cloud: untainted, labelled, on-demand. */
function systemNodeGroup(site: Site): NodeGroupSpec[] {
  const { system } = site;
  if (system.placement !== "cloud" || !system.nodes || !system.instanceType) return [];
  return [
    {
      pool: SYSTEM_POOL,
      nodeGroupName: nodeGroupName(site.name, SYSTEM_POOL),
      instanceType: system.instanceType,
      amiType: isArm(system.instanceType) ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD",
      capacityType: "ON_DEMAND",
      nodes: system.nodes,
      efaInterfaces: 0,
      placementGroup: false,
      zones: site.networks.availabilityZones,
      labels: { ...SYSTEM_NODE_SELECTOR },
      taints: [],
      description: `System nodes of ${site.name}: the platform's own pods`,
      diskGi: 100,
    },
  ];
}

/**
 * A managed node group per cloud pool: the AL2023 NVIDIA AMI for the host CPU the catalog gives
 * the GPU model (ARM for a Grace-based part), a fixed size equal to the pool's nodes, and the
 * same labels and GPU taint as hybrid nodes.
 */
export function nodeGroups(site: Site): NodeGroupSpec[] {
  return [...systemNodeGroup(site), ...gpuNodeGroups(site)];
}

/**
 * The zones a cloud pool's nodes run in: the one it names (a capacity block's reservation zone);
 * for an EFA pool, the site's first, since RDMA between GPUs does not cross zones; otherwise all.
 */
export function poolZones(site: Site, cloud: CloudPool): readonly string[] {
  if (cloud.availabilityZone) return [cloud.availabilityZone];
  return cloud.instanceType.efa ? site.networks.availabilityZones.slice(0, 1) : site.networks.availabilityZones;
}

function gpuNodeGroups(site: Site): NodeGroupSpec[] {
  return site.pools.flatMap((p) => {
    if (p.placement !== "cloud" || !p.cloud) return [];
    return [
      {
        pool: p.name,
        nodeGroupName: nodeGroupName(site.name, p.name),
        instanceType: p.cloud.instanceType.name,
        amiType: p.gpu.cpuArch === "arm64" ? "AL2023_ARM_64_NVIDIA" : "AL2023_x86_64_NVIDIA",
        capacityType: CAPACITY_TYPE[p.cloud.capacityType],
        nodes: p.nodes,
        efaInterfaces: p.cloud.instanceType.efa ? p.cloud.instanceType.networkCards : 0,
        placementGroup: p.cloud.instanceType.efa && p.cloud.capacityType !== "capacity-block",
        ...(p.cloud.capacityReservationId ? { capacityReservationId: p.cloud.capacityReservationId } : {}),
        ...(p.cloud.capacityBlockStart ? { capacityBlockStart: p.cloud.capacityBlockStart } : {}),
        zones: poolZones(site, p.cloud),
        labels: gpuNodeLabels(p),
        taints: [{ key: GPU_TAINT.key, value: GPU_TAINT.value, effect: "NO_SCHEDULE" }],
        description: `GPU nodes of ${site.name} pool ${p.name}`,
        diskGi: 500,
        userData: nodeConfigUserData(cloudGpuContainerdConfig()),
      },
    ];
  });
}
