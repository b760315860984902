import { round3 } from "./capacity";
import { GPU_MODELS, GpuModel, SUBSIDY_SCHEMES, SubsidyScheme } from "./catalog";
import { daysBetween } from "./dates";
import { poolResources } from "./gpu-resources";
import { Reader } from "./reader";
import { gpuEntitlements } from "./tenancy";
import { Site } from "./types";

/**
 * The subsidy ledger: what the subsidised tenants' entitlements commit against a scheme's budget.
 *
 * An entitlement is a guarantee (a quota the site holds for the tenant, ./tenancy.ts), so the
 * ledger prices it as held around the clock for the scheme's whole term: GPU-hours at the
 * scheme's list price for the GPU model, times the share the scheme pays. The terms (budget, term,
 * rates) are the city's configuration (`aisc:city.subsidy`, ./city.ts), never constants: the
 * scheme's list prices are not public, so a model without a configured rate is reported as not
 * costed rather than priced at a guess.
 *
 * The maths takes plain pools and tenants, so the program (from the inventory), the policies
 * (from the facts ConfigMaps and the quotas in the stack) and the city report compute it alike.
 */

/** Hours in a year of 365 days: the ledger's GPU-hours per year. */
export const HOURS_PER_YEAR = 8760;

/** One scheme's terms, from `aisc:city.subsidy.<scheme>`. */
export interface SchemeTerms {
  readonly scheme: SubsidyScheme;
  /** The scheme's budget, HK$. */
  readonly budgetHkd: number;
  /** The term's first and last days, inclusive (YYYY-MM-DD). */
  readonly start: string;
  readonly end: string;
  /** The scheme's list price per GPU-hour of each model, HK$; a model not listed is not costed. */
  readonly ratesHkdPerGpuHour: Readonly<Partial<Record<GpuModel, number>>>;
  /** HK$ already committed by the scheme outside the stacks planned here (other centres, earlier grants). */
  readonly committedOutsideHkd: number;
}

/** The most a budget or a commitment may be, HK$ (a thousand billion): beyond it a figure is a typo. */
const MAX_HKD = 1e12;

const TERMS_KEYS = {
  budget: { required: true },
  start: { required: true },
  end: { required: true },
  rates: { required: false },
  committedOutside: { required: false },
} as const;

/** Validates `aisc:city.subsidy`: a mapping from scheme to its terms, every problem keyed. */
export function parseSubsidyTerms(r: Reader, key: string, value: unknown): SchemeTerms[] {
  const schemes = Object.keys(SUBSIDY_SCHEMES) as SubsidyScheme[];
  const o = r.object(key, value, schemes);
  if (!o) return [];
  return schemes.flatMap((scheme) => {
    if (o[scheme] === undefined) return [];
    const at = `${key}.${scheme}`;
    const t = r.object(at, o[scheme], TERMS_KEYS);
    if (!t) return [];
    const budgetHkd = r.number(`${at}.budget`, t.budget, 0, MAX_HKD, true);
    const start = r.date(`${at}.start`, t.start);
    const end = r.date(`${at}.end`, t.end);
    if (start !== undefined && end !== undefined && end < start) r.fail(`${at}.end`, `expected a date on or after start (${start}), got ${end}`);
    const committedOutsideHkd = t.committedOutside === undefined ? 0 : r.number(`${at}.committedOutside`, t.committedOutside, 0, MAX_HKD);
    const rates: Partial<Record<GpuModel, number>> = {};
    const ratesIn = t.rates === undefined ? {} : r.object(`${at}.rates`, t.rates, GPU_MODELS);
    for (const model of GPU_MODELS) {
      if (ratesIn?.[model] === undefined) continue;
      const rate = r.number(`${at}.rates.${model}`, ratesIn[model], 0, 1e6, true);
      if (rate !== undefined) rates[model] = rate;
    }
    if (budgetHkd === undefined || start === undefined || end === undefined || end < start || committedOutsideHkd === undefined) return [];
    return [{ scheme, budgetHkd, start, end, ratesHkdPerGpuHour: rates, committedOutsideHkd }];
  });
}

/** A pool as the ledger prices it: its model, its GPUs, and what it advertises (./gpu-resources). */
export interface LedgerPool {
  readonly pool: string;
  readonly gpuModel: string;
  readonly gpus: number;
  readonly advertises: Readonly<Record<string, number>>;
}

