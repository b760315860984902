import * as assert from "assert";
import { spawnSync } from "child_process";
import { App } from "cdk8s";
import * as fc from "fast-check";
import { SlurmChart } from "../../charts/slurm";
import { SiteFactsChart } from "../../charts/site-facts";
import { TenantChart } from "../../charts/tenant";
import { evaluatePolicies } from "../../cli/policy-eval";
import { Plan, PlannedResource } from "../../cli/record";
import { K8sObject } from "../../components/k8s";
import { parseSite } from "../../inventory/parse";
import { InventoryError } from "../../inventory/reader";
import { Site } from "../../inventory/types";
import { CAPACITY_POLICIES } from "../../policies/capacity";
import { smallSite, tempDir, writeStackFile } from "../helpers/fixtures";
import { AISC, CliRun, plannedResource } from "../helpers/plan";

/**
 * Inventories mutated from a valid one either parse or fail with keyed config errors, never a
 * crash; and every accepted inventory that breaks a capacity invariant is caught by a policy.
 * `npm run fuzz` runs 10,000 cases (FUZZ_RUNS); `npm test` a few hundred.
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path into a JSON value, as key lists. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== "object") return [prefix];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [prefix, ...keys.flatMap((k) => paths((value as Record<string | number, Json>)[k], [...prefix, k]))];
}

/** Applies one mutation at `path`: replace the value, delete it, or duplicate a list item. */
function mutate(base: Json, path: (string | number)[], op: "replace" | "delete" | "duplicate", value: Json): Json {
  const copy = JSON.parse(JSON.stringify(base)) as Json;
  if (path.length === 0) return op === "replace" ? value : copy;
  const parent = path.slice(0, -1).reduce<Json>((v, k) => (v as Record<string | number, Json>)[k], copy) as Record<string | number, Json> | Json[];
  const key = path[path.length - 1];
  if (op === "replace") (parent as Record<string | number, Json>)[key] = value;
  else if (op === "delete") {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete (parent as Record<string, Json>)[key];
  } else if (Array.isArray(parent)) parent.push(JSON.parse(JSON.stringify(parent[Number(key)])));
  return copy;
}

/** Huge values: each must be refused by its length alone, at once, whatever key it lands on. */
const HUGE: Json[] = [
  "x".repeat(300_000),
  Array<Json>(20_000).fill("10.0.0.0/8"),
  Array<Json>(20_000).fill({ name: "a" }),
  Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i])),
];

/** Values that tend to break parsers: boundaries, wrong types, odd strings, sizes past every limit. */
const nasty: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(
    0,
    -1,
    1,
    2,
    0.5,
    1e9,
    -8,
    64,
    1.3,
    "",
    " ",
    "ap-east-1",
    "H100",
    "on-prem",
    "cloud",
    "10.0.0.0/8",
    "2026-02-30",
    "kube-system",
    "x".repeat(80),
    null,
    true,
    [],
    {},
    ...HUGE,
  ),
  fc.integer({ min: -1000, max: 100000 }),
  fc.string({ maxLength: 12 }),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
);

const BASE = smallSite() as unknown as Json;
const PATHS = paths(BASE);
const mutation = fc.record({
  path: fc.constantFrom(...PATHS),
  op: fc.constantFrom("replace" as const, "delete" as const, "duplicate" as const),
  value: nasty,
  second: fc.option(fc.record({ path: fc.constantFrom(...PATHS), value: nasty })),
});

type Mutation = { path: (string | number)[]; op: "replace" | "delete" | "duplicate"; value: Json; second: { path: (string | number)[]; value: Json } | null };

/** The inventory a mutation makes of the base one. */
function mutated(m: Mutation): Json {
  const inventory = mutate(BASE, m.path, m.op, m.value);
  if (!m.second) return inventory;
  try {
    return mutate(inventory, m.second.path, "replace", m.second.value);
  } catch {
    // The first mutation removed the second's path: keep the first alone.
    return inventory;
  }
}

function parsed(m: Mutation): Site | InventoryError {
  const inventory = mutated(m);
  try {
    return parseSite(inventory);
  } catch (err) {
    if (err instanceof InventoryError) return err;
    throw err;
  }
}

