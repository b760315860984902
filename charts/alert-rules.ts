import { nodeResources, resourceClass } from "../inventory/gpu-resources";
import { PLATFORM_NAMESPACES } from "../inventory/platform";
import { GpuPool, Site } from "../inventory/types";
import { DCGM_EXPORTER } from "./dcgm-exporter";
import { SLURM_NAMES } from "./slurm";
import { slurmPools } from "./slurm-config";

/**
 * The site's alerting and recording rules, as plain data: GPU health from the DCGM exporter,
 * capacity from kube-state-metrics and Slurm, and Slurm's own health. A site at 90% use lives
 * on these: a GPU that throws XID errors or loses ECC rows must page before a week-long job dies.
 */

export interface Rule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly Rule[];
}

/**
 * Gives DCGM series a `node` label from the exporter's `Hostname` (its `NODE_NAME`, the node's
 * name, at 4.2.3-4.1.3), whether or not the scrape added one. Applied to instant vectors, so it
 * wraps `increase(...)` rather than sitting inside a range selector.
 */
export function byNode(expr: string): string {
  return `label_replace(${expr}, "node", "$1", "Hostname", "(.+)")`;
}

/** The Kubernetes resource a pool's GPUs are allocatable as, as kube-state-metrics names it, and how many per node. */
export function advertisedGpus(pool: GpuPool): { resource: string; count: number } {
  // One resource per pool (whole GPUs, one MIG profile's slices, or shared replicas).
  const [[name, count]] = Object.entries(nodeResources(pool));
  return { resource: ksmResource(name), count };
}

/** A resource name as kube-state-metrics writes it in `resource` labels of requests and allocatable (`nvidia_com_gpu`). */
export function ksmResource(name: string): string {
  return name.replace(/[./-]/g, "_");
}

/**
 * Every GPU resource the site's pools advertise, with how many of it make one whole GPU: 1 for a
 * whole GPU, the slices per GPU for a MIG profile (`all-1g.10gb` cuts an H100 into 7), the
 * replicas for a shared GPU. Capacity is compared in whole-GPU equivalents, so every class
 * counts on both sides. Sorted by name; a resource two pools advertise takes the first pool's
 * count by name.
 */
export function gpuResourceWeights(site: Site): { name: string; perGpu: number }[] {
  const perGpu = new Map<string, number>();
  for (const pool of [...site.pools].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const [[name, perNode]] = Object.entries(nodeResources(pool));
    if (!perGpu.has(name)) perGpu.set(name, resourceClass(pool) === "whole" ? 1 : perNode / pool.gpusPerNode);
  }
  return [...perGpu].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, n]) => ({ name, perGpu: n }));
}

/** A regex alternation matching every GPU quota line of the site (`requests.nvidia.com/gpu|...`), dots escaped. */
export function gpuQuotaRegex(site: Site): string {
  return gpuResourceWeights(site)
    .map((r) => `requests.${r.name}`.replace(/\./g, "\\\\."))
    .join("|");
}

/**
 * Hardware XIDs, by NVIDIA's XID catalog: 48 double-bit ECC, 63/64 row remapping, 74 NVLink,
 * 79 fallen off the bus, 92 high single-bit ECC rate, 94/95 contained/uncontained ECC, 119/120
 * GSP errors. Application XIDs (13, 31, 43, 45: a job's own fault) do not page.
 */
export const HARDWARE_XIDS = ["48", "63", "64", "74", "79", "92", "94", "95", "119", "120"] as const;

/** Namespaces whose GPU pods are the platform's (slurmd holds whole nodes for Slurm's jobs), not a tenant's. */
export const PLATFORM_NAMESPACE_MATCH = `namespace!~"${Object.values(PLATFORM_NAMESPACES).join("|")}"`;

const critical = { severity: "critical" };
const warning = { severity: "warning" };
const ON_GPU = "GPU {{ $labels.gpu }} on {{ $labels.node }}";

