import { quotaLimit, round3 } from "../inventory/capacity";
import { isObj } from "../inventory/reader";
import { Plan } from "./record";

/**
 * What a change does to the site as a whole, from the `capacity` output of the two plans
 * (inventory/summary.ts): GPUs entitled to tenants and the headroom left under each resource
 * after the reserve (the rule `capacity-tenant-quotas-fit-site` holds quotas to), PFLOPS, and
 * facility power against the envelope. A reviewer sees that a one-line quota edit overcommits
 * the site before any policy says so. Read defensively: a plan without the output, or of
 * another shape, has no figures, and its side is absent.
 */

/** A figure before and after the change; a side whose plan has no figure has none. */
export interface Pair<T> {
  readonly before?: T;
  readonly after?: T;
}

export interface ResourceHeadroom {
  readonly resource: string;
  readonly class?: string;
  readonly onPrem: Pair<number>;
  readonly entitled: Pair<number>;
  /** What the on-premises count less the reserve leaves over the entitlements; negative is over. */
  readonly headroom: Pair<number>;
}

export interface SiteChange {
  /** The reserve headroom is counted after: the policy's, from `--policy-config` or its default. */
  readonly reserve: number;
  readonly entitledGpus: Pair<number>;
  readonly resources: readonly ResourceHeadroom[];
  readonly precision: Pair<string>;
  readonly pflops: Pair<number>;
  readonly facilityPowerMW: Pair<number>;
  readonly envelopeMW: Pair<number>;
  /** Envelope less facility power; negative is over. */
  readonly marginMW: Pair<number>;
}

interface CapacityView {
  readonly entitledGpus: number;
  readonly precision: string;
  readonly pflops: number;
  readonly facilityPowerMW: number;
  readonly envelopeMW: number;
  readonly resources: ReadonlyMap<string, { class?: string; onPrem: number; entitled: number }>;
}

const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** A plan's capacity figures; undefined when it has none it can read. */
function capacityOf(plan: Plan): CapacityView | undefined {
  const c = plan.outputs.capacity;
  if (!isObj(c) || !isNum(c.entitledGpus) || typeof c.precision !== "string" || !isNum(c.pflops) || !isNum(c.facilityPowerMW) || !isNum(c.envelopeMW))
    return undefined;
  const resources = new Map<string, { class?: string; onPrem: number; entitled: number }>();
  for (const r of Array.isArray(c.gpuResources) ? (c.gpuResources as unknown[]) : []) {
    if (isObj(r) && typeof r.resource === "string" && isNum(r.onPrem) && isNum(r.entitled))
      resources.set(r.resource, { ...(typeof r.class === "string" ? { class: r.class } : {}), onPrem: r.onPrem, entitled: r.entitled });
  }
  return { entitledGpus: c.entitledGpus, precision: c.precision, pflops: c.pflops, facilityPowerMW: c.facilityPowerMW, envelopeMW: c.envelopeMW, resources };
}

function pair<T>(before: T | undefined, after: T | undefined): Pair<T> {
  return { ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) };
}

/** The site's figures before and after, with headroom after `reserve`; undefined when neither plan has them. */
export function siteChange(base: Plan, head: Plan, reserve: number): SiteChange | undefined {
  const b = capacityOf(base);
  const a = capacityOf(head);
  if (!b && !a) return undefined;
  const both = <T>(f: (c: CapacityView) => T) => pair(b && f(b), a && f(a));
  const names = [...new Set([...(b?.resources.keys() ?? []), ...(a?.resources.keys() ?? [])])].sort();
  const resources = names.map((resource): ResourceHeadroom => {
    const [rb, ra] = [b?.resources.get(resource), a?.resources.get(resource)];
    const headroom = (r: { onPrem: number; entitled: number } | undefined) => r && quotaLimit(r.onPrem, reserve) - r.entitled;
    const cls = ra?.class ?? rb?.class;
    return {
      resource,
      ...(cls ? { class: cls } : {}),
      onPrem: pair(rb?.onPrem, ra?.onPrem),
      entitled: pair(rb?.entitled, ra?.entitled),
      headroom: pair(headroom(rb), headroom(ra)),
    };
  });
  return {
    reserve,
    entitledGpus: both((c) => c.entitledGpus),
    resources,
    precision: both((c) => c.precision),
    pflops: both((c) => c.pflops),
    facilityPowerMW: both((c) => c.facilityPowerMW),
    envelopeMW: both((c) => c.envelopeMW),
    marginMW: both((c) => round3(c.envelopeMW - c.facilityPowerMW)),
  };
}

/** A figure as `before → after`, or once when it did not move; `(none)` for a side without it. */
function moved<T>(p: Pair<T>, show: (v: T) => string): string {
  const side = (v: T | undefined) => (v === undefined ? "(none)" : show(v));
  return p.before === p.after ? side(p.after) : `${side(p.before)} → ${side(p.after)}`;
}

const changed = (p: Pair<unknown>) => p.before !== p.after;
const mw = (n: number) => `${n} MW`;
const headroom = (n: number) => (n < 0 ? `${n} (over by ${-n})` : `${n}`);

/** The diff's site section: entitled GPUs, each resource whose entitlement or supply moved with its headroom, PFLOPS and power. */
export function siteMarkdown(s: SiteChange | undefined): string[] {
  if (!s) return [];
  const reserve = `after the ${round3(s.reserve * 100)}% reserve`;
  const lines = ["### Site", "", `- Entitled GPUs: ${moved(s.entitledGpus, String)}`];
  for (const r of s.resources.filter((x) => changed(x.entitled) || changed(x.onPrem))) {
    lines.push(
      `- ${r.resource}: entitled ${moved(r.entitled, String)} of ${moved(r.onPrem, String)} on premises; headroom ${reserve} ${moved(r.headroom, headroom)}`,
    );
  }
  const precision = changed(s.precision) ? ` (${moved(s.precision, String)})` : ` at ${s.precision.after ?? s.precision.before}`;
  lines.push(`- PFLOPS${precision}: ${moved(s.pflops, String)}`);
  lines.push(`- Facility power: ${moved(s.facilityPowerMW, mw)} of ${moved(s.envelopeMW, mw)} (margin ${moved(s.marginMW, mw)})`, "");
  return lines;
}
