import * as fs from "fs";
import * as path from "path";
import * as vega from "vega";
import * as vegaLite from "vega-lite";
import { SUBSIDY_SCHEMES, SubsidyScheme } from "../inventory/catalog";
import { allocationByKind, capacityAtMilestones, CITY_MILESTONES, subsidySummary } from "../inventory/city";
import { parseSite, SITE_CONFIG_KEY } from "../inventory/parse";
import { Site } from "../inventory/types";
import { parseArgs } from "./args";
import { EXIT } from "./exit";
import { STACKS_DIR } from "./paths";
import { PROJECT } from "./run-program";
import { listStacks, readStackFile } from "./stack-config";

export const REPORT_USAGE = "aisc report [--out DIR]";

/** The Vega-Lite spec of the city chart: each site's planned PFLOPS stacked per milestone year, against the target. */
export function cityChartSpec(sites: readonly Site[]): vegaLite.TopLevelSpec {
  const bars = capacityAtMilestones(sites).map((r) => ({ ...r, year: String(r.year) }));
  const targets = CITY_MILESTONES.map((m) => ({ year: String(m.year), target: m.pflops }));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: "Hong Kong AI computing: planned PFLOPS per site against the city's milestones",
    width: 360,
    height: 260,
    layer: [
      {
        data: { values: bars },
        mark: "bar",
        encoding: {
          x: { field: "year", type: "nominal", title: "milestone" },
          y: { field: "pflops", type: "quantitative", title: "PFLOPS in service (each site's declared precision)", stack: "zero" },
          color: { field: "site", type: "nominal", title: "site" },
        },
      },
      {
        data: { values: targets },
        mark: { type: "tick", color: "black", thickness: 3, size: 60 },
        encoding: { x: { field: "year", type: "nominal" }, y: { field: "target", type: "quantitative" } },
      },
    ],
  };
}

/** Renders a Vega-Lite spec to SVG with Vega's own renderer, headless. */
export async function renderSvg(spec: vegaLite.TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return `${svg}\n`;
}

export function cityMarkdown(sites: readonly Site[]): string {
  const at = capacityAtMilestones(sites);
  const lines = ["# Hong Kong AI computing: city report", "", "## Capacity against the city's milestones", ""];
  lines.push(`| site | precision | GPUs | PFLOPS (all pools) | ${CITY_MILESTONES.map((m) => `in service by ${m.year}`).join(" | ")} |`, `| --- | --- | ---: | ---: | ${CITY_MILESTONES.map(() => "---:").join(" | ")} |`);
  for (const s of sites) {
    const cells = CITY_MILESTONES.map((m) => String(at.find((r) => r.site === s.name && r.year === m.year)!.pflops));
    lines.push(`| ${s.displayName} | ${s.capacity.precision} | ${s.capacity.gpus} | ${s.capacity.pflops} | ${cells.join(" | ")} |`);
  }
  const totals = CITY_MILESTONES.map((m) => Math.round(at.filter((r) => r.year === m.year).reduce((n, r) => n + r.pflops, 0) * 1000) / 1000);
  lines.push(`| **total** | | ${sites.reduce((n, s) => n + s.capacity.gpus, 0)} | | ${totals.map((t) => `**${t}**`).join(" | ")} |`, "");
  for (const [i, m] of CITY_MILESTONES.entries()) {
    lines.push(`- ${m.year}: ${totals[i]} of ${m.pflops} PFLOPS (${m.source}): ${totals[i] >= m.pflops ? "met" : `short by ${Math.round((m.pflops - totals[i]) * 1000) / 1000}`}.`);
  }
  lines.push("", "Sites count PFLOPS at their own declared precision; the per-site figures say which.", "", "## Entitled GPUs by tenant kind", "", "| kind | tenants | GPUs | share |", "| --- | ---: | ---: | ---: |");
  for (const k of allocationByKind(sites)) lines.push(`| ${k.kind} | ${k.tenants} | ${k.gpus} | ${Math.round(k.share * 1000) / 10}% |`);
  lines.push("", "## Subsidised computing", "", "| scheme | tenants | GPUs | average share of cost paid |", "| --- | ---: | ---: | ---: |");
  for (const s of subsidySummary(sites)) lines.push(`| ${SUBSIDY_SCHEMES[s.scheme as SubsidyScheme].title} | ${s.tenants} | ${s.gpus} | ${Math.round(s.averageShare * 1000) / 10}% |`);
  lines.push("", "![Capacity per site against the city's milestones](city-capacity.svg)", "");
  return lines.join("\n");
}

/** Writes city-report.md and city-capacity.svg for every stack in stacks/. */
export async function report(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, { out: { value: true } });
  const out = path.resolve(args.values.out?.[0] ?? path.join("out", "report"));
  const sites = listStacks(STACKS_DIR).map((stack) => parseSite(readStackFile(path.join(STACKS_DIR, `Pulumi.${stack}.yaml`), PROJECT).raw[SITE_CONFIG_KEY]));
  const svg = await renderSvg(cityChartSpec(sites));
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, "city-report.md"), cityMarkdown(sites));
  fs.writeFileSync(path.join(out, "city-capacity.svg"), svg);
  process.stdout.write(`city report for ${sites.map((s) => s.name).join(", ")} -> ${path.join(out, "city-report.md")}, ${path.join(out, "city-capacity.svg")}\n`);
  return EXIT.ok;
}
