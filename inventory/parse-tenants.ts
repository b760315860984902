import { SUBSIDY_SCHEMES, SubsidyScheme } from "./catalog";
import { isReservedNamespace } from "./platform";
import { DNS_LABEL, DNS_LABEL_WHAT, Reader, show } from "./reader";
import { Partition, Subsidy, Tenant, TENANT_KINDS } from "./types";

/** Parses tenants and Slurm partitions: the parts of the inventory that name each other. */

const TENANT_KEYS = ["name", "displayName", "kind", "gpus", "fairShare", "subsidy", "adminGroup", "maxShareExempt"];
const SUBSIDY_KEYS = ["scheme", "share"];
const PARTITION_KEYS = ["name", "pools", "default", "maxTimeHours"];

/** Slurm account names are case-insensitive and at most 64 characters; our DNS labels fit. */
const TENANT_NAME_MAX = 63;

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
    r.fail(`${path}.name`, `expected a name that is not a platform namespace (default, kube-*, nvidia-gpu, slinky, slurm, monitoring), got ${show(name)}`);
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
  };
}

/**
 * Parses partitions against the pools that exist. Every pool must be in some partition
 * (otherwise its nodes can never run a Slurm job) and at most one partition is the default.
 */
export function parsePartitions(r: Reader, path: string, value: unknown, poolNames: readonly string[]): Partition[] {
  const items = r.list(path, value, { minItems: 1 });
  if (!items) return [];
  const partitions: Partition[] = [];
  items.forEach((item, i) => {
    const p = `${path}[${i}]`;
    const o = r.object(p, item, PARTITION_KEYS);
    if (!o) return;
    const before = r.issues.length;
    const name = r.string(`${p}.name`, o.name, { pattern: /^[a-z][a-z0-9_-]*$/, what: "a partition name (lower-case letters, digits, '-' or '_', starting with a letter)", maxLength: 40 });
    const pools: string[] = [];
    const list = r.list(`${p}.pools`, o.pools, { minItems: 1 });
    list?.forEach((poolName, j) => {
      if (typeof poolName === "string" && poolNames.includes(poolName)) pools.push(poolName);
      else r.fail(`${p}.pools[${j}]`, `expected the name of a pool in aisc:site.pools (${poolNames.join(", ")}), got ${show(poolName)}`);
    });
    r.unique((j) => `${p}.pools[${j}]`, list?.map((x) => (typeof x === "string" ? x : undefined)) ?? [], "pool");
    const isDefault = o.default === undefined ? false : r.boolean(`${p}.default`, o.default);
    const maxTimeHours = o.maxTimeHours === undefined ? 72 : r.integer(`${p}.maxTimeHours`, o.maxTimeHours, 1, 8760);
    if (r.issues.length > before) return;
    partitions.push({ name: name!, pools, default: isDefault!, maxTimeHours: maxTimeHours! });
  });
  r.unique((i) => `${path}[${i}].name`, items.map((x) => (x as { name?: unknown })?.name).map((n) => (typeof n === "string" ? n : undefined)), "partition name");
  const defaults = partitions.filter((x) => x.default);
  if (defaults.length > 1) r.fail(path, `expected at most one default partition, got ${defaults.length} (${defaults.map((x) => x.name).join(", ")})`);
  if (partitions.length === items.length) {
    for (const pool of poolNames) {
      if (!partitions.some((x) => x.pools.includes(pool))) r.fail(path, `expected every pool in some partition; pool ${show(pool)} is in none`);
    }
  }
  return partitions;
}