function gpuHealth(site: Site): Rule[] {
  const dcgmJob = `job="${DCGM_EXPORTER.name}"`;
  const missing = [...site.pools]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((pool) => {
      const advertised = advertisedGpus(pool);
      if (!advertised) return [];
      const expr = `(kube_node_status_allocatable{resource="${advertised.resource}"} or on(node) (0 * kube_node_labels)) * on(node) group_left(label_aisc_hk_pool) kube_node_labels{label_aisc_hk_pool="${pool.name}"} < ${advertised.count}`;
      return [
        {
          alert: "GpuNodeMissingGpus",
          expr,
          for: "10m",
          labels: { ...critical, pool: pool.name },
          annotations: {
            summary: `{{ $labels.node }} advertises {{ $value }} of the ${advertised.count} ${advertised.resource} its pool ${pool.name} declares`,
          },
        },
      ];
    });
  return [
    {
      alert: "GpuHardwareXid",
      expr: `max by (node, gpu, xid) (${byNode(`DCGM_EXP_XID_ERRORS_COUNT{xid=~"${HARDWARE_XIDS.join("|")}"}`)}) > 0`,
      labels: critical,
      annotations: { summary: `Hardware XID {{ $labels.xid }} on ${ON_GPU} ({{ $value }} in the exporter's 5-minute window)` },
    },
    {
      alert: "GpuDoubleBitEccErrors",
      expr: `max by (node, gpu) (${byNode("increase(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL[10m])")}) > 0`,
      labels: critical,
      annotations: { summary: `Double-bit ECC errors on ${ON_GPU}` },
    },
    {
      alert: "GpuRowRemapFailure",
      expr: `max by (node, gpu) (${byNode("DCGM_FI_DEV_ROW_REMAP_FAILURE")}) > 0`,
      labels: critical,
      annotations: { summary: `Row remapping failed on ${ON_GPU}: replace the GPU` },
    },
    {
      alert: "GpuTemperatureHigh",
      expr: `max by (node, gpu) (${byNode("DCGM_FI_DEV_GPU_TEMP")}) > ${site.monitoring.gpuTempCelsius}`,
      for: "5m",
      labels: critical,
      annotations: { summary: `${ON_GPU} at {{ $value }} C, over ${site.monitoring.gpuTempCelsius} C for 5 minutes` },
    },
    {
      alert: "GpuNvlinkErrors",
      expr: `max by (node, gpu) (${byNode("increase(DCGM_FI_DEV_NVLINK_CRC_FLIT_ERROR_COUNT_TOTAL[10m])")}) > 0 or max by (node, gpu) (${byNode("increase(DCGM_FI_DEV_NVLINK_REPLAY_ERROR_COUNT_TOTAL[10m])")}) > 0`,
      labels: warning,
      annotations: { summary: `NVLink CRC or replay errors increasing on ${ON_GPU}` },
    },
    {
      alert: "GpuPcieReplays",
      expr: `max by (node, gpu) (${byNode("increase(DCGM_FI_DEV_PCIE_REPLAY_COUNTER[10m])")}) > 0`,
      labels: warning,
      annotations: { summary: `PCIe replays increasing on ${ON_GPU}` },
    },
    {
      alert: "DcgmExporterDown",
      expr: `up{${dcgmJob}} == 0`,
      for: "10m",
      labels: critical,
      annotations: { summary: "DCGM exporter {{ $labels.instance }} is down: its node's GPUs are unwatched" },
    },
    {
      alert: "DcgmExporterAbsent",
      expr: `absent(up{${dcgmJob}})`,
      for: "15m",
      labels: critical,
      annotations: { summary: "No DCGM exporter is being scraped: no GPU on the site is watched" },
    },
    ...missing,
    {
      alert: "GpuAllocatedIdle",
      // Tenants' pods only: slurmd holds its node's GPUs whether or not Slurm has jobs on them.
      expr: `max by (node, gpu, namespace, pod) (${byNode(`DCGM_FI_DEV_GPU_UTIL{pod!="", ${PLATFORM_NAMESPACE_MATCH}}`)}) == 0`,
      for: "1h",
      labels: warning,
      annotations: { summary: `${ON_GPU} is allocated to {{ $labels.namespace }}/{{ $labels.pod }} and has been idle for an hour` },
    },
  ];
}

/** GPUs in use and GPUs there are, in whole-GPU equivalents of every class (see {@link gpuResourceWeights}). */
export const ALLOCATED_RECORD = "aisc:site_gpus_allocated:sum";
export const ALLOCATABLE_RECORD = "aisc:site_gpus_allocatable:sum";

/**
 * The GPUs Slurm's jobs occupy, derived: Slurm 25.11's OpenMetrics export no GPU allocation
 * (`slurm_node_gpus_alloc` arrives in 26.05), but every node's allocated cores
 * (`slurm_node_cpus_alloc{node}`), and a GPU job gets `DefCpuPerGPU` (the pool's cores per GPU)
 * unless it asks otherwise. So a node's cores in use over its cores per GPU, rounded up and at
 * most its GPUs, is exactly its GPUs in use for jobs on the defaults, and otherwise the GPUs its
 * jobs leave no cores for. Undefined for a site without Slurm pools.
 */
