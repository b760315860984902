import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as vega from "vega";
import * as vegaLite from "vega-lite";
import { CITY_CONFIG_KEY, CityConfig, countsToward, milestoneTotal, parseCity, pflopsInService, uncountedAt } from "../inventory/city";
import { InventoryError } from "../inventory/reader";
import { cityLedger, formatHkd } from "../inventory/subsidy";
import { Site } from "../inventory/types";
import { CommandSpec, parseCommand, printHelp } from "./args";
import { Progress, progressOn } from "./progress";
import { cityMarkdown, CityReport, SiteInReport } from "./city-markdown";
import { EXIT } from "./exit";
import { claimOutDir, makeDirs, onDisk } from "./out-dir";
import { DEFAULT_OUT } from "./paths";
import { planInto, QUIET_FLAG, readInventory, selectStackFiles, STACK_FLAGS } from "./plan";
import { InputError, PROJECT_FILE, projectConfig, stackNameOf } from "./stack-config";
import { stableJson } from "./record";

export const REPORT_COMMAND: CommandSpec = {
  name: "report",
  about: [
    "The city view across the chosen stacks (all by default): capacity against the city's milestones,",
    "allocation by tenant kind and subsidy, and the subsidy ledger, as city-report.md, city-report.json",
    "and city-capacity.svg in OUT/report/ (or --out). Exit 1 when sites overcommit a subsidy budget together.",
  ].join("\n"),
  flags: { ...STACK_FLAGS, ...QUIET_FLAG },
};

/** The city's facts from the project's `Pulumi.yaml` (`config: aisc:city: value:`), validated; exit 2 naming the key. */
export function readCityConfig(file: string = PROJECT_FILE): CityConfig {
  const value = projectConfig(file)[CITY_CONFIG_KEY];
  if (value === undefined)
    throw new InputError(
      `${file}: config: has no ${CITY_CONFIG_KEY}; expected the city's precision and milestones under config: ${CITY_CONFIG_KEY}: value: (see the README's city report)`,
    );
  try {
    return parseCity(value, `${CITY_CONFIG_KEY}.value`);
  } catch (err) {
    if (err instanceof InventoryError) throw new InputError(`${file}: invalid city configuration: ${err.message}`);
    throw err;
  }
}

/**
 * Each site's verdict as `aisc plan` gives it: the stack planned on its own into a scratch folder
 * and its mandatory violations counted. A site that fails one is shown, never counted.
 */
