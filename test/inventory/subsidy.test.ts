import * as assert from "assert";
import { parseCity } from "../../inventory/city";
import { parseSite } from "../../inventory/parse";
import { InventoryError } from "../../inventory/reader";
import { cityLedger, formatHkd, SchemeTerms, siteLedger } from "../../inventory/subsidy";
import { mutated } from "../helpers/fixtures";

/** The scheme's public term: 7 October 2024 for three years, 1,095 days or 26,280 hours. */
const terms = (over: Partial<SchemeTerms> = {}): SchemeTerms => ({
  scheme: "ai-subsidy-scheme",
  budgetHkd: 3e9,
  start: "2024-10-07",
  end: "2027-10-06",
  ratesHkdPerGpuHour: { H100: 25, L40S: 8 },
  committedOutsideHkd: 0,
  ...over,
});

const CITY = { precision: "fp8-dense", milestones: [{ name: "m", date: "2030-12-31", pflops: 1, source: "s" }] };

describe("subsidy terms (aisc:city.subsidy)", () => {
  it("reads the scheme's budget, term, rates and what is committed outside, defaulting that to 0", () => {
    const city = parseCity({ ...CITY, subsidy: { "ai-subsidy-scheme": { budget: 3e9, start: "2024-10-07", end: "2027-10-06", rates: { H100: 25 } } } });
    assert.deepStrictEqual(city.subsidy, [
      { scheme: "ai-subsidy-scheme", budgetHkd: 3e9, start: "2024-10-07", end: "2027-10-06", ratesHkdPerGpuHour: { H100: 25 }, committedOutsideHkd: 0 },
    ]);
    assert.deepStrictEqual(parseCity(CITY).subsidy, []);
  });

  it("refuses an unknown scheme or model, a budget of 0, a term that ends before it starts, and a negative rate, each by its key", () => {
    const bad = {
      "ai-subsidy-scheme": { budget: 0, start: "2027-10-06", end: "2024-10-07", rates: { H100: -1, TPU: 3 }, committedOutside: -5 },
      "other-scheme": {},
    };
    assert.throws(
      () => parseCity({ ...CITY, subsidy: bad }),
      (err: Error) =>
        err instanceof InventoryError &&
        assert.deepStrictEqual(err.message.split("\n"), [
          "aisc:city.subsidy.other-scheme: unknown key; expected one of ai-subsidy-scheme",
          "aisc:city.subsidy.ai-subsidy-scheme.budget: expected a number greater than 0 and at most 1000000000000, got 0",
          "aisc:city.subsidy.ai-subsidy-scheme.end: expected a date on or after start (2027-10-06), got 2024-10-07",
          "aisc:city.subsidy.ai-subsidy-scheme.committedOutside: expected a number at least 0 and at most 1000000000000, got -5",
          "aisc:city.subsidy.ai-subsidy-scheme.rates.TPU: unknown key; expected one of A100, H100, H200, H800, B200, GB200, L40S",
          "aisc:city.subsidy.ai-subsidy-scheme.rates.H100: expected a number greater than 0 and at most 1000000, got -1",
        ]) === undefined,
    );
  });
});

