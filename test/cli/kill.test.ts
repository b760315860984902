import * as assert from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { LOCK_FILE, PLANS_DIR } from "../../cli/out-dir";
import { readTree, smallSite, tempDir, writeStackFile } from "../helpers/fixtures";
import { AISC } from "../helpers/plan";

/**
 * `aisc plan` killed with SIGKILL at random instants, over and over, into the same OUT: after
 * every kill `OUT/<stack>` is one of the two plans it alternates between, whole, never missing
 * and never a mix; the next plan takes over the dead plan's lock and clears what it left.
 * KILL_RUNS sets the number of kills (100 by default, as the issue asks); KILL_SEED replays a run.
 */

const RUNS = Number(process.env.KILL_RUNS ?? 100);
const SEED = Number(process.env.KILL_SEED ?? Date.now() % 2 ** 31);

/** A small seeded generator (mulberry32), so that a failing sequence of kills can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs `aisc plan` in its own process group and kills the whole group (CLI and worker) after `ms`. */
function planAndKill(file: string, out: string, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [AISC, "plan", "--config", file, "--out", out], { detached: true, stdio: "ignore" });
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // Already finished: the kill came after the plan.
      }
    }, ms);
    child.on("exit", () => {
      clearTimeout(timer);
      // The worker may outlive the CLI by an instant; make sure the group is gone before looking.
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // Nothing left.
      }
      setTimeout(resolve, 20);
    });
  });
}

describe("aisc plan killed at random instants", function () {
  // Bounded, so that a hang fails the run rather than stalling CI: 100 kills take about 4 minutes.
  this.timeout(1_200_000);

  it(`leaves OUT/<stack> as the old or the new plan, whole, after each of ${RUNS} SIGKILLs (seed ${SEED})`, async () => {
    const a = smallSite();
    const b = smallSite();
    b.tenants[0].displayName = "A tenant renamed between the two plans";
    const fileA = writeStackFile("killed", a);
    const fileB = writeStackFile("killed", b);
    // The two whole plans, and how long a plan takes here, from undisturbed runs.
    const trees: Map<string, string>[] = [];
    let seconds = 0;
    for (const file of [fileA, fileB]) {
      const out = tempDir();
      const start = process.hrtime.bigint();
      const run = spawnSync(process.execPath, [AISC, "plan", "--config", file, "--out", out], { encoding: "utf8" });
      seconds = Math.max(seconds, Number(process.hrtime.bigint() - start) / 1e9);
      assert.strictEqual(run.status, 0, run.stderr);
      trees.push(readTree(path.join(out, "killed")));
    }
    assert.notDeepStrictEqual(trees[0], trees[1], "the two plans differ");

    const out = tempDir();
    assert.strictEqual(spawnSync(process.execPath, [AISC, "plan", "--config", fileA, "--out", out]).status, 0);
    const next = random(SEED);
    const outcomes = { old: 0, new: 0 };
    for (let i = 0; i < RUNS; i++) {
      const before = readTree(path.join(out, "killed"));
      const file = i % 2 === 0 ? fileB : fileA;
      // Most kills land in the second half of the run, where the plan is written and swapped in.
      await planAndKill(file, out, seconds * 1000 * (0.2 + next()));
      const after = readTree(path.join(out, "killed"));
      const whole = trees.findIndex((t) => isSame(t, after));
      assert.ok(whole >= 0, `kill ${i + 1} (seed ${SEED}): ${out}/killed is neither plan whole (${after.size} files)`);
      outcomes[isSame(before, after) ? "old" : "new"]++;
    }
    // A plan after all the kills takes over the dead lock and clears the leftovers.
    const last = spawnSync(process.execPath, [AISC, "plan", "--config", fileA, "--out", out], { encoding: "utf8" });
    assert.strictEqual(last.status, 0, last.stderr);
    assert.deepStrictEqual(fs.readdirSync(path.join(out, PLANS_DIR)).length, 1);
    assert.ok(!fs.existsSync(path.join(out, LOCK_FILE)), "the lock is released");
    assert.ok(isSame(readTree(path.join(out, "killed")), trees[0]));
    // Both outcomes occurred, so the kills did land on both sides of the swap.
    assert.ok(outcomes.old > 0 && outcomes.new > 0, `kills left the old plan ${outcomes.old} times and the new ${outcomes.new}`);
  });
});

describe("aisc plan whose CLI alone is killed", function () {
  this.timeout(600_000);

  it("stops its orphaned worker, so the next plan owns OUT and leaves one whole plan", async () => {
    const file = writeStackFile("orphan", smallSite());
    const out = tempDir();
    // How long a plan takes here, warm: the quicker of two runs.
    let seconds = Infinity;
    for (let i = 0; i < 2; i++) {
      const start = process.hrtime.bigint();
      assert.strictEqual(spawnSync(process.execPath, [AISC, "plan", "--config", file, "--out", out]).status, 0);
      seconds = Math.min(seconds, Number(process.hrtime.bigint() - start) / 1e9);
    }
    const whole = readTree(path.join(out, "orphan"));
    let orphaned = 0;
    for (const fraction of [0.4, 0.55, 0.7, 0.8, 0.9]) {
      // Only the CLI is killed (not its process group): its worker is orphaned mid-plan.
      const cli = spawn(process.execPath, [AISC, "plan", "--config", file, "--out", out], { stdio: "ignore" });
      const exited = new Promise<number | null>((r) => cli.on("exit", (code) => r(code)));
      await new Promise((r) => setTimeout(r, seconds * 1000 * fraction));
      if (cli.kill("SIGKILL")) orphaned++;
      await exited;
      const next = spawnSync(process.execPath, [AISC, "plan", "--config", file, "--out", out], { encoding: "utf8" });
      assert.strictEqual(next.status, 0, next.stderr);
      // Give an orphan time to notice; it must not publish anything after the takeover.
      await new Promise((r) => setTimeout(r, 1000));
      assert.ok(isSame(readTree(path.join(out, "orphan")), whole), `after killing the CLI at ${fraction} of a plan`);
      assert.strictEqual(fs.readdirSync(path.join(out, PLANS_DIR)).length, 1, fs.readdirSync(path.join(out, PLANS_DIR)).join(", "));
    }
    assert.ok(orphaned > 0, "at least one CLI was killed while its plan ran");
  });
});

function isSame(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
