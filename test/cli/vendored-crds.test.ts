import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { CILIUM_CHART } from "../../components/cluster/cilium";
import { PROMETHEUS_STACK_CHART } from "../../components/monitoring";
import { SLINKY_CHARTS } from "../../components/slurm/cluster";
import { CRD_DIR, goRegExp, readManifests } from "../../cli/verify-k8s";

/**
 * The CRDs under charts/imports/crds are the pinned charts' own, unedited: each file names the
 * repository, tag and path it came from, and the tag must be the version aisc installs.
 */

/** The tag a vendored file names in its header. */
function vendoredTag(file: string): string {
  const header = fs.readFileSync(file, "utf8").split("\n", 2).join("\n");
  const m = /^# Vendored, unedited: (\S+) (\S+) \(commit [0-9a-f]{40}\),\n# \S+: /.exec(header);
  assert.ok(m, `${file} starts with its provenance`);
  return `${m[1]} ${m[2]}`;
}

describe("vendored CRDs", () => {
  it("come from the chart versions aisc pins", () => {
    const dirs: Record<string, string> = {
      slinky: `SlinkyProject/slurm-operator v${SLINKY_CHARTS.version}`,
      "prometheus-operator": `prometheus-community/helm-charts ${PROMETHEUS_STACK_CHART.chart}-${PROMETHEUS_STACK_CHART.version}`,
      // The Cilium operator registers these itself; they are cilium/cilium's at the chart's tag.
      cilium: `cilium/cilium v${CILIUM_CHART.version}`,
    };
    assert.deepStrictEqual(fs.readdirSync(CRD_DIR).sort(), Object.keys(dirs).sort());
    for (const [dir, tag] of Object.entries(dirs)) {
      for (const f of fs.readdirSync(path.join(CRD_DIR, dir))) assert.strictEqual(vendoredTag(path.join(CRD_DIR, dir, f)), tag, f);
    }
  });

  it("define every custom kind aisc renders", () => {
    const kinds = readManifests(CRD_DIR, CRD_DIR)
      .flatMap((m) => m.docs)
      .map((d) => `${(d.spec as { group: string }).group}/${(d.spec as { names: { kind: string } }).names.kind}`);
    for (const k of [
      "slinky.slurm.net/Controller",
      "slinky.slurm.net/NodeSet",
      "slinky.slurm.net/LoginSet",
      "slinky.slurm.net/RestApi",
      "slinky.slurm.net/Accounting",
      "monitoring.coreos.com/PrometheusRule",
      "monitoring.coreos.com/ServiceMonitor",
      "cilium.io/CiliumBGPClusterConfig",
      "cilium.io/CiliumBGPPeerConfig",
      "cilium.io/CiliumBGPAdvertisement",
    ]) {
      assert.ok(kinds.includes(k), k);
    }
  });

  it("read the CRDs' Go patterns as the API server does", () => {
    const re = goRegExp("^(?i)(abort|warn)?$", "u");
    assert.deepStrictEqual(
      ["Abort", "WARN", "", "stop"].map((s) => re.test(s)),
      [true, true, true, false],
    );
    assert.ok(goRegExp("^(?P<n>[a-z]+)$", "u").test("abc"));
  });
});
