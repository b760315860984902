/**
 * What a policy measured, passing or not: one line for a reviewer and the same figures as data,
 * so compliance can archive one report per plan and read why each rule passed. A stack policy
 * states it with {@link measured} as it judges, from the very numbers it judged by; `aisc plan`
 * reads it back after the policy ran. Under `pulumi preview --policy-pack` nothing reads it:
 * the engine's protocol has no place for a pass's evidence, and the policy judges the same.
 */

/** A figure as JSON holds it. */
export type Figure = number | string | boolean | null | readonly Figure[] | { readonly [key: string]: Figure };

export interface Evidence {
  /** One line: what was measured, against which threshold. */
  readonly text: string;
  /** The same as data: numbers as numbers. */
  readonly figures: { readonly [key: string]: Figure };
}

// Keyed by the policy's own arguments object, which the caller makes for each run of a policy:
// nothing is kept once the run's arguments are gone.
const recorded = new WeakMap<object, Evidence>();

/** Records what the policy run with `args` measured. */
export function measured(args: object, evidence: Evidence): void {
  recorded.set(args, evidence);
}

/** What the policy run with `args` recorded, if it did. */
export function evidenceOf(args: object): Evidence | undefined {
  return recorded.get(args);
}

/** `n thing` or `n things`. */
export function count(n: number, thing: string, things = `${thing}s`): string {
  return `${n} ${n === 1 ? thing : things}`;
}

/** A share as a whole or decimal percentage (`10%`, `12.5%`). */
export function percent(share: number): string {
  return `${Math.round(share * 10000) / 100}%`;
}

// What a resource policy judged, by kind, for the one resource it was just run on; the caller
// takes it after each run (the same arguments object serves every resource policy in turn).
const judgedBy = new WeakMap<object, Map<string, number>>();

/** Records that the resource policy run with `args` judged `n` items of `what` (`EKS cluster`, `image`). */
export function judged(args: object, what: string, n = 1): void {
  let kinds = judgedBy.get(args);
  if (!kinds) judgedBy.set(args, (kinds = new Map<string, number>()));
  kinds.set(what, (kinds.get(what) ?? 0) + n);
}

/** Takes, and forgets, what the run with `args` judged. */
export function takeJudged(args: object): ReadonlyMap<string, number> | undefined {
  const kinds = judgedBy.get(args);
  if (kinds) judgedBy.delete(args);
  return kinds;
}