/** A subsidised tenant: its scheme, the share the scheme pays, and its entitlement by resource. */
export interface LedgerTenant {
  readonly name: string;
  readonly scheme: string;
  readonly share: number;
  readonly entitlements: Readonly<Record<string, number>>;
}

export interface TenantCommitment {
  readonly tenant: string;
  readonly share: number;
  /** GPU-hours a year, whole GPUs' worth: a MIG slice or a shared replica is its fraction of a GPU. */
  readonly gpuHoursPerYear: number;
  /** List price of a year of the entitlement, HK$, and the scheme's share of it. */
  readonly costPerYearHkd: number;
  readonly subsidyPerYearHkd: number;
  /** The scheme's share over its whole term: what the entitlement commits. */
  readonly committedHkd: number;
  /**
   * Resources of the entitlement that cannot be costed in full, each with the models that serve
   * it and have no rate: such a line is priced at the dearest rated model only (none: HK$0).
   */
  readonly uncosted: readonly { readonly resource: string; readonly models: readonly string[] }[];
}

export interface SchemeLedger {
  readonly scheme: string;
  readonly budgetHkd: number;
  readonly start: string;
  readonly end: string;
  readonly termDays: number;
  readonly committedOutsideHkd: number;
  /** What the tenants here commit over the term, HK$. */
  readonly committedHkd: number;
  /** Budget less what is committed outside and here; negative when overcommitted. */
  readonly leftHkd: number;
  readonly tenants: readonly TenantCommitment[];
}

/** A scheme's ledger per site: each scheme's terms and its tenants (none configured for a scheme: no ledger). */
export interface SubsidyLedger {
  readonly schemes: readonly SchemeLedger[];
  /** Subsidised tenants whose scheme has no terms in `aisc:city.subsidy`: not costed at all. */
  readonly unconfigured: readonly { tenant: string; scheme: string }[];
}

/** HK$ rounded to whole dollars, the ledger's unit. */
function hkd(value: number): number {
  return Math.round(value);
}

/**
 * HK$ an hour for one unit of `resource` at the dearest pool that advertises it: a tenant's
 * quota may be served by any of them, so the ledger bounds the commitment from above. Pools
 * with no GPUs serve nothing and are left out; a resource no pool serves costs nothing.
 */
function unitRate(resource: string, pools: readonly LedgerPool[], terms: SchemeTerms): { rate: number; gpuFraction: number; missing: string[] } {
  let rate = 0;
  let gpuFraction = 0;
  const missing = new Set<string>();
  for (const p of pools) {
    const units = p.advertises[resource] ?? 0;
    if (p.gpus <= 0 || units <= 0) continue;
    const fraction = p.gpus / units;
    gpuFraction = Math.max(gpuFraction, fraction);
    const perGpu = terms.ratesHkdPerGpuHour[p.gpuModel as GpuModel];
    if (perGpu === undefined) missing.add(p.gpuModel);
    else rate = Math.max(rate, perGpu * fraction);
  }
  return { rate, gpuFraction, missing: [...missing].sort() };
}

/** Days in the scheme's term, both ends included. */
function termDays(t: SchemeTerms): number {
  return daysBetween(t.start, t.end) + 1;
}

/** One tenant's commitment under `terms`. */
export function tenantCommitment(tenant: LedgerTenant, pools: readonly LedgerPool[], terms: SchemeTerms): TenantCommitment {
  const termHours = termDays(terms) * 24;
  let gpuHoursPerYear = 0;
  let costPerHour = 0;
  const uncosted: { resource: string; models: string[] }[] = [];
  for (const [resource, units] of Object.entries(tenant.entitlements).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!(units > 0)) continue;
    const { rate, gpuFraction, missing } = unitRate(resource, pools, terms);
    gpuHoursPerYear += units * gpuFraction * HOURS_PER_YEAR;
    // The rated pools still bound the cost from below: a model with no rate never makes a line free.
    if (missing.length) uncosted.push({ resource, models: missing });
    costPerHour += units * rate;
  }
  return {
    tenant: tenant.name,
    share: tenant.share,
    gpuHoursPerYear: round3(gpuHoursPerYear),
    costPerYearHkd: hkd(costPerHour * HOURS_PER_YEAR),
    subsidyPerYearHkd: hkd(costPerHour * HOURS_PER_YEAR * tenant.share),
    committedHkd: hkd(costPerHour * termHours * tenant.share),
    uncosted,
  };
}

