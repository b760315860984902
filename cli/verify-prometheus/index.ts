import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { Site } from "../../inventory/types";
import { readManifests } from "../verify-k8s";
import { missingCommands } from "../verify-slurm/engine";
import { ruleTests } from "./rule-tests";

/**
 * `aisc verify --only prometheus`: every PrometheusRule in OUT/<stack>/manifests, as it is on
 * disk, through the real `promtool check rules`, then `promtool test rules` with unit tests that
 * show each key alert firing on synthetic series and staying silent on healthy ones.
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
  const rules = readManifests(path.join(stackDir, "manifests"), stackDir).flatMap((m) =>
    m.docs.filter((d) => d.kind === "PrometheusRule").map((d) => ({ file: m.file, name: String((d.metadata as { name?: string })?.name), groups: (d.spec as { groups?: unknown })?.groups })),
  );
  if (rules.length === 0) return { status: "failed", report: [`no PrometheusRule in ${stackDir}/manifests: run aisc plan`] };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aisc-promtool-"));
  try {
    const report: string[] = [];
    const files: string[] = [];
    for (const r of rules) {
      const file = `${r.name}.rules.yaml`;
      fs.writeFileSync(path.join(tmp, file), YAML.stringify({ groups: r.groups ?? [] }));
      files.push(file);
      const check = promtool(["check", "rules", file], tmp);
      if (check.status !== 0) return { status: "failed", report: [...report, `promtool check rules ${r.file}: failed`, ...check.out.split("\n").map((l) => `  ${l}`)] };
      report.push(`promtool check rules ${r.file}: ${check.out.split("\n").find((l) => /SUCCESS/.test(l))?.trim() ?? "ok"}`);
    }
    fs.writeFileSync(path.join(tmp, "tests.yaml"), YAML.stringify(ruleTests(site, files)));
    const test = promtool(["test", "rules", "tests.yaml"], tmp);
    const count = (ruleTests(site, files).tests as unknown[]).length;
    if (test.status !== 0) return { status: "failed", report: [...report, `promtool test rules: failed`, ...test.out.split("\n").map((l) => `  ${l}`)] };
    report.push(`promtool test rules: ${count} alert scenarios pass (each key alert fires on broken series and stays silent on healthy ones)`);
    return { status: "passed", report };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
