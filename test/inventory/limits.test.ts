import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { MAX_STACK_FILE_BYTES } from "../../cli/stack-config";
import { LIMITS } from "../../inventory/limits";
import { show } from "../../inventory/reader";
import { issuesOf, mutated, smallSite, tempDir, writeStackFile } from "../helpers/fixtures";
import { AISC } from "../helpers/plan";

/**
 * The inventory's limits: each accepted at its value and refused one past it with a keyed
 * message; and inputs far past them (the sizes an attacker tried) answered with exit 2 at once.
 */

/** `count` copies of the first tenant, named apart, each entitled to nothing (so capacity never objects). */
function tenants(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => ({ name: `t${i}`, kind: "startup", gpus: 0, adminGroup: `g${i}` }));
}

/** `count` on-premises pools of one node each, named apart. */
function pools(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => ({ name: `p${i}`, gpu: "H100", gpusPerNode: 8, nodes: 1 }));
}

describe("the inventory's limits", () => {
  it("takes each list at its limit and refuses one item more, by its length alone", () => {
    const cases: [string, (s: Record<string, any>, n: number) => void, number, string][] = [
      ["aisc:site.tenants", (s, n) => (s.tenants = tenants(n)), LIMITS.tenants, "tenants"],
      ["aisc:site.pools", (s, n) => ((s.pools = pools(n)), (s.slurm.partitions = [{ name: "all", pools: (s.pools as { name: string }[]).slice(0, LIMITS.pools).map((p) => p.name) }])), LIMITS.pools, "pools"],
      ["aisc:site.slurm.partitions", (s, n) => (s.slurm.partitions = Array.from({ length: n }, (_, i) => ({ name: `p${i}`, pools: ["h100-a", "h100-cloud"] }))), LIMITS.partitions, "partitions"],
      ["aisc:site.capacity.milestones", (s, n) => (s.capacity.milestones = Array.from({ length: n }, (_, i) => ({ name: `m${i}`, date: "2026-01-31", pflops: 1 }))), LIMITS.milestones, "milestones"],
    ];
    for (const [key, set, limit, what] of cases) {
      assert.deepStrictEqual(issuesOf(mutated((s) => set(s, limit))), [], key);
      assert.deepStrictEqual(issuesOf(mutated((s) => set(s, limit + 1))), [`${key}: expected at most ${limit} ${what}, got ${limit + 1}`]);
    }
  });

  it("takes at most 15 on-premises node and pod CIDRs each, EKS's fixed quota", () => {
    const cidrs = (n: number, second: number) => Array.from({ length: n }, (_, i) => `10.${second}.${i}.0/24`);
    assert.deepStrictEqual(issuesOf(mutated((s) => ((s.networks.onPremNodeCidrs = cidrs(15, 20)), (s.networks.onPremPodCidrs = cidrs(15, 32))))), []);
    const what = "CIDRs (EKS takes at most 15 remote node and 15 remote pod CIDRs per cluster)";
    assert.deepStrictEqual(issuesOf(mutated((s) => (s.networks.onPremPodCidrs = Array(3000).fill("10.32.0.0/12")))), [`aisc:site.networks.onPremPodCidrs: expected at most 15 ${what}, got 3000`]);
    assert.deepStrictEqual(issuesOf(mutated((s) => (s.networks.onPremNodeCidrs = cidrs(16, 20)))), [`aisc:site.networks.onPremNodeCidrs: expected at most 15 ${what}, got 16`]);
  });

  it("bounds nodes per pool by SSM's registration limit on premises and a node group's size in the cloud, and per site by Kubernetes'", () => {
    assert.deepStrictEqual(issuesOf(mutated((s) => (s.pools[0].nodes = 1000))), []);
    assert.deepStrictEqual(issuesOf(mutated((s) => (s.pools[0].nodes = 1001))), ["aisc:site.pools[0].nodes: expected an integer from 1 to 1000, got 1001"]);
    assert.deepStrictEqual(issuesOf(mutated((s) => (s.pools[2].nodes = 451))), ["aisc:site.pools[2].nodes: expected an integer from 1 to 450, got 451"]);
    const many = (nodes: number) =>
      mutated((s) => {
        s.pools = [...pools(4).map((p) => ({ ...p, nodes: 1000 })), { name: "big", gpu: "H100", gpusPerNode: 8, nodes: 996 }, { name: "extra", gpu: "H100", gpusPerNode: 8, nodes }];
        s.slurm.partitions = [{ name: "all", pools: (s.pools as { name: string }[]).map((p) => p.name) }];
      });
    // The default system node group's three nodes count too: 4,997 GPU nodes and 3 system nodes fit.
    assert.deepStrictEqual(issuesOf(many(1)), []);
    assert.deepStrictEqual(issuesOf(many(2)), ["aisc:site.pools: expected at most 5000 nodes across the pools (Kubernetes' tested limit for one cluster), got 5001 (3 of them system nodes)"]);
    assert.deepStrictEqual(issuesOf({ ...many(1), system: { placement: "on-prem", nodes: 4, storageClass: "ceph-rbd" } }), ["aisc:site.pools: expected at most 5000 nodes across the pools (Kubernetes' tested limit for one cluster), got 5001 (4 of them system nodes)"]);
  });

  it("bounds every free-text string at 256 characters, and tenant names at Slurm's 42", () => {
    assert.deepStrictEqual(issuesOf(mutated((s) => (s.displayName = "x".repeat(256)))), []);
    assert.deepStrictEqual(issuesOf(mutated((s) => (s.displayName = "x".repeat(50 * 1024 * 1024)))), [`aisc:site.displayName: expected a non-empty string of at most 256 characters, got ${50 * 1024 * 1024}`]);
    assert.deepStrictEqual(issuesOf(mutated((s) => (s.tenants[0].displayName = "y".repeat(257)))), ["aisc:site.tenants[0].displayName: expected a non-empty string of at most 256 characters, got 257"]);
    assert.deepStrictEqual(issuesOf(mutated((s) => (s.tenants[0].name = "a".repeat(42)))), []);
    assert.match(issuesOf(mutated((s) => (s.tenants[0].name = "a".repeat(43))))[0], /^aisc:site\.tenants\[0\]\.name: expected a DNS label .* of at most 42 characters, got 43$/);
  });

  it("keeps a cloud pool's EKS node group name, aisc-<site>-<pool>, within EKS's 63 characters", () => {
    const named = (site: string, pool: string) =>
      mutated((s) => {
        s.name = site;
        s.pools[2].name = pool;
        s.slurm.partitions[1].pools = [pool];
      });
    assert.deepStrictEqual(issuesOf(named("x".repeat(24), "c".repeat(33))), []);
    assert.deepStrictEqual(issuesOf(named("x".repeat(24), "c".repeat(34))), [
      `aisc:site.pools[2].name: expected at most 33 characters for a cloud pool of site ${"x".repeat(24)}: its EKS node group aisc-${"x".repeat(24)}-${"c".repeat(34)} would be 64 characters, over EKS's 63`,
    ]);
    // On-premises pools make no node group: their names may use all 40 characters.
    assert.deepStrictEqual(issuesOf(mutated((s) => ((s.name = "x".repeat(24)), (s.pools[0].name = "a".repeat(40)), (s.slurm.partitions[0].pools = ["a".repeat(40)])))), []);
  });

  it("shows a huge value in a message without serialising it whole", () => {
    assert.strictEqual(show("x".repeat(10_000_000)), `"${"x".repeat(56)}...`);
    assert.strictEqual(show(Array(1_000_000).fill(7)), `[${"7,".repeat(28)}...`);
    assert.strictEqual(issuesOf({ ...smallSite(), tenants: "z".repeat(1e6) }).length, 1);
  });
});

