import { STATEFUL_TYPES } from "../policies/security";
import { SubsidyChange, subsidyChanges, subsidyMarkdown } from "./diff-subsidy";
import { Plan, PlannedResource } from "./record";

/**
 * What changes between two plans, resource by resource: added, removed, and changed with the
 * property paths that changed (values are never shown, so a secret cannot leak through a diff),
 * and which of those lose data: deleting or replacing a protected or stateful resource.
 */

export interface ResourceChange {
  readonly kind: "add" | "remove" | "change";
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent?: string;
  /** Changed property paths (`inputs.spec.replicas`, `options.protect`), for changes. */
  readonly paths?: readonly string[];
  /** Why this change can lose data, when it can. */
  readonly danger?: string;
}

export interface PlanDiff {
  readonly stack: string;
  readonly changes: readonly ResourceChange[];
  /** What the change does to the subsidy ledger, per scheme it moves (./diff-subsidy). */
  readonly subsidy: readonly SubsidyChange[];
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
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const isObj = (v: unknown) => v !== null && typeof v === "object";
  if (!isObj(a) || !isObj(b) || Array.isArray(a) !== Array.isArray(b)) return [path || "(root)"];
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return [path];
    return a.flatMap((v, i) => changedPaths(v, b[i], `${path}[${i}]`));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(ao), ...Object.keys(bo)])].sort();
  return keys.flatMap((k) => changedPaths(ao[k], bo[k], path ? `${path}.${k}` : k));
}

function holdsData(r: PlannedResource): boolean {
  return r.options.protect || STATEFUL_TYPES.includes(r.type);
}

export function diffPlans(base: Plan, head: Plan): PlanDiff {
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
    const paths = [
      ...changedPaths(r.inputs, next.inputs, "inputs"),
      ...changedPaths({ ...r.options, dependencies: undefined }, { ...next.options, dependencies: undefined }, "options"),
    ];
    if (paths.length === 0) continue;
    const replacing = [...(REPLACING_PATHS[r.type] ?? []), ...r.options.replaceOnChanges.map((p) => `inputs.${p}`)];
    const replaced = paths.filter((p) => replacing.some((q) => p === q || p.startsWith(`${q}.`) || p.startsWith(`${q}[`)));
    const unprotected = r.options.protect && !next.options.protect;
    const danger = replaced.length && holdsData(r) ? `replaces a ${r.options.protect ? "protected" : "stateful"} resource (${replaced.join(", ")})` : unprotected ? "removes protection from a resource" : undefined;
    changes.push({ kind: "change", ...common(r), paths, ...(danger ? { danger } : {}) });
  }
  changes.sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
  return { stack: head.stack, changes, subsidy: subsidyChanges(base, head) };
}

const SIGN = { add: "+", remove: "-", change: "~" } as const;

function label(urn: string): string {
  const parts = urn.split("::");
  return `${parts[2].split("$").pop()} ${parts[3]}`;
}

/** Markdown for a pull-request comment: counts, dangers first, then changes under their component. */
export function diffMarkdown(diff: PlanDiff): string {
  const count = (k: ResourceChange["kind"]) => diff.changes.filter((c) => c.kind === k).length;
  const dangerous = diff.changes.filter((c) => c.danger);
  const lines = [`## aisc diff: ${diff.stack}`, "", `+${count("add")} added, -${count("remove")} removed, ~${count("change")} changed${dangerous.length ? `; **${dangerous.length} dangerous**` : ""}`, ""];
  if (diff.changes.length === 0) return `${[...lines.slice(0, 2), "No changes.", ""].join("\n")}`;
  lines.push(...subsidyMarkdown(diff.subsidy));
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
      for (const p of c.paths ?? []) lines.push(`~     ${p}`);
    }
    lines.push("```", "");
  }
  return lines.join("\n");
}
