import { isDate } from "./dates";
import { LIMITS } from "./limits";

/**
 * A small validating reader for untyped config: every accessor records a problem with the full
 * key path instead of throwing, so one run reports every mistake in an inventory at once.
 */

/** One problem with the inventory, at a config key path such as `aisc:site.pools[2].nodes`. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** The most issues an error message lists; the rest are counted, so a huge bad inventory still gets a short answer. */
export const MAX_LISTED_ISSUES = 50;

/**
 * A user's mistake in the stack configuration. Carries every issue found; its message lists
 * them one per line (the first {@link MAX_LISTED_ISSUES}, then how many more). The CLI and the
 * Pulumi program print it without a stack trace.
 */
export class InventoryError extends Error {
  constructor(readonly issues: readonly ConfigIssue[]) {
    const listed = issues.slice(0, MAX_LISTED_ISSUES).map((i) => `${i.path}: ${i.message}`);
    const more = issues.length - listed.length;
    super([...listed, ...(more > 0 ? [`... and ${more} more problem${more === 1 ? "" : "s"}`] : [])].join("\n"));
    this.name = "InventoryError";
  }
}

/**
 * Renders a config value for an error message, short and unambiguous, in time bounded by the
 * message's length: a 50 MB string or a list of a million items is never serialised whole.
 */
export function show(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = preview(value, 61);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** JSON text of `value`, cut off once it is longer than `budget` characters. */
function preview(value: unknown, budget: number): string {
  if (typeof value === "string") return JSON.stringify(value.length > budget ? value.slice(0, budget) : value);
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? String(value);
  const array = Array.isArray(value);
  const entries = array ? (value as unknown[]).entries() : Object.entries(value)[Symbol.iterator]();
  let out = array ? "[" : "{";
  for (const [k, v] of entries) {
    if (out.length > budget) break;
    out += `${out.length > 1 ? "," : ""}${array ? "" : `${JSON.stringify(k)}:`}${preview(v, budget - out.length)}`;
  }
  return out + (array ? "]" : "}");
}

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The collector threaded through one parse; paths are built by the caller. */
export class Reader {
  readonly issues: ConfigIssue[] = [];

  fail(path: string, message: string): undefined {
    this.issues.push({ path, message });
    return undefined;
  }

  /** An object whose keys must all be among `known`; unknown keys are reported (typos). */
  object(path: string, value: unknown, keys: readonly string[] | KeySet): Obj | undefined {
    const known = Array.isArray(keys) ? (keys as readonly string[]) : Object.keys(keys);
    if (!isObj(value)) return this.fail(path, `expected a mapping${Array.isArray(keys) ? "" : ` ${fieldsText(keys as KeySet)}`}, got ${show(value)}`);
    for (const key of Object.keys(value)) {
      if (!known.includes(key)) this.fail(`${path}.${key}`, `unknown key; expected one of ${known.join(", ")}`);
    }
    return value;
  }

  /**
   * A list of at least `minItems` and at most `maxItems` items. A list over its limit is
   * reported by its length alone and its items are not returned, so no caller does per-item
   * (or pairwise) work on an inventory far past what the real systems accept.
   */
  list(path: string, value: unknown, opts: { minItems?: number; maxItems?: number; what?: string } = {}): unknown[] | undefined {
    if (!Array.isArray(value)) return this.fail(path, `expected a list, got ${show(value)}`);
    const min = opts.minItems ?? 0;
    if (value.length < min) return this.fail(path, `expected at least ${min} item${min === 1 ? "" : "s"}, got ${value.length}`);
    if (opts.maxItems !== undefined && value.length > opts.maxItems) {
      return this.fail(path, `expected at most ${opts.maxItems} ${opts.what ?? "items"}, got ${value.length}`);
    }
    return value as unknown[];
  }

  /** A non-empty string of at most `maxLength` characters (default {@link LIMITS.stringLength}). */
  string(path: string, value: unknown, opts: { pattern?: RegExp; what?: string; maxLength?: number } = {}): string | undefined {
    const what = opts.what ?? "a non-empty string";
    if (typeof value !== "string" || value.length === 0) return this.fail(path, `expected ${what}, got ${show(value)}`);
    const max = opts.maxLength ?? LIMITS.stringLength;
    if (value.length > max) return this.fail(path, `expected ${what} of at most ${max} characters, got ${value.length}`);
    if (opts.pattern && !opts.pattern.test(value)) return this.fail(path, `expected ${what}, got ${show(value)}`);
    return value;
  }

  oneOf<T extends string>(path: string, value: unknown, allowed: readonly T[]): T | undefined {
    if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
    return this.fail(path, `expected one of ${allowed.join(", ")}, got ${show(value)}`);
  }

  /** An integer in [min, max]; "positive integer" when min is 1 and max unbounded. */
  integer(path: string, value: unknown, min = 1, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const what =
      max === Number.MAX_SAFE_INTEGER
        ? min === 1
          ? "a positive integer"
          : min === 0
            ? "a non-negative integer"
            : `an integer of at least ${min}`
        : `an integer from ${min} to ${max}`;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
      return this.fail(path, `expected ${what}, got ${show(value)}`);
    }
    return value;
  }

  /** A finite number in (min, max] or [min, max] depending on `exclusiveMin`. */
  number(path: string, value: unknown, min: number, max: number, exclusiveMin = false): number | undefined {
    const ok = typeof value === "number" && Number.isFinite(value) && (exclusiveMin ? value > min : value >= min) && value <= max;
    if (ok) return value;
    const lower = exclusiveMin ? `greater than ${min}` : `at least ${min}`;
    const range = max === Number.MAX_VALUE ? `a number ${lower}` : `a number ${lower} and at most ${max}`;
    return this.fail(path, `expected ${range}, got ${show(value)}`);
  }

  boolean(path: string, value: unknown): boolean | undefined {
    if (typeof value !== "boolean") return this.fail(path, `expected true or false, got ${show(value)}`);
    return value;
  }

  /** A calendar date written YYYY-MM-DD (YAML may hand us a Date for an unquoted date). */
  date(path: string, value: unknown): string | undefined {
    const text = value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString().slice(0, 10) : value;
    if (typeof text === "string" && isDate(text)) return text;
    return this.fail(path, `expected a date written YYYY-MM-DD, got ${show(value)}`);
  }

  /** Reports every value of `key` in `items` that occurs more than once. */
  unique(path: (index: number) => string, items: readonly (string | undefined)[], what: string): void {
    const seen = new Map<string, number>();
    items.forEach((item, index) => {
      if (item === undefined) return;
      const first = seen.get(item);
      if (first !== undefined) this.fail(path(index), `duplicate ${what} ${show(item)}; also at index ${first}`);
      else seen.set(item, index);
    });
  }
}

/** A mapping's keys with whether each is required (inventory/input.ts's sections). */
export type KeySet = { readonly [key: string]: { readonly required: boolean } };

/**
 * What a mapping must hold, for the message when it is missing or not a mapping: the fields it
 * needs, then the optional ones, so a first inventory can be written from the error alone.
 */
export function fieldsText(keys: KeySet): string {
  const required = Object.keys(keys).filter((k) => keys[k].required);
  const optional = Object.keys(keys).filter((k) => !keys[k].required);
  if (required.length === 0) return `of ${optional.join(", ")} (all optional)`;
  return `with ${required.join(", ")}${optional.length ? `; optional ${optional.join(", ")}` : ""}`;
}

/** DNS-1123 label: what Kubernetes accepts as a namespace name and what we use for every key. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS_LABEL_WHAT = "a DNS label (lower-case letters, digits and '-', starting and ending with a letter or digit)";
