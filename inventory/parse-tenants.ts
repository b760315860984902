import { SUBSIDY_SCHEMES, SubsidyScheme } from "./catalog";
import { isReservedNamespace, RESERVED_NAMESPACES_TEXT } from "./platform";
import { DNS_LABEL, DNS_LABEL_WHAT, Reader, show } from "./reader";
import { Subsidy, Tenant, TENANT_KINDS } from "./types";

/** Parses tenants: who gets which GPUs, under which subsidy, administered by whom. */

const TENANT_KEYS = ["name", "displayName", "kind", "gpus", "fairShare", "subsidy", "adminGroup", "maxShareExempt", "migSlices"];
const SUBSIDY_KEYS = ["scheme", "share"];

/**
 * A tenant's name is its namespace (at most 63 characters) and its Slurm account and QoS, which
 * slurmdbd keeps unique on their first 42 characters only (its MariaDB keys index `name(42)`):
 * two longer names sharing 42 characters would be one account.
 */
const TENANT_NAME_MAX = 42;

function parseSubsidy(r: Reader, path: string, value: unknown): Subsidy | undefined {
  const o = r.object(path, value, SUBSIDY_KEYS);
  if (!o) return undefined;
  const scheme = r.oneOf(`${path}.scheme`, o.scheme, Object.keys(SUBSIDY_SCHEMES) as SubsidyScheme[]);
  const share = o.share === undefined ? (scheme ? SUBSIDY_SCHEMES[scheme].defaultShare : undefined) : r.number(`${path}.share`, o.share, 0, 1, true);
  return scheme && share !== undefined ? { scheme, share } : undefined;
}

export function parseTenant(r: Reader, path: string, value: unknown): Tenant | undefined {
  const o = r.object(path, value, TENANT_KEYS);
  if (!o) return undefined;
  const before = r.issues.length;
  const name = r.string(`${path}.name`, o.name, { pattern: DNS_LABEL, what: `${DNS_LABEL_WHAT}, usable as a namespace name`, maxLength: TENANT_NAME_MAX });
  if (name !== undefined && isReservedNamespace(name)) {
    r.fail(`${path}.name`, `expected a name that is not a platform namespace (${RESERVED_NAMESPACES_TEXT}), got ${show(name)}`);
  }
  const displayName = o.displayName === undefined ? name : r.string(`${path}.displayName`, o.displayName);
  const kind = r.oneOf(`${path}.kind`, o.kind, TENANT_KINDS);
  const gpus = r.integer(`${path}.gpus`, o.gpus, 0);
  const fairShare = o.fairShare === undefined ? Math.max(gpus ?? 1, 1) : r.integer(`${path}.fairShare`, o.fairShare, 1, 1000000);
  const subsidy = o.subsidy === undefined ? undefined : parseSubsidy(r, `${path}.subsidy`, o.subsidy);
  const adminGroup = r.string(`${path}.adminGroup`, o.adminGroup, {
    pattern: /^\S(.*\S)?$/,
    what: "a group name with no leading or trailing spaces",
    maxLength: 256,
  });
  const maxShareExempt = o.maxShareExempt === undefined ? false : r.boolean(`${path}.maxShareExempt`, o.maxShareExempt);
  const migSlices = o.migSlices === undefined ? {} : parseMigSlices(r, `${path}.migSlices`, o.migSlices);
  if (r.issues.length > before) return undefined;
  return {
    name: name!,
    displayName: displayName!,
    kind: kind!,
    gpus: gpus!,
    fairShare: fairShare!,
    ...(subsidy ? { subsidy } : {}),
    adminGroup: adminGroup!,
    maxShareExempt: maxShareExempt!,
    migSlices: migSlices!,
  };
}

/** MIG profile names as mig-parted spells them: `<n>g.<m>gb`, optionally with `+me`-style suffixes. */
const MIG_PROFILE = /^[1-8]g\.[0-9]+gb(\+[a-z]+)?$/;

/**
 * `migSlices`: slices by MIG profile. Whether the site advertises each profile is checked with
 * the pools (parse.ts), where the whole site is known.
 */
function parseMigSlices(r: Reader, path: string, value: unknown): Record<string, number> | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return r.fail(path, `expected a mapping of MIG profile to slices, such as {1g.10gb: 14}, got ${show(value)}`);
  const out: Record<string, number> = {};
  for (const [profile, n] of Object.entries(value)) {
    if (!MIG_PROFILE.test(profile)) r.fail(`${path}.${profile}`, "expected a MIG profile such as 1g.10gb as the key");
    const slices = r.integer(`${path}.${profile}`, n, 0);
    if (slices !== undefined) out[profile] = slices;
  }
  return out;
}
