import { advertisedGpus } from "../../charts/alert-rules";
import { nodeResources, WHOLE_GPU } from "../../inventory/gpu-resources";
import { slurmPools } from "../../charts/slurm-config";
import { Site } from "../../inventory/types";

/**
 * `promtool test rules` unit tests for a site's alerts: each key alert fires on synthetic series
 * that break it and stays silent on healthy ones. The expected labels and summaries are exact,
 * so a rule that fires with the wrong labels or text fails too.
 */

interface Series {
  readonly series: string;
  readonly values: string;
}

interface AlertTest {
  readonly eval_time: string;
  readonly alertname: string;
  readonly exp_alerts: { exp_labels: Record<string, string>; exp_annotations?: Record<string, string> }[];
}

interface TestGroup {
  readonly name: string;
  readonly interval: string;
  readonly input_series: Series[];
  readonly alert_rule_test: AlertTest[];
}

const NODE = "gpu-node-1";

function group(name: string, input: Series[], tests: AlertTest[]): TestGroup {
  return { name, interval: "1m", input_series: input, alert_rule_test: tests };
}

function fires(alertname: string, at: string, labels: Record<string, string>, summary: string): AlertTest {
  return { eval_time: at, alertname, exp_alerts: [{ exp_labels: labels, exp_annotations: { summary } }] };
}

function silent(alertname: string, at: string): AlertTest {
  return { eval_time: at, alertname, exp_alerts: [] };
}

/** `n` samples of `value`, as promtool's expanding notation. */
function steady(value: number, n: number): string {
  return `${value}x${n}`;
}

