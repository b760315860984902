import { capacityOf, poolsInService, round3 } from "./capacity";
import { NumberFormat, Precision, PRECISIONS } from "./catalog";
import { InventoryError, Reader } from "./reader";
import { parseSubsidyTerms, SchemeTerms } from "./subsidy";
import { Site } from "./types";

/**
 * The city's view across sites: Hong Kong's public targets (configuration, `aisc:city` in
 * Pulumi.yaml, not constants) and each site's planned capacity against them, every figure at the
 * city's one declared precision before anything is added, and how entitlements split by tenant
 * kind and subsidy.
 */

export const CITY_CONFIG_KEY = "aisc:city";

export interface CityMilestone {
  readonly name: string;
  /** The target's real date, YYYY-MM-DD ("early 2026" is the end of March). */
  readonly date: string;
  readonly pflops: number;
  /** The public statement the target comes from. */
  readonly source: string;
  /** The sites that count toward it, by name; every site when absent (the private share names its own). */
  readonly sites?: readonly string[];
}

export interface CityConfig {
  /** The precision every site's figures are converted to before they are added. */
  readonly precision: Precision;
  readonly milestones: readonly CityMilestone[];
  /** Each subsidy scheme's terms (budget, term, rates), for the subsidy ledger (./subsidy.ts); none when not configured. */
  readonly subsidy: readonly SchemeTerms[];
}

const CITY_KEYS = { precision: { required: true }, milestones: { required: true }, subsidy: { required: false } } as const;
const MILESTONE_KEYS = {
  name: { required: true },
  date: { required: true },
  pflops: { required: true },
  source: { required: true },
  sites: { required: false },
} as const;

/** Validates the city's configuration; every problem keyed under `aisc:city`, like the inventory's. */
export function parseCity(value: unknown, key: string = CITY_CONFIG_KEY): CityConfig {
  const r = new Reader();
  const o = r.object(key, value, CITY_KEYS);
  if (!o) throw new InventoryError(r.issues);
  const precision = r.oneOf(`${key}.precision`, o.precision, PRECISIONS);
  const items = r.list(`${key}.milestones`, o.milestones, { minItems: 1, maxItems: 20, what: "milestones" }) ?? [];
  const milestones = items.flatMap((item, i) => {
    const at = `${key}.milestones[${i}]`;
    const m = r.object(at, item, MILESTONE_KEYS);
    if (!m) return [];
    const name = r.string(`${at}.name`, m.name, { maxLength: 120 });
    const date = r.date(`${at}.date`, m.date);
    const pflops = r.number(`${at}.pflops`, m.pflops, 0, 1e9, true);
    const source = r.string(`${at}.source`, m.source, { maxLength: 256 });
    const sites =
      m.sites === undefined
        ? undefined
        : r.list(`${at}.sites`, m.sites, { maxItems: 100, what: "sites" })?.map((s, j) => r.string(`${at}.sites[${j}]`, s, { maxLength: 64 }));
    if (name === undefined || date === undefined || pflops === undefined || source === undefined || sites?.includes(undefined)) return [];
    return [{ name, date, pflops, source, ...(sites ? { sites: sites as string[] } : {}) }];
  });
  const subsidy = o.subsidy === undefined ? [] : parseSubsidyTerms(r, `${key}.subsidy`, o.subsidy);
  r.unique(
    (i) => `${key}.milestones[${i}].name`,
    items.map((x) => (x as { name?: unknown })?.name).map((n) => (typeof n === "string" ? n : undefined)),
    "milestone name",
  );
  if (r.issues.length > 0) throw new InventoryError(r.issues);
  return { precision: precision!, milestones, subsidy };
}

/** A site's on-premises capacity in service on `date`, at every precision. */
export function pflopsInService(site: Site, date: string): Record<Precision, number> {
  return capacityOf(
    poolsInService(
      site.pools.filter((p) => p.placement === "on-prem"),
      date,
    ),
    site.capacity.precision,
    1,
  ).pflopsByPrecision;
}

/**
 * The on-premises GPUs of a site that have no figure at `precision` (an A100 has no FP8), by
 * model: they add nothing at that precision, and the report says so rather than hide it.
 */
export function uncountedAt(site: Site, precision: Precision): { model: string; gpus: number }[] {
  const format = precision.split("-")[0] as NumberFormat;
  const byModel = new Map<string, number>();
  for (const p of site.pools.filter((x) => x.placement === "on-prem" && x.gpu.denseTflops[format] === undefined))
    byModel.set(p.gpu.model, (byModel.get(p.gpu.model) ?? 0) + p.gpusPerNode * p.nodes);
  return [...byModel].map(([model, gpus]) => ({ model, gpus }));
}

/** Whether a site counts toward a milestone: every site, unless the milestone names its own. */
export function countsToward(m: CityMilestone, site: string): boolean {
  return m.sites === undefined || m.sites.includes(site);
}

/** A milestone against the sites that count: the sum at the city's precision, and the margin. */
export function milestoneTotal(m: CityMilestone, sites: readonly Site[], precision: Precision): { pflops: number; margin: number; met: boolean } {
  const pflops = round3(sites.filter((s) => countsToward(m, s.name)).reduce((n, s) => n + pflopsInService(s, m.date)[precision], 0));
  return { pflops, margin: round3(pflops - m.pflops), met: pflops >= m.pflops };
}

export interface KindAllocation {
  readonly kind: string;
  readonly tenants: number;
  readonly gpus: number;
  readonly share: number;
}

/** GPUs entitled per tenant kind across sites, and each kind's share of all entitled GPUs. */
export function allocationByKind(sites: readonly Site[]): KindAllocation[] {
  const all = sites.flatMap((s) => s.tenants);
  const total = all.reduce((n, t) => n + t.gpus, 0);
  const kinds = [...new Set(all.map((t) => t.kind))].sort();
  return kinds.map((kind) => {
    const of = all.filter((t) => t.kind === kind);
    const gpus = of.reduce((n, t) => n + t.gpus, 0);
    return { kind, tenants: of.length, gpus, share: total ? Math.round((gpus / total) * 1000) / 1000 : 0 };
  });
}

/** GPUs under a subsidy scheme, and the share of their computing cost it pays on average. */
export function subsidySummary(sites: readonly Site[]): { scheme: string; tenants: number; gpus: number; averageShare: number }[] {
  const all = sites.flatMap((s) => s.tenants).filter((t) => t.subsidy);
  const schemes = [...new Set(all.map((t) => t.subsidy!.scheme))].sort();
  return schemes.map((scheme) => {
    const of = all.filter((t) => t.subsidy!.scheme === scheme);
    const gpus = of.reduce((n, t) => n + t.gpus, 0);
    const weighted = of.reduce((n, t) => n + t.gpus * t.subsidy!.share, 0);
    return { scheme, tenants: of.length, gpus, averageShare: gpus ? Math.round((weighted / gpus) * 1000) / 1000 : 0 };
  });
}
