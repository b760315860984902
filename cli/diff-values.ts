import { REDACTED } from "./record";

/**
 * The values behind a diff's changed paths, shown as `pulumi preview --diff` shows them: old →
 * new per changed leaf, short enough for a pull-request comment. A plan holds every secret as
 * {@link REDACTED} already (./record), so no plaintext can reach here; what this file guards is
 * the rest of a value that touches a secret: a path with a secret on either side shows neither
 * side, nor any length, so a secret turned plaintext (or back) is not revealed by its diff.
 */

/** One changed leaf; a side the path is absent from has no `before` (added) or `after` (removed). */
export interface ValueChange {
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

/** Paths shown per resource before the rest are counted: a one-tenant change fits a PR comment. */
export const MAX_PATHS = 8;
/** Longest string or inline object shown whole; longer strings are cut, longer objects counted. */
const MAX_VALUE = 60;
/** Changed lines of a text shown per side (removed, added) before the rest are counted. */
const MAX_TEXT_LINES = 2;
/** Longest line of a text shown, as a window around where it changed. */
const MAX_LINE = 100;
/** Strings shown without quotes: a number, a word, a quantity, a path; quoted when anything else. */
const PLAIN = /^[\w./:@+=,-]+$/;

const nested = (v: unknown): v is object => v !== null && typeof v === "object";

/** Whether any part of a plan value is a redacted secret. */
export function touchesSecret(v: unknown): boolean {
  if (v === REDACTED) return true;
  return nested(v) && Object.values(v).some(touchesSecret);
}

/** A changed leaf, with both sides redacted when either touches a secret. */
function leaf(path: string, before: unknown, after: unknown): ValueChange {
  const secret = touchesSecret(before) || touchesSecret(after);
  const side = (v: unknown) => (secret ? REDACTED : v);
  return { path, ...(before !== undefined ? { before: side(before) } : {}), ...(after !== undefined ? { after: side(after) } : {}) };
}

/**
 * Leaves at which two JSON values differ, in key order; arrays by index, except an array whose
 * length changed, which is one leaf (its items have no stable identity to pair them by).
 */
export function changedValues(a: unknown, b: unknown, path = ""): ValueChange[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (!nested(a) || !nested(b) || Array.isArray(a) !== Array.isArray(b)) return [leaf(path || "(root)", a, b)];
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return [leaf(path || "(root)", a, b)];
    return a.flatMap((v, i) => changedValues(v, b[i], `${path}[${i}]`));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(ao), ...Object.keys(bo)])].sort();
  return keys.flatMap((k) => changedValues(ao[k], bo[k], path ? `${path}.${k}` : k));
}

/**
 * A string as shown: plain when unambiguous (so `400 → 800` reads as it would in YAML), else
 * JSON-quoted (always, with `quoted`); past {@link MAX_VALUE}, a window of it from `from`, cut
 * with `…` either side and its length.
 */
function showString(s: string, quoted = false, from = 0): string {
  const start = s.length > MAX_VALUE ? Math.max(0, Math.min(from, s.length - MAX_VALUE)) : 0;
  const cut = s.length > MAX_VALUE ? `${start > 0 ? "…" : ""}${s.slice(start, start + MAX_VALUE)}${start + MAX_VALUE < s.length ? "…" : ""}` : s;
  const plain = !quoted && PLAIN.test(s) && !["true", "false", "null"].includes(s);
  return `${plain ? cut : JSON.stringify(cut)}${cut === s ? "" : ` (${s.length} chars)`}`;
}

/** One side of a change as shown: `(none)` when absent; an object or list inline when short, else counted. */
export function showValue(v: unknown): string {
  if (v === undefined) return "(none)";
  if (typeof v === "string") return showString(v);
  if (!nested(v)) return JSON.stringify(v);
  const inline = JSON.stringify(v);
  if (inline.length <= MAX_VALUE) return inline;
  return Array.isArray(v) ? `[…${v.length} items]` : `{…${Object.keys(v).length} keys}`;
}

/** `line` cut to {@link MAX_LINE} characters around index `at`, where it differs from its pair. */
function excerpt(line: string, at: number): string {
  if (line.length <= MAX_LINE) return line;
  const start = Math.max(0, Math.min(at - 30, line.length - MAX_LINE));
  return `${start > 0 ? "…" : ""}${line.slice(start, start + MAX_LINE)}${start + MAX_LINE < line.length ? "…" : ""}`;
}

/** Where two lines first differ. */
function firstDifference(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/**
 * The changed lines of a text (a config file in a ConfigMap), as `-`/`+` lines: the lines
 * between the common head and tail, at most {@link MAX_TEXT_LINES} a side, each a window
 * around where it changed, so a number in a long line stays visible instead of being cut away.
 */
export function textDiff(before: string, after: string, indent: string): string[] {
  const a = before.split("\n");
  const b = after.split("\n");
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const removed = a.slice(head, a.length - tail);
  const added = b.slice(head, b.length - tail);
  const at = (i: number) => (i < removed.length && i < added.length ? firstDifference(removed[i], added[i]) : 0);
  const lines = [
    ...removed.slice(0, MAX_TEXT_LINES).map((l, i) => `-${indent}${excerpt(l, at(i))}`),
    ...added.slice(0, MAX_TEXT_LINES).map((l, i) => `+${indent}${excerpt(l, at(i))}`),
  ];
  const more = Math.max(0, removed.length - MAX_TEXT_LINES) + Math.max(0, added.length - MAX_TEXT_LINES);
  return more ? [...lines, `~${indent}… and ${more} more changed lines`] : lines;
}

/** The diff lines of one changed leaf: a secret as changed only, a text by its lines, else old → new. */
export function valueLines(v: ValueChange, indent = "     "): string[] {
  if (touchesSecret(v.before) || touchesSecret(v.after)) return [`~${indent}${v.path}: ${REDACTED} (changed)`];
  if (typeof v.before === "string" && typeof v.after === "string" && (v.before.includes("\n") || v.after.includes("\n"))) {
    return [`~${indent}${v.path}:`, ...textDiff(v.before, v.after, `${indent}  `)];
  }
  if (typeof v.before === "string" && typeof v.after === "string" && (v.before.length > MAX_VALUE || v.after.length > MAX_VALUE)) {
    // A long line (JSON in a ConfigMap) is shown from a little before where the two differ, so the change is in view.
    const from = Math.max(0, firstDifference(v.before, v.after) - 20);
    return [`~${indent}${v.path}: ${showString(v.before, false, from)} → ${showString(v.after, false, from)}`];
  }
  // A string that became a number (or the reverse) is quoted, so "400" → 400 does not read as no change.
  const retyped = v.before !== undefined && v.after !== undefined && typeof v.before !== typeof v.after;
  const side = (x: unknown) => (retyped && typeof x === "string" ? showString(x, true) : showValue(x));
  return [`~${indent}${v.path}: ${side(v.before)} → ${side(v.after)}`];
}

/** A resource's changed leaves as diff lines, the first {@link MAX_PATHS} shown and the rest counted. */
export function valuesMarkdown(values: readonly ValueChange[]): string[] {
  const shown = values.slice(0, MAX_PATHS).flatMap((v) => valueLines(v));
  return values.length > MAX_PATHS ? [...shown, `~     … and ${values.length - MAX_PATHS} more`] : shown;
}
