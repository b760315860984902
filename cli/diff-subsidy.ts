import { isObj } from "../inventory/reader";
import { formatHkd } from "../inventory/subsidy";
import { Plan } from "./record";

/**
 * What a change does to the subsidy ledger (inventory/subsidy.ts), from the `subsidy` output of
 * the two plans: per scheme, the commitment before and after and what is left, and every tenant
 * whose commitment or GPU-hours moved. Read defensively: a plan from before the ledger existed,
 * or an output of another shape, has no ledger, and a scheme on one side only is from 0.
 */

export interface TenantSubsidyChange {
  readonly tenant: string;
  readonly gpuHoursPerYear: readonly [number, number];
  readonly committedHkd: readonly [number, number];
}

export interface SubsidyChange {
  readonly scheme: string;
  readonly committedHkd: readonly [number, number];
  readonly leftHkd: readonly [number | undefined, number | undefined];
  readonly tenants: readonly TenantSubsidyChange[];
}

interface LedgerView {
  readonly scheme: string;
  readonly committedHkd: number;
  readonly leftHkd: number;
  readonly tenants: ReadonlyMap<string, { gpuHoursPerYear: number; committedHkd: number }>;
}

const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** The schemes of a plan's `subsidy` output, by name; empty when it has none it can read. */
function schemesOf(plan: Plan): Map<string, LedgerView> {
  const out = new Map<string, LedgerView>();
  const ledger = plan.outputs.subsidy;
  if (!isObj(ledger) || !Array.isArray(ledger.schemes)) return out;
  for (const s of ledger.schemes as unknown[]) {
    if (!isObj(s) || typeof s.scheme !== "string" || !isNum(s.committedHkd) || !isNum(s.leftHkd) || !Array.isArray(s.tenants)) continue;
    const tenants = new Map<string, { gpuHoursPerYear: number; committedHkd: number }>();
    for (const t of s.tenants as unknown[]) {
      if (isObj(t) && typeof t.tenant === "string" && isNum(t.gpuHoursPerYear) && isNum(t.committedHkd))
        tenants.set(t.tenant, { gpuHoursPerYear: t.gpuHoursPerYear, committedHkd: t.committedHkd });
    }
    out.set(s.scheme, { scheme: s.scheme, committedHkd: s.committedHkd, leftHkd: s.leftHkd, tenants });
  }
  return out;
}

/** The schemes whose ledger the change moves, in name order. */
export function subsidyChanges(base: Plan, head: Plan): SubsidyChange[] {
  const before = schemesOf(base);
  const after = schemesOf(head);
  const changes: SubsidyChange[] = [];
  for (const scheme of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const b = before.get(scheme);
    const a = after.get(scheme);
    const tenants: TenantSubsidyChange[] = [];
    for (const tenant of [...new Set([...(b?.tenants.keys() ?? []), ...(a?.tenants.keys() ?? [])])].sort()) {
      const tb = b?.tenants.get(tenant) ?? { gpuHoursPerYear: 0, committedHkd: 0 };
      const ta = a?.tenants.get(tenant) ?? { gpuHoursPerYear: 0, committedHkd: 0 };
      if (tb.gpuHoursPerYear !== ta.gpuHoursPerYear || tb.committedHkd !== ta.committedHkd) {
        tenants.push({ tenant, gpuHoursPerYear: [tb.gpuHoursPerYear, ta.gpuHoursPerYear], committedHkd: [tb.committedHkd, ta.committedHkd] });
      }
    }
    const committed: [number, number] = [b?.committedHkd ?? 0, a?.committedHkd ?? 0];
    if (tenants.length === 0 && committed[0] === committed[1] && b?.leftHkd === a?.leftHkd) continue;
    changes.push({ scheme, committedHkd: committed, leftHkd: [b?.leftHkd, a?.leftHkd], tenants });
  }
  return changes;
}

function signed(n: number, format: (x: number) => string): string {
  return n === 0 ? "no change" : `${n > 0 ? "+" : "-"}${format(Math.abs(n))}`;
}

const hours = (n: number) => Math.round(n).toLocaleString("en-US");
const left = (n: number | undefined) => (n === undefined ? "(none)" : n < 0 ? `over by ${formatHkd(-n)}` : formatHkd(n));

/** The diff's subsidy section: one line per scheme, one per tenant that moved. */
export function subsidyMarkdown(changes: readonly SubsidyChange[]): string[] {
  if (changes.length === 0) return [];
  const lines = ["### Subsidy committed", ""];
  for (const c of changes) {
    const [b, a] = c.committedHkd;
    lines.push(
      `- **${c.scheme}**: committed over the term ${formatHkd(b)} → ${formatHkd(a)} (${signed(a - b, formatHkd)}); left ${left(c.leftHkd[0])} → ${left(c.leftHkd[1])}`,
    );
    for (const t of c.tenants) {
      lines.push(
        `  - ${t.tenant}: ${hours(t.gpuHoursPerYear[0])} → ${hours(t.gpuHoursPerYear[1])} GPU-hours a year; ${formatHkd(t.committedHkd[0])} → ${formatHkd(t.committedHkd[1])} (${signed(t.committedHkd[1] - t.committedHkd[0], formatHkd)})`,
      );
    }
  }
  lines.push("");
  return lines;
}
