import { parseCidr, subnets } from "../../inventory/cidr";
import { eksClusterName, GPU_TAINT, NODE_LABELS, nodeGroupName, SYSTEM_NODE_LABEL, SYSTEM_NODE_SELECTOR, SYSTEM_POOL } from "../../inventory/platform";
import { CapacityType, GpuPool, Site } from "../../inventory/types";
import { cloudGpuContainerdConfig, gpuContainerdConfig, nodeConfigUserData } from "../../charts/containerd";

/**
 * Pure decisions about a site's cluster: names, subnet layout, node labels and the shape of
 * each hybrid activation and cloud node group. The component only wires these to AWS, so the
 * decisions are tested without Pulumi.
 */

/** Control-plane log types every cluster ships; audit is what compliance reviewers ask for. */
export const CONTROL_PLANE_LOGS = ["api", "audit", "authenticator"] as const;
/** How long control-plane logs are kept, in days. */
export const LOG_RETENTION_DAYS = 365;
/**
 * The VPC CNI add-on's configuration: its network policy agent on, so cloud nodes enforce the
 * tenants' NetworkPolicies as Cilium does on hybrid nodes (off by default in EKS).
 */
export const VPC_CNI_CONFIGURATION = JSON.stringify({ enableNetworkPolicy: "true" });

/** The Cilium chart that runs as the CNI on hybrid nodes, pinned. */
export const CILIUM_CHART = { chart: "cilium", version: "1.17.5", repo: "https://helm.cilium.io" } as const;
/** EKS labels hybrid nodes with this, and the hybrid CNI is confined to them. */
export const HYBRID_NODE_LABEL = { key: "eks.amazonaws.com/compute-type", value: "hybrid" } as const;

/** The EKS cluster's name: stable, so replacing it is never an accident of renaming. */
export function clusterName(site: Site): string {
  return eksClusterName(site.name);
}

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

export interface ZoneSubnets {
  readonly zone: string;
  readonly privateCidr: string;
  readonly publicCidr: string;
}

/**
 * Carves the VPC: the first quarter per zone for private subnets (nodes and, with the VPC CNI,
 * pods: they need the room), and small public subnets for NAT gateways from the last quarter.
 */
export function subnetLayout(vpcCidr: string, zones: readonly string[]): ZoneSubnets[] {
  const vpc = parseCidr(vpcCidr);
  if (!vpc) throw new RangeError(`invalid VPC CIDR ${vpcCidr}`);
  const quarters = subnets(vpc, vpc.prefix + 2, 4);
  const publicPool = parseCidr(quarters[3])!;
  const publics = subnets(publicPool, publicPool.prefix + 4, zones.length);
  return zones.map((zone, i) => ({ zone, privateCidr: quarters[i], publicCidr: publics[i] }));
}

/** The zone suffix (`a`, `b`) that names a zone's resources, stable under reordering. */
export function zoneKey(zone: string): string {
  return zone.slice(-1);
}

/** A kubelet taint, as a node registers with it. */
export interface NodeTaint {
  readonly key: string;
  readonly value: string;
  readonly effect: string;
}

export interface HybridActivationSpec {
  readonly pool: string;
  readonly registrationLimit: number;
  readonly description: string;
  readonly tags: Record<string, string>;
  /** What each server registers with: hybrid nodes are in no node group, so they declare these themselves. */
  readonly labels: Record<string, string>;
  readonly taints: readonly NodeTaint[];
  /** GPU pools only: the containerd drop-in that registers NVIDIA's runtime and CDI (see charts/containerd). */
  readonly containerdConfig?: string;
}

/**
 * One SSM activation per on-premises pool, limited to the pool's node count: each GPU pool's,
 * and the system nodes' when they are on premises (untainted, labelled for the platform).
 */