describe("aisc plan on inputs far past the limits", function () {
  // Each must be answered at once: a 5 s budget (mostly Node's start-up) and a 200 MB heap, past
  // which Node aborts with a status that is not 2.
  const BOUND = { timeout: 5000, heapMB: 200 };

  /** Writes `site` as a stack file, plans it under the bound, and returns the run. */
  function planBounded(name: string, text: string) {
    const file = path.join(path.dirname(writeStackFile(name, {})), `Pulumi.${name}.yaml`);
    fs.writeFileSync(file, text);
    const out = tempDir();
    const run = spawnSync(process.execPath, [`--max-old-space-size=${BOUND.heapMB}`, AISC, "plan", "--config", file, "--out", out], { encoding: "utf8", timeout: BOUND.timeout });
    assert.ok(!fs.existsSync(out), "nothing written");
    return { ...run, file };
  }

  const stack = (site: unknown) => YAML.stringify({ config: { "aisc:site": site } });

  it("3,000 identical pod CIDRs: exit 2, keyed, without comparing them pairwise", () => {
    const run = planBounded("cidrs", stack(mutated((s) => (s.networks.onPremPodCidrs = Array(3000).fill("10.32.0.0/12")))));
    assert.strictEqual(run.status, 2, run.stderr);
    assert.match(run.stderr, /aisc:site\.networks\.onPremPodCidrs: expected at most 15 CIDRs .*, got 3000\n$/);
  });

  it("30,000 pools: exit 2, keyed", () => {
    const run = planBounded("pools", stack(mutated((s) => (s.pools = pools(30000)))));
    assert.strictEqual(run.status, 2, run.stderr);
    assert.match(run.stderr, /aisc:site\.pools: expected at most 100 pools, got 30000\n$/);
  });

  it("100,000 tenants: exit 2, keyed when the file fits the size limit, else refused by its size", () => {
    const compact = planBounded("tenants", `config:\n  aisc:site: ${JSON.stringify(mutated((s) => (s.tenants = tenants(100000))))}\n`);
    assert.strictEqual(compact.status, 2, compact.stderr);
    assert.match(compact.stderr, /aisc:site\.tenants: expected at most 10000 tenants, got 100000\n$/);
    const padded = planBounded("padded", stack(mutated((s) => (s.tenants = tenants(100000).map((t) => ({ ...t, displayName: "A tenant with a long display name" }))))));
    assert.strictEqual(padded.status, 2, padded.stderr);
    assert.match(padded.stderr, new RegExp(`: \\d+\\.\\d MiB; expected a stack file of at most ${MAX_STACK_FILE_BYTES / 1048576} MiB`));
  });

  it("a 50 MB display name: exit 2 by the file's size; a 5 MB one keyed", () => {
    const huge = planBounded("huge", stack(mutated((s) => (s.displayName = "x".repeat(50 * 1024 * 1024)))));
    assert.strictEqual(huge.status, 2, huge.stderr);
    assert.match(huge.stderr, /: 50\.0 MiB; expected a stack file of at most 8 MiB/);
    const big = planBounded("big", stack(mutated((s) => (s.displayName = "x".repeat(5 * 1024 * 1024)))));
    assert.strictEqual(big.status, 2, big.stderr);
    assert.match(big.stderr, /aisc:site\.displayName: expected a non-empty string of at most 256 characters, got 5242880\n$/);
  });

  it("a YAML alias bomb: exit 2 before it expands", () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const l of "bcdefghi") levels.push(`${l}: &${l} [${Array(10).fill(`*${String.fromCharCode(l.charCodeAt(0) - 1)}`).join(",")}]`);
    const run = planBounded("bomb", `x:\n  ${levels.join("\n  ")}\nconfig:\n  aisc:site: *i\n`);
    assert.strictEqual(run.status, 2, run.stderr);
    assert.match(run.stderr, /: expands to more than 2000000 values through YAML aliases; write the values out, or use fewer aliases\n$/);
  });
});