describe("the subsidy ledger", () => {
  // smallSite: h100-a, 32 whole H100; l40s-ts, 8 L40S time-sliced 4 ways (32 nvidia.com/gpu.shared).
  // uni-a: 8 whole GPUs and 8 shared replicas (2 L40S' worth), share 0.7.
  const site = parseSite(mutated((s) => (s.tenants[0].sharedGpus = { "nvidia.com/gpu.shared": 8 })));

  it("prices each resource at its fraction of a GPU, over the whole term, by hand", () => {
    // An hour: 8 x HK$25 + 8 x HK$8 / 4 = HK$216. A year (8,760 h): HK$1,892,160, 70% of it HK$1,324,512.
    // The term (26,280 h): 216 x 26,280 x 0.7 = HK$3,973,536. GPU-hours a year: (8 + 2) x 8,760 = 87,600.
    const ledger = siteLedger(site, [terms()]);
    assert.deepStrictEqual(ledger, {
      schemes: [
        {
          scheme: "ai-subsidy-scheme",
          budgetHkd: 3e9,
          start: "2024-10-07",
          end: "2027-10-06",
          termDays: 1095,
          committedOutsideHkd: 0,
          committedHkd: 3973536,
          leftHkd: 3e9 - 3973536,
          tenants: [
            { tenant: "uni-a", share: 0.7, gpuHoursPerYear: 87600, costPerYearHkd: 1892160, subsidyPerYearHkd: 1324512, committedHkd: 3973536, uncosted: [] },
          ],
        },
      ],
      unconfigured: [],
    });
  });

  it("prices a resource at the dearest model that serves it, and costs nothing it has no rate for", () => {
    const two = parseSite(
      mutated((s) => (s.pools.push({ name: "h200-b", gpu: "H200", gpusPerNode: 8, nodes: 1 }), s.slurm.partitions[0].pools.push("h200-b"))),
    );
    // Whole GPUs come from H100 (HK$25) and H200 (HK$40) pools: 8 x 40 x 26,280 x 0.7 = HK$5,886,720.
    assert.strictEqual(siteLedger(two, [terms({ ratesHkdPerGpuHour: { H100: 25, H200: 40 } })]).schemes[0].committedHkd, 5886720);
    // Without an H200 rate the line is priced at the H100 rate only, a lower bound (8 x 25 x 26,280 x 0.7), and H200 is named, not guessed.
    const [t] = siteLedger(two, [terms({ ratesHkdPerGpuHour: { H100: 25 } })]).schemes[0].tenants;
    assert.deepStrictEqual([t.committedHkd, t.gpuHoursPerYear, t.uncosted], [3679200, 70080, [{ resource: "nvidia.com/gpu", models: ["H200"] }]]);
    // With no rate at all for what serves it, the line commits nothing the ledger can see.
    const [none] = siteLedger(two, [terms({ ratesHkdPerGpuHour: { L40S: 8 } })]).schemes[0].tenants;
    assert.deepStrictEqual([none.committedHkd, none.uncosted], [0, [{ resource: "nvidia.com/gpu", models: ["H100", "H200"] }]]);
  });

  it("lists subsidised tenants whose scheme has no terms, and nothing for unsubsidised ones", () => {
    assert.deepStrictEqual(siteLedger(site, []), { schemes: [], unconfigured: [{ tenant: "uni-a", scheme: "ai-subsidy-scheme" }] });
  });

  it("adds the counted sites against one budget: two that fit alone can overcommit together", () => {
    // Each site alone: HK$3,973,536 of the HK$5,000,000 left after HK$2,995,000,000 outside.
    const t = terms({ committedOutsideHkd: 2995e6 });
    assert.ok(siteLedger(site, [t]).schemes[0].leftHkd > 0);
    const other = parseSite({ ...mutated((s) => (s.tenants[0].sharedGpus = { "nvidia.com/gpu.shared": 8 })), name: "othersite" });
    const [both] = cityLedger(
      [t],
      [
        { site, counted: true },
        { site: other, counted: true },
      ],
    );
    assert.deepStrictEqual([both.committedHkd, both.leftHkd, both.sites.map((x) => x.committedHkd)], [7947072, 5e6 - 7947072, [3973536, 3973536]]);
    // A site that fails a mandatory policy is shown, never counted.
    const [apart] = cityLedger(
      [t],
      [
        { site, counted: true },
        { site: other, counted: false },
      ],
    );
    assert.deepStrictEqual([apart.committedHkd, apart.sites.map((x) => x.counted)], [3973536, [true, false]]);
  });

  it("writes HK$ with thousands separators and the sign before the currency", () => {
    assert.deepStrictEqual([formatHkd(3e9), formatHkd(-2358400), formatHkd(0)], ["HK$3,000,000,000", "-HK$2,358,400", "HK$0"]);
  });
});