export function hybridActivations(site: Site): HybridActivationSpec[] {
  const gpuPools = site.pools
    .filter((p) => p.placement === "on-prem")
    .map((p) => ({
      pool: p.name,
      registrationLimit: p.nodes,
      description: `EKS Hybrid Nodes for ${site.name} pool ${p.name}: ${p.nodes} x ${p.gpusPerNode} ${p.gpu.model}`,
      tags: {
        "aisc.hk/pool": p.name,
        "aisc.hk/gpu-model": p.gpu.model,
        "aisc.hk/gpus-per-node": String(p.gpusPerNode),
      },
      labels: gpuNodeLabels(p),
      taints: [GPU_TAINT],
      containerdConfig: gpuContainerdConfig(site.region),
    }));
  const { system } = site;
  if (system.placement !== "on-prem" || !system.nodes) return gpuPools;
  return [
    {
      pool: SYSTEM_POOL,
      registrationLimit: system.nodes,
      description: `EKS Hybrid Nodes for ${site.name} system nodes: ${system.nodes} servers for the platform's own pods`,
      tags: { "aisc.hk/pool": SYSTEM_POOL, [SYSTEM_NODE_LABEL.key]: SYSTEM_NODE_LABEL.value },
      labels: { ...SYSTEM_NODE_SELECTOR },
      taints: [],
    },
    ...gpuPools,
  ];
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
        labels: gpuNodeLabels(p),
        taints: [{ key: GPU_TAINT.key, value: GPU_TAINT.value, effect: "NO_SCHEDULE" }],
        description: `GPU nodes of ${site.name} pool ${p.name}`,
        diskGi: 500,
        userData: nodeConfigUserData(cloudGpuContainerdConfig()),
      },
    ];
  });
}

/**
 * Helm values for Cilium on hybrid nodes: cluster-pool IPAM over the site's on-premises pod
 * ranges (which EKS was told about as remote pod networks) and every Cilium pod confined to
 * hybrid nodes, since cloud nodes run the VPC CNI.
 */
export function ciliumValues(site: Site): Record<string, unknown> {
  const hybridOnly = {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: HYBRID_NODE_LABEL.key, operator: "In", values: [HYBRID_NODE_LABEL.value] }] }],
      },
    },
  };
  return {
    affinity: hybridOnly,
    ipam: {
      mode: "cluster-pool",
      operator: { clusterPoolIPv4MaskSize: 25, clusterPoolIPv4PodCIDRList: [...site.networks.onPremPodCidrs] },
    },
    operator: { replicas: 2, affinity: hybridOnly, unmanagedPodWatcher: { restart: false }, rollOutPods: true },
    envoy: { enabled: false },
    // BGP advertises each hybrid node's pod block to the site's routers (networks.podRouting).
    // Agents and operator read their ConfigMap only at start: roll them when it changes, or
    // turning BGP on (or any later setting) would wait for the next restart.
    ...(site.networks.podRouting?.mode === "bgp" ? { bgpControlPlane: { enabled: true } } : {}),
    rollOutCiliumPods: true,
    // GPU nodes carry the GPU taint; the CNI must run there or no pod gets a network.
    tolerations: [{ operator: "Exists" }],
  };
}

/**
 * A kubeconfig for the cluster that authenticates with `aws eks get-token`, so it holds no
 * credential of its own; it is still handled as a secret because it names the endpoint.
 */
export function eksKubeconfig(name: string, endpoint: string, caData: string, region: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster: { server: endpoint, "certificate-authority-data": caData } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    "current-context": name,
    users: [
      {
        name,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "aws",
            args: ["eks", "get-token", "--cluster-name", name, "--region", region, "--output", "json"],
          },
        },
      },
    ],
  });
}

/**
 * The nodeadm `NodeConfig` an on-premises server of `pool` boots with to join as a hybrid node:
 * the cluster, the pool's SSM activation, the pool's labels and GPU taint as kubelet flags
 * (hybrid nodes are not in a node group, so the node itself must declare them) and, for GPU
 * pools, the containerd config that gives the node NVIDIA's runtime and CDI.
 */
export function nodeadmConfig(cluster: string, region: string, activationId: string, activationCode: string, spec: Pick<HybridActivationSpec, "labels" | "taints" | "containerdConfig">): string {
  const labels = Object.entries(spec.labels).map(([k, v]) => `${k}=${v}`).join(",");
  const taints = spec.taints.map((t) => `${t.key}=${t.value}:${t.effect}`).join(",");
  return JSON.stringify({
    apiVersion: "node.eks.aws/v1alpha1",
    kind: "NodeConfig",
    spec: {
      cluster: { name: cluster, region },
      hybrid: { ssm: { activationId, activationCode } },
      kubelet: { flags: [`--node-labels=${labels}`, ...(taints ? [`--register-with-taints=${taints}`] : [])] },
      ...(spec.containerdConfig ? { containerd: { config: spec.containerdConfig } } : {}),
    },
  });
}
