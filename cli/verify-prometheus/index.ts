import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { Site } from "../../inventory/types";
import { readManifests } from "../verify-k8s";
import { missingCommands } from "../verify-slurm/engine";
import { DASHBOARD_LABEL } from "../../charts/monitoring";
import { Catalog, loadCatalog, unknownIn, unknownInSeries } from "./catalog";
import { ruleTests } from "./rule-tests";

/**
 * `aisc verify --only prometheus`: every PrometheusRule and dashboard in OUT/<stack>/manifests,
 * as on disk, held to the metric catalog of the pinned exporters (./catalog), then the rules
 * through the real `promtool check rules`, then `promtool test rules` with unit tests that show
 * each key alert firing on synthetic series (only series the catalog allows) and staying silent
 * on healthy ones.
 */

export interface PrometheusCheck {
  readonly status: "passed" | "failed" | "skipped";
  readonly report: readonly string[];
}

function promtool(args: string[], cwd: string): { status: number; out: string } {
  const r = spawnSync("promtool", args, { cwd, encoding: "utf8", timeout: 120000 });
  return { status: r.status ?? -1, out: `${r.stdout ?? ""}${r.stderr ?? ""}`.trim() };
}

export function checkPrometheus(stackDir: string, site: Site): PrometheusCheck {
  if (missingCommands(["promtool"]).length) return { status: "skipped", report: ["skipped: promtool is not installed (apt-get install prometheus)"] };
  const manifests = readManifests(path.join(stackDir, "manifests"), stackDir);
  const rules = manifests.flatMap((m) =>
    m.docs
      .filter((d) => d.kind === "PrometheusRule")
      .map((d) => ({ file: m.file, name: String((d.metadata as { name?: string })?.name), groups: (d.spec as { groups?: unknown })?.groups })),
  );
  if (rules.length === 0) return { status: "failed", report: [`no PrometheusRule in ${stackDir}/manifests: run aisc plan`] };
  const dashboards = manifests.flatMap((m) =>
    m.docs
      .filter((d) => d.kind === "ConfigMap" && (d.metadata as { labels?: Record<string, string> })?.labels?.[DASHBOARD_LABEL.key] === DASHBOARD_LABEL.value)
      .map((d) => ({ file: m.file, data: (d.data ?? {}) as Record<string, string> })),
  );
  // The rule files promtool reads, by the rules' names; the tests name them and feed the series the catalog holds.
  const files = rules.map((r) => `${r.name}.rules.yaml`);
  const tests = ruleTests(site, files);
  const catalogProblems = checkCatalog(rules, dashboards, tests.tests as { input_series: { series: string }[] }[], loadCatalog());
  if (catalogProblems.problems.length)
    return { status: "failed", report: ["metric catalog (charts/imports/metrics): failed", ...catalogProblems.problems.map((p) => `  ${p}`)] };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aisc-promtool-"));
  try {
    const report: string[] = [catalogProblems.summary];
    for (const [i, r] of rules.entries()) {
      const file = files[i];
      fs.writeFileSync(path.join(tmp, file), YAML.stringify({ groups: r.groups ?? [] }));
      const check = promtool(["check", "rules", file], tmp);
      if (check.status !== 0)
        return { status: "failed", report: [...report, `promtool check rules ${r.file}: failed`, ...check.out.split("\n").map((l) => `  ${l}`)] };
      report.push(
        `promtool check rules ${r.file}: ${
          check.out
            .split("\n")
            .find((l) => /SUCCESS/.test(l))
            ?.trim() ?? "ok"
        }`,
      );
    }
    fs.writeFileSync(path.join(tmp, "tests.yaml"), YAML.stringify(tests));
    const test = promtool(["test", "rules", "tests.yaml"], tmp);
    const count = (tests.tests as unknown[]).length;
    if (test.status !== 0) return { status: "failed", report: [...report, `promtool test rules: failed`, ...test.out.split("\n").map((l) => `  ${l}`)] };
    report.push(`promtool test rules: ${count} alert scenarios pass (each key alert fires on broken series and stays silent on healthy ones)`);
    return { status: "passed", report };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

interface RuleFile {
  readonly file: string;
  readonly groups: unknown;
}

/** Every rule expression, dashboard query and rule-test series held to the catalog. */
export function checkCatalog(
  rules: readonly RuleFile[],
  dashboards: readonly { file: string; data: Record<string, string> }[],
  tests: readonly { input_series: { series: string }[] }[],
  catalog: Catalog,
): { problems: string[]; summary: string } {
  const all = rules.flatMap((r) =>
    ((r.groups ?? []) as { rules?: { alert?: string; record?: string; expr: string }[] }[]).flatMap((g) =>
      (g.rules ?? []).map((rule) => ({ file: r.file, rule })),
    ),
  );
  const recorded = new Set(all.flatMap(({ rule }) => (rule.record ? [rule.record] : [])));
  const problems: string[] = [];
  for (const { file, rule } of all) problems.push(...unknownIn(rule.expr, catalog, recorded).map((p) => `${file}: ${rule.alert ?? rule.record}: ${p}`));
  let queries = 0;
  for (const d of dashboards) {
    for (const [name, text] of Object.entries(d.data)) {
      const panels = (JSON.parse(text) as { panels?: { title?: string; targets?: { expr?: string }[] }[] }).panels ?? [];
      for (const p of panels)
        for (const t of p.targets ?? []) {
          if (!t.expr) continue;
          queries++;
          problems.push(...unknownIn(t.expr, catalog, recorded).map((x) => `${d.file}: dashboard ${name}, panel "${p.title}": ${x}`));
        }
    }
  }
  const series = tests.flatMap((t) => t.input_series.map((s) => s.series));
  for (const s of series) problems.push(...unknownInSeries(s, catalog).map((p) => `rule tests: ${p}`));
  return {
    problems: [...new Set(problems)],
    summary: `metric catalog: ${all.length} rules, ${queries} dashboard queries and ${series.length} rule-test series use only metrics and labels dcgm-exporter 4.2.3-4.1.3 (aisc's counters), kube-state-metrics 2.16.0 and Slurm 25.11 emit`,
  };
}
