import { LIMITS } from "./limits";
import { GPU_MODELS, SUBSIDY_SCHEMES } from "./catalog";
import { RESERVED_NAMESPACES_TEXT, SLURM_RESERVED_NAMES, SYSTEM_POOL } from "./platform";
import { CAPACITY_TYPES, MIG_STRATEGIES, PLACEMENTS, TENANT_KINDS } from "./types";
import {
  codes,
  text,
  dnsLabel,
  ref,
  list,
  ZONE,
  DATE,
  MIG_LAYOUTS,
  INSTANCE_TYPES,
  RESOURCE_NAME,
  SUBSIDY_NAMES,
  Section,
  MONITORING_DEFAULTS,
} from "./input-kit";

/** GPU pools, tenants, Slurm and monitoring: each section's keys in the parser's order. */
export const WORKLOAD_SECTIONS = {
  pool: {
    name: {
      doc: `The pool's key, a DNS label of at most 40 characters, unique, not \`aisc-default\` or \`${SYSTEM_POOL}\`; a cloud pool's EKS node group \`aisc-<site>-<name>\` must fit 63 characters.`,
      required: true,
      schema: dnsLabel(40),
    },
    gpu: {
      doc: `The GPU model, from the catalog: ${codes(GPU_MODELS)}.`,
      required: true,
      schema: { enum: [...GPU_MODELS] },
    },
    gpusPerNode: {
      doc: "GPUs per server, 1 to 16; a cloud pool's must match an instance type of its model, and GB200's must divide its 72-GPU NVLink rack.",
      required: true,
      schema: { type: "integer", minimum: 1, maximum: 16 },
    },
    nodes: {
      doc: `Servers in the pool, from 1 to ${LIMITS.nodesPerOnPremPool} on premises (one SSM activation) or ${LIMITS.nodesPerCloudPool} in the cloud (one managed node group); GB200 pools are whole NVLink racks.`,
      required: true,
      schema: { type: "integer", minimum: 1, maximum: LIMITS.nodesPerOnPremPool },
    },
    placement: {
      doc: `${codes(PLACEMENTS)}: the site's own servers joined as EKS hybrid nodes, or an EC2 burst pool (which needs \`cloud\` and \`cluster.kind: eks\`).`,
      required: false,
      default: "`on-prem`",
      schema: { enum: [...PLACEMENTS] },
    },
    sharing: {
      doc: "How the pool's GPUs are shared (MIG, time-slicing or MPS); a shared pool serves Kubernetes pods only and is left out of Slurm's partitions.",
      required: false,
      default: "exclusive: one container per whole GPU",
      schema: ref("sharing"),
    },
    inService: {
      doc: "The date the pool enters service, written `YYYY-MM-DD` (quote it); without it the pool is in service now.",
      required: false,
      schema: DATE,
    },
    nodeWatts: {
      doc: "Maximum power of one whole server in watts, greater than 0 and at most 500000.",
      required: false,
      default: "the catalog's server watts per GPU times `gpusPerNode`",
      schema: { type: "number", exclusiveMinimum: 0, maximum: 500000 },
    },
    cloud: {
      doc: "The burst pool's EC2 settings: required with `placement: cloud`, refused on premises.",
      required: false,
      schema: ref("cloud"),
    },
  },
  sharing: {
    migStrategy: {
      doc: "`none` or `mixed` (MIG slices advertised by profile; the GPU model must support MIG); `single` is refused, since it advertises every slice as `nvidia.com/gpu` and whole-GPU quotas would count slices.",
      required: false,
      default: "`none`",
      schema: { enum: MIG_STRATEGIES.filter((s) => s !== "single") },
    },
    migLayout: {
      doc: "Required with `migStrategy: mixed`, refused without it: `all-<profile>`, every GPU cut into instances of one of the model's MIG profiles (such as `all-1g.10gb` for H100).",
      required: false,
      schema: { enum: MIG_LAYOUTS },
    },
    timeSlicing: {
      doc: "Time-sliced replicas of each GPU; not on a MIG pool, and not with `mps`.",
      required: false,
      schema: ref("replicas"),
    },
    mps: {
      doc: "MPS replicas of each GPU; not on a MIG pool, and not with `timeSlicing`.",
      required: false,
      schema: ref("replicas"),
    },
  },
  replicas: {
    replicas: {
      doc: "Replicas each GPU is advertised as, 2 to 1024.",
      required: true,
      schema: { type: "integer", minimum: 2, maximum: 1024 },
    },
    resourceName: {
      doc: "The extended resource the replicas are advertised as, `nvidia.com/<name>` with a name of at most 63 letters, digits, `-`, `_` or `.`; tenants' `sharedGpus` name it.",
      required: false,
      default: "`nvidia.com/gpu.shared`",
      schema: { type: "string", maxLength: 74, pattern: RESOURCE_NAME },
    },
  },
  cloud: {
    capacityType: {
      doc: `${codes(CAPACITY_TYPES)} (a purchased EC2 Capacity Block, which needs \`capacityReservationId\`, \`capacityBlockStart\` and \`availabilityZone\`).`,
      required: false,
      default: "`on-demand`",
      schema: { enum: [...CAPACITY_TYPES] },
    },
    instanceType: {
      doc: "An EC2 instance type with the pool's GPU model and `gpusPerNode` GPUs, which the region offers by aisc's record (`inventory/offerings.ts`; Hong Kong offers none). H800 and GB200 have none.",
      required: false,
      default: "the catalog's first type for the model with `gpusPerNode` GPUs",
      schema: { enum: INSTANCE_TYPES },
    },
    capacityReservationId: {
      doc: "`capacity-block` only, and required there: the Capacity Block's reservation ID, `cr-` and 17 hex digits.",
      required: false,
      schema: { type: "string", pattern: "^cr-[0-9a-f]{17}$" },
    },
    capacityBlockStart: {
      doc: "`capacity-block` only, and required there: the block's start in UTC as EC2 states it, such as `2027-01-10T11:30:00Z`.",
      required: false,
      schema: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2})?Z$" },
    },
    availabilityZone: {
      doc: "The one zone the pool runs in, one of `networks.availabilityZones`; required for `capacity-block` (the reservation's zone). Without it an EFA instance type keeps to the site's first zone, any other spans every zone.",
      required: false,
      schema: text(LIMITS.stringLength, ZONE),
    },
    guaranteed: {
      doc: "Whether the site holds this capacity for its tenants, so that it backs their quotas; refused for `spot`.",
      required: false,
      default: "`false`",
      schema: { type: "boolean" },
    },
  },
  tenant: {
    name: {
      doc: `The tenant's key: its namespace, Slurm account and QoS. A DNS label of at most 42 characters, unique; not a platform namespace (${RESERVED_NAMESPACES_TEXT.split(
        ", ",
      )
        .map((n) => `\`${n}\``)
        .join(", ")}) nor ${codes(Object.keys(SLURM_RESERVED_NAMES))}.`,
      required: true,
      schema: dnsLabel(42),
    },
    displayName: {
      doc: "The tenant's title: letters of any script, digits, spaces and `& ( ) - . , / +`, starting with a letter or digit (it is written into Slurm's account records, where `#`, `:` and quotes break the line).",
      required: false,
      default: "the tenant's `name`",
      schema: text(LIMITS.stringLength, "^[\\p{L}\\p{N}][\\p{L}\\p{N} &()\\-.,/+]*$"),
    },
    kind: {
      doc: `The kind of organisation: ${codes(TENANT_KINDS)}.`,
      required: true,
      schema: { enum: [...TENANT_KINDS] },
    },
    gpus: {
      doc: "Whole GPUs the tenant is entitled to, 0 or more: its Kubernetes quota and its Slurm limit.",
      required: true,
      schema: { type: "integer", minimum: 0 },
    },
    fairShare: {
      doc: "Slurm fair-share weight, 1 to 1000000.",
      required: false,
      default: "the tenant's `gpus` (at least 1)",
      schema: { type: "integer", minimum: 1, maximum: 1000000 },
    },
    subsidy: {
      doc: "The subsidy scheme that pays part of the tenant's computing cost; none when absent.",
      required: false,
      schema: ref("subsidy"),
    },
    adminGroup: {
      doc: "The identity provider's group that administers the tenant's namespace, bound as `<groupsPrefix><adminGroup>`: one group per tenant, no leading or trailing spaces, never a `system:` name.",
      required: true,
      schema: text(LIMITS.stringLength, "^(?!system:)\\S(.*\\S)?$"),
    },
    directoryGroup: {
      doc: "The `cn` of the site directory's group whose members are the tenant's Slurm users: letters, digits, `_`, `.`, `-`, at most 64, not starting with `.` or `-`.",
      required: true,
      schema: { type: "string", pattern: "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$" },
    },
    alertReceiver: {
      doc: "The receiver, one of `monitoring.alerting.receivers`, of alerts about the tenant's own namespace.",
      required: false,
      schema: dnsLabel(),
    },
    maxShareExempt: {
      doc: "Whether the tenant is exempt from the per-tenant maximum share of the site (an anchor tenant such as HKGAI).",
      required: false,
      default: "`false`",
      schema: { type: "boolean" },
    },
    migSlices: {
      doc: "MIG slices the tenant is entitled to, by profile, such as `{1g.10gb: 56}`: each profile one a pool's `migLayout` advertises, each count 0 or more.",
      required: false,
      default: "none",
      schema: { type: "object", propertyNames: { pattern: "^[1-8]g\\.[0-9]+gb(\\+[a-z]+)?$" }, additionalProperties: { type: "integer", minimum: 0 } },
    },
    sharedGpus: {
      doc: "Shared-GPU replicas the tenant is entitled to, by resource name, such as `{nvidia.com/gpu.shared: 64}`: each a resource a time-sliced or MPS pool advertises, each count 0 or more.",
      required: false,
      default: "none",
      schema: { type: "object", propertyNames: { pattern: RESOURCE_NAME }, additionalProperties: { type: "integer", minimum: 0 } },
    },
  },
  subsidy: {
    scheme: {
      doc: `The scheme: ${codes(SUBSIDY_NAMES)} (${SUBSIDY_NAMES.map((s) => SUBSIDY_SCHEMES[s].title).join("; ")}).`,
      required: true,
      schema: { enum: SUBSIDY_NAMES },
    },
    share: {
      doc: "The share of the tenant's computing cost the scheme pays, greater than 0 and at most 1.",
      required: false,
      default: `the scheme's (${SUBSIDY_NAMES.map((s) => `${SUBSIDY_SCHEMES[s].defaultShare} for \`${s}\``).join(", ")})`,
      schema: { type: "number", exclusiveMinimum: 0, maximum: 1 },
    },
  },
  slurm: {
    partitions: {
      doc: `Slurm's partitions, 1 to ${LIMITS.partitions}, names unique, at most one \`default\`: every whole-GPU pool must be in one, and no MIG, time-sliced or MPS pool may be.`,
      required: true,
      schema: list(ref("partition"), 1, LIMITS.partitions),
    },
    login: {
      doc: "The login nodes, which look users up in the site's directory over LDAPS.",
      required: true,
      schema: ref("login"),
    },
    accounting: {
      doc: "slurmdbd's MariaDB volume.",
      required: false,
      default: "100 GiB on the platform's StorageClass",
      schema: ref("accounting"),
    },
  },
  partition: {
    name: {
      doc: "The partition's name: lower-case letters, digits, `-` or `_`, starting with a letter, at most 40 characters.",
      required: true,
      schema: text(40, "^[a-z][a-z0-9_-]*$"),
    },
    pools: {
      doc: `The whole-GPU pools (by \`pools[].name\`) the partition schedules on, 1 to ${LIMITS.pools}, each named once.`,
      required: true,
      schema: list(dnsLabel(40), 1, LIMITS.pools),
    },
    default: {
      doc: "Whether this is the default partition; at most one is.",
      required: false,
      default: "`false`",
      schema: { type: "boolean" },
    },
    maxTimeHours: {
      doc: "A job's longest run in hours, 1 to 8760.",
      required: false,
      default: "`72`",
      schema: { type: "integer", minimum: 1, maximum: 8760 },
    },
  },
  login: {
    ldapUri: {
      doc: "The site directory, an `ldaps://` URI such as `ldaps://ldap.example.hk` (TLS only); it also supplies each tenant's `directoryGroup` members.",
      required: true,
      schema: text(LIMITS.stringLength, "^ldaps://[A-Za-z0-9.-]+(:\\d+)?$"),
    },
    searchBase: {
      doc: "The directory's search base, an LDAP DN such as `dc=aisc,dc=hk`.",
      required: true,
      schema: text(LIMITS.stringLength, "^([A-Za-z]+=[^,=]+)(,[A-Za-z]+=[^,=]+)*$"),
    },
    replicas: {
      doc: "Login pods, 1 to 16.",
      required: false,
      default: "`2`",
      schema: { type: "integer", minimum: 1, maximum: 16 },
    },
  },
  accounting: {
    storageGi: {
      doc: "The MariaDB volume's size in GiB, 10 to 100000.",
      required: false,
      default: "`100`",
      schema: { type: "integer", minimum: 10, maximum: 100000 },
    },
    storageClass: {
      doc: "The MariaDB volume's StorageClass; unset, the platform's (`system.storageClass`).",
      required: false,
      schema: dnsLabel(),
    },
  },
  monitoring: {
    retentionDays: {
      doc: "How long Prometheus keeps metrics, in days, 1 to 3650.",
      required: false,
      default: `\`${MONITORING_DEFAULTS.retentionDays}\``,
      schema: { type: "integer", minimum: 1, maximum: 3650 },
    },
    storageGi: {
      doc: "Prometheus's volume in GiB, 10 to 1000000, retained when the stack is deleted.",
      required: false,
      default: `\`${MONITORING_DEFAULTS.storageGi}\``,
      schema: { type: "integer", minimum: 10, maximum: 1000000 },
    },
    storageClass: {
      doc: "Prometheus's StorageClass; unset, the platform's (`system.storageClass`).",
      required: false,
      schema: dnsLabel(),
    },
    utilisationTarget: {
      doc: "The share of the site's GPUs allocated above which capacity alerts fire, greater than 0 and at most 1.",
      required: false,
      default: `\`${MONITORING_DEFAULTS.utilisationTarget}\``,
      schema: { type: "number", exclusiveMinimum: 0, maximum: 1 },
    },
    gpuTempCelsius: {
      doc: "The GPU temperature in degrees Celsius, 40 to 110, that pages after five minutes.",
      required: false,
      default: `\`${MONITORING_DEFAULTS.gpuTempCelsius}\``,
      schema: { type: "integer", minimum: 40, maximum: 110 },
    },
    alerting: {
      doc: "Alertmanager's receivers and routes; without it Alertmanager keeps the chart's configuration, which delivers nothing.",
      required: false,
      schema: ref("alerting"),
    },
  },
  alerting: {
    receivers: {
      doc: "Receiver names, 1 to 16, unique DNS labels of at most 40 characters, not `null`: each a webhook whose URL is the secret `aisc:alertWebhook-<name>`.",
      required: true,
      schema: list(text(40, "^(?!null$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$"), 1, 16),
    },
    critical: {
      doc: "The receiver, one of `receivers`, of critical alerts (the platform's on-call).",
      required: true,
      schema: dnsLabel(40),
    },
    warning: {
      doc: "The receiver, one of `receivers`, of every other alert (the platform's channel).",
      required: true,
      schema: dnsLabel(40),
    },
    watchdog: {
      doc: "The receiver, one of `receivers`, of the always-firing `Watchdog` alert (a dead-man's switch); none when absent.",
      required: false,
      schema: dnsLabel(40),
    },
  },
} as const satisfies Record<string, Section>;
