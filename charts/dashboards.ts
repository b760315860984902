import { Site } from "../inventory/types";
import { ALLOCATABLE_RECORD, ALLOCATED_RECORD, byNode, gpuQuotaRegex, gpuResourceWeights, ksmResource, PLATFORM_NAMESPACE_MATCH } from "./alert-rules";

/**
 * Grafana dashboards as plain JSON models, one pure function each: the site's capacity against
 * allocation and utilisation, GPU use per tenant, and GPU health per node and pool. The sidecar
 * in the monitoring stack loads them from ConfigMaps.
 */

export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly json: Record<string, unknown>;
}

const DATASOURCE = { type: "prometheus", uid: "prometheus" };

interface PanelSpec {
  readonly title: string;
  readonly type: "stat" | "timeseries" | "table";
  readonly targets: readonly { expr: string; legend?: string }[];
  readonly unit?: string;
  readonly thresholds?: readonly { value: number | null; color: string }[];
}

/** Lays panels out two to a row, twelve columns each. */
function panels(specs: readonly PanelSpec[]): Record<string, unknown>[] {
  return specs.map((p, i) => ({
    id: i + 1,
    type: p.type,
    title: p.title,
    datasource: DATASOURCE,
    gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
    targets: p.targets.map((t, j) => ({ refId: String.fromCharCode(65 + j), datasource: DATASOURCE, expr: t.expr, legendFormat: t.legend ?? "" })),
    fieldConfig: {
      defaults: {
        ...(p.unit ? { unit: p.unit } : {}),
        ...(p.thresholds ? { thresholds: { mode: "absolute", steps: p.thresholds } } : {}),
      },
      overrides: [],
    },
    options: {},
  }));
}

function dashboard(uid: string, title: string, specs: PanelSpec[], templating: Record<string, unknown>[] = []): Dashboard {
  return {
    uid,
    title,
    json: {
      uid,
      title,
      tags: ["aisc"],
      schemaVersion: 39,
      version: 1,
      editable: false,
      time: { from: "now-24h", to: "now" },
      refresh: "1m",
      templating: { list: templating },
      panels: panels(specs),
    },
  };
}

export function capacityDashboard(site: Site): Dashboard {
  const target = site.monitoring.utilisationTarget;
  return dashboard(`aisc-${site.name}-capacity`, `${site.displayName}: capacity`, [
    { title: "GPUs declared in the inventory", type: "stat", targets: [{ expr: `vector(${site.capacity.gpus})` }] },
    { title: `Capacity declared (${site.capacity.precision}, PFLOPS)`, type: "stat", targets: [{ expr: `vector(${site.capacity.pflops})` }] },
    {
      title: "GPUs allocated against allocatable and target",
      type: "timeseries",
      targets: [
        { expr: ALLOCATED_RECORD, legend: "allocated" },
        { expr: ALLOCATABLE_RECORD, legend: "allocatable" },
        { expr: `${ALLOCATABLE_RECORD} * ${target}`, legend: `target (${Math.round(target * 100)}%)` },
      ],
    },
    {
      title: "Share of GPUs allocated",
      type: "stat",
      unit: "percentunit",
      targets: [{ expr: `${ALLOCATED_RECORD} / ${ALLOCATABLE_RECORD}` }],
      thresholds: [
        { value: null, color: "green" },
        { value: target, color: "orange" },
        { value: 0.98, color: "red" },
      ],
    },
    { title: "GPU utilisation (site average)", type: "timeseries", unit: "percent", targets: [{ expr: "avg(DCGM_FI_DEV_GPU_UTIL)", legend: "utilisation" }] },
    {
      title: "Tensor pipe activity (site average)",
      type: "timeseries",
      unit: "percentunit",
      targets: [{ expr: "avg(DCGM_FI_PROF_PIPE_TENSOR_ACTIVE)", legend: "tensor active" }],
    },
  ]);
}

