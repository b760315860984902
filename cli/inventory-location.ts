import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { FACTS_LABEL } from "../charts/site-facts";
import { SITE_CONFIG_KEY } from "../inventory/parse";
import { NODE_LABELS } from "../inventory/platform";
import { isObj } from "../inventory/reader";
import { TENANT_LABEL } from "../inventory/tenancy";
import { INVENTORY_KEYS } from "../policies/inventory-keys";
import { PROJECT, PROJECT_ROOT } from "./paths";
import type { PolicyResult, Violation } from "./policy-eval";
import type { Plan, PlannedResource } from "./record";

/**
 * Where a policy finding comes from in the stack file: the inventory key (`aisc:site.tenants[3].gpus`,
 * in the inventory errors' notation), its line and column, and the file by a path relative to
 * the repository, so GitHub code scanning annotates the line a pull request changed and no
 * runner's directory layout leaks into a report.
 */

type Segment = string | number;

/** The tenant or pool entry a resource was made for: by its tenant label or namespace, its pool label or node selector, or its facts ConfigMap. */
function entryOf(r: PlannedResource, site: Record<string, unknown>): Segment[] | undefined {
  const meta = (isObj(r.inputs.metadata) ? r.inputs.metadata : {}) as { name?: unknown; namespace?: unknown; labels?: Record<string, unknown> };
  const labels = isObj(meta.labels) ? meta.labels : {};
  const find = (list: string, name: unknown): Segment[] | undefined => {
    const entries = Array.isArray(site[list]) ? (site[list] as unknown[]) : [];
    const i = typeof name === "string" ? entries.findIndex((e) => isObj(e) && e.name === name) : -1;
    return i >= 0 ? [list, i] : undefined;
  };
  // A tenant's objects carry its label wherever they live (its Slurm account is in slurm's namespace); else its namespace says.
  const tenant = labels[TENANT_LABEL] ?? meta.namespace;
  const template = (r.inputs.spec as { template?: { spec?: { nodeSelector?: Record<string, unknown> } } } | undefined)?.template;
  const facts = labels[FACTS_LABEL] === "pool" && typeof meta.name === "string" ? meta.name.replace(/^aisc-pool-/, "") : undefined;
  return find("tenants", tenant) ?? find("pools", labels[NODE_LABELS.pool] ?? template?.spec?.nodeSelector?.[NODE_LABELS.pool] ?? facts);
}

/** The longest prefix of `segments` that exists in `value`. */
function existing(value: unknown, segments: readonly Segment[]): Segment[] {
  const out: Segment[] = [];
  let at = value;
  for (const s of segments) {
    if (typeof s === "number" ? !Array.isArray(at) || s >= at.length : !isObj(at) || !Object.hasOwn(at, s)) break;
    out.push(s);
    at = (at as Record<string, unknown>)[s as string];
  }
  return out;
}

/** `aisc:site.tenants[3].gpus` from its segments. */
function keyText(segments: readonly Segment[]): string {
  return segments.reduce<string>((text, s) => (typeof s === "number" ? `${text}[${s}]` : `${text}.${s}`), SITE_CONFIG_KEY);
}

