/**
 * `npm run bench`: plans synthetic sites of 100, 400, 1,000 and 4,000 tenants (pools scaled
 * with them) the way `aisc plan` does, one worker process each, and reports wall time, peak
 * memory, resources, time per resource, the share spent in policies, and a floor measured in
 * the same run: rendering the same Kubernetes objects as plain objects, without Pulumi. Then
 * one real site as users plan it (`aisc plan --stack cyberport`) beside Node loading the three
 * SDKs alone, medians of five runs each. The targets are ratios of figures from the same run.
 * `-- --json` prints one JSON object for CI and for comparing runs; `-- --sizes 100,400` picks
 * sizes; `-- --no-site` leaves out the one-site line.
 */
import { spawnSync } from "child_process";
import { App } from "cdk8s";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { DcgmExporterChart } from "../charts/dcgm-exporter";
import { MonitoringChart } from "../charts/monitoring";
import { NvidiaDevicePluginChart } from "../charts/nvidia-device-plugin";
import { PlatformNamespacesChart } from "../charts/platform-namespaces";
import { SiteFactsChart } from "../charts/site-facts";
import { SlurmChart } from "../charts/slurm";
import { TenantChart } from "../charts/tenant";
import { PLAN_WORKER, WORKER_NODE_FLAGS } from "../cli/plan";
import { parseSite } from "../inventory/parse";
import { syntheticSite } from "./synthetic";
import { checkTargets, floorRatio, formatTargets, OneSiteFigures, oneSiteRatio } from "./targets";

export interface BenchResult {
  readonly tenants: number;
  readonly resources: number;
  readonly wallSeconds: number;
  readonly peakRssMB: number;
  readonly policySeconds: number;
  readonly floorSeconds: number;
  /** Why the plan did not finish (out of memory, say); the other figures are then null. */
  readonly error?: string;
}

const round = (x: number, places = 3) => Math.round(x * 10 ** places) / 10 ** places;