/** A scheme's terms with what is committed under them and what is left. */
function schemeTotals(t: SchemeTerms, committedHkd: number): Omit<SchemeLedger, "tenants"> {
  return {
    scheme: t.scheme,
    budgetHkd: t.budgetHkd,
    start: t.start,
    end: t.end,
    termDays: termDays(t),
    committedOutsideHkd: t.committedOutsideHkd,
    committedHkd,
    leftHkd: hkd(t.budgetHkd - t.committedOutsideHkd - committedHkd),
  };
}

/** The ledger of every configured scheme over one site's subsidised `tenants` and its `pools`. */
export function subsidyLedger(terms: readonly SchemeTerms[], tenants: readonly LedgerTenant[], pools: readonly LedgerPool[]): SubsidyLedger {
  const schemes = terms.map((t) => {
    const of = tenants.filter((x) => x.scheme === t.scheme).map((x) => tenantCommitment(x, pools, t));
    of.sort((a, b) => (a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : 0));
    return {
      ...schemeTotals(
        t,
        of.reduce((n, x) => n + x.committedHkd, 0),
      ),
      tenants: of,
    };
  });
  const configured = new Set<string>(terms.map((t) => t.scheme));
  const unconfigured = tenants.filter((x) => !configured.has(x.scheme)).map((x) => ({ tenant: x.name, scheme: x.scheme }));
  return { schemes, unconfigured: unconfigured.sort((a, b) => (a.tenant < b.tenant ? -1 : 1)) };
}

/** A site's pools as the ledger prices them. */
export function ledgerPools(site: Site): LedgerPool[] {
  return site.pools.map((p) => ({ pool: p.name, gpuModel: p.gpu.model, gpus: p.gpusPerNode * p.nodes, advertises: poolResources(p) }));
}

/** A site's subsidised tenants with their entitlements: the same figures their quotas carry. */
export function ledgerTenants(site: Site): LedgerTenant[] {
  return site.tenants.flatMap((t) =>
    t.subsidy ? [{ name: t.name, scheme: t.subsidy.scheme, share: t.subsidy.share, entitlements: gpuEntitlements(site.pools, t) }] : [],
  );
}

/** The ledger of one site from its inventory: what the program exports and the city report adds up. */
export function siteLedger(site: Site, terms: readonly SchemeTerms[]): SubsidyLedger {
  return subsidyLedger(terms, ledgerTenants(site), ledgerPools(site));
}

/** One site's part of a scheme's city-wide ledger. */
export interface SiteCommitment {
  readonly site: string;
  /** Whether the site counts: a site failing a mandatory policy is shown apart, as in the rest of the city report. */
  readonly counted: boolean;
  readonly gpuHoursPerYear: number;
  readonly committedHkd: number;
  readonly tenants: readonly TenantCommitment[];
}

/** A scheme across the city: every counted site's commitment added up against the one budget. */
export interface CitySchemeLedger extends Omit<SchemeLedger, "tenants"> {
  readonly sites: readonly SiteCommitment[];
  /** Tenants of counted sites with an entitlement that cannot be costed (a model with no rate). */
  readonly uncostedTenants: number;
}

/**
 * Each scheme's ledger across `sites`: one stack's policy sees only its own site, so this is
 * where two sites that each fit but together overcommit a scheme are caught.
 */
export function cityLedger(terms: readonly SchemeTerms[], sites: readonly { site: Site; counted: boolean }[]): CitySchemeLedger[] {
  const perSite = sites.map(({ site, counted }) => ({ site: site.name, counted, ledger: siteLedger(site, terms) }));
  return terms.map((t, i) => {
    const parts: SiteCommitment[] = perSite.map(({ site, counted, ledger }) => {
      const s = ledger.schemes[i];
      return { site, counted, gpuHoursPerYear: round3(s.tenants.reduce((n, x) => n + x.gpuHoursPerYear, 0)), committedHkd: s.committedHkd, tenants: s.tenants };
    });
    const counted = parts.filter((p) => p.counted);
    return {
      ...schemeTotals(
        t,
        counted.reduce((n, p) => n + p.committedHkd, 0),
      ),
      uncostedTenants: counted.reduce((n, p) => n + p.tenants.filter((x) => x.uncosted.length).length, 0),
      sites: parts,
    };
  });
}

/** HK$ as people read it: `HK$1,234,567`, a minus sign before the currency. */
export function formatHkd(value: number): string {
  return `${value < 0 ? "-" : ""}HK$${Math.abs(Math.round(value)).toLocaleString("en-US")}`;
}