async function verdicts(files: readonly string[], progress: Progress): Promise<Map<string, number>> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "aisc-report-"));
  try {
    const out = new Map<string, number>();
    // An OUT of aisc's own making inside the scratch folder: aisc plans only into folders it made.
    const plans = path.join(scratch, "out");
    for (const file of files) {
      const [result] = await planInto([file], plans, { progress });
      if (result.code !== EXIT.ok && result.code !== EXIT.failed) throw new InputError(result.stderr.trim() || `${file}: could not be planned`);
      const report = JSON.parse(fs.readFileSync(path.join(plans, stackNameOf(file), "policy-report.json"), "utf8")) as { summary: { mandatory: number } };
      out.set(stackNameOf(file), report.summary.mandatory);
    }
    return out;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** A date after every pool's: the site's full on-premises build-out. */
const FULL_BUILD_OUT = "9999-12-31";

/** The report's figures: every site at every precision, the milestones summed at the city's. */
export function cityReport(city: CityConfig, sites: readonly { site: Site; stack: string; mandatory: number }[]): CityReport {
  const counted = sites.filter((s) => s.mandatory === 0).map((s) => s.site);
  const inReport: SiteInReport[] = sites.map(({ site, stack, mandatory }) => ({
    stack,
    name: site.name,
    displayName: site.displayName,
    declaredPrecision: site.capacity.precision,
    gpus: site.pools.filter((p) => p.placement === "on-prem").reduce((n, p) => n + p.gpusPerNode * p.nodes, 0),
    pflops: pflopsInService(site, FULL_BUILD_OUT),
    uncounted: uncountedAt(site, city.precision),
    mandatoryViolations: mandatory,
    counted: mandatory === 0,
    atMilestones: city.milestones.map((m) => ({
      milestone: m.name,
      counts: countsToward(m, site.name),
      pflops: pflopsInService(site, m.date)[city.precision],
    })),
  }));
  return {
    precision: city.precision,
    sites: inReport,
    milestones: city.milestones.map(({ pflops: target, ...m }) => {
      const total = milestoneTotal({ ...m, pflops: target }, counted, city.precision);
      return { ...m, target, counted: total.pflops, margin: total.margin, met: total.met };
    }),
    subsidy: cityLedger(
      city.subsidy,
      sites.map(({ site, mandatory }) => ({ site, counted: mandatory === 0 })),
    ),
  };
}

/** The Vega-Lite spec of the city chart: counted sites' PFLOPS stacked per milestone, at the city's precision, against each target. */
export function cityChartSpec(report: CityReport): vegaLite.TopLevelSpec {
  const bars = report.sites
    .filter((s) => s.counted)
    .flatMap((s) => s.atMilestones.filter((a) => a.counts).map((a) => ({ milestone: a.milestone, site: s.name, pflops: a.pflops })));
  const targets = report.milestones.map((m) => ({ milestone: m.name, target: m.target }));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: `Hong Kong AI computing: PFLOPS in service per site at each milestone (${report.precision})`,
    width: 420,
    height: 260,
    layer: [
      {
        data: { values: bars },
        mark: "bar",
        encoding: {
          x: { field: "milestone", type: "nominal", title: "milestone", sort: null },
          y: { field: "pflops", type: "quantitative", title: `PFLOPS in service (${report.precision})`, stack: "zero" },
          color: { field: "site", type: "nominal", title: "site" },
        },
      },
      {
        data: { values: targets },
        mark: { type: "tick", color: "black", thickness: 3, size: 60 },
        encoding: { x: { field: "milestone", type: "nominal", sort: null }, y: { field: "target", type: "quantitative" } },
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

/** Writes city-report.md, city-report.json and city-capacity.svg for the chosen stacks (every stack in stacks/ by default). */
export async function report(argv: readonly string[]): Promise<number> {
  const args = parseCommand(argv, REPORT_COMMAND);
  if (args.help) return printHelp(REPORT_COMMAND);
  const city = readCityConfig();
  // Every stack by default; --stack and --config choose, so a candidate site can be seen in the city view.
  const files = selectStackFiles(args).files;
  const sites = files.map((file) => ({ file, site: readInventory(file) }));
  const mandatory = await verdicts(files, progressOn(args.switches.has("quiet")));
  const data = cityReport(
    city,
    sites.map(({ file, site }) => ({ site, stack: stackNameOf(file), mandatory: mandatory.get(stackNameOf(file))! })),
  );
  const svg = await renderSvg(cityChartSpec(data));
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
    fs.writeFileSync(
      path.join(out, "city-report.md"),
      cityMarkdown(
        data,
        sites.map((s) => s.site),
      ),
    );
    fs.writeFileSync(path.join(out, "city-report.json"), stableJson(data));
    fs.writeFileSync(path.join(out, "city-capacity.svg"), svg);
  });
  process.stdout.write(
    `city report for ${sites.map((s) => s.site.name).join(", ")} at ${city.precision} -> ${path.join(out, "city-report.md")}, city-report.json, city-capacity.svg\n`,
  );
  // Each stack's policy sees one site: sites that fit a scheme's budget one by one can still overcommit it together.
  const problems = subsidyProblems(data);
  for (const line of problems) process.stderr.write(`${line}\n`);
  return problems.length ? EXIT.failed : EXIT.ok;
}

/**
 * What the city's ledger fails on, one line each: the counted sites together over a scheme's
 * budget (each stack's policy sees only its own site), and a site left out for failing a
 * mandatory policy (perhaps this very budget rule) that would overcommit once counted.
 */
export function subsidyProblems(data: CityReport): string[] {
  const out: string[] = [];
  for (const s of data.subsidy) {
    const available = s.budgetHkd - s.committedOutsideHkd;
    if (s.leftHkd < 0) {
      const parts = s.sites.filter((x) => x.counted && x.committedHkd > 0).map((x) => `${x.site} ${formatHkd(x.committedHkd)}`);
      out.push(
        `${s.scheme}: the counted sites commit ${formatHkd(s.committedHkd)} over the scheme's term, ${formatHkd(-s.leftHkd)} more than the ${formatHkd(Math.max(available, 0))} left of its ${formatHkd(s.budgetHkd)} budget${parts.length ? ` (${parts.join(", ")})` : ""}`,
      );
    }
    for (const x of s.sites.filter((y) => !y.counted && y.committedHkd > 0 && s.committedHkd + y.committedHkd > available)) {
      out.push(
        `${s.scheme}: ${x.site} (not counted: it fails a mandatory policy) would commit ${formatHkd(x.committedHkd)}, ${formatHkd(s.committedHkd + x.committedHkd - available)} more than the budget left once counted`,
      );
    }
  }
  return out;
}
