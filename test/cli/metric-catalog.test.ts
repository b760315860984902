import * as assert from "assert";
import { loadCatalog, parsePromql, unknownIn, unknownInSeries } from "../../cli/verify-prometheus/catalog";

describe("the metric catalog of the pinned exporters", () => {
  const catalog = loadCatalog();

  it("reads selectors, their matchers and grouping labels out of PromQL, skipping strings, functions and ranges", () => {
    assert.deepStrictEqual(
      parsePromql(
        'max by (node, gpu) (label_replace(increase(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{gpu!="1"}[10m]), "node", "$1", "Hostname", "(.+)")) > 0 or on(node) vector(0) * kube_node_labels',
      ),
      {
        selectors: [
          { metric: "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", labels: ["gpu"] },
          { metric: "kube_node_labels", labels: [] },
        ],
        groupingLabels: ["node", "gpu", "node"],
      },
    );
    assert.deepStrictEqual(
      parsePromql(
        'sum(kube_pod_container_resource_requests{resource="a{b}", namespace!~"x|y"} * on(namespace, pod) group_left() (kube_pod_status_phase{phase="Running"} == 1)) / 7',
      ).selectors,
      [
        { metric: "kube_pod_container_resource_requests", labels: ["resource", "namespace"] },
        { metric: "kube_pod_status_phase", labels: ["phase"] },
      ],
    );
    assert.deepStrictEqual(
      parsePromql("aisc:site_gpus_allocated:sum / aisc:site_gpus_allocatable:sum > 0.9").selectors.map((s) => s.metric),
      ["aisc:site_gpus_allocated:sum", "aisc:site_gpus_allocatable:sum"],
    );
  });

  it("knows what each pinned exporter emits, and of DCGM only the fields aisc's counters file turns on", () => {
    assert.ok(catalog.get("DCGM_EXP_XID_ERRORS_COUNT")!.has("xid"));
    assert.ok(catalog.get("DCGM_FI_DEV_GPU_UTIL")!.has("Hostname") && catalog.get("DCGM_FI_DEV_GPU_UTIL")!.has("pod"));
    assert.strictEqual(catalog.get("DCGM_FI_DEV_SM_CLOCK"), undefined, "in the exporter's default file, not in aisc's counters");
    assert.deepStrictEqual([...catalog.get("kube_resourcequota")!].sort(), ["namespace", "resource", "resourcequota", "type"]);
    assert.ok(catalog.get("kube_node_labels")!.has("label_aisc_hk_pool"));
    assert.ok(catalog.has("slurm_node_cpus_alloc") && catalog.has("slurm_nodes_down"));
    assert.strictEqual(catalog.get("slurm_node_gpus_alloc"), undefined, "Slurm 26.05's, not 25.11's");
  });

  it("names every metric, matcher label and grouping label the catalog does not have", () => {
    const recorded = new Set(["aisc:x:sum"]);
    assert.deepStrictEqual(unknownIn("sum(slurm_node_gpus_alloc) + aisc:x:sum", catalog, recorded), [
      "metric slurm_node_gpus_alloc: no pinned exporter emits it",
    ]);
    assert.deepStrictEqual(unknownIn('DCGM_FI_DEV_GPU_UTIL{hostname="n", job="dcgm-exporter"}', catalog, recorded), [
      "label hostname on DCGM_FI_DEV_GPU_UTIL: the exporter does not emit it",
    ]);
    assert.deepStrictEqual(unknownIn("sum by (tenant) (kube_resourcequota)", catalog, recorded), [
      "label tenant in by/on: none of the expression's metrics carries it",
    ]);
    assert.deepStrictEqual(unknownIn('max by (node, gpu, xid) (DCGM_EXP_XID_ERRORS_COUNT{xid=~"79"})', catalog, recorded), []);
  });

  it("holds rule-test series to the catalog too", () => {
    assert.deepStrictEqual(unknownInSeries('DCGM_FI_DEV_GPU_TEMP{Hostname="n", gpu="0"}', catalog), []);
    assert.deepStrictEqual(unknownInSeries('DCGM_FI_DEV_GPU_TEMP{hostname="n", gpu="0"}', catalog), [
      "series DCGM_FI_DEV_GPU_TEMP: label hostname is not one the exporter emits",
    ]);
    assert.deepStrictEqual(unknownInSeries('slurm_node_gpus_alloc{node="a-0"}', catalog), ["series slurm_node_gpus_alloc: no pinned exporter emits it"]);
    assert.deepStrictEqual(unknownInSeries('up{job="x", instance="y"}', catalog), []);
  });
});
