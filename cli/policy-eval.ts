import { EnforcementLevel, Policies, PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { appliesOnlyTo, isOfType, unknownCheckingProxy, UnknownValueError } from "../policies/policy-sdk";
import { WIRE } from "./sdk-internals";
import { PACK_NAME, PACK_VERSION, POLICIES } from "../policies/pack";
import { count, Evidence, evidenceOf, takeJudged } from "../policies/evidence";
import { Plan, PlannedResource, UNKNOWN } from "./record";

/**
 * Runs the policy pack's own policy objects over a plan, as the Pulumi engine runs them over a
 * preview: each resource policy once per resource, each stack policy once over all of them,
 * with the policy's config (defaults from its schema, overrides by name) and its enforcement
 * level. The policies do not know which of the two is calling.
 */

export interface Violation {
  readonly policy: string;
  readonly level: EnforcementLevel;
  readonly message: string;
  readonly urn?: string;
  /** The inventory key the finding comes from (`aisc:site.tenants[3].gpus`), where one exists (./inventory-location). */
  readonly key?: string;
}

export interface PolicyOutcome {
  readonly name: string;
  readonly description: string;
  readonly level: EnforcementLevel;
  readonly violations: number;
  /** What it measured (policies/evidence.ts), or what it judged when it records nothing finer. */
  readonly evidence: Evidence;
  /** The settings it ran with: its schema's defaults and the policy config's overrides (thresholds). */
  readonly settings: Readonly<Record<string, unknown>>;
}

export interface PolicyResult {
  readonly policies: readonly PolicyOutcome[];
  readonly violations: readonly Violation[];
}

/** Per-policy config: `{ "<policy>": { "enforcementLevel": "advisory", "<key>": value } }`. */
export type PolicyConfig = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

class NotApplicable extends Error {}

function defaultsOf(policy: ResourceValidationPolicy | StackValidationPolicy): Record<string, unknown> {
  const props = policy.configSchema?.properties ?? {};
  return Object.fromEntries(
    Object.entries(props)
      .filter(([, s]) => (s as { default?: unknown }).default !== undefined)
      .map(([k, s]) => [k, (s as { default?: unknown }).default]),
  );
}

// Shared by every policy resource (the plan's records are never modified): a large plan has
// tens of thousands of resources, and a copy of each per resource was most of building them.
const NO_ALIASES: readonly never[] = Object.freeze([]);
const NO_TIMEOUTS = Object.freeze({ createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 });
const NO_PROPERTY_DEPENDENCIES = Object.freeze({});

/**
 * A resource's inputs as the engine hands them to a policy: values the preview cannot know (the
 * plan's {@link UNKNOWN}) become the wire's unknown, behind the policy SDK's own proxy that
 * throws when a policy reads one, exactly as under `pulumi preview --policy-pack`. Inputs with no
 * unknown value are passed as they are: the proxy would change nothing but the cost.
 */
export function engineProps(inputs: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const has = (v: unknown): boolean => v === UNKNOWN || (v !== null && typeof v === "object" && Object.values(v).some(has));
  return has(inputs) ? (unknownCheckingProxy(onTheWire(inputs)) as Record<string, unknown>) : inputs;
}

/** A plan value as the engine sends it to a policy pack: the plan's {@link UNKNOWN}s as the wire's unknown. */
export function onTheWire(value: unknown): unknown {
  if (value === UNKNOWN) return WIRE.unknownValue;
  if (Array.isArray(value)) return value.map(onTheWire);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, x]) => [k, onTheWire(x)]));
  return value;
}

/** Policy resources for a plan: inputs as props, options, provider and dependencies resolved. */
export function policyResources(plan: Plan): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  // A provider reference is `<provider urn>::<id>`; the ID never contains `::`. A site has a
  // provider or two and tens of thousands of resources: one object per provider.
  const providers = new Map<string, { type: string; props: Record<string, unknown>; urn: string; name: string } | undefined>();
  const providerOf = (ref: string) => {
    if (!providers.has(ref)) {
      const p = byUrn.get(ref.slice(0, ref.lastIndexOf("::")));
      providers.set(ref, p ? { type: p.type, props: p.props, urn: p.urn, name: p.name } : undefined);
    }
    return providers.get(ref);
  };
  const make = (r: PlannedResource): PolicyResource => {
    let dependencies: PolicyResource[] | undefined;
    const resource = {
      type: r.type,
      props: engineProps(r.inputs),
      urn: r.urn,
      name: r.name,
      // The options the engine's analyzer protocol carries, and no more (no retainOnDelete):
      // a policy must not decide on what `pulumi preview --policy-pack` cannot show it.
      opts: {
        protect: r.options.protect,
        ignoreChanges: r.options.ignoreChanges,
        deleteBeforeReplace: r.options.deleteBeforeReplace,
        aliases: NO_ALIASES,
        customTimeouts: NO_TIMEOUTS,
        additionalSecretOutputs: r.options.additionalSecretOutputs,
        ...(r.parent ? { parent: r.parent } : {}),
      },
      // Provider, dependencies and parent are resolved when a policy asks: few do, and
      // resolving every resource's up front was the largest part of building them.
      get provider() {
        return r.provider === undefined ? undefined : providerOf(r.provider);
      },
      get dependencies(): PolicyResource[] {
        dependencies ??= r.options.dependencies.map((u) => byUrn.get(u)).filter((x): x is PolicyResource => x !== undefined);
        return dependencies;
      },
      get parent(): PolicyResource | undefined {
        return r.parent === undefined ? undefined : byUrn.get(r.parent);
      },
      propertyDependencies: NO_PROPERTY_DEPENDENCIES,
      isType: (cls: unknown) => isOfType(r.type, cls),
      asType: (cls: unknown) => (isOfType(r.type, cls) ? resource.props : undefined),
    };
    return resource as unknown as PolicyResource;
  };
  for (const r of plan.resources) byUrn.set(r.urn, make(r));
  return [...byUrn.values()];
}