/** The segments of a key `keyText` wrote. */
function segmentsOf(key: string): Segment[] {
  return [...key.slice(SITE_CONFIG_KEY.length).matchAll(/\.([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] === undefined ? m[1] : Number(m[2])));
}

/**
 * The inventory key of each finding, where one exists: the policy's key (policies/inventory-keys)
 * under the tenant or pool entry of the finding's resource, else under `aisc:site`; cut back to
 * what the stack file holds (an unset key defaults, so the finding points at its parent).
 */
export function withInventoryKeys(result: PolicyResult, plan: Plan, site: unknown): PolicyResult {
  if (!isObj(site) || result.violations.length === 0) return result;
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  const keyOf = (v: Violation): string | undefined => {
    const resource = v.urn === undefined ? undefined : byUrn.get(v.urn);
    const entry = resource ? entryOf(resource, site) : undefined;
    const field = INVENTORY_KEYS[v.policy]?.split(".") ?? [];
    if (!entry && field.length === 0) return undefined;
    const found = existing(site, [...(entry ?? []), ...field]);
    return found.length ? keyText(found) : undefined;
  };
  return {
    ...result,
    violations: result.violations.map((v) => {
      const key = keyOf(v);
      return key ? { ...v, key } : v;
    }),
  };
}

/**
 * Where each inventory key is in a stack file's text: line and column (1-based) of the key's
 * name, or of its list item; undefined when the file does not hold it. The text is parsed once,
 * on the first question, since most plans have no finding to place.
 */
export function keyPositions(text: string): (key: string) => { line: number; column: number } | undefined {
  let parsed: { doc: YAML.Document; lines: YAML.LineCounter } | undefined;
  return (key) => {
    if (!parsed) {
      const lines = new YAML.LineCounter();
      parsed = { doc: YAML.parseDocument(text, { lineCounter: lines, uniqueKeys: false }), lines };
    }
    const { doc } = parsed;
    let node: unknown = doc.contents;
    let offset: number | undefined;
    for (const [depth, s] of ["config", SITE_CONFIG_KEY, ...segmentsOf(key)].entries()) {
      // An alias is followed to its anchor: the line to change is the anchor's.
      if (YAML.isAlias(node)) node = node.resolve(doc);
      if (YAML.isMap(node)) {
        // The site may be written `site:` (the project's namespace implied), as Pulumi reads it.
        const names = depth === 1 ? [s, String(s).slice(PROJECT.length + 1)] : [s];
        const pair = node.items.find((p) => YAML.isScalar(p.key) && names.includes(p.key.value as string));
        if (!pair || !YAML.isScalar(pair.key) || !pair.key.range) return undefined;
        offset = pair.key.range[0];
        node = pair.value;
      } else if (YAML.isSeq(node) && typeof s === "number" && YAML.isNode(node.items[s]) && (node.items[s] as YAML.Node).range) {
        node = node.items[s];
        offset = (node as YAML.Node).range![0];
      } else return undefined;
    }
    if (offset === undefined) return undefined;
    const { line, col } = parsed.lines.linePos(offset);
    return { line, column: col };
  };
}

/** The base a stack file's SARIF path is relative to: the repository root. */
export const SOURCE_ROOT = "%SRCROOT%";
/** The base of a stack file outside any repository: its own folder. */
export const STACK_FOLDER = "STACKFILEDIR";

/** What each base means, for the SARIF run's `originalUriBaseIds` (no absolute path is given). */
export const BASE_DESCRIPTIONS = {
  [SOURCE_ROOT]: "The root of the repository holding the stack file.",
  [STACK_FOLDER]: "The folder holding the stack file, which is in no repository.",
} as const;

/**
 * A stack file as SARIF names it: relative to the repository holding it (the nearest folder up
 * with a `.git`, else aisc's own project folder when the file is inside it), with `uriBaseId`
 * {@link SOURCE_ROOT}; a file outside both by its name alone, relative to its own folder, so
 * no absolute path is ever written.
 */
export function sourceUri(file: string): { uri: string; uriBaseId: typeof SOURCE_ROOT | typeof STACK_FOLDER } {
  const abs = path.resolve(file);
  let root: string | undefined;
  for (let dir = path.dirname(abs); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, ".git"))) {
      root = dir;
      break;
    }
    if (path.dirname(dir) === dir) break;
  }
  root ??= abs.startsWith(`${PROJECT_ROOT}${path.sep}`) ? PROJECT_ROOT : undefined;
  if (root === undefined) return { uri: path.basename(abs), uriBaseId: STACK_FOLDER };
  return { uri: path.relative(root, abs).split(path.sep).join("/"), uriBaseId: SOURCE_ROOT };
}
