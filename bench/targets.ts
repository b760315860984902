/**
 * The performance targets, as ratios measured in the same run (absolute seconds differ by 2x
 * between machines of one class, the floor with them): a 400-tenant site in at most 8 times its
 * floor, 4,000 tenants in at most 4 times theirs and 1 GB, one real site's plan in at most 1.5
 * times the time Node takes to load the three SDKs alone; and, from the scale work, policies
 * under 5% of a plan and time per tenant growing linearly. A figure a run did not measure is not
 * judged (reported as not measured, never as met).
 */

/** One planned size, as `npm run bench -- --json` reports it (figures null when it failed). */
export interface BenchFigures {
  readonly tenants: number;
  readonly resources: number | null;
  readonly wallSeconds: number | null;
  readonly peakRssMB: number | null;
  readonly policySeconds: number | null;
  /** The same site's Kubernetes objects rendered by cdk8s as plain objects, without Pulumi. */
  readonly floorSeconds: number | null;
}

/** One real site planned as users run it, beside loading the SDKs alone: medians of `runs` each. */
export interface OneSiteFigures {
  readonly stack: string;
  readonly runs: number;
  /** `aisc plan --stack <stack>`, the whole command. */
  readonly planSeconds: number;
  /** `node -r cli/lazy-sdk -e` requiring @pulumi/pulumi, @pulumi/aws and @pulumi/kubernetes, as the plan worker loads them, nothing else. */
  readonly sdkLoadSeconds: number;
}

export interface TargetCheck {
  readonly target: string;
  /** `null` when the run did not measure what the target needs. */
  readonly met: boolean | null;
  readonly measured: string;
}

export const TARGETS = { floorRatioAt400: 8, floorRatioAt4000: 4, peakMBAt4000: 1024, oneSiteRatio: 1.5, policyShare: 5, linear: 1.5 } as const;

const two = (x: number) => Math.round(x * 100) / 100;

/** Wall time over the floor, or null when either is missing. */
export function floorRatio(r: BenchFigures): number | null {
  return r.wallSeconds === null || r.floorSeconds === null || r.floorSeconds <= 0 ? null : two(r.wallSeconds / r.floorSeconds);
}

/** The one-site plan over the SDKs' load time. */
export function oneSiteRatio(s: OneSiteFigures): number {
  return two(s.planSeconds / s.sdkLoadSeconds);
}

function ratioCheck(target: string, r: BenchFigures | undefined, limit: number): TargetCheck {
  const ratio = r && floorRatio(r);
  if (!r || ratio === null || ratio === undefined) return { target, met: null, measured: "not measured" };
  return { target, met: ratio <= limit, measured: `${ratio}x (${r.wallSeconds} s over ${r.floorSeconds} s)` };
}

export function checkTargets(results: readonly BenchFigures[], site?: OneSiteFigures): TargetCheck[] {
  const at = (n: number) => results.find((r) => r.tenants === n && r.wallSeconds !== null);
  const r400 = at(400);
  const r4000 = at(4000);
  const checks: TargetCheck[] = [
    ratioCheck(`400 tenants in at most ${TARGETS.floorRatioAt400}x the floor`, r400, TARGETS.floorRatioAt400),
    ratioCheck(`4,000 tenants in at most ${TARGETS.floorRatioAt4000}x the floor`, r4000, TARGETS.floorRatioAt4000),
    {
      target: "4,000 tenants in at most 1 GB",
      met: r4000 ? r4000.peakRssMB! <= TARGETS.peakMBAt4000 : null,
      measured: r4000 ? `${r4000.peakRssMB} MB` : "not measured",
    },
    site
      ? {
          target: `one site in at most ${TARGETS.oneSiteRatio}x loading the three SDKs`,
          met: oneSiteRatio(site) <= TARGETS.oneSiteRatio,
          measured: `${oneSiteRatio(site)}x (aisc plan --stack ${site.stack} ${site.planSeconds} s over ${site.sdkLoadSeconds} s, medians of ${site.runs})`,
        }
      : { target: `one site in at most ${TARGETS.oneSiteRatio}x loading the three SDKs`, met: null, measured: "not measured" },
  ];
  const finished = results.filter((r) => r.wallSeconds !== null && r.policySeconds !== null);
  const worst = finished.reduce<BenchFigures | undefined>(
    (w, r) => (!w || r.policySeconds! / r.wallSeconds! > w.policySeconds! / w.wallSeconds! ? r : w),
    undefined,
  );
  const share = (r: BenchFigures) => Math.round((1000 * r.policySeconds!) / r.wallSeconds!) / 10;
  checks.push({
    target: `policies under ${TARGETS.policyShare}% of plan time`,
    met: worst && finished.length === results.length ? share(worst) < TARGETS.policyShare : null,
    measured: worst ? `at most ${share(worst)}% (${worst.tenants} tenants)` : "not measured",
  });
  const largest = finished.reduce<BenchFigures | undefined>((l, r) => (!l || r.tenants > l.tenants ? r : l), undefined);
  const linear = `growth linear in tenants (time per tenant within ${TARGETS.linear}x of 400 tenants')`;
  if (r400 && largest && largest.tenants > 400) {
    const ratio = largest.wallSeconds! / largest.tenants / (r400.wallSeconds! / 400);
    checks.push({ target: linear, met: ratio <= TARGETS.linear, measured: `${two(ratio)}x at ${largest.tenants} tenants` });
  } else {
    checks.push({ target: linear, met: null, measured: "not measured" });
  }
  return checks;
}

/** The checks as lines under the bench table. */
export function formatTargets(checks: readonly TargetCheck[]): string {
  return checks.map((c) => `${c.met === null ? "not judged" : c.met ? "met       " : "NOT MET   "}  ${c.target}: ${c.measured}`).join("\n");
}
