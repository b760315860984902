import { SUBSIDY_SCHEMES, SubsidyScheme } from "./catalog";
import { SECTIONS } from "./input";
import { RESOURCE_NAME } from "./parse-pools";
import { isReservedNamespace, RESERVED_NAMESPACES_TEXT, SLURM_RESERVED_NAMES } from "./platform";
import { DNS_LABEL, DNS_LABEL_WHAT, Reader, show } from "./reader";
import { Subsidy, Tenant, TENANT_KINDS } from "./types";

/** Parses tenants: who gets which GPUs, under which subsidy, administered by whom. */

/**
 * A directory group's name (its `cn`): POSIX group characters only, since it is written into an
 * LDAP search filter and URL unescaped.
 */
const DIRECTORY_GROUP = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

/**
 * A tenant's name is its namespace (at most 63 characters) and its Slurm account and QoS, which
 * slurmdbd keeps unique on their first 42 characters only (its MariaDB keys index `name(42)`):
 * two longer names sharing 42 characters would be one account.
 */
const TENANT_NAME_MAX = 42;

/**
 * What a display name may hold: it is written, as written, into the account's quoted
 * `Description` in a `sacctmgr load` file, where `#` starts a comment, `:` ends a field and a
 * quote ends the value, so letters (any script), digits, spaces and plain punctuation only.
 */
const SLURM_TEXT = /^[\p{L}\p{N}][\p{L}\p{N} &()\-.,/+]*$/u;
const SLURM_TEXT_WHAT = "a name of letters, digits, spaces and & ( ) - . , / + (it is written into Slurm's account records, where # : ' and \" break the line)";

function parseSubsidy(r: Reader, path: string, value: unknown): Subsidy | undefined {
  const o = r.object(path, value, SECTIONS.subsidy);
  if (!o) return undefined;
  const scheme = r.oneOf(`${path}.scheme`, o.scheme, Object.keys(SUBSIDY_SCHEMES) as SubsidyScheme[]);
  const share = o.share === undefined ? (scheme ? SUBSIDY_SCHEMES[scheme].defaultShare : undefined) : r.number(`${path}.share`, o.share, 0, 1, true);
  return scheme && share !== undefined ? { scheme, share } : undefined;
}

export function parseTenant(r: Reader, path: string, value: unknown): Tenant | undefined {
  const o = r.object(path, value, SECTIONS.tenant);
  if (!o) return undefined;
  const before = r.issues.length;
  const name = r.string(`${path}.name`, o.name, { pattern: DNS_LABEL, what: `${DNS_LABEL_WHAT}, usable as a namespace name`, maxLength: TENANT_NAME_MAX });
  if (name !== undefined && isReservedNamespace(name)) {
    r.fail(`${path}.name`, `expected a name that is not a platform namespace (${RESERVED_NAMESPACES_TEXT}), got ${show(name)}`);
  }
  if (name !== undefined && SLURM_RESERVED_NAMES[name]) {
    r.fail(
      `${path}.name`,
      `expected a name Slurm does not already use (${Object.keys(SLURM_RESERVED_NAMES).join(", ")}); ${show(name)} is ${SLURM_RESERVED_NAMES[name]}`,
    );
  }
  const displayName = o.displayName === undefined ? name : r.string(`${path}.displayName`, o.displayName, { pattern: SLURM_TEXT, what: SLURM_TEXT_WHAT });
  const kind = r.oneOf(`${path}.kind`, o.kind, TENANT_KINDS);
  const gpus = r.integer(`${path}.gpus`, o.gpus, 0);
  const fairShare = o.fairShare === undefined ? Math.max(gpus ?? 1, 1) : r.integer(`${path}.fairShare`, o.fairShare, 1, 1000000);
  const subsidy = o.subsidy === undefined ? undefined : parseSubsidy(r, `${path}.subsidy`, o.subsidy);
  const adminGroup = r.string(`${path}.adminGroup`, o.adminGroup, {
    pattern: /^\S(.*\S)?$/,
    what: "a group name with no leading or trailing spaces",
    maxLength: 256,
  });
  // Kubernetes reserves system: names for itself: system:authenticated is every signed-in user
  // and system:masters is cluster-admin, so such a group would hand the tenant's rights to them.
  if (adminGroup?.startsWith("system:"))
    r.fail(
      `${path}.adminGroup`,
      `expected the tenant's own directory group, never a Kubernetes system: group (system:authenticated is every user, system:masters is cluster-admin), got ${show(adminGroup)}`,
    );
  const directoryGroup = r.string(`${path}.directoryGroup`, o.directoryGroup, {
    pattern: DIRECTORY_GROUP,
    what: "the cn of the directory group whose members are the tenant's Slurm users (letters, digits, '_', '.' and '-', at most 64)",
  });
  // Whether it names one of the site's receivers is checked with the monitoring block (parse.ts).
  const alertReceiver =
    o.alertReceiver === undefined
      ? undefined
      : r.string(`${path}.alertReceiver`, o.alertReceiver, { pattern: DNS_LABEL, what: "a receiver name of monitoring.alerting.receivers" });
  const maxShareExempt = o.maxShareExempt === undefined ? false : r.boolean(`${path}.maxShareExempt`, o.maxShareExempt);
  const migSlices =
    o.migSlices === undefined
      ? {}
      : parseCounts(r, `${path}.migSlices`, o.migSlices, MIG_PROFILE, "MIG profile to slices, such as {1g.10gb: 14}", "a MIG profile such as 1g.10gb");
  const sharedGpus =
    o.sharedGpus === undefined
      ? {}
      : parseCounts(
          r,
          `${path}.sharedGpus`,
          o.sharedGpus,
          RESOURCE_NAME,
          "shared resource to replicas, such as {nvidia.com/gpu.shared: 16}",
          "a shared GPU resource name such as nvidia.com/gpu.shared",
        );
  if (r.issues.length > before) return undefined;
  return {
    name: name!,
    displayName: displayName!,
    kind: kind!,
    gpus: gpus!,
    fairShare: fairShare!,
    ...(subsidy ? { subsidy } : {}),
    adminGroup: adminGroup!,
    directoryGroup: directoryGroup!,
    ...(alertReceiver ? { alertReceiver } : {}),
    maxShareExempt: maxShareExempt!,
    migSlices: migSlices!,
    sharedGpus: sharedGpus!,
  };
}

/** MIG profile names as mig-parted spells them: `<n>g.<m>gb`, optionally with `+me`-style suffixes. */
const MIG_PROFILE = /^[1-8]g\.[0-9]+gb(\+[a-z]+)?$/;

/**
 * A mapping of resource to a count (`migSlices`, `sharedGpus`). Whether the site advertises
 * each resource is checked with the pools (parse.ts), where the whole site is known.
 */
function parseCounts(r: Reader, path: string, value: unknown, key: RegExp, mapping: string, keyWhat: string): Record<string, number> | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return r.fail(path, `expected a mapping of ${mapping}, got ${show(value)}`);
  const out: Record<string, number> = {};
  for (const [name, n] of Object.entries(value)) {
    if (!key.test(name)) r.fail(`${path}.${name}`, `expected ${keyWhat} as the key`);
    const count = r.integer(`${path}.${name}`, n, 0);
    if (count !== undefined) out[name] = count;
  }
  return out;
}
