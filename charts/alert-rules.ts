import { nodeResources } from "../inventory/gpu-resources";
import { PLATFORM_NAMESPACES } from "../inventory/platform";
import { GpuPool, Site } from "../inventory/types";
import { DCGM_EXPORTER } from "./dcgm-exporter";
import { SLURM_NAMES } from "./slurm";

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
 * Gives DCGM series a `node` label whichever name the exporter used for the host: older
 * releases label it `Hostname`, newer ones `hostname`. Applied to instant vectors, so it wraps
 * `increase(...)` rather than sitting inside a range selector.
 */
export function byNode(expr: string): string {
  return `label_replace(label_replace(${expr}, "node", "$1", "Hostname", "(.+)"), "node", "$1", "hostname", "(.+)")`;
}

/** The Kubernetes resource a pool's GPUs are allocatable as, as kube-state-metrics names it, and how many per node. */
export function advertisedGpus(pool: GpuPool): { resource: string; count: number } {
  // One resource per pool (whole GPUs, one MIG profile's slices, or shared replicas).
  const [[name, count]] = Object.entries(nodeResources(pool));
  return { resource: name.replace(/[./-]/g, "_"), count };
}

const critical = { severity: "critical" };
const warning = { severity: "warning" };
const ON_GPU = "GPU {{ $labels.gpu }} on {{ $labels.node }}";

function gpuHealth(site: Site): Rule[] {
  const dcgmJob = `job="${DCGM_EXPORTER.name}"`;
  const missing = [...site.pools].sort((a, b) => (a.name < b.name ? -1 : 1)).flatMap((pool) => {
    const advertised = advertisedGpus(pool);
    if (!advertised) return [];
    const expr = `(kube_node_status_allocatable{resource="${advertised.resource}"} or on(node) (0 * kube_node_labels)) * on(node) group_left(label_aisc_hk_pool) kube_node_labels{label_aisc_hk_pool="${pool.name}"} < ${advertised.count}`;
    return [{
      alert: "GpuNodeMissingGpus",
      expr,
      for: "10m",
      labels: { ...critical, pool: pool.name },
      annotations: { summary: `{{ $labels.node }} advertises {{ $value }} of the ${advertised.count} ${advertised.resource} its pool ${pool.name} declares` },
    }];
  });
  return [
    { alert: "GpuXidError", expr: `max by (node, gpu) (${byNode("DCGM_FI_DEV_XID_ERRORS")}) > 0`, labels: critical, annotations: { summary: `XID {{ $value }} on ${ON_GPU}` } },
    { alert: "GpuDoubleBitEccErrors", expr: `max by (node, gpu) (${byNode("increase(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL[10m])")}) > 0`, labels: critical, annotations: { summary: `Double-bit ECC errors on ${ON_GPU}` } },
    { alert: "GpuRowRemapFailure", expr: `max by (node, gpu) (${byNode("DCGM_FI_DEV_ROW_REMAP_FAILURE")}) > 0`, labels: critical, annotations: { summary: `Row remapping failed on ${ON_GPU}: replace the GPU` } },
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
    { alert: "GpuPcieReplays", expr: `max by (node, gpu) (${byNode("increase(DCGM_FI_DEV_PCIE_REPLAY_COUNTER[10m])")}) > 0`, labels: warning, annotations: { summary: `PCIe replays increasing on ${ON_GPU}` } },
    { alert: "DcgmExporterDown", expr: `up{${dcgmJob}} == 0`, for: "10m", labels: critical, annotations: { summary: "DCGM exporter {{ $labels.instance }} is down: its node's GPUs are unwatched" } },
    { alert: "DcgmExporterAbsent", expr: `absent(up{${dcgmJob}})`, for: "15m", labels: critical, annotations: { summary: "No DCGM exporter is being scraped: no GPU on the site is watched" } },
    ...missing,
    {
      alert: "GpuAllocatedIdle",
      expr: `max by (node, gpu, namespace, pod) (${byNode('DCGM_FI_DEV_GPU_UTIL{pod!=""}')}) == 0`,
      for: "1h",
      labels: warning,
      annotations: { summary: `${ON_GPU} is allocated to {{ $labels.namespace }}/{{ $labels.pod }} and has been idle for an hour` },
    },
  ];
}

/** GPUs in use: Kubernetes pods outside Slurm (slurmd pods hold whole nodes) plus Slurm's allocations. */
export const ALLOCATED_RECORD = "aisc:site_gpus_allocated:sum";
export const ALLOCATABLE_RECORD = "aisc:site_gpus_allocatable:sum";

function capacity(site: Site): Rule[] {
  const target = site.monitoring.utilisationTarget;
  return [
    {
      record: ALLOCATED_RECORD,
      expr: `(sum(kube_pod_container_resource_requests{resource="nvidia_com_gpu", namespace!="${PLATFORM_NAMESPACES.slurm}"} * on(namespace, pod) group_left() (kube_pod_status_phase{phase="Running"} == 1)) or vector(0)) + (sum(slurm_node_gpus_alloc) or vector(0))`,
    },
    { record: ALLOCATABLE_RECORD, expr: 'sum(kube_node_status_allocatable{resource="nvidia_com_gpu"})' },
    {
      alert: "SiteGpuAllocationAboveTarget",
      expr: `${ALLOCATED_RECORD} / ${ALLOCATABLE_RECORD} > ${target}`,
      for: "30m",
      labels: { ...warning, site: site.name },
      annotations: { summary: `${site.name}: {{ $value | humanizePercentage }} of GPUs allocated, above the ${Math.round(target * 100)}% target` },
    },
    {
      alert: "TenantAtGpuQuota",
      expr: '(kube_resourcequota{resource="requests.nvidia.com/gpu", type="used"} >= on(namespace, resourcequota, resource) kube_resourcequota{resource="requests.nvidia.com/gpu", type="hard"}) and on(namespace, resourcequota, resource) (kube_resourcequota{resource="requests.nvidia.com/gpu", type="hard"} > 0)',
      for: "15m",
      labels: warning,
      annotations: { summary: "Tenant {{ $labels.namespace }} is using all {{ $value }} GPUs of its quota" },
    },
  ];
}

function slurm(): Rule[] {
  const job = `job="${SLURM_NAMES.controllerHost}"`;
  return [
    { alert: "SlurmControllerUnreachable", expr: `up{${job}} == 0 or absent(up{${job}})`, for: "5m", labels: critical, annotations: { summary: "slurmctld is unreachable: no Slurm job can start" } },
    { alert: "SlurmNodesDown", expr: "slurm_nodes_down > 0", for: "10m", labels: warning, annotations: { summary: "{{ $value }} Slurm nodes are down" } },
    { alert: "SlurmNodesDrained", expr: "slurm_nodes_drain > 0", for: "30m", labels: warning, annotations: { summary: "{{ $value }} Slurm nodes are drained or draining" } },
  ];
}

/** Every rule group of a site, in a fixed order. */
export function alertRuleGroups(site: Site): RuleGroup[] {
  return [
    { name: "aisc-gpu-health", rules: gpuHealth(site) },
    { name: "aisc-capacity", rules: capacity(site) },
    { name: "aisc-slurm", rules: slurm() },
  ];
}
