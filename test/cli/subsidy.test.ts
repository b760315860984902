import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { costedCity, mutated, tempDir, writeStackFile } from "../helpers/fixtures";
import { aisc } from "../helpers/plan";

/**
 * The subsidy ledger end to end, as a platform engineer meets it: a stack whose city config
 * (a stack's own `aisc:city` wins over the project's, as with the Pulumi CLI) prices H100 at
 * HK$25 a GPU-hour and leaves HK$5,000,000 of the scheme's budget. uni-a (8 GPUs at 0.7) and
 * gov-c (4 GPUs at 0.5) commit 8 x 25 x 26,280 x 0.7 + 4 x 25 x 26,280 x 0.5 = HK$4,993,200 over
 * the term; raising uni-a to 16 commits HK$8,672,400, HK$3,672,400 over.
 */

const city = costedCity({ committedOutside: 2995e6 });

/** smallSite with room for uni-a to grow (128 H100, so neither the quota-fit nor the share rule stands in the way), gov-c subsidised at 0.5. */
function site(uniGpus: number) {
  return mutated((s) => {
    s.pools[0].nodes = 16;
    s.tenants[0].gpus = uniGpus;
    s.tenants[2].subsidy = { scheme: "ai-subsidy-scheme", share: 0.5 };
  });
}

describe("the subsidy ledger in aisc plan and aisc diff", () => {
  const base = tempDir();
  const head = tempDir();
  let runs: { base: ReturnType<typeof aisc>; head: ReturnType<typeof aisc> };

  before(() => {
    runs = {
      base: aisc("plan", "--config", writeStackFile("testsite", site(8), { "aisc:city": city }), "--out", base),
      head: aisc("plan", "--config", writeStackFile("testsite", site(16), { "aisc:city": city }), "--out", head),
    };
  });

  it("passes a change that fits what is left of the budget, and exports the ledger", () => {
    assert.strictEqual(runs.base.status, 0, runs.base.stdout + runs.base.stderr);
    const plan = JSON.parse(fs.readFileSync(path.join(base, "testsite", "plan.json"), "utf8")) as {
      outputs: { subsidy: { schemes: { committedHkd: number; leftHkd: number; tenants: { tenant: string; committedHkd: number }[] }[] } };
    };
    const [s] = plan.outputs.subsidy.schemes;
    assert.deepStrictEqual(
      [s.committedHkd, s.leftHkd, s.tenants.map((t) => [t.tenant, t.committedHkd])],
      [
        4993200,
        6800,
        [
          ["gov-c", 1314000],
          ["uni-a", 3679200],
        ],
      ],
    );
  });

  it("exits 1 when one tenant's entitlement is raised past the budget, naming the policy, the tenants and the amount", () => {
    assert.strictEqual(runs.head.status, 1, runs.head.stdout + runs.head.stderr);
    assert.ok(
      runs.head.stdout.includes(
        "[mandatory] capacity-subsidy-within-budget: ai-subsidy-scheme: the subsidised entitlements of testsite commit HK$8,672,400 over the scheme's term (2024-10-07 to 2027-10-06, 1095 days), HK$3,672,400 more than the HK$5,000,000 left of its HK$3,000,000,000 budget after HK$2,995,000,000 committed outside these stacks; tenants: uni-a HK$7,358,400, gov-c HK$1,314,000.",
      ),
      runs.head.stdout,
    );
  });

  it("aisc diff shows the change in committed subsidy, the scheme's and the tenant's", () => {
    const run = aisc("diff", base, head);
    assert.strictEqual(run.status, 0, run.stderr);
    const lines = run.stdout.split("\n");
    const at = lines.indexOf("### Subsidy committed");
    assert.ok(at > 0, run.stdout);
    assert.deepStrictEqual(lines.slice(at + 2, at + 4), [
      "- **ai-subsidy-scheme**: committed over the term HK$4,993,200 → HK$8,672,400 (+HK$3,679,200); left HK$6,800 → over by HK$3,672,400",
      "  - uni-a: 70,080 → 140,160 GPU-hours a year; HK$3,679,200 → HK$7,358,400 (+HK$3,679,200)",
    ]);
    const json = JSON.parse(aisc("diff", base, head, "--format", "json").stdout) as { stacks: { subsidy: unknown[] }[] };
    assert.deepStrictEqual(json.stacks[0].subsidy, [
      {
        scheme: "ai-subsidy-scheme",
        committedHkd: [4993200, 8672400],
        leftHkd: [6800, -3672400],
        tenants: [{ tenant: "uni-a", gpuHoursPerYear: [70080, 140160], committedHkd: [3679200, 7358400] }],
      },
    ]);
  });

  it("refuses a mistake in the city's subsidy terms before planning, keyed, with exit 2 and nothing written", () => {
    const out = tempDir();
    const file = writeStackFile("testsite", site(8), { "aisc:city": costedCity({ budget: -1 }) });
    const run = aisc("plan", "--config", file, "--out", out);
    assert.strictEqual(run.status, 2, run.stderr);
    assert.strictEqual(
      run.stderr,
      `aisc: ${file}: invalid city configuration: aisc:city.subsidy.ai-subsidy-scheme.budget: expected a number greater than 0 and at most 1000000000000, got -1\n`,
    );
    assert.strictEqual(fs.existsSync(out), false);
  });
});
