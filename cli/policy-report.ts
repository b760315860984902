import { PolicyOutcome, PolicyResult, Violation } from "./policy-eval";
import { BASE_DESCRIPTIONS, keyPositions, sourceUri } from "./inventory-location";
import { Plan } from "./record";
import { stableJson } from "./record";

/**
 * The policy verdict in three forms: JSON for tools, Markdown short enough for a pull-request
 * comment, and SARIF 2.1.0 (the policy name as `ruleId`) for code scanning. Each violation
 * names the policy, the resource and the numbers that broke the rule.
 */

/** `type name` of a violation's resource, from its URN. */
function resourceOf(v: Violation): string {
  if (!v.urn) return "the stack";
  const parts = v.urn.split("::");
  return `${parts[2].split("$").pop()} ${parts[3]}`;
}

/**
 * The packaged components (Helm charts, remote components) whose children the offline plan
 * cannot see: the engine expands them only against a real cluster, so no policy judged what
 * they create. Listed so a reviewer knows where the verdict stops.
 */
export function unseenComponents(plan: Plan): string[] {
  return plan.resources
    .filter((r) => r.remote)
    .map((r) => {
      const text = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
      const chart = r.inputs.chart === undefined ? "" : ` (${text(r.inputs.chart)}${r.inputs.version === undefined ? "" : ` ${text(r.inputs.version)}`})`;
      return `${r.type} ${r.name}${chart}`;
    })
    .sort();
}

export function policyReportJson(plan: Plan, result: PolicyResult): string {
  return stableJson({
    stack: plan.stack,
    summary: {
      policies: result.policies.length,
      passed: result.policies.filter((p) => p.violations === 0).length,
      violations: result.violations.length,
      mandatory: result.violations.filter((v) => v.level === "mandatory").length,
    },
    policies: result.policies.map((p) => ({ ...p, status: p.violations === 0 ? "pass" : "fail" })),
    violations: result.violations.map((v) => ({ ...v, resource: resourceOf(v) })),
    unseenByOfflinePlan: unseenComponents(plan),
  });
}

/** At most this many violations are listed in Markdown; the JSON and SARIF have them all. */
export const MARKDOWN_ROWS = 50;

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** A policy's settings as `reserve 0.1, maxShare 0.25`; empty when it has none. */
function settingsText(p: PolicyOutcome): string {
  return Object.entries(p.settings)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k} ${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(", ");
}

/** What a policy measured, with its settings when it has any. */
function evidenceLine(p: PolicyOutcome): string {
  const settings = settingsText(p);
  return `${cell(p.evidence.text)}${settings ? ` (settings: ${cell(settings)})` : ""}`;
}

export function policyReportMarkdown(plan: Plan, result: PolicyResult): string {
  const mandatory = result.violations.filter((v) => v.level === "mandatory").length;
  const passed = result.policies.filter((p) => p.violations === 0).length;
  const verdict =
    mandatory > 0
      ? `**FAIL**: ${mandatory} mandatory violation${mandatory === 1 ? "" : "s"}`
      : result.violations.length
        ? "**PASS** with advisory findings"
        : "**PASS**";
  const lines = [`## Policy report: ${plan.stack}`, "", `${verdict}. ${passed} of ${result.policies.length} policies pass.`, ""];
  if (result.violations.length) {
    lines.push("| policy | level | resource | inventory key | finding |", "| --- | --- | --- | --- | --- |");
    for (const v of result.violations.slice(0, MARKDOWN_ROWS))
      lines.push(`| \`${v.policy}\` | ${v.level} | ${cell(resourceOf(v))} | ${v.key ? `\`${v.key}\`` : ""} | ${cell(v.message)} |`);
    if (result.violations.length > MARKDOWN_ROWS) lines.push("", `...and ${result.violations.length - MARKDOWN_ROWS} more in policy-report.json.`);
    lines.push("");
  }
  const failing = result.policies.filter((p) => p.violations > 0);
  if (failing.length) {
    lines.push(`Failing: ${failing.map((p) => `\`${p.name}\``).join(", ")}. What each measured:`, "");
    for (const p of failing) lines.push(`- \`${p.name}\`: ${evidenceLine(p)}`);
    lines.push("");
  }
  const passing = result.policies.filter((p) => p.violations === 0);
  if (passing.length) {
    lines.push(
      `<details><summary>Evidence: what each of the ${passing.length} policies without a finding measured</summary>`,
      "",
      "| policy | level | measured | settings |",
      "| --- | --- | --- | --- |",
    );
    for (const p of passing) lines.push(`| \`${p.name}\` | ${p.level} | ${cell(p.evidence.text)} | ${cell(settingsText(p))} |`);
    lines.push("", "</details>", "");
  }
  const unseen = unseenComponents(plan);
  if (unseen.length) {
    lines.push(
      `Not seen by the offline plan (packaged components whose children only the engine expands; \`pulumi preview --policy-pack policies\` judges them): ${unseen.map((u) => `\`${u}\``).join(", ")}.`,
      "",
    );
  }
  return `${lines.join("\n")}`;
}

/** The stack file a plan was made from, and its text as planned. */
export interface StackSource {
  readonly file: string;
  readonly text: string;
}

/**
 * SARIF 2.1.0 for GitHub code scanning: each finding on its inventory key's line and column in
 * the stack file, by a path relative to the repository (./inventory-location); a finding with no
 * key, on the stack file without a region.
 */
export function policyReportSarif(plan: Plan, result: PolicyResult, source: StackSource): string {
  const level = (l: string) => (l === "mandatory" ? "error" : l === "advisory" ? "warning" : "note");
  const artifactLocation = sourceUri(source.file);
  const positionOf = keyPositions(source.text);
  const regionOf = (key: string | undefined) => {
    const at = key === undefined ? undefined : positionOf(key);
    return at ? { startLine: at.line, startColumn: at.column } : undefined;
  };
  return stableJson({
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        originalUriBaseIds: { [artifactLocation.uriBaseId]: { description: { text: BASE_DESCRIPTIONS[artifactLocation.uriBaseId] } } },
        tool: {
          driver: {
            name: "aisc-policy-pack",
            informationUri: "https://www.pulumi.com/docs/iac/using-pulumi/crossguard/",
            rules: result.policies.map((p) => ({ id: p.name, shortDescription: { text: p.description }, defaultConfiguration: { level: level(p.level) } })),
          },
        },
        results: result.violations.map((v) => {
          const region = regionOf(v.key);
          return {
            ruleId: v.policy,
            level: level(v.level),
            message: { text: v.message },
            locations: [
              {
                physicalLocation: { artifactLocation, ...(region ? { region } : {}) },
                logicalLocations: [{ fullyQualifiedName: v.urn ?? `stack ${plan.stack}`, kind: "resource" }],
              },
            ],
          };
        }),
      },
    ],
  });
}
