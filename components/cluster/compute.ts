import { parseCidr, subnets } from "../../inventory/cidr";
import { eksClusterName, GPU_TAINT, NODE_LABELS, nodeGroupName, SYSTEM_NODE_SELECTOR, SYSTEM_POOL } from "../../inventory/platform";
import { CapacityType, CloudPool, GpuPool, Site } from "../../inventory/types";
import { cloudGpuContainerdConfig, nodeConfigUserData } from "../../charts/containerd";

/**
 * Pure decisions about a site's cluster: names, subnet layout, node labels and the shape of
 * each hybrid activation and cloud node group. The component only wires these to AWS, so the
 * decisions are tested without Pulumi.
 */

/**
 * Control-plane log types every cluster ships: all five. Audit is what compliance reviewers ask
 * for; the controller manager's and scheduler's logs are what explains a node group that does
 * not scale or a pod that never schedules.
 */
export const CONTROL_PLANE_LOGS = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

/** The log group EKS writes a cluster's control-plane logs to (EKS chooses the name). */
export function logGroupName(eksName: string): string {
  return `/aws/eks/${eksName}/cluster`;
}

/** Who the program runs as: the account every key policy and trust condition names. */
export interface AwsIdentity {
  readonly accountId: string;
  /** The ARN partition, `aws` (or `aws-us-gov`, `aws-cn`). */
  readonly partition: string;
}

/**
 * The key policy of the control-plane logs' key: the account administers it (as KMS's default
 * policy does), and CloudWatch Logs in the region may use it only for this cluster's log group
 * (CloudWatch Logs user guide, "Encrypt log data using AWS KMS").
 */
export function logKeyPolicy(id: AwsIdentity, region: string, eksName: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: `arn:${id.partition}:iam::${id.accountId}:root` }, Action: "kms:*", Resource: "*" },
      {
        Sid: "LogsUseForTheClusterLogGroup",
        Effect: "Allow",
        Principal: { Service: `logs.${region}.amazonaws.com` },
        Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        Resource: "*",
        Condition: {
          ArnEquals: { "kms:EncryptionContext:aws:logs:arn": `arn:${id.partition}:logs:${region}:${id.accountId}:log-group:${logGroupName(eksName)}` },
        },
      },
    ],
  });
}
/** How long control-plane logs are kept, in days. */
export const LOG_RETENTION_DAYS = 365;

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