export function ruleTests(site: Site, ruleFiles: readonly string[]): Record<string, unknown> {
  const gpu = (hostLabel: "Hostname", extra = "") => `{${hostLabel}="${NODE}", gpu="0"${extra}}`;
  const onGpu = { node: NODE, gpu: "0" };
  const t = site.monitoring.gpuTempCelsius;
  const target = site.monitoring.utilisationTarget;
  const pool = site.pools.find((p) => advertisedGpus(p))!;
  const advertised = advertisedGpus(pool);
  const tests: TestGroup[] = [
    group(
      "hardware XIDs page by code; an application XID does not",
      [
        { series: `DCGM_EXP_XID_ERRORS_COUNT${gpu("Hostname", ', xid="79", window_size_in_ms="300000"')}`, values: "0 0 1 1" },
        { series: `DCGM_EXP_XID_ERRORS_COUNT{Hostname="${NODE}", gpu="1", xid="13", window_size_in_ms="300000"}`, values: "0 3 3 3" },
      ],
      [
        silent("GpuHardwareXid", "1m"),
        fires(
          "GpuHardwareXid",
          "3m",
          { severity: "critical", ...onGpu, xid: "79" },
          `Hardware XID 79 on GPU 0 on ${NODE} (1 in the exporter's 5-minute window)`,
        ),
      ],
    ),
    group(
      "double-bit ECC errors page when the count rises",
      [
        { series: `DCGM_FI_DEV_ECC_DBE_VOL_TOTAL${gpu("Hostname")}`, values: "0 0 0 1 1" },
        { series: `DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{Hostname="healthy-node", gpu="1"}`, values: steady(3, 5) },
      ],
      [fires("GpuDoubleBitEccErrors", "4m", { severity: "critical", ...onGpu }, `Double-bit ECC errors on GPU 0 on ${NODE}`)],
    ),
    group(
      "a row-remap failure pages",
      [{ series: `DCGM_FI_DEV_ROW_REMAP_FAILURE${gpu("Hostname")}`, values: "0 1" }],
      [
        silent("GpuRowRemapFailure", "0m"),
        fires("GpuRowRemapFailure", "1m", { severity: "critical", ...onGpu }, `Row remapping failed on GPU 0 on ${NODE}: replace the GPU`),
      ],
    ),
    group(
      `a GPU over ${t} C for five minutes pages, a shorter spike does not`,
      [{ series: `DCGM_FI_DEV_GPU_TEMP${gpu("Hostname")}`, values: `${t - 10} ${steady(t + 5, 8)}` }],
      [
        silent("GpuTemperatureHigh", "4m"),
        fires("GpuTemperatureHigh", "7m", { severity: "critical", ...onGpu }, `GPU 0 on ${NODE} at ${t + 5} C, over ${t} C for 5 minutes`),
      ],
    ),
    group(
      "NVLink and PCIe errors warn while they increase",
      [
        { series: `DCGM_FI_DEV_NVLINK_CRC_FLIT_ERROR_COUNT_TOTAL${gpu("Hostname")}`, values: "0 0 5 9" },
        { series: `DCGM_FI_DEV_NVLINK_REPLAY_ERROR_COUNT_TOTAL${gpu("Hostname")}`, values: steady(0, 4) },
        { series: `DCGM_FI_DEV_PCIE_REPLAY_COUNTER${gpu("Hostname")}`, values: "10 10 12 20" },
      ],
      [
        fires("GpuNvlinkErrors", "3m", { severity: "warning", ...onGpu }, `NVLink CRC or replay errors increasing on GPU 0 on ${NODE}`),
        fires("GpuPcieReplays", "3m", { severity: "warning", ...onGpu }, `PCIe replays increasing on GPU 0 on ${NODE}`),
      ],
    ),
    group(
      "a down DCGM exporter pages after ten minutes",
      [{ series: 'up{job="dcgm-exporter", instance="10.80.0.11:9400"}', values: `1 ${steady(0, 12)}` }],
      [
        silent("DcgmExporterDown", "5m"),
        fires(
          "DcgmExporterDown",
          "12m",
          { severity: "critical", job: "dcgm-exporter", instance: "10.80.0.11:9400" },
          "DCGM exporter 10.80.0.11:9400 is down: its node's GPUs are unwatched",
        ),
        silent("DcgmExporterAbsent", "20m"),
      ],
    ),
    group(
      "no DCGM exporter at all pages",
      [{ series: 'up{job="node-exporter", instance="a"}', values: steady(1, 20) }],
      [fires("DcgmExporterAbsent", "16m", { severity: "critical", job: "dcgm-exporter" }, "No DCGM exporter is being scraped: no GPU on the site is watched")],
    ),
    group(
      `a ${pool.name} node advertising fewer GPUs than its pool declares pages`,
      [
        { series: `kube_node_status_allocatable{node="${NODE}", resource="${advertised.resource}"}`, values: steady(advertised.count - 1, 15) },
        { series: `kube_node_labels{node="${NODE}", label_aisc_hk_pool="${pool.name}"}`, values: steady(1, 15) },
        { series: `kube_node_status_allocatable{node="gpu-node-2", resource="${advertised.resource}"}`, values: steady(advertised.count, 15) },
        { series: `kube_node_labels{node="gpu-node-2", label_aisc_hk_pool="${pool.name}"}`, values: steady(1, 15) },
      ],
      [
        fires(
          "GpuNodeMissingGpus",
          "12m",
          { severity: "critical", pool: pool.name, node: NODE, resource: advertised.resource, label_aisc_hk_pool: pool.name },
          `${NODE} advertises ${advertised.count - 1} of the ${advertised.count} ${advertised.resource} its pool ${pool.name} declares`,
        ),
      ],
    ),
    group(
      "a GPU allocated to a tenant's pod and idle for an hour warns; a busy one, or an idle Slurm node, does not",
      [
        { series: `DCGM_FI_DEV_GPU_UTIL${gpu("Hostname", ', namespace="tenant-a", pod="train-0"')}`, values: steady(0, 70) },
        { series: `DCGM_FI_DEV_GPU_UTIL{Hostname="${NODE}", gpu="1", namespace="tenant-a", pod="train-1"}`, values: steady(85, 70) },
        { series: `DCGM_FI_DEV_GPU_UTIL{Hostname="slurm-node", gpu="0", namespace="slurm", pod="h800-p1-0"}`, values: steady(0, 70) },
      ],
      [
        silent("GpuAllocatedIdle", "30m"),
        fires(
          "GpuAllocatedIdle",
          "65m",
          { severity: "warning", ...onGpu, namespace: "tenant-a", pod: "train-0" },
          `GPU 0 on ${NODE} is allocated to tenant-a/train-0 and has been idle for an hour`,
        ),
      ],
    ),
    ...allocationTest(site, target),
    group(
      "a tenant at any of its GPU quotas warns; one below them does not",
      [
        {
          series: 'kube_resourcequota{namespace="tenant-a", resourcequota="tenant-quota", resource="requests.nvidia.com/gpu", type="used"}',
          values: steady(16, 20),
        },
        {
          series: 'kube_resourcequota{namespace="tenant-a", resourcequota="tenant-quota", resource="requests.nvidia.com/gpu", type="hard"}',
          values: steady(16, 20),
        },
        {
          series: 'kube_resourcequota{namespace="tenant-b", resourcequota="tenant-quota", resource="requests.nvidia.com/gpu", type="used"}',
          values: steady(3, 20),
        },
        {
          series: 'kube_resourcequota{namespace="tenant-b", resourcequota="tenant-quota", resource="requests.nvidia.com/gpu", type="hard"}',
          values: steady(16, 20),
        },
        ...otherQuotaSeries(site),
      ],
      [
        {
          eval_time: "16m",
          alertname: "TenantAtGpuQuota",
          exp_alerts: [
            // One-to-one matching on() keeps only the matched labels.
            {
              exp_labels: { severity: "warning", namespace: "tenant-a", resourcequota: "tenant-quota", resource: "requests.nvidia.com/gpu" },
              exp_annotations: { summary: "Tenant tenant-a is using all 16 of its requests.nvidia.com/gpu quota" },
            },
            ...otherQuotaAlert(site),
          ],
        },
      ],
    ),
    group(
      "an unreachable Slurm controller pages; down and drained nodes warn",
      [
        { series: 'up{job="slurm-controller", instance="slurm-controller-0"}', values: `1 ${steady(0, 35)}` },
        { series: "slurm_nodes_down", values: `0 ${steady(2, 35)}` },
        { series: "slurm_nodes_drain", values: steady(0, 36) },
      ],
      [
        fires(
          "SlurmControllerUnreachable",
          "7m",
          { severity: "critical", job: "slurm-controller", instance: "slurm-controller-0" },
          "slurmctld is unreachable: no Slurm job can start",
        ),
        fires("SlurmNodesDown", "12m", { severity: "warning" }, "2 Slurm nodes are down"),
        silent("SlurmNodesDrained", "35m"),
      ],
    ),
  ];
  if (slurmPools(site).length) {
    tests.push(
      group(
        "missing Slurm node metrics warn, since the site's allocation counts Slurm's GPUs from them",
        [{ series: 'up{job="slurm-controller", instance="slurm-controller-0"}', values: steady(1, 20) }],
        [
          fires(
            "SlurmMetricsAbsent",
            "16m",
            { severity: "warning" },
            "slurmctld's node metrics are missing: the site's GPU allocation leaves Slurm's jobs out",
          ),
        ],
      ),
    );
  }
  return { rule_files: [...ruleFiles], evaluation_interval: "1m", tests };
}

