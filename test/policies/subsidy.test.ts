import * as assert from "assert";
import { subsidyHeadroom, subsidyWithinBudget } from "../../policies/subsidy";
import { PlannedResource } from "../../cli/record";
import { poolFacts, siteFacts, tenant, TenantInput, violations } from "../helpers/policy";

/**
 * The subsidy ledger's policies over hand-built facts and quotas. The terms: HK$3,000,000,000
 * over 7 October 2024 to 6 October 2027 (26,280 hours), HK$2,995,000,000 already committed
 * outside, so HK$5,000,000 is left; H100 at HK$25 a GPU-hour, no L40S rate.
 */

const TERMS = {
  scheme: "ai-subsidy-scheme",
  budgetHkd: 3e9,
  start: "2024-10-07",
  end: "2027-10-06",
  ratesHkdPerGpuHour: { H100: 25 },
  committedOutsideHkd: 2995e6,
};
const SUBSIDISED = { scheme: "ai-subsidy-scheme", share: "0.7" };

const POOLS = [
  poolFacts({ pool: "h100-a", nodes: 4 }),
  poolFacts({ pool: "h100-mig", advertises: { "nvidia.com/mig-1g.10gb": 56 } }),
  poolFacts({ pool: "l40s-ts", gpuModel: "L40S", gpusPerNode: 4, nodes: 2, advertises: { "nvidia.com/gpu.shared": 32 } }),
];

/** uni-a: 8 H100 and 14 slices of 1/7 H100 at 0.7, an hour HK$250, the term 250 x 26,280 x 0.7 = HK$4,599,000. */
function site(tenants: Record<string, TenantInput> = {}, terms: unknown[] = [TERMS]): PlannedResource[] {
  const all = { "uni-a": { gpus: 8, subsidy: SUBSIDISED, more: { "nvidia.com/mig-1g.10gb": 14 } }, "lab-b": { gpus: 16 }, ...tenants };
  return [siteFacts({ subsidy: terms }), ...POOLS, ...Object.entries(all).flatMap(([name, t]) => tenant(name, t))];
}

describe("subsidy policies", () => {
  it("capacity-subsidy-within-budget passes what fits the budget left, and counts no unsubsidised tenant", () => {
    assert.deepStrictEqual(violations(subsidyWithinBudget, site()), []);
    assert.deepStrictEqual(violations(subsidyWithinBudget, site({ "lab-b": { gpus: 4000 } })), []);
  });

  it("capacity-subsidy-within-budget fails an overcommitment, naming the amount over and the tenants, largest first", () => {
    // gov-c: 4 H100 at 0.5 over the term, 4 x 25 x 26,280 x 0.5 = HK$1,314,000; with uni-a HK$5,913,000, HK$913,000 over.
    assert.deepStrictEqual(violations(subsidyWithinBudget, site({ "gov-c": { gpus: 4, subsidy: { scheme: "ai-subsidy-scheme", share: "0.5" } } })), [
      "kube-system/aisc-site: ai-subsidy-scheme: the subsidised entitlements of testsite commit HK$5,913,000 over the scheme's term (2024-10-07 to 2027-10-06, 1095 days), HK$913,000 more than the HK$5,000,000 left of its HK$3,000,000,000 budget after HK$2,995,000,000 committed outside these stacks; tenants: uni-a HK$4,599,000, gov-c HK$1,314,000.",
    ]);
  });

  it("capacity-subsidy-within-budget says when the budget is already spent outside these stacks", () => {
    assert.deepStrictEqual(violations(subsidyWithinBudget, site({}, [{ ...TERMS, committedOutsideHkd: 3e9 }])), [
      "kube-system/aisc-site: ai-subsidy-scheme: the subsidised entitlements of testsite commit HK$4,599,000 over the scheme's term (2024-10-07 to 2027-10-06, 1095 days), HK$4,599,000 more than its HK$3,000,000,000 budget, which is already spent outside these stacks (HK$3,000,000,000); tenants: uni-a HK$4,599,000.",
    ]);
  });

  it("capacity-subsidy-within-budget counts a share label that is not a share as the whole cost", () => {
    // uni-a at a share of 1: 250 x 26,280 = HK$6,570,000.
    const [v] = violations(
      subsidyWithinBudget,
      site({ "uni-a": { gpus: 8, subsidy: { scheme: "ai-subsidy-scheme", share: "lots" }, more: { "nvidia.com/mig-1g.10gb": 14 } } }),
    );
    assert.match(v, /commit HK\$6,570,000 over/);
  });

  it("capacity-subsidy-headroom passes a commitment below the warning share with every tenant costed", () => {
    assert.deepStrictEqual(violations(subsidyHeadroom, site({}, [{ ...TERMS, committedOutsideHkd: 0 }])), []);
    assert.deepStrictEqual(violations(subsidyHeadroom, site(), { warnAt: 1 }), []);
  });

  it("capacity-subsidy-headroom warns above the warning share (80% unless configured)", () => {
    assert.deepStrictEqual(violations(subsidyHeadroom, site()), [
      "kube-system/aisc-site: ai-subsidy-scheme: HK$2,999,599,000 (99.98%) of its HK$3,000,000,000 budget is committed (HK$2,995,000,000 outside these stacks, HK$4,599,000 by testsite's tenants over the scheme's term (2024-10-07 to 2027-10-06, 1095 days)), above the 80% warning share; HK$401,000 left.",
    ]);
  });

  it("capacity-subsidy-headroom names the tenants it cannot cost and the models with no rate", () => {
    const v = violations(
      subsidyHeadroom,
      site({ "uni-b": { gpus: 0, subsidy: SUBSIDISED, more: { "nvidia.com/gpu.shared": 8 } } }, [{ ...TERMS, committedOutsideHkd: 0 }]),
    );
    assert.deepStrictEqual(v, [
      "kube-system/aisc-site: ai-subsidy-scheme: aisc:city.subsidy.ai-subsidy-scheme.rates has no rate for L40S, so 1 subsidised tenant of testsite cannot be costed in full and the budget rule counts only what can be: uni-b.",
    ]);
  });

  it("capacity-subsidy-headroom says so when the city gives a subsidised tenant's scheme no terms", () => {
    assert.deepStrictEqual(violations(subsidyHeadroom, site({}, [])), [
      "kube-system/aisc-site: 1 subsidised tenant(s) of testsite are under ai-subsidy-scheme, which aisc:city.subsidy gives no terms: their commitment is not checked.",
    ]);
    assert.deepStrictEqual(violations(subsidyWithinBudget, site({}, [])), []);
  });
});
