import * as fs from "fs";
import * as path from "path";
import * as vega from "vega";
import * as vegaLite from "vega-lite";
import { SUBSIDY_SCHEMES, SubsidyScheme } from "../inventory/catalog";
import { allocationByKind, capacityAtMilestones, CITY_MILESTONES, subsidySummary } from "../inventory/city";
import { Site } from "../inventory/types";
import { parseArgs } from "./args";
import { EXIT } from "./exit";
import { claimOutDir, makeDirs, onDisk } from "./out-dir";
import { DEFAULT_OUT } from "./paths";
import { readInventory, selectStackFiles, STACK_FLAGS } from "./plan";

export const REPORT_USAGE = "aisc report [--stack NAME]... [--all] [--config FILE]... [--out DIR]";

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

/** Writes city-report.md and city-capacity.svg for the chosen stacks (every stack in stacks/ by default). */
export async function report(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, STACK_FLAGS);
  // Every stack by default; --stack and --config choose, so a candidate site can be seen in the city view.
  const sites = selectStackFiles(args).files.map(readInventory);
  const svg = await renderSvg(cityChartSpec(sites));
  // The default folder lies inside the default OUT, which must be aisc's as for a plan; a
  // folder given with --out is an OUT of its own.
  let out: string;
  if (args.values.out) {
    out = path.resolve(args.values.out[0]);
    claimOutDir(out);
  } else {
    claimOutDir(path.resolve(DEFAULT_OUT));
    out = path.resolve(DEFAULT_OUT, "report");
    onDisk(`cannot create ${out}`, () => makeDirs(out));
  }
  onDisk(`cannot write the city report into ${out}`, () => {
    fs.writeFileSync(path.join(out, "city-report.md"), cityMarkdown(sites));
    fs.writeFileSync(path.join(out, "city-capacity.svg"), svg);
  });
  process.stdout.write(`city report for ${sites.map((s) => s.name).join(", ")} -> ${path.join(out, "city-report.md")}, ${path.join(out, "city-capacity.svg")}\n`);
  return EXIT.ok;
}