export function slurmGpusExpr(site: Site): string | undefined {
  const pools = slurmPools(site);
  if (!pools.length) return undefined;
  // One sum over every pool's nodes (`or` joins disjoint node sets), so it is absent only when the metric is.
  return `sum(${pools.map((p) => `clamp_max(ceil(slurm_node_cpus_alloc{node=~"${p.name}-[0-9]+"} / ${p.gpu.cpusPerGpu}), ${p.gpusPerNode})`).join(" or ")})`;
}

function capacity(site: Site): Rule[] {
  const target = site.monitoring.utilisationTarget;
  const weighted = (metric: (resource: string) => string) =>
    gpuResourceWeights(site)
      .map((r) => `(${metric(ksmResource(r.name))})${r.perGpu === 1 ? "" : ` / ${r.perGpu}`}`)
      .join(" + ");
  // Tenants' running pods (slurmd's pods hold whole nodes for Slurm, whose own use is added below).
  const running = (resource: string) =>
    `sum(kube_pod_container_resource_requests{resource="${resource}", ${PLATFORM_NAMESPACE_MATCH}} * on(namespace, pod) group_left() (kube_pod_status_phase{phase="Running"} == 1)) or vector(0)`;
  const slurmGpus = slurmGpusExpr(site);
  const quotas = gpuQuotaRegex(site);
  return [
    { record: ALLOCATED_RECORD, expr: `${weighted(running)}${slurmGpus ? ` + ${slurmGpus}` : ""}` },
    { record: ALLOCATABLE_RECORD, expr: weighted((resource) => `sum(kube_node_status_allocatable{resource="${resource}"}) or vector(0)`) },
    {
      alert: "SiteGpuAllocationAboveTarget",
      expr: `${ALLOCATED_RECORD} / ${ALLOCATABLE_RECORD} > ${target}`,
      for: "30m",
      labels: { ...warning, site: site.name },
      annotations: { summary: `${site.name}: {{ $value | humanizePercentage }} of GPUs allocated, above the ${Math.round(target * 100)}% target` },
    },
    {
      alert: "TenantAtGpuQuota",
      expr: `(kube_resourcequota{resource=~"${quotas}", type="used"} >= on(namespace, resourcequota, resource) kube_resourcequota{resource=~"${quotas}", type="hard"}) and on(namespace, resourcequota, resource) (kube_resourcequota{resource=~"${quotas}", type="hard"} > 0)`,
      for: "15m",
      labels: warning,
      annotations: { summary: "Tenant {{ $labels.namespace }} is using all {{ $value }} of its {{ $labels.resource }} quota" },
    },
  ];
}

function slurm(site: Site): Rule[] {
  const job = `job="${SLURM_NAMES.controllerHost}"`;
  return [
    {
      alert: "SlurmControllerUnreachable",
      expr: `up{${job}} == 0 or absent(up{${job}})`,
      for: "5m",
      labels: critical,
      annotations: { summary: "slurmctld is unreachable: no Slurm job can start" },
    },
    { alert: "SlurmNodesDown", expr: "slurm_nodes_down > 0", for: "10m", labels: warning, annotations: { summary: "{{ $value }} Slurm nodes are down" } },
    {
      alert: "SlurmNodesDrained",
      expr: "slurm_nodes_drain > 0",
      for: "30m",
      labels: warning,
      annotations: { summary: "{{ $value }} Slurm nodes are drained or draining" },
    },
    // The site's allocation counts Slurm's GPUs from these: without them it would undercount.
    ...(slurmGpusExpr(site)
      ? [
          {
            alert: "SlurmMetricsAbsent",
            expr: "absent(slurm_node_cpus_alloc)",
            for: "15m",
            labels: warning,
            annotations: { summary: "slurmctld's node metrics are missing: the site's GPU allocation leaves Slurm's jobs out" },
          },
        ]
      : []),
  ];
}

/** Every rule group of a site, in a fixed order. */
export function alertRuleGroups(site: Site): RuleGroup[] {
  return [
    { name: "aisc-gpu-health", rules: gpuHealth(site) },
    { name: "aisc-capacity", rules: capacity(site) },
    { name: "aisc-slurm", rules: slurm(site) },
  ];
}
