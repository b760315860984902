import { GpuSpec, Precision, SubsidyScheme } from "./catalog";
import { SupportType } from "./eks-versions";
import { InstanceType } from "./instances";

/** Where a pool's servers are: the site's own floor, joined as EKS Hybrid Nodes, or EC2 burst. */
export const PLACEMENTS = ["on-prem", "cloud"] as const;
export type Placement = (typeof PLACEMENTS)[number];

export const TENANT_KINDS = ["university", "research-centre", "startup", "government", "enterprise"] as const;
export type TenantKind = (typeof TENANT_KINDS)[number];

export const MIG_STRATEGIES = ["none", "single", "mixed"] as const;
export type MigStrategy = (typeof MIG_STRATEGIES)[number];

export const CAPACITY_TYPES = ["on-demand", "spot", "capacity-block"] as const;
export type CapacityType = (typeof CAPACITY_TYPES)[number];

export const CLUSTER_KINDS = ["eks", "existing"] as const;
export type ClusterKind = (typeof CLUSTER_KINDS)[number];

/**
 * Where the platform's own pods run (operators, Slurm's controller, databases, Prometheus):
 * an EKS managed node group, on-premises CPU servers joined as hybrid nodes, or an existing
 * cluster's nodes that carry the system label. Never on GPU nodes, which are tainted.
 */
export const SYSTEM_PLACEMENTS = ["cloud", "on-prem", "existing"] as const;
export type SystemPlacement = (typeof SYSTEM_PLACEMENTS)[number];

/** The site's system nodes. */
export interface SystemNodes {
  readonly placement: SystemPlacement;
  /** Nodes aisc creates (cloud and on-prem); an existing cluster's are the operator's own. */
  readonly nodes?: number;
  /** The EC2 instance type of a cloud node group. */
  readonly instanceType?: string;
  /**
   * The StorageClass of the platform's volumes (slurmctld's state, MariaDB, Prometheus) unless
   * a block names its own: aisc's encrypted gp3 class on EBS for cloud system nodes; for
   * on-premises or existing nodes, the site's own (EBS cannot attach to them).
   */
  readonly storageClass: string;
}

/**
 * How a pool's GPUs are shared, mirroring the NVIDIA device plugin's config file: a MIG
 * strategy, and at most one of time-slicing or MPS. No MIG, no time-slicing and no MPS is an
 * exclusive pool, one container per GPU.
 */
export interface Sharing {
  readonly migStrategy: MigStrategy;
  /** Present exactly with `migStrategy: mixed`: how every GPU of the pool is partitioned. */
  readonly migLayout?: MigLayout;
  readonly timeSlicing?: SharedReplicas;
  readonly mps?: SharedReplicas;
}

/** A uniform MIG layout (`all-<profile>`): every GPU cut into `perGpu` instances of `profile`. */
export interface MigLayout {
  /** The mig-parted config name the MIG manager applies, `all-<profile>`. */
  readonly name: string;
  readonly profile: string;
  readonly perGpu: number;
}

/** Replicas of each GPU that time-slicing or MPS advertises, and under which resource name. */
export interface SharedReplicas {
  readonly replicas: number;
  /**
   * The extended resource the shared GPUs are advertised as. Defaults to `nvidia.com/gpu.shared`
   * so that a tenant's `requests.nvidia.com/gpu` quota keeps counting whole, physical GPUs.
   */
  readonly resourceName: string;
}

/** Settings of a cloud burst pool. */
export interface CloudPool {
  readonly capacityType: CapacityType;
  readonly instanceType: InstanceType;
  /** The EC2 Capacity Block reservation (`cr-...`) a capacity-block pool runs in. */
  readonly capacityReservationId?: string;
  /** Capacity blocks: when the block starts (UTC, RFC 3339); the node group scales up then. */
  readonly capacityBlockStart?: string;
  /**
   * The one zone the pool's nodes run in: required for a capacity block (its reservation's zone);
   * an EFA pool defaults to the site's first zone (RDMA does not cross zones); other pools span
   * every zone of the site unless one is named.
   */
  readonly availabilityZone?: string;
  /** Present when the site holds this capacity for its tenants: the pool then backs their quotas. */
  readonly guaranteed?: true;
}

