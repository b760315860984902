import * as assert from "assert";
import { advertisedGpus, alertRuleGroups, byNode, gpuQuotaRegex, gpuResourceWeights } from "../../charts/alert-rules";
import { alertmanagerSpec } from "../../charts/alertmanager";
import { dashboards } from "../../charts/dashboards";
import { prometheusStackValues } from "../../components/monitoring";
import { parseSite } from "../../inventory/parse";
import { realSite, cloudSite, smallSite } from "../helpers/fixtures";
import { ofType, realPlan } from "../helpers/plan";

describe("monitoring", () => {
  const site = parseSite(cloudSite());
  const rules = alertRuleGroups(site).flatMap((g) => g.rules);
  const alert = (name: string) => rules.filter((r) => r.alert === name);

  it("alerts on every GPU health signal, by the node in the exporter's Hostname label", () => {
    for (const name of [
      "GpuHardwareXid",
      "GpuDoubleBitEccErrors",
      "GpuRowRemapFailure",
      "GpuTemperatureHigh",
      "GpuNvlinkErrors",
      "GpuPcieReplays",
      "DcgmExporterDown",
      "DcgmExporterAbsent",
      "GpuNodeMissingGpus",
      "GpuAllocatedIdle",
    ]) {
      assert.ok(alert(name).length > 0, name);
    }
    assert.strictEqual(byNode("M"), 'label_replace(M, "node", "$1", "Hostname", "(.+)")');
    assert.strictEqual(alert("GpuTemperatureHigh")[0].for, "5m");
    assert.match(alert("GpuTemperatureHigh")[0].expr, /> 85$/);
    assert.strictEqual(alert("GpuAllocatedIdle")[0].for, "1h");
    // Hardware XIDs by code, from the exporter's per-XID count; application XIDs such as 13 or 43 never page.
    assert.match(alert("GpuHardwareXid")[0].expr, /DCGM_EXP_XID_ERRORS_COUNT\{xid=~"48\|63\|64\|74\|79\|92\|94\|95\|119\|120"\}/);
    // Tenants' pods only: an idle Slurm node holds its GPUs through slurmd.
    assert.match(alert("GpuAllocatedIdle")[0].expr, /DCGM_FI_DEV_GPU_UTIL\{pod!="", namespace!~"[^"]*\bslurm\b[^"]*"\}/);
  });

  it("counts every GPU class in whole-GPU equivalents, running pods only, and Slurm's GPUs from its node cores", () => {
    const cyberport = parseSite(realSite("cyberport"));
    assert.deepStrictEqual(gpuResourceWeights(cyberport), [
      { name: "nvidia.com/gpu", perGpu: 1 },
      { name: "nvidia.com/gpu.shared", perGpu: 4 },
      { name: "nvidia.com/mig-1g.10gb", perGpu: 7 },
    ]);
    const [allocated, allocatable] = alertRuleGroups(cyberport).find((g) => g.name === "aisc-capacity")!.rules;
    assert.match(
      allocated.expr,
      /\(sum\(kube_pod_container_resource_requests\{resource="nvidia_com_mig_1g_10gb", namespace!~"[^"]+"\} \* on\(namespace, pod\) group_left\(\) \(kube_pod_status_phase\{phase="Running"\} == 1\)\) or vector\(0\)\) \/ 7/,
    );
    assert.ok(
      allocated.expr.endsWith(
        ' + sum(clamp_max(ceil(slurm_node_cpus_alloc{node=~"h200-p2-[0-9]+"} / 14), 8) or clamp_max(ceil(slurm_node_cpus_alloc{node=~"h800-p1-[0-9]+"} / 14), 8))',
      ),
      allocated.expr,
    );
    assert.doesNotMatch(allocated.expr, /slurm_node_gpus_alloc/);
    assert.match(
      allocatable.expr,
      /^\(sum\(kube_node_status_allocatable\{resource="nvidia_com_gpu"\}\) or vector\(0\)\) \+ \(sum\(kube_node_status_allocatable\{resource="nvidia_com_gpu_shared"\}\) or vector\(0\)\) \/ 4 \+/,
    );
    assert.strictEqual(
      gpuQuotaRegex(cyberport),
      "requests\\\\.nvidia\\\\.com/gpu|requests\\\\.nvidia\\\\.com/gpu\\\\.shared|requests\\\\.nvidia\\\\.com/mig-1g\\\\.10gb",
    );
    assert.ok(
      alertRuleGroups(cyberport)
        .flatMap((g) => g.rules)
        .some((r) => r.alert === "SlurmMetricsAbsent" && r.expr === "absent(slurm_node_cpus_alloc)"),
    );
  });

  it("checks each pool's advertised GPUs against what it declares, shared pools by their replicas", () => {
    assert.deepStrictEqual(
      alert("GpuNodeMissingGpus").map((r) => [r.labels!.pool, /< (\d+)$/.exec(r.expr)![1], /resource="([^"]+)"/.exec(r.expr)![1]]),
      [
        ["h100-a", "8", "nvidia_com_gpu"],
        ["h100-cloud", "8", "nvidia_com_gpu"],
        ["l40s-ts", "16", "nvidia_com_gpu_shared"],
      ],
    );
    const s = cloudSite();
    s.pools[0].sharing = { migStrategy: "mixed", migLayout: "all-1g.10gb" };
    s.slurm.partitions = [s.slurm.partitions[1]];
    assert.deepStrictEqual(advertisedGpus(parseSite(s).pools[0]), { resource: "nvidia_com_mig_1g_10gb", count: 56 });
  });

  it("alerts on capacity above the site's target, tenants at quota, and Slurm's health", () => {
    const s = smallSite();
    s.monitoring = { utilisationTarget: 0.8 };
    const capacity = alertRuleGroups(parseSite(s)).find((g) => g.name === "aisc-capacity")!.rules;
    assert.strictEqual(
      capacity.find((r) => r.alert === "SiteGpuAllocationAboveTarget")!.expr,
      "aisc:site_gpus_allocated:sum / aisc:site_gpus_allocatable:sum > 0.8",
    );
    assert.ok(alert("TenantAtGpuQuota").length === 1);
    for (const name of ["SlurmControllerUnreachable", "SlurmNodesDown", "SlurmNodesDrained"]) assert.strictEqual(alert(name).length, 1, name);
  });

  it("routes alerts from the inventory: tenants' to their own receiver, critical to on-call, Watchdog to the dead-man's switch", () => {
    const cyberport = parseSite(realSite("cyberport"));
    const spec = alertmanagerSpec(cyberport.monitoring.alerting!, cyberport.tenants) as any;
    assert.strictEqual(spec.route.receiver, "platform-channel");
    assert.deepStrictEqual(
      spec.route.routes.map((r: any) => [r.receiver, r.matchers.map((m: any) => `${m.name}${m.matchType}${m.value}`).join(",")]),
      [
        ["deadman", "alertname=Watchdog"],
        ["null", "alertname=InfoInhibitor"],
        ["hkgai-ops", "namespace=hkgai"],
        ["platform-oncall", "severity=critical"],
      ],
    );
    assert.deepStrictEqual(
      spec.receivers.map((r: any) => [r.name, r.webhookConfigs?.[0].urlSecret.key ?? "-"]),
      [
        ["platform-oncall", "platform-oncall"],
        ["platform-channel", "platform-channel"],
        ["deadman", "deadman"],
        ["hkgai-ops", "hkgai-ops"],
        ["null", "-"],
      ],
    );
    // A node that is down silences its GPU and exporter alerts; slurmctld down silences the Slurm alerts it causes.
    assert.deepStrictEqual(spec.inhibitRules[0], {
      sourceMatch: [{ name: "alertname", value: "KubeNodeNotReady|KubeNodeUnreachable", matchType: "=~" }],
      targetMatch: [{ name: "alertname", value: "Gpu.*|Dcgm.*", matchType: "=~" }],
      equal: ["node"],
    });
    assert.deepStrictEqual(spec.inhibitRules[1].targetMatch, [{ name: "alertname", value: "SlurmNodes.*|SlurmMetricsAbsent", matchType: "=~" }]);
  });

  it("plans the AlertmanagerConfig as Alertmanager's whole configuration, and the receivers' URLs as secrets only", () => {
    const plan = realPlan("cyberport");
    const config = ofType(plan, "kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig");
    assert.deepStrictEqual(
      config.map((c) => (c.inputs as any).metadata.name),
      ["aisc-alerts"],
    );
    const secret = ofType(plan, "kubernetes:core/v1:Secret").find((r) => (r.inputs as any).metadata.name === "alertmanager-receivers")!;
    assert.deepStrictEqual((secret.inputs as any).stringData, {
      deadman: "[secret]",
      "hkgai-ops": "[secret]",
      "platform-channel": "[secret]",
      "platform-oncall": "[secret]",
    });
    assert.ok(config[0].options.dependencies.includes(secret.urn), "the receivers' Secret exists before the config that reads it");
    const chart = ofType(plan, "kubernetes:helm.sh/v4:Chart").find((r) => r.urn.includes("prometheus"))!;
    assert.deepStrictEqual((chart.inputs as any).values.alertmanager.alertmanagerSpec.alertmanagerConfiguration, { name: "aisc-alerts" });
  });

  it("draws capacity, per-tenant and GPU-health dashboards from the inventory", () => {
    const ds = dashboards(site);
    assert.deepStrictEqual(
      ds.map((d) => d.uid),
      ["aisc-testsite-capacity", "aisc-testsite-tenants", "aisc-testsite-gpu-health"],
    );
    const exprs = (i: number) => (ds[i].json.panels as any[]).flatMap((p) => p.targets.map((t: any) => t.expr));
    assert.ok(exprs(0).includes(`vector(${site.capacity.gpus})`));
    assert.ok(
      exprs(1).some(
        (e: string) =>
          e.startsWith("sum by (namespace, resource) (kube_pod_container_resource_requests") && e.includes('kube_pod_status_phase{phase="Running"}'),
      ),
    );
    assert.deepStrictEqual(
      (ds[2].json.templating as any).list.map((v: any) => v.name),
      ["pool"],
    );
  });

  it("keeps metrics for the inventory's retention on a retained volume", () => {
    const s = smallSite();
    s.monitoring = { retentionDays: 90, storageGi: 2000, storageClass: "fast-retain" };
    const values = prometheusStackValues(parseSite(s), "grafana-admin") as any;
    assert.strictEqual(values.prometheus.prometheusSpec.retention, "90d");
    assert.deepStrictEqual(values.prometheus.prometheusSpec.persistentVolumeClaimRetentionPolicy, { whenDeleted: "Retain", whenScaled: "Retain" });
    assert.strictEqual(values.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName, "fast-retain");
    assert.strictEqual(values.grafana.admin.existingSecret, "grafana-admin");
  });

  for (const stack of ["cyberport", "sandy-ridge"]) {
    it(`plans ${stack}'s monitoring stack, DCGM monitor, rules and dashboards`, () => {
      const plan = realPlan(stack);
      const chart = ofType(plan, "kubernetes:helm.sh/v4:Chart").find((c) => c.inputs.chart === "kube-prometheus-stack")!;
      assert.strictEqual(chart.inputs.version, "75.15.0");
      assert.strictEqual(ofType(plan, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor").length, 1);
      const rule = ofType(plan, "kubernetes:monitoring.coreos.com/v1:PrometheusRule")[0];
      assert.deepStrictEqual(
        (rule.inputs.spec as any).groups.map((g: any) => g.name),
        ["aisc-gpu-health", "aisc-capacity", "aisc-slurm"],
      );
      const boards = ofType(plan, "kubernetes:core/v1:ConfigMap").filter((c) => (c.inputs.metadata as any).labels?.grafana_dashboard === "1");
      assert.deepStrictEqual(boards.map((b) => (b.inputs.metadata as any).name).sort(), [
        `aisc-${stack}-capacity`,
        `aisc-${stack}-gpu-health`,
        `aisc-${stack}-tenants`,
      ]);
      const admin = ofType(plan, "kubernetes:core/v1:Secret").find((x) => (x.inputs.metadata as any).name === "grafana-admin")!;
      assert.deepStrictEqual(admin.inputs.stringData, { "admin-password": "[secret]", "admin-user": "[secret]" });
      assert.deepStrictEqual(parseSite(realSite(stack)).monitoring.utilisationTarget, 0.9);
    });
  }
});
