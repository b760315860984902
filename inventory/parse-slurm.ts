import { LIMITS } from "./limits";
import { SECTIONS } from "./input";
import { DNS_LABEL, Reader, show } from "./reader";
import { GpuPool, Partition, SlurmSettings } from "./types";

/** Parses the Slurm block: partitions over whole-GPU pools, login nodes and accounting storage. */

/** Whether Slurm can run on a pool: it allocates whole GPUs, so MIG and shared pools are Kubernetes-only. */
export function isWholeGpuPool(pool: GpuPool): boolean {
  return pool.sharing.migStrategy === "none" && !pool.sharing.timeSlicing && !pool.sharing.mps;
}

/**
 * Parses partitions against the pools that exist. Every whole-GPU pool must be in some
 * partition (otherwise its nodes can never run a Slurm job), no MIG or shared pool may be (its
 * GPUs are advertised to Kubernetes as slices or replicas, which a slurmd pod cannot claim as
 * whole GPUs), and at most one partition is the default.
 */
function parsePartitions(r: Reader, path: string, value: unknown, poolNames: readonly string[] | undefined, pools: readonly GpuPool[]): Partition[] {
  const items = r.list(path, value, { minItems: 1, maxItems: LIMITS.partitions, what: "partitions" });
  if (!items) return [];
  // Judge only pools that parsed and whose name is unique; other mistakes are reported at the pool.
  const counts = new Map<string, number>();
  for (const n of poolNames ?? []) counts.set(n, (counts.get(n) ?? 0) + 1);
  const unique = pools.filter((p) => counts.get(p.name) === 1);
  const shared = new Set(unique.filter((p) => !isWholeGpuPool(p)).map((p) => p.name));
  const whole = unique.filter(isWholeGpuPool).map((p) => p.name);
  const partitions: Partition[] = [];
  items.forEach((item, i) => {
    const p = `${path}[${i}]`;
    const o = r.object(p, item, SECTIONS.partition);
    if (!o) return;
    const before = r.issues.length;
    const name = r.string(`${p}.name`, o.name, {
      pattern: /^[a-z][a-z0-9_-]*$/,
      what: "a partition name (lower-case letters, digits, '-' or '_', starting with a letter)",
      maxLength: 40,
    });
    const names: string[] = [];
    const list = r.list(`${p}.pools`, o.pools, { minItems: 1, maxItems: LIMITS.pools, what: "pools" });
    list?.forEach((poolName, j) => {
      // Without the pools' names (the pool list is over its limit) only the names' type is checked.
      if (typeof poolName !== "string" || (poolNames !== undefined && !poolNames.includes(poolName))) {
        r.fail(`${p}.pools[${j}]`, `expected the name of a pool in aisc:site.pools (${(poolNames ?? []).join(", ")}), got ${show(poolName)}`);
      } else if (shared.has(poolName)) {
        r.fail(
          `${p}.pools[${j}]`,
          `expected a whole-GPU pool; ${poolName} shares its GPUs (MIG, time-slicing or MPS) with Kubernetes pods, and Slurm allocates whole GPUs`,
        );
      } else names.push(poolName);
    });
    r.unique((j) => `${p}.pools[${j}]`, list?.map((x) => (typeof x === "string" ? x : undefined)) ?? [], "pool");
    const isDefault = o.default === undefined ? false : r.boolean(`${p}.default`, o.default);
    const maxTimeHours = o.maxTimeHours === undefined ? 72 : r.integer(`${p}.maxTimeHours`, o.maxTimeHours, 1, 8760);
    if (r.issues.length > before) return;
    partitions.push({ name: name!, pools: names, default: isDefault!, maxTimeHours: maxTimeHours! });
  });
  r.unique(
    (i) => `${path}[${i}].name`,
    items.map((x) => (x as { name?: unknown })?.name).map((n) => (typeof n === "string" ? n : undefined)),
    "partition name",
  );
  const defaults = partitions.filter((x) => x.default);
  if (defaults.length > 1) r.fail(path, `expected at most one default partition, got ${defaults.length} (${defaults.map((x) => x.name).join(", ")})`);
  if (partitions.length === items.length) {
    for (const pool of whole) {
      if (!partitions.some((x) => x.pools.includes(pool))) r.fail(path, `expected every whole-GPU pool in some partition; pool ${show(pool)} is in none`);
    }
  }
  return partitions;
}

export function parseSlurm(
  r: Reader,
  path: string,
  value: unknown,
  poolNames: readonly string[] | undefined,
  pools: readonly GpuPool[],
): SlurmSettings | undefined {
  const o = r.object(path, value, SECTIONS.slurm);
  if (!o) return undefined;
  const partitions = parsePartitions(r, `${path}.partitions`, o.partitions, poolNames, pools);
  const login = r.object(`${path}.login`, o.login, SECTIONS.login);
  const ldapUri =
    login &&
    r.string(`${path}.login.ldapUri`, login.ldapUri, {
      pattern: /^ldaps:\/\/[A-Za-z0-9.-]+(:\d+)?$/,
      what: "an ldaps:// URI (login nodes look users up over TLS only)",
    });
  const searchBase =
    login &&
    r.string(`${path}.login.searchBase`, login.searchBase, { pattern: /^([A-Za-z]+=[^,=]+)(,[A-Za-z]+=[^,=]+)*$/, what: "an LDAP DN such as dc=aisc,dc=hk" });
  const replicas = login && (login.replicas === undefined ? 2 : r.integer(`${path}.login.replicas`, login.replicas, 1, 16));
  const accounting = o.accounting === undefined ? {} : r.object(`${path}.accounting`, o.accounting, SECTIONS.accounting);
  const storageGi = accounting && (accounting.storageGi === undefined ? 100 : r.integer(`${path}.accounting.storageGi`, accounting.storageGi, 10, 100000));
  const storageClass =
    accounting?.storageClass === undefined
      ? undefined
      : r.string(`${path}.accounting.storageClass`, accounting.storageClass, { pattern: DNS_LABEL, what: "a StorageClass name" });
  if (!ldapUri || !searchBase || replicas === undefined || storageGi === undefined) return undefined;
  return { partitions, login: { ldapUri, searchBase, replicas }, accounting: { storageGi, ...(storageClass ? { storageClass } : {}) } };
}
