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

/** The device plugin's fallback config is named this (charts/nvidia-device-plugin.ts), so no pool may be. */
export const RESERVED_POOL_NAME = "aisc-default";

/** The StorageClass aisc makes on the EBS CSI driver for cloud system nodes: gp3, encrypted, retained. */
export const EBS_STORAGE_CLASS = "aisc-gp3";

/** The site's preemptible QoS, which lends idle GPUs past a tenant's cap (see charts/slurm-config). */
export const SCAVENGER_QOS = "scavenger";

/**
 * Slurm's own names and those aisc creates itself, which a tenant (its account and QoS) must not
 * take: a tenant named `root` would rewrite the root account's fair share, one named `normal`
 * would cap Slurm's default QoS, one named after the scavenger QoS would take its place.
 */
export const SLURM_RESERVED_NAMES: Readonly<Record<string, string>> = {
  root: "Slurm's root account",
  normal: "Slurm's default QoS",
  [SCAVENGER_QOS]: "the site's scavenger QoS",
};

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
  /** NVIDIA's MIG manager applies the mig-parted layout this label names (MIG pools only). */
  migConfig: "nvidia.com/mig.config",
  /** The MIG manager runs where this is "true" (MIG pools only). */
  migManager: "nvidia.com/gpu.deploy.mig-manager",
} as const;

/**
 * The annotation of a GPU agent DaemonSet that must run on every GPU pool (the device plugin,
 * GPU Feature Discovery, the DCGM exporter): `verify --only placement` holds it to that; agents
 * for some pools only must fit those their selectors pick.
 */
export const EVERY_GPU_POOL = { key: "aisc.hk/runs-on", value: "every-gpu-pool" } as const;

/**
 * The GPU agents NVIDIA's MIG manager (k8s-mig-manager v0.13.1, `reconfigure-mig.sh`) stops
 * while it repartitions a node: it sets `nvidia.com/gpu.deploy.<agent>` to
 * `paused-for-mig-change`, waits until no pod labelled `app=<app>` is left on the node in the
 * GPU clients' namespace, and sets the label back to `true`. The agents' node affinity honours
 * the label, so their DaemonSets step aside and return.
 */
export const MIG_CLIENTS = {
  devicePlugin: { deployLabel: "nvidia.com/gpu.deploy.device-plugin", app: "nvidia-device-plugin-daemonset" },
  gfd: { deployLabel: "nvidia.com/gpu.deploy.gpu-feature-discovery", app: "gpu-feature-discovery" },
  dcgmExporter: { deployLabel: "nvidia.com/gpu.deploy.dcgm-exporter", app: "nvidia-dcgm-exporter" },
} as const;

/** The taint on every GPU node, so that only pods that tolerate it land there. */
export const GPU_TAINT = { key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" } as const;

/**
 * NVIDIA's container runtime as containerd knows it on every GPU node: the runtime handler and
 * the RuntimeClass of the same name that the GPU agents (device plugin, feature discovery, DCGM
 * exporter, MPS daemon) run under. Tenants' pods never do: they get their GPUs through CDI.
 */
export const NVIDIA_RUNTIME = { name: "nvidia", binary: "/usr/bin/nvidia-container-runtime" } as const;

/**
 * The AWS account of EKS's image registry in each region, as nodeadm knows it (aws/eks-hybrid
 * v1.0.8, commit db3fa4c1, `internal/aws/ecr/ecr.go` `accountsByRegion`; the same accounts as
 * the EKS user guide's registry table): 602401143452 in the regions open to every account,
 * their own in opt-in regions and GovCloud. A hybrid node's pause image comes from here, as
 * nodeadm would pull it. China and the isolated partitions (other DNS suffixes) are left out;
 * a region not listed is refused for hybrid GPU pools rather than guessed.
 */
export const EKS_REGISTRY_ACCOUNTS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(
    [
      "us-east-1",
      "us-east-2",
      "us-west-1",
      "us-west-2",
      "ap-south-1",
      "ap-northeast-1",
      "ap-northeast-2",
      "ap-northeast-3",
      "ap-southeast-1",
      "ap-southeast-2",
      "ca-central-1",
      "eu-central-1",
      "eu-west-1",
      "eu-west-2",
      "eu-west-3",
      "eu-north-1",
      "sa-east-1",
    ].map((r) => [r, "602401143452"]),
  ),
  "af-south-1": "877085696533",
  "ap-east-1": "800184023465",
  "ap-east-2": "533267051163",
  "ap-south-2": "900889452093",
  "ap-southeast-3": "296578399912",
  "ap-southeast-4": "491585149902",
  "ap-southeast-5": "151610086707",
  "ap-southeast-7": "121268973566",
  "ca-west-1": "761377655185",
  "eu-central-2": "900612956339",
  "eu-south-1": "590381155156",
  "eu-south-2": "455263428931",
  "il-central-1": "066635153087",
  "me-central-1": "759879836304",
  "me-south-1": "558608220178",
  "mx-central-1": "730335286997",
  "us-gov-east-1": "151742754352",
  "us-gov-west-1": "013241004608",
};

/** SSM CreateActivation's ExpirationDate: at most 30 days after the call (24 hours when unset). */
export const SSM_ACTIVATION_MAX_DAYS = 30;