export function tenantDashboard(site: Site): Dashboard {
  const quotas = gpuQuotaRegex(site);
  const resources = gpuResourceWeights(site)
    .map((r) => ksmResource(r.name))
    .join("|");
  return dashboard(`aisc-${site.name}-tenants`, `${site.displayName}: GPU use per tenant`, [
    {
      title: "GPU resources held by running pods, per tenant",
      type: "timeseries",
      targets: [
        {
          expr: `sum by (namespace, resource) (kube_pod_container_resource_requests{resource=~"${resources}", ${PLATFORM_NAMESPACE_MATCH}} * on(namespace, pod) group_left() (kube_pod_status_phase{phase="Running"} == 1))`,
          legend: "{{namespace}} {{resource}}",
        },
      ],
    },
    {
      title: "GPU quotas used per tenant (every GPU resource)",
      type: "table",
      unit: "percentunit",
      targets: [
        {
          expr: `kube_resourcequota{resource=~"${quotas}", type="used"} / on(namespace, resourcequota, resource) (kube_resourcequota{resource=~"${quotas}", type="hard"} > 0)`,
          legend: "{{namespace}} {{resource}}",
        },
      ],
    },
    {
      title: "GPU utilisation per tenant",
      type: "timeseries",
      unit: "percent",
      targets: [{ expr: `avg by (namespace) (DCGM_FI_DEV_GPU_UTIL{namespace!="", ${PLATFORM_NAMESPACE_MATCH}})`, legend: "{{namespace}}" }],
    },
    {
      title: "GPU memory used per tenant (MiB)",
      type: "timeseries",
      targets: [{ expr: `sum by (namespace) (DCGM_FI_DEV_FB_USED{namespace!="", ${PLATFORM_NAMESPACE_MATCH}})`, legend: "{{namespace}}" }],
    },
  ]);
}

export function healthDashboard(site: Site): Dashboard {
  const inPool = (expr: string) => `(${expr}) * on(node) group_left(label_aisc_hk_pool) kube_node_labels{label_aisc_hk_pool=~"$pool"}`;
  const pool = {
    name: "pool",
    type: "query",
    datasource: DATASOURCE,
    query: { query: "label_values(kube_node_labels, label_aisc_hk_pool)", refId: "pool" },
    includeAll: true,
    multi: true,
    current: { text: "All", value: "$__all" },
  };
  return dashboard(
    `aisc-${site.name}-gpu-health`,
    `${site.displayName}: GPU health by node and pool`,
    [
      {
        title: "XIDs in the last 5 minutes, by code",
        type: "table",
        targets: [
          { expr: inPool(`max by (node, gpu, xid) (${byNode('DCGM_EXP_XID_ERRORS_COUNT{xid!=""}')}) > 0`), legend: "{{node}} GPU {{gpu}} XID {{xid}}" },
        ],
      },
      {
        title: "GPU temperature (C)",
        type: "timeseries",
        unit: "celsius",
        targets: [{ expr: inPool(`max by (node, gpu) (${byNode("DCGM_FI_DEV_GPU_TEMP")})`), legend: "{{node}} GPU {{gpu}}" }],
        thresholds: [
          { value: null, color: "green" },
          { value: site.monitoring.gpuTempCelsius, color: "red" },
        ],
      },
      {
        title: "Double-bit ECC errors (1h increase)",
        type: "table",
        targets: [{ expr: inPool(`max by (node, gpu) (${byNode("increase(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL[1h])")}) > 0`), legend: "{{node}} GPU {{gpu}}" }],
      },
      {
        title: "Row-remap failures",
        type: "table",
        targets: [{ expr: inPool(`max by (node, gpu) (${byNode("DCGM_FI_DEV_ROW_REMAP_FAILURE")}) > 0`), legend: "{{node}} GPU {{gpu}}" }],
      },
      {
        title: "NVLink CRC errors (10m increase)",
        type: "timeseries",
        targets: [
          { expr: inPool(`max by (node, gpu) (${byNode("increase(DCGM_FI_DEV_NVLINK_CRC_FLIT_ERROR_COUNT_TOTAL[10m])")})`), legend: "{{node}} GPU {{gpu}}" },
        ],
      },
      {
        title: "Power draw per node (W)",
        type: "timeseries",
        unit: "watt",
        targets: [{ expr: inPool(`sum by (node) (${byNode("DCGM_FI_DEV_POWER_USAGE")})`), legend: "{{node}}" }],
      },
    ],
    [pool],
  );
}

export function dashboards(site: Site): Dashboard[] {
  return [capacityDashboard(site), tenantDashboard(site), healthDashboard(site)];
}