/** A pool of identical GPU servers. */
export interface GpuPool {
  /** DNS label; the stable key every derived name starts from. */
  readonly name: string;
  readonly gpu: GpuSpec;
  readonly gpusPerNode: number;
  readonly nodes: number;
  readonly placement: Placement;
  readonly sharing: Sharing;
  /** Date (YYYY-MM-DD) the pool enters service; absent means in service now. */
  readonly inService?: string;
  /** Maximum power of one whole server in watts (catalog figure times GPUs unless overridden). */
  readonly nodeWatts: number;
  /** Present exactly when `placement` is `cloud`. */
  readonly cloud?: CloudPool;
}

export interface Networks {
  /** Availability zones for the VPC's subnets: two or three, EKS needs at least two. */
  readonly availabilityZones: readonly string[];
  readonly vpcCidr: string;
  readonly serviceCidr: string;
  readonly onPremNodeCidrs: readonly string[];
  readonly onPremPodCidrs: readonly string[];
  /** How the site's routers reach pods on hybrid nodes; present exactly when the site has on-premises nodes. */
  readonly podRouting?: PodRouting;
}

export const POD_ROUTING_MODES = ["bgp", "static"] as const;

/** A router the hybrid nodes hold BGP sessions with. */
export interface BgpPeer {
  readonly address: string;
  readonly asn: number;
}

/**
 * `bgp`: Cilium's BGP control plane on every hybrid node advertises the node's pod block to
 * `peers` from `localAsn`. `static`: the site's routers carry the routes; aisc renders no BGP.
 */
export type PodRouting = { readonly mode: "bgp"; readonly localAsn: number; readonly peers: readonly BgpPeer[] } | { readonly mode: "static" };

export interface Subsidy {
  readonly scheme: SubsidyScheme;
  /** Share of the tenant's computing cost the scheme pays, between 0 and 1. */
  readonly share: number;
}

export interface Tenant {
  /** DNS label and namespace name; the stable key of every tenant resource. */
  readonly name: string;
  readonly displayName: string;
  readonly kind: TenantKind;
  /** Whole physical GPUs the tenant is entitled to: its Kubernetes quota and its Slurm limit. */
  readonly gpus: number;
  /** Slurm fair-share weight; defaults to the GPU entitlement. */
  readonly fairShare: number;
  readonly subsidy?: Subsidy;
  /** The identity-provider group that administers the tenant's namespace. */
  readonly adminGroup: string;
  /** The site directory's (LDAP) group whose members are the tenant's Slurm users. */
  readonly directoryGroup: string;
  /** The alert receiver (of `monitoring.alerting`) for alerts about the tenant's own namespace. */
  readonly alertReceiver?: string;
  /** Exempt from the per-tenant maximum share of the site (an anchor tenant such as HKGAI). */
  readonly maxShareExempt: boolean;
  /** MIG slices the tenant is entitled to, by profile (`1g.10gb`); a profile not listed is 0. */
  readonly migSlices: Readonly<Record<string, number>>;
  /** Shared-GPU replicas the tenant is entitled to, by resource name (`nvidia.com/gpu.shared`); one not listed is 0. */
  readonly sharedGpus: Readonly<Record<string, number>>;
}

export interface Partition {
  readonly name: string;
  readonly pools: readonly string[];
  readonly default: boolean;
  readonly maxTimeHours: number;
}

export interface SlurmSettings {
  readonly partitions: readonly Partition[];
  /** Login nodes: users are looked up in the site's directory over LDAPS. */
  readonly login: { readonly ldapUri: string; readonly searchBase: string; readonly replicas: number };
  /** slurmdbd's MariaDB volume: size, and a StorageClass (the cluster's default if unset). */
  readonly accounting: { readonly storageGi: number; readonly storageClass?: string };
}

export interface MonitoringSettings {
  /** How long Prometheus keeps metrics, in days. */
  readonly retentionDays: number;
  /** Prometheus's volume, in GiB, kept when the stack is deleted. */
  readonly storageGi: number;
  readonly storageClass?: string;
  /** Share of the site's GPUs allocated above which capacity alerts fire (0.9 by default). */
  readonly utilisationTarget: number;
  /** GPU temperature that pages after five minutes, in degrees Celsius. */
  readonly gpuTempCelsius: number;
  /** Where alerts go; without it Alertmanager keeps the chart's default, which sends them nowhere. */
  readonly alerting?: AlertingSettings;
}

/** Alertmanager's receivers and routes: webhooks whose URLs are Pulumi secrets (`aisc:alertWebhook-<name>`). */
export interface AlertingSettings {
  readonly receivers: readonly string[];
  /** The receiver of critical alerts (the platform's on-call). */
  readonly critical: string;
  /** The receiver of every other alert (the platform's channel). */
  readonly warning: string;
  /** The dead-man's switch that must hear the always-firing `Watchdog`, or none. */
  readonly watchdog?: string;
}

