import { Precision, PRECISIONS, SUBSIDY_SCHEMES, SubsidyScheme } from "../inventory/catalog";
import { allocationByKind, CityMilestone, subsidySummary } from "../inventory/city";
import { CitySchemeLedger, formatHkd } from "../inventory/subsidy";
import { Site } from "../inventory/types";

/**
 * The city report's data (written whole as city-report.json, so two reports can be diffed) and
 * its Markdown. Every PFLOPS figure that is added is at the city's one declared precision; each
 * site's full build-out is shown at all four, so a reader can see what the conversion did.
 */

export interface SiteInReport {
  readonly stack: string;
  readonly name: string;
  readonly displayName: string;
  /** The precision the site's own inventory counts at (its milestones are judged at it). */
  readonly declaredPrecision: Precision;
  /** On-premises GPUs at full build-out. */
  readonly gpus: number;
  /** On-premises PFLOPS at full build-out, at every precision. */
  readonly pflops: Readonly<Record<Precision, number>>;
  /** On-premises GPUs that have no figure at the city's precision (an A100 has no FP8), by model. */
  readonly uncounted: readonly { model: string; gpus: number }[];
  /** Mandatory policy violations in the site's plan; a site with any is shown apart and not counted. */
  readonly mandatoryViolations: number;
  readonly counted: boolean;
  /** PFLOPS in service by each city milestone's date, at the city's precision, and whether the site counts toward it. */
  readonly atMilestones: readonly { milestone: string; counts: boolean; pflops: number }[];
}

export interface CityReport {
  readonly precision: Precision;
  readonly sites: readonly SiteInReport[];
  /** Each city milestone: its target, and what the counted sites have in service by its date. */
  readonly milestones: readonly (Omit<CityMilestone, "pflops"> & {
    readonly target: number;
    readonly counted: number;
    readonly margin: number;
    readonly met: boolean;
  })[];
  /** Each subsidy scheme's ledger (`aisc:city.subsidy`): the counted sites' commitments against its budget. */
  readonly subsidy: readonly CitySchemeLedger[];
}

const num = (n: number) => String(Math.round(n * 1000) / 1000);

export function cityMarkdown(report: CityReport, sites: readonly Site[]): string {
  const counted = report.sites.filter((s) => s.counted);
  const apart = report.sites.filter((s) => !s.counted);
  const lines = [
    "# Hong Kong AI computing: city report",
    "",
    `Every figure that is added is at **${report.precision}**, the city's declared precision (\`aisc:city\` in Pulumi.yaml); each site's own declared precision is shown beside it. Only on-premises pools count: burst pools are rented by the hour.`,
    "",
    "## Milestones",
    "",
    `| milestone | date | target PFLOPS | counted PFLOPS (${report.precision}) | margin | |`,
    "| --- | --- | ---: | ---: | ---: | --- |",
  ];
  for (const m of report.milestones)
    lines.push(`| ${m.name} | ${m.date} | ${num(m.target)} | ${num(m.counted)} | ${m.margin >= 0 ? "+" : ""}${num(m.margin)} | ${m.met ? "met" : "short"} |`);
  lines.push("");
  for (const m of report.milestones) {
    const who = m.sites === undefined ? "every site that passes its policies" : m.sites.length ? `only ${m.sites.join(", ")}` : "no site yet (none is named)";
    lines.push(`- ${m.name}: ${m.source}; counts ${who}.`);
  }
  lines.push(
    "",
    "## Sites",
    "",
    `| site | declared precision | policies | on-prem GPUs | ${PRECISIONS.map((p) => `PFLOPS ${p}`).join(" | ")} |`,
    `| --- | --- | --- | ---: | ${PRECISIONS.map(() => "---:").join(" | ")} |`,
  );
  for (const s of report.sites) {
    const verdict = s.counted ? "pass" : `**fail** (${s.mandatoryViolations} mandatory)`;
    lines.push(`| ${s.displayName} | ${s.declaredPrecision} | ${verdict} | ${s.gpus} | ${PRECISIONS.map((p) => num(s.pflops[p])).join(" | ")} |`);
  }
  for (const s of report.sites.filter((x) => x.uncounted.length)) {
    lines.push(
      "",
      `${s.displayName}: ${s.uncounted.map((u) => `${u.gpus} ${u.model}`).join(", ")} GPUs have no ${report.precision} figure and add nothing at it.`,
    );
  }
  lines.push(
    "",
    `### In service by each milestone (${report.precision})`,
    "",
    `| site | ${report.milestones.map((m) => m.name).join(" | ")} |`,
    `| --- | ${report.milestones.map(() => "---:").join(" | ")} |`,
  );
  for (const s of counted)
    lines.push(`| ${s.displayName} | ${s.atMilestones.map((a) => (a.counts ? num(a.pflops) : `(${num(a.pflops)}, not counted)`)).join(" | ")} |`);
  if (apart.length) {
    lines.push(
      "",
      "### Not counted: failing a mandatory policy",
      "",
      "These sites' plans fail a mandatory policy (`aisc plan` names it), so none of their capacity counts toward a target until they pass.",
      "",
    );
    for (const s of apart)
      lines.push(
        `- ${s.displayName} (${s.stack}): ${s.mandatoryViolations} mandatory violation${s.mandatoryViolations === 1 ? "" : "s"}; ${s.atMilestones.map((a) => `${num(a.pflops)} PFLOPS by ${a.milestone}`).join(", ")}.`,
      );
  }
  const countedSites = sites.filter((site) => counted.some((s) => s.name === site.name));
  lines.push("", "## Entitled GPUs by tenant kind (counted sites)", "", "| kind | tenants | GPUs | share |", "| --- | ---: | ---: | ---: |");
  for (const k of allocationByKind(countedSites)) lines.push(`| ${k.kind} | ${k.tenants} | ${k.gpus} | ${Math.round(k.share * 1000) / 10}% |`);
  lines.push("", "## Subsidised computing (counted sites)", "", "| scheme | tenants | GPUs | average share of cost paid |", "| --- | ---: | ---: | ---: |");
  for (const s of subsidySummary(countedSites))
    lines.push(`| ${SUBSIDY_SCHEMES[s.scheme as SubsidyScheme].title} | ${s.tenants} | ${s.gpus} | ${Math.round(s.averageShare * 1000) / 10}% |`);
  lines.push(...ledgerMarkdown(report.subsidy));
  lines.push("", "![PFLOPS in service per site against the city's milestones](city-capacity.svg)", "");
  return lines.join("\n");
}

