import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { formatHkd, LedgerTenant, SchemeLedger, subsidyLedger, SubsidyLedger, TenantCommitment } from "../inventory/subsidy";
import { count, Evidence, measured, percent } from "./evidence";
import { configOf, gpuQuotaLines, meta, poolFactsOf, siteFactsOf, tenants, Undecided } from "./common";

/**
 * The subsidy ledger's rules (inventory/subsidy.ts), recomputed from the stack's resources: the
 * schemes' terms from the site's facts (the city's `aisc:city.subsidy`), the pools' models and
 * resources from the pools' facts, and each subsidised tenant's entitlement from its quota, so a
 * change to a quota is priced as it will be applied. One stack sees one site: the city report
 * (`aisc report`) adds the sites up against the same budget.
 */

/** The labels tenancy puts on a tenant's namespace (inventory/tenancy.ts tenantLabels). */
const SCHEME_LABEL = "aisc.hk/subsidy-scheme";
const SHARE_LABEL = "aisc.hk/subsidy-share";

/** A share label as the scheme's share of the cost; anything but a share in (0, 1] is counted as 1, the most it could pay. */
function shareOf(label: string | undefined): number {
  const n = Number(label);
  return Number.isFinite(n) && n > 0 && n <= 1 ? n : 1;
}

/** The site's ledger from its resources (no scheme's terms in the facts: every subsidised tenant unconfigured); undefined without the site's facts. */
function ledgerOf(resources: readonly PolicyResource[], undecided: Undecided): { site: PolicyResource; name: string; ledger: SubsidyLedger } | undefined {
  const site = siteFactsOf(resources);
  if (!site) return undefined;
  const terms = site.facts.subsidy ?? [];
  const pools = poolFactsOf(resources).map(({ facts: p }) => ({
    pool: p.pool,
    gpuModel: p.gpuModel,
    gpus: p.gpusPerNode * p.nodes,
    advertises: p.advertises ?? {},
  }));
  const subsidised: LedgerTenant[] = tenants(resources).flatMap((t) => {
    const labels = meta(t.namespace).labels ?? {};
    const scheme = labels[SCHEME_LABEL];
    if (scheme === undefined || scheme === "none" || !t.quota) return [];
    const lines = undecided.attempt(`tenant ${t.name}'s quota`, () => gpuQuotaLines(t.quota!));
    return lines ? [{ name: t.name, scheme, share: shareOf(labels[SHARE_LABEL]), entitlements: Object.fromEntries(lines) }] : [];
  });
  return { site: site.resource, name: site.facts.site, ledger: subsidyLedger(terms, subsidised, pools) };
}

/** The most tenants a message names; the rest are counted. */
const NAMED = 10;

/** The tenants that commit the most first, each with its amount. */
function largest(commitments: readonly TenantCommitment[]): string {
  const sorted = [...commitments].filter((c) => c.committedHkd > 0).sort((a, b) => b.committedHkd - a.committedHkd || (a.tenant < b.tenant ? -1 : 1));
  const named = sorted.slice(0, NAMED).map((c) => `${c.tenant} ${formatHkd(c.committedHkd)}`);
  return named.join(", ") + (sorted.length > NAMED ? ` and ${sorted.length - NAMED} more` : "");
}

/** What the scheme has left for this site: its budget less what is committed outside the stacks planned here. */
function available(s: SchemeLedger): number {
  return s.budgetHkd - s.committedOutsideHkd;
}

function termText(s: SchemeLedger): string {
  return `over the scheme's term (${s.start} to ${s.end}, ${s.termDays} days)`;
}

/** Each scheme's figures as the ledger holds them. */
function schemeFigures(s: SchemeLedger) {
  return { scheme: s.scheme, budgetHkd: s.budgetHkd, committedOutsideHkd: s.committedOutsideHkd, committedHkd: s.committedHkd, leftHkd: s.leftHkd };
}

/** Evidence over the ledger's schemes, one clause each; `what` when the site has none. */
function ledgerEvidence(l: ReturnType<typeof ledgerOf>, clause: (s: SchemeLedger) => string, extra: Evidence["figures"] = {}): Evidence {
  const schemes = l?.ledger.schemes ?? [];
  const none = l
    ? `no subsidy scheme with terms (aisc:city.subsidy) covers ${l.name}'s ${count(l.ledger.unconfigured.length, "subsidised tenant")}`
    : "no site facts to read the ledger from";
  return { text: schemes.map(clause).join("; ") || none, figures: { ...extra, schemes: schemes.map(schemeFigures) } };
}

function budgetText(s: SchemeLedger): string {
  return `its ${formatHkd(s.budgetHkd)} budget${s.committedOutsideHkd ? ` after ${formatHkd(s.committedOutsideHkd)} committed outside these stacks` : ""}`;
}

