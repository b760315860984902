/**
 * Names the platform itself owns. Tenant namespaces are named after tenants, so these names
 * (and every `kube-` name) are reserved: a tenant called `monitoring` would otherwise be handed
 * the monitoring stack's namespace.
 */
export const PLATFORM_NAMESPACES = {
  nvidia: "nvidia-gpu",
  slurmOperator: "slinky",
  slurm: "slurm",
  monitoring: "monitoring",
  certManager: "cert-manager",
  cilium: "kube-system",
} as const;

const RESERVED = new Set<string>(["default", ...Object.values(PLATFORM_NAMESPACES)]);

/** The reserved names, as a tenant's error message lists them. */
export const RESERVED_NAMESPACES_TEXT = ["default", "kube-*", ...new Set(Object.values(PLATFORM_NAMESPACES).filter((n) => !n.startsWith("kube-")))].join(", ");

/** Whether a tenant may not use `name` as its namespace. */
export function isReservedNamespace(name: string): boolean {
  return RESERVED.has(name) || name.startsWith("kube-");
}

/** The EKS cluster's name: stable, so replacing it is never an accident of renaming. */
export function eksClusterName(siteName: string): string {
  return `aisc-${siteName}`;
}

/** A cloud pool's EKS managed node group name. */
export function nodeGroupName(siteName: string, poolName: string): string {
  return `${eksClusterName(siteName)}-${poolName}`;
}

/** EKS refuses a node group name longer than this (the EKS user guide's node group rules). */
export const NODE_GROUP_NAME_MAX = 63;

/** The StorageClass aisc makes on the EBS CSI driver for cloud system nodes: gp3, encrypted, retained. */
export const EBS_STORAGE_CLASS = "aisc-gp3";

/** The key of the site's system nodes among its pools' resources (node group, activation): no GPU pool may take it. */
export const SYSTEM_POOL = "system";

/** The label of the nodes the platform's own pods run on, and the selector every one of those pods carries. */
export const SYSTEM_NODE_LABEL = { key: "aisc.hk/node-role", value: "system" } as const;
export const SYSTEM_NODE_SELECTOR: Readonly<Record<string, string>> = { [SYSTEM_NODE_LABEL.key]: SYSTEM_NODE_LABEL.value };

/** Labels every node of a GPU pool carries; every GPU workload selects on them. */
export const NODE_LABELS = {
  pool: "aisc.hk/pool",
  gpuModel: "aisc.hk/gpu-model",
  /** The device plugin reads this label to pick the pool's named config. */
  devicePluginConfig: "nvidia.com/device-plugin.config",
} as const;

/** The taint on every GPU node, so that only pods that tolerate it land there. */
export const GPU_TAINT = { key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" } as const;
