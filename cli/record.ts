import { WIRE } from "./sdk-internals";

const {
  archiveSig: ARCHIVE_SIG,
  assetSig: ASSET_SIG,
  outputValueSig: OUTPUT_SIG,
  resourceSig: RESOURCE_SIG,
  secretSig: SECRET_SIG,
  sigKey: SIG_KEY,
  unknownValue: UNKNOWN_VALUE,
} = WIRE;

/**
 * The plan record: what `aisc plan` captured of one run of the real Pulumi program. Values are
 * normalised from the wire form the SDK sends to the engine, so secrets are already redacted
 * and nothing in a record can leak one.
 */

/** What a secret becomes in every artifact. */
export const REDACTED = "[secret]";
/** What a value unknown until deployment (an ID, an ARN) becomes. */
export const UNKNOWN = "[unknown]";

export interface ResourceOptions {
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  readonly deleteBeforeReplace: boolean;
  /** URNs this resource depends on, explicitly or through its inputs, sorted. */
  readonly dependencies: readonly string[];
  readonly ignoreChanges: readonly string[];
  readonly replaceOnChanges: readonly string[];
  readonly additionalSecretOutputs: readonly string[];
  readonly deletedWith?: string;
  /** Alias URNs as the SDK computed them: recorded only by runProgram's `sdkAliases` (tests), never in a plan. */
  readonly aliases?: readonly string[];
}

/** The options of a resource registered with none set, as the SDK sends them. */
export const NO_OPTIONS: ResourceOptions = {
  protect: false,
  retainOnDelete: false,
  deleteBeforeReplace: false,
  dependencies: [],
  ignoreChanges: [],
  replaceOnChanges: [],
  additionalSecretOutputs: [],
};

export interface PlannedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent?: string;
  readonly custom: boolean;
  /** The provider reference (`urn::id`) for custom resources with an explicit provider. */
  readonly provider?: string;
  /** Whether the resource is a packaged (remote) component, opaque to the offline plan. */
  readonly remote: boolean;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly options: ResourceOptions;
}

export interface Plan {
  readonly project: string;
  readonly stack: string;
  /** Sorted by URN, so that the same program gives the same file. */
  readonly resources: readonly PlannedResource[];
  readonly outputs: Readonly<Record<string, unknown>>;
  /**
   * A fingerprint of each secret config value, by key (./stack-config secretFingerprints): a
   * hash of its `secure:` ciphertext as committed in the stack file, never of a plaintext, so
   * `aisc diff` can say a secret changed without showing anything of it. Absent with no secret.
   */
  readonly secretConfig?: Readonly<Record<string, string>>;
  /** How the plan's URNs were made: the engine's scheme (./urns); absent in plans made before aisc used it. */
  readonly urns?: "engine";
}

/**
 * Turns a value from the wire form into plain JSON: secrets become {@link REDACTED}, unknowns
 * {@link UNKNOWN}, resource references `{ $ref: urn }`, and object keys are sorted.
 */
export function normalise(value: unknown): unknown {
  if (value === UNKNOWN_VALUE) return UNKNOWN;
  if (Array.isArray(value)) return value.map(normalise);
  if (value === null || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  switch (obj[SIG_KEY]) {
    case SECRET_SIG:
      return redactLeaves(obj.value);
    case RESOURCE_SIG:
      return { $ref: obj.urn };
    case ASSET_SIG:
      return { $asset: obj.path ?? obj.uri ?? (obj.text === undefined ? null : "text") };
    case ARCHIVE_SIG:
      return { $archive: obj.path ?? obj.uri ?? "assets" };
    case OUTPUT_SIG:
      return obj.secret ? REDACTED : "value" in obj ? normalise(obj.value) : UNKNOWN;
    default:
      break;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(obj).sort()) out[key] = normalise(obj[key]);
  return out;
}

/**
 * A secret's shape with every value replaced by {@link REDACTED}: a secret map (a Kubernetes
 * Secret's `data`) keeps its keys, which name but do not reveal what is stored, so manifests
 * stay valid objects and diffs still show which entries changed.
 */
function redactLeaves(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactLeaves);
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj[SIG_KEY] !== undefined) return REDACTED;
    return Object.fromEntries(
      Object.keys(obj)
        .sort()
        .map((k) => [k, redactLeaves(obj[k])]),
    );
  }
  return REDACTED;
}

/** Whether any part of a wire-form value is a secret. */
export function containsSecret(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(containsSecret);
  if (value === null || typeof value !== "object") return false;
  const obj = value as Record<string, unknown>;
  if (obj[SIG_KEY] === SECRET_SIG) return true;
  return Object.values(obj).some(containsSecret);
}

/**
 * Serialises a plan or any artifact as stable, human-diffable JSON: object keys sorted,
 * undefined members left out. Keys are sorted one object at a time as JSON.stringify reaches
 * it, so a large plan is never copied whole (a 4,000-tenant plan is hundreds of megabytes).
 */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(value, sortedKeys, 2)}\n`;
}

/**
 * The text of `stableJson(plan)`, in pieces: the envelope, then one resource at a time. A
 * large site's plan.json is hundreds of megabytes; written in pieces it is never one string.
 */
export function* planJsonChunks(plan: Plan): Generator<string> {
  const fields = plan as unknown as Record<string, unknown>;
  const keys = Object.keys(fields)
    .filter((k) => fields[k] !== undefined)
    .sort();
  yield "{\n";
  for (const [i, key] of keys.entries()) {
    yield `  ${JSON.stringify(key)}: `;
    if (key === "resources" && plan.resources.length > 0) {
      yield "[\n";
      // JSON escapes newlines inside strings, so every newline here is the layout's own.
      for (const [j, r] of plan.resources.entries())
        yield `    ${JSON.stringify(r, sortedKeys, 2).replace(/\n/g, "\n    ")}${j < plan.resources.length - 1 ? "," : ""}\n`;
      yield "  ]";
    } else {
      yield JSON.stringify(fields[key], sortedKeys, 2).replace(/\n/g, "\n  ");
    }
    yield i < keys.length - 1 ? ",\n" : "\n";
  }
  yield "}\n";
}

function sortedKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(obj).sort()) out[key] = obj[key];
  return out;
}
