import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { MAX_STACK_FILE_BYTES } from "../../cli/stack-config";
import { manyPools, manyTenants, mutated, tempDir, writeStackFile } from "../helpers/fixtures";
import { AISC } from "../helpers/plan";

/**
 * Inputs far past the inventory's limits (the sizes an attacker tried) are answered by aisc plan
 * with exit 2 at once. Spawning aisc, so kept apart from the in-process parser tests that
 * mutation testing runs.
 */

describe("aisc plan on inputs far past the limits", function () {
  // Each must be answered at once: a 5 s budget (mostly Node's start-up) and a 200 MB heap, past
  // which Node aborts with a status that is not 2.
  const BOUND = { timeout: 5000, heapMB: 200 };

  /** Writes `site` as a stack file, plans it under the bound, and returns the run. */
  function planBounded(name: string, text: string) {
    const file = path.join(path.dirname(writeStackFile(name, {})), `Pulumi.${name}.yaml`);
    fs.writeFileSync(file, text);
    const out = tempDir();
    const run = spawnSync(process.execPath, [`--max-old-space-size=${BOUND.heapMB}`, AISC, "plan", "--config", file, "--out", out], {
      encoding: "utf8",
      timeout: BOUND.timeout,
    });
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
    const run = planBounded("pools", stack(mutated((s) => (s.pools = manyPools(30000)))));
    assert.strictEqual(run.status, 2, run.stderr);
    assert.match(run.stderr, /aisc:site\.pools: expected at most 100 pools, got 30000\n$/);
  });

  it("50,000 and 100,000 tenants: exit 2, keyed when the file fits the size limit, else refused by its size", () => {
    const compact = planBounded("tenants", `config:\n  aisc:site: ${JSON.stringify(mutated((s) => (s.tenants = manyTenants(50000))))}\n`);
    assert.strictEqual(compact.status, 2, compact.stderr);
    assert.match(compact.stderr, /aisc:site\.tenants: expected at most 10000 tenants, got 50000\n$/);
    const padded = planBounded(
      "padded",
      stack(mutated((s) => (s.tenants = manyTenants(100000).map((t) => ({ ...t, displayName: "A tenant with a long display name" }))))),
    );
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
    for (const l of "bcdefghi")
      levels.push(
        `${l}: &${l} [${Array(10)
          .fill(`*${String.fromCharCode(l.charCodeAt(0) - 1)}`)
          .join(",")}]`,
      );
    const run = planBounded("bomb", `x:\n  ${levels.join("\n  ")}\nconfig:\n  aisc:site: *i\n`);
    assert.strictEqual(run.status, 2, run.stderr);
    assert.match(run.stderr, /: expands to more than 2000000 values through YAML aliases; write the values out, or use fewer aliases\n$/);
  });
});
