import * as assert from "assert";
import { BenchFigures, checkTargets, formatTargets } from "../../bench/targets";

const run = (tenants: number, wallSeconds: number, peakRssMB: number, policySeconds: number): BenchFigures => ({
  tenants,
  resources: tenants * 14,
  wallSeconds,
  peakRssMB,
  policySeconds,
});

describe("npm run bench targets", () => {
  it("meets every target with a fast, lean, linear run", () => {
    const checks = checkTargets([run(100, 1.2, 280, 0.02), run(400, 2.6, 390, 0.1), run(1000, 6.1, 600, 0.3), run(4000, 24, 1600, 1.1)]);
    assert.deepStrictEqual(
      checks.map((c) => [c.target, c.met, c.measured]),
      [
        ["400 tenants in at most 3 s", true, "2.6 s"],
        ["4,000 tenants in at most 30 s", true, "24 s"],
        ["4,000 tenants in at most 2 GB", true, "1600 MB"],
        ["policies under 5% of plan time", true, "at most 4.9% (1000 tenants)"],
        ["growth linear in tenants (time per tenant within 1.5x of 400 tenants')", true, "0.92x at 4000 tenants"],
      ],
    );
  });

  it("names each missed target: slow, heavy, policy-bound or superlinear", () => {
    const checks = checkTargets([run(400, 3.2, 390, 0.1), run(4000, 52, 2300, 3)]);
    assert.deepStrictEqual(
      checks.map((c) => c.met),
      [false, false, false, false, false],
    );
    assert.match(formatTargets(checks), /^NOT MET {5}400 tenants in at most 3 s: 3.2 s$/m);
    assert.match(formatTargets(checks), /^NOT MET {5}growth linear in tenants .*: 1.63x at 4000 tenants$/m);
  });

  it("judges nothing it did not measure, nor the policy share when a size failed", () => {
    const failed: BenchFigures = { tenants: 4000, resources: null, wallSeconds: null, peakRssMB: null, policySeconds: null };
    const checks = checkTargets([run(100, 1.2, 280, 0.02), failed]);
    assert.deepStrictEqual(
      checks.map((c) => [c.met, c.measured]),
      [
        [null, "not measured"],
        [null, "not measured"],
        [null, "not measured"],
        [null, "at most 1.7% (100 tenants)"],
        [null, "not measured"],
      ],
    );
    assert.match(formatTargets(checks), /^not judged {2}400 tenants in at most 3 s: not measured$/m);
  });
});
