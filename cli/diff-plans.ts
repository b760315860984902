import { DEFAULT_RESERVE } from "../inventory/capacity";
import { STATEFUL_TYPES } from "../policies/security";
import { SiteChange, siteChange, siteMarkdown } from "./diff-site";
import { SubsidyChange, subsidyChanges, subsidyMarkdown } from "./diff-subsidy";
import { changedValues, ValueChange, valuesMarkdown } from "./diff-values";
import { Plan, PlannedResource, REDACTED } from "./record";

/**
 * What changes between two plans, resource by resource: added, removed, and changed with the
 * property paths that changed and their values before and after (a secret's never: see
 * ./diff-values), and which of those lose data: deleting or replacing a protected or stateful
 * resource; above them, what the change does to the site (./diff-site) and the subsidy ledger.
 */

export interface ResourceChange {
  readonly kind: "add" | "remove" | "change";
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent?: string;
  /** Changed property paths (`inputs.spec.replicas`, `options.protect`), for changes. */
  readonly paths?: readonly string[];
  /** The same paths with their values before and after, secrets redacted, for changes. */
  readonly values?: readonly ValueChange[];
  /** Why this change can lose data, when it can. */
  readonly danger?: string;
}

export interface PlanDiff {
  readonly stack: string;
  readonly changes: readonly ResourceChange[];
  /** What the change does to the subsidy ledger, per scheme it moves (./diff-subsidy). */
  readonly subsidy: readonly SubsidyChange[];
  /** What the change does to the site's capacity and power, when either plan reports them. */
  readonly site?: SiteChange;
  /** Secret config values set, unset or set again, by key: never a value (Plan.secretConfig). */
  readonly secrets: readonly SecretChange[];
}

export interface SecretChange {
  readonly key: string;
  readonly change: "added" | "removed" | "changed";
}

/** The secret config keys whose fingerprint differs between the plans. */
export function secretChanges(base: Plan, head: Plan): SecretChange[] {
  const [before, after] = [base.secretConfig ?? {}, head.secretConfig ?? {}];
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].sort().flatMap((key): SecretChange[] => {
    if (before[key] === after[key]) return [];
    return [{ key, change: before[key] === undefined ? "added" : after[key] === undefined ? "removed" : "changed" }];
  });
}

/** Properties whose change makes the provider replace the resource, by type. */
export const REPLACING_PATHS: Readonly<Record<string, readonly string[]>> = {
  "aws:eks/cluster:Cluster": ["inputs.name", "inputs.roleArn", "inputs.vpcConfig.subnetIds", "inputs.kubernetesNetworkConfig"],
  "aws:kms/key:Key": ["inputs.keyUsage", "inputs.customerMasterKeySpec"],
  "aws:cloudwatch/logGroup:LogGroup": ["inputs.name"],
  "kubernetes:core/v1:PersistentVolumeClaim": ["inputs.spec.storageClassName", "inputs.spec.accessModes", "inputs.spec.selector"],
  "kubernetes:apps/v1:StatefulSet": ["inputs.spec.selector", "inputs.spec.serviceName", "inputs.spec.volumeClaimTemplates"],
};

/** Paths at which two JSON values differ, deepest first reached; arrays by index. */
export function changedPaths(a: unknown, b: unknown, path = ""): string[] {
  return changedValues(a, b, path).map((v) => v.path);
}

function holdsData(r: PlannedResource): boolean {
  return r.options.protect || STATEFUL_TYPES.includes(r.type);
}

