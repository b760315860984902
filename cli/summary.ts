import { CapacitySummary } from "../inventory/summary";
import { PolicyResult } from "./policy-eval";
import { Plan } from "./record";

/**
 * The short text `aisc plan` prints per stack: where the files went, resources by type, and a
 * capacity table. Pure, so its exact shape is tested.
 */

export function resourceCounts(plan: Plan): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of plan.resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  return [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) =>
    r
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join("  ")
      .trimEnd(),
  );
}

export function formatSummary(plan: Plan, outDir: string, objects: number): string {
  const lines = [`${plan.stack}: ${plan.resources.length} resources, ${objects} Kubernetes objects in manifests -> ${outDir}`];
  lines.push(...table([["  type", "count"], ...resourceCounts(plan).map(([t, n]) => [`  ${t}`, String(n)])]));
  const c = plan.outputs.capacity as CapacitySummary | undefined;
  if (c) {
    lines.push(`  capacity at ${c.precision}: ${c.gpus} GPUs on ${c.nodes} nodes, ${c.pflops} PFLOPS; ${c.entitledGpus} GPUs entitled to tenants`);
    lines.push(`  power at full load: ${c.itPowerMW} MW IT, ${c.facilityPowerMW} MW facility of a ${c.envelopeMW} MW envelope`);
    const rows = [["  GPUs by model", "GPUs"], ...Object.entries(c.gpusByModel).map(([m, n]) => [`  ${m}`, String(n)])];
    lines.push(...table(rows));
    // Each class of GPU resource against what tenants are promised of it (cloud burst is never promised).
    lines.push(
      ...table([
        ["  GPU resource", "class", "on-prem", "cloud", "entitled"],
        ...(c.gpuResources ?? []).map((r) => [`  ${r.resource}`, r.class, String(r.onPrem), String(r.cloud), String(r.entitled)]),
      ]),
    );
    if (c.milestones.length) {
      lines.push(
        ...table([
          ["  milestone", "date", "target PFLOPS", "planned PFLOPS", "met"],
          ...c.milestones.map((m) => [`  ${m.name}`, m.date, String(m.pflops), String(m.plannedPflops), m.met ? "yes" : "NO"]),
        ]),
      );
    }
  }
  return lines.join("\n");
}

/** One line of verdict, then each violation: what a CI log needs. */
export function formatPolicySummary(result: PolicyResult): string {
  const mandatory = result.violations.filter((v) => v.level === "mandatory").length;
  const passed = result.policies.filter((p) => p.violations === 0).length;
  const head = `  policies: ${passed} of ${result.policies.length} pass; ${result.violations.length} violations (${mandatory} mandatory)`;
  return [head, ...result.violations.map((v) => `    [${v.level}] ${v.policy}: ${v.message}`)].join("\n");
}
