import * as assert from "assert";
import { BenchFigures, checkTargets, formatTargets, OneSiteFigures } from "../../bench/targets";

const run = (tenants: number, wallSeconds: number, peakRssMB: number, policySeconds: number, floorSeconds: number): BenchFigures => ({
  tenants,
  resources: tenants * 8,
  wallSeconds,
  peakRssMB,
  policySeconds,
  floorSeconds,
});
const site = (planSeconds: number, sdkLoadSeconds: number): OneSiteFigures => ({ stack: "cyberport", runs: 5, planSeconds, sdkLoadSeconds });

describe("npm run bench targets", () => {
  it("meets every target with a run close to its floors and to the SDKs' load time", () => {
    // 400: 0.8 / 0.11 = 7.27x; 4,000: 7.2 / 1.9 = 3.79x; one site: 2.0 / 1.4 = 1.43x; worst policy share 0.3 / 7.2 = 4.2%;
    // time per tenant at 4,000 over 400's: (7.2 / 4000) / (0.8 / 400) = 0.9.
    const checks = checkTargets([run(100, 0.5, 240, 0.01, 0.06), run(400, 0.8, 330, 0.03, 0.11), run(4000, 7.2, 980, 0.3, 1.9)], site(2.0, 1.4));
    assert.deepStrictEqual(
      checks.map((c) => [c.target, c.met, c.measured]),
      [
        ["400 tenants in at most 8x the floor", true, "7.27x (0.8 s over 0.11 s)"],
        ["4,000 tenants in at most 4x the floor", true, "3.79x (7.2 s over 1.9 s)"],
        ["4,000 tenants in at most 1 GB", true, "980 MB"],
        ["one site in at most 1.5x loading the three SDKs", true, "1.43x (aisc plan --stack cyberport 2 s over 1.4 s, medians of 5)"],
        ["policies under 5% of plan time", true, "at most 4.2% (4000 tenants)"],
        ["growth linear in tenants (time per tenant within 1.5x of 400 tenants')", true, "0.9x at 4000 tenants"],
      ],
    );
  });

  it("names each missed target: far from the floor, heavy, slow to start, policy-bound or superlinear", () => {
    // 400: 2.65 / 0.11 = 24.09x; 4,000: 16 / 1.88 = 8.51x, 1,100 MB; one site 3.43 / 1.36 = 2.52x; policies 0.9 / 16 = 5.6%;
    // (16 / 4000) / (2.65 / 400) = 0.6 (linear holds).
    const checks = checkTargets([run(400, 2.65, 339, 0.05, 0.11), run(4000, 16, 1100, 0.9, 1.88)], site(3.43, 1.36));
    assert.deepStrictEqual(
      checks.map((c) => c.met),
      [false, false, false, false, false, true],
    );
    assert.match(formatTargets(checks), /^NOT MET {5}400 tenants in at most 8x the floor: 24.09x \(2.65 s over 0.11 s\)$/m);
    assert.match(formatTargets(checks), /^NOT MET {5}one site in at most 1.5x loading the three SDKs: 2.52x /m);
    assert.match(formatTargets(checks), /^met {9}growth linear in tenants .*: 0.6x at 4000 tenants$/m);
  });

  it("judges nothing it did not measure, nor the policy share when a size failed", () => {
    const failed: BenchFigures = { tenants: 4000, resources: null, wallSeconds: null, peakRssMB: null, policySeconds: null, floorSeconds: 1.9 };
    const checks = checkTargets([run(100, 1.2, 280, 0.02, 0.06), failed]);
    assert.deepStrictEqual(
      checks.map((c) => [c.met, c.measured]),
      [
        [null, "not measured"],
        [null, "not measured"],
        [null, "not measured"],
        [null, "not measured"],
        [null, "at most 1.7% (100 tenants)"],
        [null, "not measured"],
      ],
    );
    assert.match(formatTargets(checks), /^not judged {2}400 tenants in at most 8x the floor: not measured$/m);
  });
});