/**
 * Allocation above target, in whole-GPU equivalents: a tenant's running pod holds 12 GPUs on a
 * 12-GPU node, a pending one 4 (not counted), and on a Slurm pool's node Slurm's jobs hold every
 * core (so every GPU, at DefCpuPerGPU), while its slurmd pod's request is not counted twice.
 */
function allocationTest(site: Site, target: number): TestGroup[] {
  const pool = slurmPools(site)[0];
  const slurmNode = pool
    ? [
        {
          series: `kube_pod_container_resource_requests{resource="nvidia_com_gpu", namespace="slurm", pod="${pool.name}-0"}`,
          values: steady(pool.gpusPerNode, 40),
        },
        { series: `kube_pod_status_phase{phase="Running", namespace="slurm", pod="${pool.name}-0"}`, values: steady(1, 40) },
        { series: `slurm_node_cpus_alloc{node="${pool.name}-0"}`, values: steady(pool.gpu.cpusPerGpu * pool.gpusPerNode, 40) },
        { series: `kube_node_status_allocatable{node="${pool.name}-0", resource="nvidia_com_gpu"}`, values: steady(pool.gpusPerNode, 40) },
      ]
    : [];
  return [
    group(
      `GPU allocation above the ${Math.round(target * 100)}% target warns after half an hour`,
      [
        { series: 'kube_pod_container_resource_requests{resource="nvidia_com_gpu", namespace="tenant-a", pod="p"}', values: steady(12, 40) },
        { series: 'kube_pod_status_phase{phase="Running", namespace="tenant-a", pod="p"}', values: steady(1, 40) },
        { series: 'kube_pod_container_resource_requests{resource="nvidia_com_gpu", namespace="tenant-a", pod="waiting"}', values: steady(4, 40) },
        { series: 'kube_pod_status_phase{phase="Pending", namespace="tenant-a", pod="waiting"}', values: steady(1, 40) },
        { series: 'kube_pod_status_phase{phase="Running", namespace="tenant-a", pod="waiting"}', values: steady(0, 40) },
        { series: 'kube_node_status_allocatable{node="a", resource="nvidia_com_gpu"}', values: steady(12, 40) },
        ...slurmNode,
      ],
      [
        silent("SiteGpuAllocationAboveTarget", "20m"),
        fires(
          "SiteGpuAllocationAboveTarget",
          "35m",
          { severity: "warning", site: site.name },
          `${site.name}: 100% of GPUs allocated, above the ${Math.round(target * 100)}% target`,
        ),
      ],
    ),
  ];
}

/** A MIG or shared quota line of the site's, if it has one: a tenant at it warns too. */
function otherQuota(site: Site): string | undefined {
  const name = site.pools.map((p) => Object.keys(nodeResources(p))[0]).find((r) => r !== WHOLE_GPU);
  return name && `requests.${name}`;
}

function otherQuotaSeries(site: Site): Series[] {
  const r = otherQuota(site);
  if (!r) return [];
  return [
    { series: `kube_resourcequota{namespace="tenant-c", resourcequota="tenant-quota", resource="${r}", type="used"}`, values: steady(7, 20) },
    { series: `kube_resourcequota{namespace="tenant-c", resourcequota="tenant-quota", resource="${r}", type="hard"}`, values: steady(7, 20) },
  ];
}

function otherQuotaAlert(site: Site): AlertTest["exp_alerts"] {
  const r = otherQuota(site);
  if (!r) return [];
  return [
    {
      exp_labels: { severity: "warning", namespace: "tenant-c", resourcequota: "tenant-quota", resource: r },
      exp_annotations: { summary: `Tenant tenant-c is using all 7 of its ${r} quota` },
    },
  ];
}