/** Evaluates `policies` (the pack's by default) over `plan`. */
export async function evaluatePolicies(plan: Plan, config: PolicyConfig = {}, policies: Policies = POLICIES): Promise<PolicyResult> {
  const resources = policyResources(plan);
  const violations: Violation[] = [];
  const outcomes: PolicyOutcome[] = [];
  const notApplicable = (reason?: string): never => {
    throw new NotApplicable(reason);
  };
  // As the engine does: a policy that reads a value the preview cannot know is reported, for
  // that resource or stack, as an advisory note that it could not run (policies/common Undecided).
  const cannotRun = (err: UnknownValueError, urn?: string) =>
    violations.push({
      policy: current.name,
      level: "advisory",
      message: `can't run policy '${current.name}' from policy pack '${PACK_NAME}@v${PACK_VERSION}' during preview: ${err.message}`,
      ...(urn ? { urn } : {}),
    });
  // The policy being evaluated: policies run one after another, so each resource's arguments
  // and reporter are built once and read the current policy's name, level and config.
  let current = { name: "", level: "advisory" as EnforcementLevel, config: {} as Record<string, unknown> };
  const getConfig = <T extends object>() => current.config as T;
  const stackTags = new Map<string, string>();
  const reporter = (urn?: string) => (message: string, at?: string) => {
    const where = at ?? urn;
    violations.push({ policy: current.name, level: current.level, message, ...(where ? { urn: where } : {}) });
  };
  // Each resource's arguments are the resource itself (as their prototype, so its lazily
  // resolved members stay lazy) plus what the engine adds for resource policies.
  const perResource = resources.map((r) => ({
    args: Object.assign(Object.create(r) as object, { stackTags, getConfig, notApplicable }) as unknown as ResourceValidationArgs,
    report: reporter(r.urn),
  }));
  for (const policy of policies) {
    const { enforcementLevel, ...settings } = config[policy.name] ?? {};
    const level = (enforcementLevel as EnforcementLevel | undefined) ?? policy.enforcementLevel ?? "advisory";
    // As the engine does: a violation of a remediate policy is reported, and blocks, as mandatory.
    current = { name: policy.name, level: level === "remediate" ? "mandatory" : level, config: { ...defaultsOf(policy), ...settings } };
    const before = violations.length;
    let evidence: Evidence = { text: "disabled by the policy config: nothing judged", figures: { disabled: true } };
    if (level !== "disabled") {
      if ("validateStack" in policy && policy.validateStack) {
        const args = { resources, getConfig, stackTags, notApplicable };
        const judged = await applicable(policy.validateStack, args, reporter(), (err) => cannotRun(err));
        evidence =
          evidenceOf(args) ??
          (judged
            ? { text: `judged the stack's ${resources.length} resources`, figures: { resources: resources.length } }
            : { text: "not applicable to this stack", figures: { applicable: false } });
      }
      const validate = "validateResource" in policy ? policy.validateResource : undefined;
      if (validate) {
        const judged = new Map<string, number>();
        // As the engine does: a single validation typed to one resource class (validateResourceOfType)
        // is not applicable to, and not called for, a resource of another type.
        const only = Array.isArray(validate) ? undefined : appliesOnlyTo(validate);
        for (const fn of [validate].flat()) {
          for (const { args, report } of perResource) {
            if (only !== undefined && args.type !== only) continue;
            const pending = applicable(fn, args, report, (err) => cannotRun(err, args.urn));
            if (pending !== true && pending !== false) await pending;
            for (const [what, n] of takeJudged(args) ?? []) judged.set(what, (judged.get(what) ?? 0) + n);
          }
        }
        evidence = resourcesJudged(judged);
      }
    }
    outcomes.push({ name: policy.name, description: policy.description, level, violations: violations.length - before, evidence, settings: current.config });
  }
  return { policies: outcomes, violations };
}

/**
 * Runs one validation, treating `notApplicable()` as a pass. Most validations are synchronous:
 * they are awaited only when they return a promise, which keeps a plan of tens of thousands of
 * resources from queueing a promise per resource and policy.
 */
function applicable<A, R>(
  validate: (args: A, report: R) => void | Promise<void>,
  args: A,
  report: R,
  unknown: (err: UnknownValueError) => void,
): boolean | Promise<boolean> {
  // Judged unless the policy said it does not apply; one that could not read an unknown value did judge (and said so).
  const skip = (err: unknown): boolean => {
    if (err instanceof UnknownValueError) {
      unknown(err);
      return true;
    }
    if (err instanceof NotApplicable) return false;
    throw err;
  };
  try {
    const result = validate(args, report);
    if (result && typeof result.then === "function") return result.then(() => true, skip);
    return true;
  } catch (err) {
    return skip(err);
  }
}

/** A resource policy's evidence: what it said it judged (policies/evidence `judged`), by kind. */
function resourcesJudged(judged: ReadonlyMap<string, number>): Evidence {
  const kinds = [...judged.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  const text = kinds.length === 0 ? "found nothing to judge" : `judged ${kinds.map(([what, n]) => count(n, what)).join(", ")}`;
  return { text, figures: { judged: Object.fromEntries(kinds) } };
}

/** Whether a result blocks: any violation of a mandatory policy. */
export function hasMandatoryViolation(result: PolicyResult): boolean {
  return result.violations.some((v) => v.level === "mandatory");
}
