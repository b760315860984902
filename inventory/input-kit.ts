import { LIMITS } from "./limits";
import { GPU_CATALOG, GPU_MODELS, SUBSIDY_SCHEMES } from "./catalog";
import { CLOUD_INSTANCE_TYPES } from "./instances";
import { DNS_LABEL } from "./reader";

/**
 * What the inventory's description (./input) is made of: a key's documentation and schema, the
 * defaults and bounds the parsers apply (imported by them from here, so parser, schema and README
 * cannot disagree), and the schema fragments the sections share. A schema accepts everything the
 * parser accepts; what depends on other keys, the region or the catalog's per-model figures is
 * left to the parser and said in the key's `doc`, and patterns only the parser needs exactly (a
 * CIDR's validity, an ARN's account) are restated loosely here.
 */

/** Kubernetes' service range when `networks.serviceCidr` is not given. */
export const DEFAULT_SERVICE_CIDR = "172.20.0.0/16";
/** The system nodes aisc creates when `system` does not say. */
export const SYSTEM_DEFAULTS = { nodes: 3, instanceType: "m5.2xlarge" } as const;
/** Monitoring's settings when `monitoring` does not give them. */
export const MONITORING_DEFAULTS = { retentionDays: 30, storageGi: 500, utilisationTarget: 0.9, gpuTempCelsius: 85 } as const;
/** What EKS prefixes to the directory's user names and groups unless `identity` says otherwise. */
export const DEFAULT_OIDC_PREFIX = "oidc:";
/** Days between new hybrid-node activations unless `cluster.activationRotationDays` says. */
export const DEFAULT_ACTIVATION_ROTATION_DAYS = 14;
/** EKS's public-endpoint CIDR list and access entries are bounded here, far under AWS's quotas. */
export const MAX_API_ACCESS_CIDRS = 20;
export const MAX_ACCESS_ENTRIES = 20;

/** A JSON Schema fragment for one value (draft 2020-12 subset: type, enum, pattern, minimum, maximum, exclusiveMinimum, minLength, maxLength, minItems, maxItems, items, $ref to "#/$defs/<section>", oneOf, const, additionalProperties, propertyNames). */
export type ValueSchema = Record<string, unknown>;

export interface KeyDoc {
  /** What the key means, one or two sentences, plain text with `code` in backticks, as a README reader needs it (units, what it controls, rules that involve other keys). */
  readonly doc: string;
  /** Whether the parser refuses the section without it (in the usual case; conditional requirements are explained in doc and required: false). */
  readonly required: boolean;
  /** The default the parser applies when the key is absent, as text for the README (e.g. "`ap-east-1`", "the GPUs", "30"); omit when none. */
  readonly default?: string;
  /** The value's JSON Schema; for nested mappings a {$ref: "#/$defs/<sectionName>"}, for lists {type: "array", items: ...}. */
  readonly schema: ValueSchema;
}

export type Section = Readonly<Record<string, KeyDoc>>;

/** `a`, `b` or `c` as README text. */
export const codes = (values: readonly string[]): string => {
  const quoted = values.map((v) => `\`${v}\``);
  return quoted.length < 2 ? quoted.join("") : `${quoted.slice(0, -1).join(", ")} or ${quoted[quoted.length - 1]}`;
};

/** A non-empty string of at most `maxLength` characters (the reader's r.string), with an optional pattern. */
export const text = (maxLength: number = LIMITS.stringLength, pattern?: string): ValueSchema => ({
  type: "string",
  minLength: 1,
  maxLength,
  ...(pattern ? { pattern } : {}),
});
/** A DNS label (reader.ts DNS_LABEL) of at most `maxLength` characters. */
export const dnsLabel = (maxLength: number = LIMITS.stringLength): ValueSchema => text(maxLength, DNS_LABEL.source);
export const ref = (section: string): ValueSchema => ({ $ref: `#/$defs/${section}` });
export const list = (items: ValueSchema, minItems: number, maxItems?: number): ValueSchema => ({
  type: "array",
  items,
  ...(minItems > 0 ? { minItems } : {}),
  ...(maxItems !== undefined ? { maxItems } : {}),
});

/** `a.b.c.d/n`, the form cidr.ts parseCidr reads (whether it is valid, private and apart from the others is the parser's). */
export const CIDR = "^\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}$";
export const cidrList = (maxItems?: number): ValueSchema => list(text(LIMITS.stringLength, CIDR), 0, maxItems);
/** An availability zone name (parse.ts, parse-pools.ts). */
export const ZONE = "^[a-z]{2}(-gov)?-[a-z]+-\\d[a-z]$";
/** A date written YYYY-MM-DD (dates.ts; whether it is a real calendar date is the parser's). */
export const DATE = { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" } as const;
/** A claim name or prefix (parse-cluster.ts CLAIM). */
export const CLAIM = "^[A-Za-z0-9_:./-]{1,64}$";
/** A prefix: a CLAIM that does not start with `system:`. */
export const PREFIX = "^(?!system:)[A-Za-z0-9_:./-]{1,64}$";
/**
 * AS numbers (parse-routing.ts): 1 to 4294967294 less the reserved 23456, 64496-64511, 65535
 * and 65536-65551.
 */
export const ASN: ValueSchema = {
  oneOf: [
    { type: "integer", minimum: 1, maximum: 23455 },
    { type: "integer", minimum: 23457, maximum: 64495 },
    { type: "integer", minimum: 64512, maximum: 65534 },
    { type: "integer", minimum: 65552, maximum: 4294967294 },
  ],
};
/** Every `all-<profile>` layout of any catalog model (which ones a pool may use depends on its `gpu`). */
export const MIG_LAYOUTS = [...new Set(GPU_MODELS.flatMap((m) => Object.keys(GPU_CATALOG[m].migProfiles).map((p) => `all-${p}`)))];
/** Every EC2 GPU instance type in inventory/instances.ts (which ones a pool may use depends on its `gpu`, `gpusPerNode` and region). */
export const INSTANCE_TYPES = GPU_MODELS.flatMap((m) => CLOUD_INSTANCE_TYPES[m].map((t) => t.name));
/** A shared-GPU resource name (parse-pools.ts RESOURCE_NAME). */
export const RESOURCE_NAME = "^nvidia\\.com/([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$";
export const SUBSIDY_NAMES = Object.keys(SUBSIDY_SCHEMES) as (keyof typeof SUBSIDY_SCHEMES)[];