/** Compares two plans of a stack; `reserve` is the share the site keeps out of quotas, for its headroom. */
export function diffPlans(base: Plan, head: Plan, reserve = DEFAULT_RESERVE): PlanDiff {
  const before = new Map(base.resources.map((r) => [r.urn, r]));
  const after = new Map(head.resources.map((r) => [r.urn, r]));
  const changes: ResourceChange[] = [];
  const common = (r: PlannedResource) => ({ urn: r.urn, type: r.type, name: r.name, ...(r.parent ? { parent: r.parent } : {}) });
  for (const [urn, r] of after) if (!before.has(urn)) changes.push({ kind: "add", ...common(r) });
  for (const [urn, r] of before) {
    const next = after.get(urn);
    if (!next) {
      const danger = r.options.protect ? "deletes a protected resource" : holdsData(r) ? "deletes a stateful resource and its data" : undefined;
      changes.push({ kind: "remove", ...common(r), ...(danger ? { danger } : {}) });
      continue;
    }
    const values = [
      ...changedValues(r.inputs, next.inputs, "inputs"),
      ...changedValues({ ...r.options, dependencies: undefined }, { ...next.options, dependencies: undefined }, "options"),
    ];
    const paths = values.map((v) => v.path);
    if (paths.length === 0) continue;
    const replacing = [...(REPLACING_PATHS[r.type] ?? []), ...r.options.replaceOnChanges.map((p) => `inputs.${p}`)];
    const replaced = paths.filter((p) => replacing.some((q) => p === q || p.startsWith(`${q}.`) || p.startsWith(`${q}[`)));
    const unprotected = r.options.protect && !next.options.protect;
    const danger =
      replaced.length && holdsData(r)
        ? `replaces a ${r.options.protect ? "protected" : "stateful"} resource (${replaced.join(", ")})`
        : unprotected
          ? "removes protection from a resource"
          : undefined;
    changes.push({ kind: "change", ...common(r), paths, values, ...(danger ? { danger } : {}) });
  }
  changes.sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
  const site = siteChange(base, head, reserve);
  return { stack: head.stack, changes, subsidy: subsidyChanges(base, head), ...(site ? { site } : {}), secrets: secretChanges(base, head) };
}

const SIGN = { add: "+", remove: "-", change: "~" } as const;

function label(urn: string): string {
  const parts = urn.split("::");
  return `${parts[2].split("$").pop()} ${parts[3]}`;
}

/**
 * Markdown for a pull-request comment: counts, the site and subsidy effects, dangers, then
 * changes under their component with their values (capped per resource, so it stays short).
 */
export function diffMarkdown(diff: PlanDiff): string {
  const count = (k: ResourceChange["kind"]) => diff.changes.filter((c) => c.kind === k).length;
  const dangerous = diff.changes.filter((c) => c.danger);
  const lines = [
    `## aisc diff: ${diff.stack}`,
    "",
    `+${count("add")} added, -${count("remove")} removed, ~${count("change")} changed${dangerous.length ? `; **${dangerous.length} dangerous**` : ""}`,
    "",
  ];
  if (diff.changes.length === 0 && diff.secrets.length === 0) return `${[...lines.slice(0, 2), "No changes.", ""].join("\n")}`;
  lines.push(...siteMarkdown(diff.site), ...subsidyMarkdown(diff.subsidy));
  if (diff.secrets.length) {
    lines.push("### Secret config", "");
    for (const s of diff.secrets) lines.push(`- \`${s.key}\`: ${REDACTED} (${s.change})`);
    lines.push("");
  }
  if (dangerous.length) {
    lines.push("### Dangerous", "");
    for (const c of dangerous) lines.push(`- **${SIGN[c.kind]} ${c.type} ${c.name}**: ${c.danger}`);
    lines.push("");
  }
  const groups = new Map<string, ResourceChange[]>();
  for (const c of diff.changes) groups.set(c.parent ?? "", [...(groups.get(c.parent ?? "") ?? []), c]);
  for (const [parent, items] of [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    lines.push(`### ${parent ? label(parent) : "(stack)"}`, "", "```diff");
    for (const c of items) {
      lines.push(`${SIGN[c.kind]} ${c.type} ${c.name}`);
      lines.push(...valuesMarkdown(c.values ?? []));
    }
    lines.push("```", "");
  }
  return lines.join("\n");
}