/** The capacity-relevant objects of a site as a plan, without Pulumi: facts, quotas, Slurm accounts. */
function planOf(site: Site): Plan {
  const app = new App();
  const objects = [
    new SiteFactsChart(app, "facts", { site }),
    new SlurmChart(app, "slurm", { site }),
    ...site.tenants.map((t) => new TenantChart(app, `t-${t.name}`, { site, tenant: t })),
  ].flatMap((c) => c.toJson() as K8sObject[]);
  const resources: PlannedResource[] = objects.map((o) => {
    const [group, version] = o.apiVersion.includes("/") ? o.apiVersion.split("/") : ["core", o.apiVersion];
    return plannedResource(`kubernetes:${group}/${version}:${o.kind}`, `${o.metadata.namespace ?? "_"}/${o.metadata.name}`, o);
  });
  return { project: "aisc", stack: "fuzz", resources, outputs: {} };
}

describe(`fuzzing the inventory (${RUNS} cases)`, function () {
  this.timeout(Math.max(120000, RUNS * 100));

  it("parses or fails with errors keyed to the config, never a crash", () => {
    fc.assert(
      fc.property(mutation, (m) => {
        const result = parsed(m);
        if (result instanceof InventoryError) {
          assert.ok(result.issues.length > 0);
          for (const issue of result.issues) {
            assert.match(issue.path, /^aisc:site(\.|\[|$)/, issue.path);
            assert.ok(issue.message.length > 0 && !/undefined|\[object Object\]|NaN/.test(issue.message), issue.message);
          }
        } else {
          // An accepted inventory renders: the charts are pure functions of it and must not throw.
          planOf(result);
        }
      }),
      { numRuns: RUNS, seed: 20261122 },
    );
  });

  /**
   * Runs aisc within a time and memory bound: 60 s (a small site plans in a few seconds) and a
   * 768 MB heap for every process (NODE_OPTIONS reaches the plan worker too), past which Node
   * aborts with a status that is not 0, 1 or 2.
   */
  function bounded(...args: string[]): CliRun {
    const r = spawnSync(process.execPath, [AISC, ...args], {
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, NODE_OPTIONS: "--max-old-space-size=768" },
    });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  it("plans a sample of them with the real CLI, each within a time and memory bound: exit 0, 1 (a policy) or 2 (keyed errors), never a crash", () => {
    // A full plan takes about a second, so one case in a hundred goes through `aisc plan`
    // end to end; the in-process property above covers every case.
    const sample = fc.sample(mutation, { numRuns: Math.max(3, Math.ceil(RUNS / 100)), seed: 20261124 });
    for (const m of sample) {
      const run = bounded("plan", "--config", writeStackFile("fuzz", mutated(m)), "--out", tempDir());
      const what = `${JSON.stringify(m)}: exit ${run.status}\n${run.stderr}`;
      assert.ok([0, 1, 2].includes(run.status), what);
      assert.ok(!/^\s+at /m.test(run.stderr) && !/internal error/.test(run.stderr), what);
      // Exit 1 is a policy verdict only when the plan says which mandatory policy failed.
      if (run.status === 1) assert.match(run.stdout, /^ {2}policies: \d+ of \d+ pass; \d+ violations \([1-9]\d* mandatory\)$/m, what);
      if (run.status === 2) assert.match(run.stderr, /(^|: )aisc:site(\.|\[|:)/m, what);
    }
  });

  it("catches every accepted inventory that breaks a capacity invariant with a policy", async () => {
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const site = parsed(m);
        if (site instanceof InventoryError) return;
        const gpus = site.capacity.gpus;
        const expected = new Set<string>();
        if (site.capacity.entitledGpus > Math.floor(gpus * 0.9)) expected.add("capacity-tenant-quotas-fit-site");
        if (site.tenants.some((t) => !t.maxShareExempt && t.gpus > Math.floor(gpus * 0.25))) expected.add("capacity-tenant-share-within-limit");
        if (site.capacity.facilityPowerMW > site.power.envelopeMW) expected.add("capacity-power-within-envelope");
        if (expected.size === 0) return;
        const result = await evaluatePolicies(
          planOf(site),
          { "capacity-milestone-met": { asOf: "2026-11-22" }, "capacity-milestone-on-track": { asOf: "2026-11-22" } },
          CAPACITY_POLICIES,
        );
        const caught = new Set(result.violations.map((v) => v.policy));
        for (const policy of expected) assert.ok(caught.has(policy), `${policy} missed: ${JSON.stringify(m)}`);
      }),
      { numRuns: RUNS, seed: 20261123 },
    );
  });
});