export interface Milestone {
  readonly name: string;
  /** YYYY-MM-DD. */
  readonly date: string;
  readonly pflops: number;
}

/** What an IAM principal may do in the cluster: EKS's cluster-scoped access policies. */
export const ACCESS_POLICIES = ["cluster-admin", "admin", "view"] as const;
export type AccessPolicy = (typeof ACCESS_POLICIES)[number];

/** An IAM role or user that may use the cluster's API (an EKS access entry). */
export interface ClusterAccess {
  readonly principalArn: string;
  readonly policy: AccessPolicy;
}

/**
 * The site directory's OIDC provider, as an EKS identity provider config: its users and groups
 * reach Kubernetes as `<usernamePrefix><claim>` and `<groupsPrefix><group>`.
 */
export interface ClusterIdentity {
  readonly issuerUrl: string;
  readonly clientId: string;
  /** @default "sub" */
  readonly usernameClaim: string;
  /** @default "groups" */
  readonly groupsClaim: string;
  /** @default "oidc:" */
  readonly usernamePrefix: string;
  /** @default "oidc:" */
  readonly groupsPrefix: string;
}

export interface ClusterSettings {
  readonly kind: ClusterKind;
  /** Kubernetes minor version: one aisc pins EKS add-ons for (inventory/eks-versions). @default the newest */
  readonly kubernetesVersion: string;
  /** EKS support tier: `extended` keeps a version past standard support, at a price. @default "standard" */
  readonly supportType: SupportType;
  /** Whether the EKS API endpoint is reachable from the internet (private only by default). */
  readonly endpointPublicAccess: boolean;
  /**
   * EKS only: the AWS account the site deploys into. The AWS provider then refuses any other
   * (`allowedAccountIds`), and `aisc plan` holds the sites that share an account and region to
   * SSM's 1,000 hybrid nodes together.
   */
  readonly awsAccountId?: string;
  /** Private networks (operators', CI runners') allowed to the API endpoint over the site's link. @default [] */
  readonly apiAccessCidrs: readonly string[];
  /** EKS only: the site directory's OIDC provider. */
  readonly identity?: ClusterIdentity;
  /** EKS only: the IAM principals that may use the API; empty for an existing cluster. */
  readonly access: readonly ClusterAccess[];
  /** When set, the Kubernetes provider writes manifests to this directory instead of applying. */
  readonly renderYamlToDirectory?: string;
  /**
   * Days each hybrid-node SSM activation is issued for: a new one every period, each valid for
   * two (see components/cluster/hybrid-spec). 1 to 15, so that two fit SSM's 30-day maximum.
   * @default 14
   */
  readonly activationRotationDays: number;
}

/** The inventory as declared, validated. */
export interface SiteInventory {
  readonly name: string;
  readonly displayName: string;
  readonly region: string;
  readonly power: { readonly envelopeMW: number; readonly pue: number };
  readonly capacity: { readonly precision: Precision; readonly milestones: readonly Milestone[] };
  readonly cluster: ClusterSettings;
  readonly system: SystemNodes;
  readonly networks: Networks;
  readonly pools: readonly GpuPool[];
  readonly tenants: readonly Tenant[];
  readonly slurm: SlurmSettings;
  readonly monitoring: MonitoringSettings;
}

/** Capacity of a set of pools. */
export interface CapacityFigures {
  readonly nodes: number;
  readonly gpus: number;
  /** GPUs per model, keys in catalog order. */
  readonly gpusByModel: Readonly<Record<string, number>>;
  /** PFLOPS at the site's declared precision. */
  readonly pflops: number;
  readonly pflopsByPrecision: Readonly<Record<Precision, number>>;
  /** The GPUs' own power at full load, MW. */
  readonly gpuPowerMW: number;
  /** Servers' power at full load (IT load), MW. */
  readonly itPowerMW: number;
  /** IT load times PUE: what the site's envelope must hold, MW. */
  readonly facilityPowerMW: number;
}

export interface MilestoneStatus extends Milestone {
  /** PFLOPS of the pools in service by the milestone's date, at the site's precision. */
  readonly plannedPflops: number;
  readonly met: boolean;
}

export interface SiteCapacity extends CapacityFigures {
  readonly precision: Precision;
  readonly entitledGpus: number;
  readonly milestones: readonly MilestoneStatus[];
}

/** A validated site with its derived capacity: what every component is built from. */
export interface Site extends Omit<SiteInventory, "capacity"> {
  readonly capacity: SiteCapacity;
}