/** Seconds to render every Kubernetes object of the site as plain objects: the cost with no Pulumi at all. */
export function floorSeconds(raw: unknown): number {
  const start = process.hrtime.bigint();
  const site = parseSite(raw);
  // One cdk8s App per chart, as the components make them: one App for thousands of charts
  // makes cdk8s itself quadratic.
  const charts = [
    new PlatformNamespacesChart(new App(), "ns"),
    new SiteFactsChart(new App(), "facts", { site }),
    new NvidiaDevicePluginChart(new App(), "nvidia", { site }),
    new DcgmExporterChart(new App(), "dcgm", { site }),
    new SlurmChart(new App(), "slurm", { site }),
    new MonitoringChart(new App(), "monitoring", { site }),
    ...site.tenants.map((t) => new TenantChart(new App(), `t-${t.name}`, { site, tenant: t })),
  ];
  let objects = 0;
  for (const c of charts) objects += c.toJson().length;
  if (objects === 0) throw new Error("rendered nothing");
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function benchOne(tenants: number, dir: string): BenchResult {
  const raw = syntheticSite(tenants);
  const file = path.join(dir, `Pulumi.bench-${tenants}.yaml`);
  fs.writeFileSync(file, YAML.stringify({ config: { "aisc:site": raw } }));
  const stats = path.join(dir, `stats-${tenants}.json`);
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, [...WORKER_NODE_FLAGS, PLAN_WORKER, file, path.join(dir, "out")], {
    env: { ...process.env, AISC_BENCH_STATS: stats },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (run.status !== 0) {
    const oom = /heap out of memory/.test(run.stderr);
    const error = oom
      ? `out of memory after ${round(wallSeconds, 1)} s (Node's default heap)`
      : `exit ${run.status ?? run.signal}: ${run.stderr.trim().split("\n")[0]}`;
    return {
      tenants,
      resources: null,
      wallSeconds: null,
      peakRssMB: null,
      policySeconds: null,
      floorSeconds: round(floorSeconds(raw)),
      error,
    } as unknown as BenchResult;
  }
  const s = JSON.parse(fs.readFileSync(stats, "utf8")) as { resources: number; policySeconds: number; peakRssMB: number };
  return {
    tenants,
    resources: s.resources,
    wallSeconds: round(wallSeconds),
    peakRssMB: s.peakRssMB,
    policySeconds: round(s.policySeconds),
    floorSeconds: round(floorSeconds(raw)),
  };
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Seconds one command takes, start to exit; throws with its error output when it fails. */
function timed(args: readonly string[], cwd: string): number {
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (run.status !== 0) throw new Error(`node ${args.join(" ")}: exit ${run.status ?? run.signal}: ${run.stderr.trim().split("\n")[0]}`);
  return seconds;
}

/** The project's root, where `bin/aisc.js` and `stacks/` are (this file runs from dist/bench/). */
const ROOT = path.resolve(__dirname, "..", "..");
const SDKS = 'require("@pulumi/pulumi"); require("@pulumi/aws"); require("@pulumi/kubernetes");';
/** Loaded first, as the plan worker loads it: the SDK load the plan is judged against is the one it pays. */
const LAZY_SDK = path.join(ROOT, "dist", "cli", "lazy-sdk.js");

/**
 * `aisc plan --stack <stack>` as users run it, and loading the three SDKs alone (as the plan
 * worker loads them, with cli/lazy-sdk first), alternated so that a slow minute weighs on
 * both: medians of `runs` each.
 */
export function oneSite(stack: string, runs: number, dir: string): OneSiteFigures {
  const plans: number[] = [];
  const loads: number[] = [];
  for (let i = 0; i < runs; i++) {
    loads.push(timed(["-r", LAZY_SDK, "-e", SDKS], ROOT));
    plans.push(timed([path.join(ROOT, "bin", "aisc.js"), "plan", "--stack", stack, "--out", path.join(dir, "site-out"), "--quiet"], ROOT));
  }
  return { stack, runs, planSeconds: round(median(plans)), sdkLoadSeconds: round(median(loads)) };
}

function table(results: readonly BenchResult[]): string {
  const rows = [
    ["tenants", "resources", "wall s", "ms/resource", "peak MB", "policies s", "policies %", "floor s", "wall/floor"],
    ...results.map((r) =>
      r.error
        ? [String(r.tenants), "failed", "-", "-", "-", "-", "-", String(r.floorSeconds), "-"]
        : [
            r.tenants,
            r.resources,
            r.wallSeconds,
            round((r.wallSeconds * 1000) / r.resources, 2),
            r.peakRssMB,
            r.policySeconds,
            round((100 * r.policySeconds) / r.wallSeconds, 1),
            r.floorSeconds,
            floorRatio(r),
          ].map(String),
    ),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const failures = results.filter((r) => r.error).map((r) => `${r.tenants} tenants: ${r.error}`);
  return [...rows.map((r) => r.map((c, i) => c.padStart(widths[i])).join("  ")), ...failures].join("\n");
}

function main(argv: string[]): void {
  const json = argv.includes("--json");
  const withSite = !argv.includes("--no-site");
  const i = argv.indexOf("--sizes");
  const sizes = i >= 0 ? argv[i + 1].split(",").map(Number) : [100, 400, 1000, 4000];
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--sizes ${argv[i + 1]}: expected positive integers, comma-separated`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aisc-bench-"));
  try {
    const results = sizes.map((n) => {
      if (!json) process.stderr.write(`planning ${n} tenants...\n`);
      return benchOne(n, dir);
    });
    if (withSite && !json) process.stderr.write("planning one site (aisc plan --stack cyberport) and loading the SDKs, 5 times each...\n");
    const site = withSite ? oneSite("cyberport", 5, dir) : undefined;
    const checks = checkTargets(results, site);
    const siteLine = site
      ? `one site: aisc plan --stack ${site.stack} ${site.planSeconds} s, loading the three SDKs ${site.sdkLoadSeconds} s: ${oneSiteRatio(site)}x (medians of ${site.runs})\n`
      : "";
    const report = {
      results: results.map((r) => ({ ...r, floorRatio: floorRatio(r) })),
      site: site ? { ...site, ratio: oneSiteRatio(site) } : null,
      targets: checks,
    };
    process.stdout.write(
      json ? `${JSON.stringify(report)}\n` : `${table(results)}\n${siteLine}\ntargets (ratios measured in this run):\n${formatTargets(checks)}\n`,
    );
    // A failed size or a missed target fails the run, so a regression cannot pass unnoticed.
    if (results.some((r) => r.error) || checks.some((c) => c.met === false)) process.exitCode = 1;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) main(process.argv.slice(2));