export const subsidyWithinBudget: StackValidationPolicy = {
  name: "capacity-subsidy-within-budget",
  description: "What the subsidised tenants' entitlements commit over a subsidy scheme's term, at its rates, stays within what is left of its budget.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const undecided = Undecided.over(args.resources);
    const l = ledgerOf(args.resources, undecided);
    measured(
      args,
      ledgerEvidence(
        l,
        (s) => `${s.scheme}: ${l!.name}'s tenants commit ${formatHkd(s.committedHkd)} ${termText(s)} of ${formatHkd(available(s))} left of ${budgetText(s)}`,
      ),
    );
    for (const s of l?.ledger.schemes ?? []) {
      if (s.leftHkd >= 0) continue;
      const left =
        available(s) > 0
          ? `the ${formatHkd(available(s))} left of ${budgetText(s)}`
          : `its ${formatHkd(s.budgetHkd)} budget, which is already spent outside these stacks (${formatHkd(s.committedOutsideHkd)})`;
      report(
        `${s.scheme}: the subsidised entitlements of ${l!.name} commit ${formatHkd(s.committedHkd)} ${termText(s)}, ${formatHkd(-s.leftHkd)} more than ${left}; tenants: ${largest(s.tenants) || "none with a costed commitment"}.`,
        l!.site.urn,
      );
    }
    undecided.settle();
  },
};

const WARN_AT = 0.8;

/**
 * What a reviewer should see before the budget is gone: a commitment above the warning threshold,
 * entitlements that cannot be costed (a GPU model with no rate), and subsidised tenants whose
 * scheme has no terms: the mandatory rule cannot judge what is not costed, so this says so.
 */
export const subsidyHeadroom: StackValidationPolicy = {
  name: "capacity-subsidy-headroom",
  description: "A subsidy scheme's commitment stays below the warning share of its budget, and every subsidised entitlement can be costed.",
  enforcementLevel: "advisory",
  configSchema: {
    properties: {
      warnAt: { type: "number", minimum: 0.01, maximum: 1, default: WARN_AT, description: "Share of a scheme's budget committed above which this warns." },
    },
  },
  validateStack: (args, report) => {
    const { warnAt } = configOf(args, { warnAt: WARN_AT });
    const undecided = Undecided.over(args.resources);
    const l = ledgerOf(args.resources, undecided);
    measured(
      args,
      ledgerEvidence(
        l,
        (s) =>
          `${s.scheme}: ${Math.floor(((s.committedOutsideHkd + s.committedHkd) / s.budgetHkd) * 10000) / 100}% of its budget committed (rounded down), warning above ${percent(warnAt)}${s.leftHkd < 0 ? " (over its budget: capacity-subsidy-within-budget fails it)" : ""}; ${count(s.tenants.filter((t) => t.uncosted.length).length, "tenant")} not costed in full`,
        {
          warnAt,
          uncostedTenants: l?.ledger.schemes.reduce((n, s) => n + s.tenants.filter((t) => t.uncosted.length).length, 0) ?? 0,
          unconfiguredTenants: l?.ledger.unconfigured.length ?? 0,
        },
      ),
    );
    if (l) {
      for (const s of l.ledger.schemes) {
        const used = s.committedOutsideHkd + s.committedHkd;
        if (s.leftHkd >= 0 && used > warnAt * s.budgetHkd) {
          const pct = Math.floor((used / s.budgetHkd) * 10000) / 100;
          const outside = s.committedOutsideHkd ? `${formatHkd(s.committedOutsideHkd)} outside these stacks, ` : "";
          report(
            `${s.scheme}: ${formatHkd(used)} (${pct}%) of its ${formatHkd(s.budgetHkd)} budget is committed (${outside}${formatHkd(s.committedHkd)} by ${l.name}'s tenants ${termText(s)}), above the ${Math.round(warnAt * 100)}% warning share; ${formatHkd(s.leftHkd)} left.`,
            l.site.urn,
          );
        }
        const uncosted = s.tenants.filter((t) => t.uncosted.length);
        if (uncosted.length) {
          const models = [...new Set(uncosted.flatMap((t) => t.uncosted.flatMap((u) => u.models)))].sort();
          const names =
            uncosted
              .slice(0, NAMED)
              .map((t) => t.tenant)
              .join(", ") + (uncosted.length > NAMED ? ` and ${uncosted.length - NAMED} more` : "");
          report(
            `${s.scheme}: aisc:city.subsidy.${s.scheme}.rates has no rate for ${models.join(", ")}, so ${uncosted.length} subsidised tenant${uncosted.length === 1 ? "" : "s"} of ${l.name} cannot be costed in full and the budget rule counts only what can be: ${names}.`,
            l.site.urn,
          );
        }
      }
      if (l.ledger.unconfigured.length) {
        const schemes = [...new Set(l.ledger.unconfigured.map((u) => u.scheme))].sort();
        report(
          `${l.ledger.unconfigured.length} subsidised tenant(s) of ${l.name} are under ${schemes.join(", ")}, which aisc:city.subsidy gives no terms: their commitment is not checked.`,
          l.site.urn,
        );
      }
    }
    undecided.settle();
  },
};

export const SUBSIDY_POLICIES = [subsidyWithinBudget, subsidyHeadroom];
