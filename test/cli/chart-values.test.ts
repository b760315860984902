import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { NFD_CHART } from "../../charts/nfd";
import { chartDefaults, checkChartValues, unknownValueKeys, VALUES_DIR, VENDORED_VALUES } from "../../cli/chart-values";
import { checkK8s } from "../../cli/verify-k8s";
import { CILIUM_CHART } from "../../components/cluster/cilium";
import { PROMETHEUS_STACK_CHART } from "../../components/monitoring";
import { CERT_MANAGER_CHART } from "../../components/platform/cert-manager";
import { SLINKY_CHARTS } from "../../components/slurm/cluster";
import { smallSite, tempDir, writeStackFile } from "../helpers/fixtures";
import { aisc, realPlan } from "../helpers/plan";
import { policyReportJson, policyReportMarkdown, unseenComponents } from "../../cli/policy-report";

/** Chart values against the pinned charts' own defaults: Helm ignores an unknown key, aisc does not. */

describe("Helm chart values", () => {
  it("flags keys the defaults do not declare, and looks into neither free-form maps nor Kubernetes types", () => {
    const defaults = { operator: { replicas: 1, nodeSelector: {}, affinity: { podAntiAffinity: {} } }, storage: {}, list: [], name: null };
    assert.deepStrictEqual(unknownValueKeys({ operator: { replicas: 2, nodeSelectr: { a: "b" } } }, defaults), ["operator.nodeSelectr"]);
    assert.deepStrictEqual(
      unknownValueKeys(
        { operator: { affinity: { nodeAffinity: {} }, nodeSelector: { x: "y" } }, storage: { anything: { at: "all" } }, list: [1], name: { a: 1 } },
        defaults,
      ),
      [],
    );
    assert.deepStrictEqual(unknownValueKeys({ extra: 1, operator: { extra: 2 } }, defaults), ["extra", "operator.extra"]);
    assert.deepStrictEqual(unknownValueKeys({ global: { nodeSelector: { a: "b" } } }, { other: 1 }, "", ["global.nodeSelector"]), ["global"]);
    assert.deepStrictEqual(unknownValueKeys({ global: { nodeSelector: { a: "b" } } }, { global: { priorityClassName: "" } }, "", ["global.nodeSelector"]), []);
  });

  it("vendors the defaults of exactly the chart versions aisc installs, each naming where it came from", () => {
    assert.deepStrictEqual(
      Object.keys(VENDORED_VALUES).sort(),
      [
        `${CERT_MANAGER_CHART.chart}@${CERT_MANAGER_CHART.version}`,
        `${CILIUM_CHART.chart}@${CILIUM_CHART.version}`,
        `${NFD_CHART.chart}@${NFD_CHART.version}`,
        `${PROMETHEUS_STACK_CHART.chart}@${PROMETHEUS_STACK_CHART.version}`,
        `${SLINKY_CHARTS.registry}/slurm-operator@${SLINKY_CHARTS.version}`,
      ].sort(),
    );
    const files = Object.values(VENDORED_VALUES).flatMap((v) => [v.file, ...Object.values(v.subcharts ?? {})]);
    assert.deepStrictEqual(fs.readdirSync(VALUES_DIR).sort(), [...files].sort());
    for (const f of files) assert.match(fs.readFileSync(path.join(VALUES_DIR, f), "utf8"), /^# Vendored, unedited: \S+ \S+ \(commit [0-9a-f]{40}\),\n# \S+/, f);
    // Subchart defaults sit under their key, beside what the parent chart sets for them.
    const stack = chartDefaults(`${PROMETHEUS_STACK_CHART.chart}@${PROMETHEUS_STACK_CHART.version}`)! as any;
    assert.ok("sidecar" in stack.grafana && "metricLabelsAllowlist" in stack["kube-state-metrics"]);
  });

  it("reports a chart with values but no vendored defaults as skipped, never as checked", () => {
    const r = checkChartValues([
      { type: "kubernetes:helm.sh/v4:Chart", inputs: { chart: "other", version: "1.0.0", values: { a: 1 } } },
      { type: "kubernetes:helm.sh/v4:Chart", inputs: { chart: "crds", version: "1.0.0" } },
    ]);
    assert.deepStrictEqual(r, { checked: [], skipped: ["other@1.0.0"], unknown: [] });
  });

  it("fails verify --only k8s on a value the chart does not have, naming the chart and key", () => {
    const out = tempDir();
    const file = writeStackFile("values", smallSite());
    assert.strictEqual(aisc("plan", "--config", file, "--out", out).status, 0);
    const planFile = path.join(out, "values", "plan.json");
    const plan = JSON.parse(fs.readFileSync(planFile, "utf8"));
    const chart = plan.resources.find((r: any) => r.inputs.chart === "kube-prometheus-stack");
    chart.inputs.values.prometheusOperator.nodeSelectr = chart.inputs.values.prometheusOperator.nodeSelector;
    fs.writeFileSync(planFile, JSON.stringify(plan));
    assert.deepStrictEqual(checkK8s(path.join(out, "values")).failures, [
      {
        file: "plan.json",
        object: "Helm chart kube-prometheus-stack@75.15.0",
        field: "values.prometheusOperator.nodeSelectr",
        message: "not a value of the chart at this version (its values.yaml has no such key, so Helm would ignore it)",
      },
    ]);
  });

  it("lists in the policy report the packaged components the offline plan cannot see into", () => {
    const plan = realPlan("cyberport");
    const unseen = [
      "kubernetes:helm.sh/v4:Chart cyberport-cert-manager-chart (cert-manager v1.19.6)",
      "kubernetes:helm.sh/v4:Chart cyberport-cluster-hybrid-cilium (cilium 1.17.5)",
      "kubernetes:helm.sh/v4:Chart cyberport-monitoring-prometheus (kube-prometheus-stack 75.15.0)",
      "kubernetes:helm.sh/v4:Chart cyberport-nvidia-nfd (node-feature-discovery 0.18.2)",
      "kubernetes:helm.sh/v4:Chart cyberport-slurm-operator (oci://ghcr.io/slinkyproject/charts/slurm-operator 1.1.2)",
      "kubernetes:helm.sh/v4:Chart cyberport-slurm-operator-crds (oci://ghcr.io/slinkyproject/charts/slurm-operator-crds 1.1.2)",
    ];
    assert.deepStrictEqual(unseenComponents(plan), unseen);
    const empty = { policies: [], violations: [] };
    assert.deepStrictEqual(JSON.parse(policyReportJson(plan, empty)).unseenByOfflinePlan, unseen);
    assert.ok(
      policyReportMarkdown(plan, empty).includes(
        `Not seen by the offline plan (packaged components whose children only the engine expands; \`pulumi preview --policy-pack policies\` judges them): ${unseen.map((u) => `\`${u}\``).join(", ")}.`,
      ),
    );
  });
});
