/**
 * A small validating reader for untyped config: every accessor records a problem with the full
 * key path instead of throwing, so one run reports every mistake in an inventory at once.
 */

/** One problem with the inventory, at a config key path such as `aisc:site.pools[2].nodes`. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * A user's mistake in the stack configuration. Carries every issue found; its message lists
 * them one per line. The CLI and the Pulumi program print it without a stack trace.
 */
export class InventoryError extends Error {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join("\n"));
    this.name = "InventoryError";
  }
}

/** Renders a config value for an error message, short and unambiguous. */
export function show(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
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
  object(path: string, value: unknown, known: readonly string[]): Obj | undefined {
    if (!isObj(value)) return this.fail(path, `expected a mapping, got ${show(value)}`);
    for (const key of Object.keys(value)) {
      if (!known.includes(key)) this.fail(`${path}.${key}`, `unknown key; expected one of ${known.join(", ")}`);
    }
    return value;
  }

  list(path: string, value: unknown, opts: { minItems?: number } = {}): unknown[] | undefined {
    if (!Array.isArray(value)) return this.fail(path, `expected a list, got ${show(value)}`);
    const min = opts.minItems ?? 0;
    if (value.length < min) return this.fail(path, `expected at least ${min} item${min === 1 ? "" : "s"}, got ${value.length}`);
    return value;
  }

  string(path: string, value: unknown, opts: { pattern?: RegExp; what?: string; maxLength?: number } = {}): string | undefined {
    const what = opts.what ?? "a non-empty string";
    if (typeof value !== "string" || value.length === 0) return this.fail(path, `expected ${what}, got ${show(value)}`);
    if (opts.maxLength !== undefined && value.length > opts.maxLength) {
      return this.fail(path, `expected ${what} of at most ${opts.maxLength} characters, got ${value.length}`);
    }
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
    if (ok) return value as number;
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
    if (typeof text === "string" && /^\d{4}-\d{2}-\d{2}$/.test(text)) {
      const parsed = new Date(`${text}T00:00:00Z`);
      if (!Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === text) return text;
    }
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

/** DNS-1123 label: what Kubernetes accepts as a namespace name and what we use for every key. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS_LABEL_WHAT = "a DNS label (lower-case letters, digits and '-', starting and ending with a letter or digit)";