/**
 * The subsidy ledger: per scheme, each site's commitment over the term and the counted sites'
 * total against the budget; then every subsidised tenant, so a reviewer can check a figure.
 */
function ledgerMarkdown(ledger: readonly CitySchemeLedger[]): string[] {
  if (ledger.length === 0)
    return ["", "## Subsidy ledger", "", "No scheme's terms are configured (`aisc:city.subsidy`): no commitment is checked against a budget."];
  const lines: string[] = [];
  for (const s of ledger) {
    const title = SUBSIDY_SCHEMES[s.scheme as SubsidyScheme].title;
    const used = s.committedOutsideHkd + s.committedHkd;
    lines.push(
      "",
      `## Subsidy ledger: ${title}`,
      "",
      `Each subsidised entitlement is priced as held for the scheme's whole term (${s.start} to ${s.end}, ${s.termDays} days) at the scheme's rate for the dearest GPU model that serves it, times the share the scheme pays.`,
      "",
      "| site | counted | GPU-hours a year | committed over the term |",
      "| --- | --- | ---: | ---: |",
    );
    for (const site of s.sites)
      lines.push(
        `| ${site.site} | ${site.counted ? "yes" : "no (fails a mandatory policy)"} | ${num(site.gpuHoursPerYear)} | ${formatHkd(site.committedHkd)} |`,
      );
    lines.push(
      "",
      `Budget ${formatHkd(s.budgetHkd)}; committed outside these stacks ${formatHkd(s.committedOutsideHkd)}; committed by counted sites ${formatHkd(s.committedHkd)}; **${s.leftHkd >= 0 ? `${formatHkd(s.leftHkd)} left` : `over by ${formatHkd(-s.leftHkd)}`}** (${Math.floor((used / s.budgetHkd) * 10000) / 100}% committed, rounded down).`,
    );
    if (s.uncostedTenants)
      lines.push(
        "",
        `${s.uncostedTenants} subsidised tenant(s) have entitlements on GPU models with no rate in \`aisc:city.subsidy.${s.scheme}.rates\`: only what has a rate is costed.`,
      );
    lines.push(
      "",
      "| site | tenant | share | GPU-hours a year | list price a year | subsidy a year | committed over the term | not costed |",
      "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    );
    for (const site of s.sites) {
      for (const t of site.tenants) {
        const uncosted = t.uncosted.map((u) => `${u.resource} (${u.models.join(", ")})`).join(", ");
        lines.push(
          `| ${site.site} | ${t.tenant} | ${Math.round(t.share * 1000) / 10}% | ${num(t.gpuHoursPerYear)} | ${formatHkd(t.costPerYearHkd)} | ${formatHkd(t.subsidyPerYearHkd)} | ${formatHkd(t.committedHkd)} | ${uncosted} |`,
        );
      }
    }
  }
  return lines;
}
