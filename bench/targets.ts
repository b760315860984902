/**
 * The performance targets for a 2-core, 24 GB machine, checked against a bench run:
 * a 400-tenant site in at most 3 s, 4,000 tenants in at most 30 s and 2 GB, policies under 5%
 * of the plan at every size, and growth linear in tenants. A size a run did not include is
 * not judged (reported as not measured, never as met).
 */

/** One planned size, as `npm run bench -- --json` reports it (figures null when it failed). */
export interface BenchFigures {
  readonly tenants: number;
  readonly resources: number | null;
  readonly wallSeconds: number | null;
  readonly peakRssMB: number | null;
  readonly policySeconds: number | null;
}

export interface TargetCheck {
  readonly target: string;
  /** `null` when the run did not measure what the target needs. */
  readonly met: boolean | null;
  readonly measured: string;
}

/** How far time per tenant may drift between 400 tenants and the largest size and still count as linear. */
export const LINEAR_TOLERANCE = 1.5;

export function checkTargets(results: readonly BenchFigures[]): TargetCheck[] {
  const at = (n: number) => results.find((r) => r.tenants === n && r.wallSeconds !== null);
  const checks: TargetCheck[] = [];
  const r400 = at(400);
  checks.push({ target: "400 tenants in at most 3 s", met: r400 ? r400.wallSeconds! <= 3 : null, measured: r400 ? `${r400.wallSeconds} s` : "not measured" });
  const r4000 = at(4000);
  checks.push({
    target: "4,000 tenants in at most 30 s",
    met: r4000 ? r4000.wallSeconds! <= 30 : null,
    measured: r4000 ? `${r4000.wallSeconds} s` : "not measured",
  });
  checks.push({
    target: "4,000 tenants in at most 2 GB",
    met: r4000 ? r4000.peakRssMB! <= 2048 : null,
    measured: r4000 ? `${r4000.peakRssMB} MB` : "not measured",
  });
  const finished = results.filter((r) => r.wallSeconds !== null && r.policySeconds !== null);
  const worst = finished.reduce<BenchFigures | undefined>(
    (w, r) => (!w || r.policySeconds! / r.wallSeconds! > w.policySeconds! / w.wallSeconds! ? r : w),
    undefined,
  );
  const share = (r: BenchFigures) => Math.round((1000 * r.policySeconds!) / r.wallSeconds!) / 10;
  checks.push({
    target: "policies under 5% of plan time",
    met: worst && finished.length === results.length ? share(worst) < 5 : null,
    measured: worst ? `at most ${share(worst)}% (${worst.tenants} tenants)` : "not measured",
  });
  const largest = finished.reduce<BenchFigures | undefined>((l, r) => (!l || r.tenants > l.tenants ? r : l), undefined);
  if (r400 && largest && largest.tenants > 400) {
    const ratio = largest.wallSeconds! / largest.tenants / (r400.wallSeconds! / 400);
    checks.push({
      target: `growth linear in tenants (time per tenant within ${LINEAR_TOLERANCE}x of 400 tenants')`,
      met: ratio <= LINEAR_TOLERANCE,
      measured: `${Math.round(ratio * 100) / 100}x at ${largest.tenants} tenants`,
    });
  } else {
    checks.push({ target: `growth linear in tenants (time per tenant within ${LINEAR_TOLERANCE}x of 400 tenants')`, met: null, measured: "not measured" });
  }
  return checks;
}

/** The checks as lines under the bench table. */
export function formatTargets(checks: readonly TargetCheck[]): string {
  return checks.map((c) => `${c.met === null ? "not judged" : c.met ? "met       " : "NOT MET   "}  ${c.target}: ${c.measured}`).join("\n");
}
