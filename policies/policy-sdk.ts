import * as policySdk from "@pulumi/policy";
import type { Resource, Unwrap } from "@pulumi/pulumi";

/**
 * The two members of `@pulumi/policy` (1.21.0) the pack uses that its typings hide: the error a
 * policy meets when it reads a value a preview cannot know, and the proxy that raises it. Both
 * are exported at run time (`index.js` re-exports them from `proxy.js`) but marked `@internal`,
 * so the shipped `proxy.d.ts` is `export {}` and TypeScript sees them as unresolved (`any`).
 * Typed here once, from `proxy.js`, rather than trusted as `any` in every policy;
 * `policySdkProblems` names either one an upgrade moves (test/cli/sdk-internals.test.ts).
 */

/** Thrown by a property read that meets an unknown value: `props` is the path read, from the resource's root. */
export interface UnknownValueError extends Error {
  readonly unknownTypeSentinel: unknown;
  readonly props: string[];
}

interface UnknownValueErrorClass {
  new (unknownTypeSentinel: unknown, props: string[]): UnknownValueError;
  readonly prototype: UnknownValueError;
}

const hidden = policySdk as unknown as { UnknownValueError?: unknown; unknownCheckingProxy?: unknown };

/** The SDK's own class: the engine tells an undecided policy from a failing one by `instanceof`. */
export const UnknownValueError = hidden.UnknownValueError as UnknownValueErrorClass;

/** Wraps resource properties so that reading an unknown value throws {@link UnknownValueError}, as the engine's policy host does. */
export const unknownCheckingProxy = hidden.unknownCheckingProxy as <T>(props: T) => T;

/** The Pulumi type token an SDK class carries (`static __pulumiType`, hidden from its typings); undefined for anything else. */
export function typeTokenOf(marked: unknown): string | undefined {
  const type = (marked as { __pulumiType?: unknown } | undefined)?.__pulumiType;
  return typeof type === "string" && type.length > 0 ? type : undefined;
}

/**
 * Whether a resource of `type` is of `cls`, as the engine's policy host answers `isType`
 * (@pulumi/policy server.js isTypeOf): by the class's type token, else by its `isInstance`
 * asked about an object of that type.
 */
export function isOfType(type: string, cls: unknown): boolean {
  const token = typeTokenOf(cls);
  if (token !== undefined) return type === token;
  const isInstance = (cls as { isInstance?: unknown } | undefined)?.isInstance;
  return typeof isInstance === "function" && (isInstance as (o: unknown) => unknown).call(cls, { __pulumiType: type }) === true;
}

/** An SDK resource class, as the policy SDK's typed helpers take it: its arguments' type is what a policy reads. */
export type ResourceClass<TResource extends Resource, TArgs> = new (name: string, args: TArgs, ...rest: never[]) => TResource;

/**
 * A resource's properties typed by its SDK class's arguments, as `validateResourceOfType` types
 * them for resource policies (`Unwrap<Args>`: every field optional, as a plan may leave it out);
 * undefined when the resource is of another type. Stack policies read one kind of resource
 * through this rather than casting `props`, so a misspelt field is a compile error.
 */
export function argsOf<TResource extends Resource, TArgs>(
  r: { readonly type: string; readonly props: unknown },
  cls: ResourceClass<TResource, TArgs>,
): Unwrap<NonNullable<TArgs>> | undefined {
  return r.type === typeTokenOf(cls) ? (r.props as Unwrap<NonNullable<TArgs>>) : undefined;
}

/**
 * The one resource type a validation applies to, when the SDK's typed helpers built it
 * (`validateResourceOfType` marks the function with the class's `__pulumiType`, and the engine's
 * policy host skips other types without calling it); undefined for any other validation.
 */
export function appliesOnlyTo(validation: unknown): string | undefined {
  return typeTokenOf(validation);
}

/** The hidden members this module expects and cannot find, by name; empty when the pinned SDK has both. */
export function policySdkProblems(): string[] {
  const problems: string[] = [];
  if (typeof hidden.UnknownValueError !== "function" || !(hidden.UnknownValueError.prototype instanceof Error))
    problems.push("@pulumi/policy UnknownValueError: expected an Error class");
  if (typeof hidden.unknownCheckingProxy !== "function") problems.push("@pulumi/policy unknownCheckingProxy: expected a function");
  // The helper reads only the class's static marker, which a plain object can carry.
  const marked = policySdk.validateResourceOfType({ __pulumiType: "aisc:probe:Probe" } as never, () => undefined);
  if (appliesOnlyTo(marked) !== "aisc:probe:Probe")
    problems.push("@pulumi/policy validateResourceOfType: expected the validation marked with its class's __pulumiType");
  return problems;
}
