import { capacityOf, poolsInService } from "./capacity";
import { Site } from "./types";

/**
 * The city's view across sites: Hong Kong's public targets and each site's planned capacity
 * against them, and how entitlements split by tenant kind and subsidy.
 */

/** The city's milestones: AISC's 3,000 PFLOPS by early 2026, and 15,000 PFLOPS by 2030. */
export const CITY_MILESTONES = [
  { year: 2026, date: "2026-12-31", pflops: 3000, source: "Cyberport AISC, 3,000 PFLOPS by early 2026" },
  { year: 2030, date: "2030-12-31", pflops: 15000, source: "Hong Kong's target of 15,000 PFLOPS by 2030" },
] as const;

export interface SiteAtMilestone {
  readonly site: string;
  readonly year: number;
  /** On-prem PFLOPS in service by the milestone's date, at the site's declared precision. */
  readonly pflops: number;
}

export function capacityAtMilestones(sites: readonly Site[]): SiteAtMilestone[] {
  return CITY_MILESTONES.flatMap((m) =>
    sites.map((s) => ({ site: s.name, year: m.year, pflops: capacityOf(poolsInService(s.pools.filter((p) => p.placement === "on-prem"), m.date), s.capacity.precision, 1).pflops })),
  );
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
