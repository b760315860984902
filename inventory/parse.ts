import { PRECISIONS } from "./catalog";
import { DEFAULT_SERVICE_CIDR, SECTIONS } from "./input";
import { siteCapacity } from "./capacity";
import { isPrivate, overlaps, parseCidr } from "./cidr";
import { siteMigProfiles, siteSharedResources } from "./gpu-resources";
import { parsePool } from "./parse-pools";
import { parseMonitoring } from "./parse-monitoring";
import { parseSlurm } from "./parse-slurm";
import { parsePodRouting } from "./parse-routing";
import { parseSystem } from "./parse-system";
import { parseTenant } from "./parse-tenants";
import { hybridNodeCount, LIMITS } from "./limits";
import { EKS_REGISTRY_ACCOUNTS, NODE_GROUP_NAME_MAX, nodeGroupName } from "./platform";
import { parseCluster } from "./parse-cluster";
import { regionOffers, REGION_OFFERINGS } from "./offerings";
import { DNS_LABEL, DNS_LABEL_WHAT, InventoryError, isObj, Reader, show } from "./reader";
import { GpuPool, Milestone, Networks, Site, Tenant } from "./types";

/** The stack config key that holds a site's inventory. */
export const SITE_CONFIG_KEY = "aisc:site";

const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

function cidrList(r: Reader, path: string, value: unknown): string[] | undefined {
  if (value === undefined) return [];
  const list = r.list(path, value, { maxItems: LIMITS.onPremCidrs, what: "CIDRs (EKS takes at most 15 remote node and 15 remote pod CIDRs per cluster)" });
  return list?.map((v, i) => r.string(`${path}[${i}]`, v) ?? "");
}

/**
 * Parses the networks and checks what EKS checks only at creation: every range well-formed and
 * private, and no two of VPC, services, on-premises nodes and pods overlapping.
 */
function parseNetworks(
  r: Reader,
  path: string,
  value: unknown,
  hasOnPrem: boolean,
  declaredOnPrem: boolean | undefined,
  region: string | undefined,
): Networks | undefined {
  const o = r.object(path, value, SECTIONS.networks);
  if (!o) return undefined;
  let availabilityZones: string[] | undefined = region ? [`${region}a`, `${region}b`] : undefined;
  if (o.availabilityZones !== undefined) {
    const zones = r.list(`${path}.availabilityZones`, o.availabilityZones, { minItems: 2 });
    if (zones && zones.length > 3) r.fail(`${path}.availabilityZones`, `expected two or three zones, got ${zones.length}`);
    availabilityZones = zones?.map((z, i) => {
      const zone = r.string(`${path}.availabilityZones[${i}]`, z, {
        pattern: /^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/,
        what: `a zone of ${region ?? "the region"} such as ${region ?? "ap-east-1"}a`,
      });
      if (zone && region && !zone.startsWith(region)) r.fail(`${path}.availabilityZones[${i}]`, `expected a zone of ${region}, got ${show(zone)}`);
      return zone ?? "";
    });
    r.unique((i) => `${path}.availabilityZones[${i}]`, availabilityZones ?? [], "zone");
  }
  const vpcCidr = r.string(`${path}.vpcCidr`, o.vpcCidr);
  const serviceCidr = o.serviceCidr === undefined ? DEFAULT_SERVICE_CIDR : r.string(`${path}.serviceCidr`, o.serviceCidr);
  const onPremNodeCidrs = cidrList(r, `${path}.onPremNodeCidrs`, o.onPremNodeCidrs);
  const onPremPodCidrs = cidrList(r, `${path}.onPremPodCidrs`, o.onPremPodCidrs);
  if (hasOnPrem) {
    if (onPremNodeCidrs?.length === 0) r.fail(`${path}.onPremNodeCidrs`, "expected at least one CIDR: on-prem pools join as hybrid nodes from these networks");
    if (onPremPodCidrs?.length === 0) r.fail(`${path}.onPremPodCidrs`, "expected at least one CIDR: pods on hybrid nodes take addresses from these networks");
  }
  const named: { path: string; text: string }[] = [];
  if (vpcCidr) named.push({ path: `${path}.vpcCidr`, text: vpcCidr });
  if (serviceCidr) named.push({ path: `${path}.serviceCidr`, text: serviceCidr });
  onPremNodeCidrs?.forEach((text, i) => text && named.push({ path: `${path}.onPremNodeCidrs[${i}]`, text }));
  onPremPodCidrs?.forEach((text, i) => text && named.push({ path: `${path}.onPremPodCidrs[${i}]`, text }));
  const parsed = named.map((n) => ({ ...n, cidr: parseCidr(n.text) }));
  for (const n of parsed) {
    if (!n.cidr) r.fail(n.path, `expected an IPv4 CIDR such as 10.0.0.0/16 with no host bits set, got ${show(n.text)}`);
    else if (!isPrivate(n.cidr)) r.fail(n.path, `expected a private (RFC 1918) range, got ${show(n.text)}`);
  }
  const service = parsed.find((n) => n.path.endsWith(".serviceCidr"))?.cidr;
  if (service && (service.prefix < 12 || service.prefix > 24)) {
    r.fail(`${path}.serviceCidr`, `expected a prefix from /12 to /24 (EKS's limits), got /${service.prefix}`);
  }
  const vpc = parsed.find((n) => n.path.endsWith(".vpcCidr"))?.cidr;
  if (vpc && (vpc.prefix < 16 || vpc.prefix > 22))
    r.fail(`${path}.vpcCidr`, `expected a prefix from /16 to /22 (room for subnets in two zones), got /${vpc.prefix}`);
  for (let i = 0; i < parsed.length; i++) {
    for (let j = i + 1; j < parsed.length; j++) {
      const a = parsed[i];
      const b = parsed[j];
      if (a.cidr && b.cidr && overlaps(a.cidr, b.cidr)) r.fail(b.path, `expected a range that does not overlap ${a.path} (${a.text}), got ${b.text}`);
    }
  }
  // Routers are checked against the node networks only when those are all valid: a bad node
  // CIDR is reported once, at its own key, not again at every router.
  const nodeNetworks = parsed.filter((n) => n.path.startsWith(`${path}.onPremNodeCidrs[`));
  const validNodeNetworks = nodeNetworks.length > 0 && nodeNetworks.every((n) => n.cidr && isPrivate(n.cidr)) ? nodeNetworks.map((n) => n.cidr!) : undefined;
  const podRouting = parsePodRouting(r, `${path}.podRouting`, o.podRouting, declaredOnPrem, validNodeNetworks);
  if (!availabilityZones || !vpcCidr || !serviceCidr || !onPremNodeCidrs || !onPremPodCidrs || (hasOnPrem && !podRouting)) return undefined;
  return { availabilityZones, vpcCidr, serviceCidr, onPremNodeCidrs, onPremPodCidrs, ...(podRouting ? { podRouting } : {}) };
}

/**
 * Each tenant's MIG slices and shared GPUs must be of a resource some pool advertises: a quota
 * line for a resource no node offers would promise what cannot be had. Checked only when every
 * pool parsed, so a pool's own mistake is not repeated at every tenant.
 */
function checkTenantResources(r: Reader, path: string, tenants: unknown, pools: readonly GpuPool[]): void {
  if (!Array.isArray(tenants) || tenants.length > LIMITS.tenants) return;
  const profiles = siteMigProfiles(pools);
  const shared = siteSharedResources(pools);
  tenants.forEach((t, i) => {
    if (!isObj(t)) return;
    for (const profile of isObj(t.migSlices) ? Object.keys(t.migSlices) : []) {
      if (!profiles.includes(profile))
        r.fail(
          `${path}[${i}].migSlices.${profile}`,
          `expected a MIG profile the site's pools advertise (${profiles.join(", ") || "none: no pool has a migLayout"}), got ${show(profile)}`,
        );
    }
    for (const name of isObj(t.sharedGpus) ? Object.keys(t.sharedGpus) : []) {
      if (!shared.includes(name))
        r.fail(
          `${path}[${i}].sharedGpus.${name}`,
          `expected a shared GPU resource the site's pools advertise (${shared.join(", ") || "none: no pool shares its GPUs"}), got ${show(name)}`,
        );
    }
  });
}

/**
 * Whether the inventory as written puts nodes on premises, read from the raw pools so that a
 * pool with a mistake still counts where it says it is; undefined when the pools could not be
 * read at all (not a list, or past the limit), so nothing is concluded from them.
 */
function declaresOnPrem(pools: unknown, system: unknown): boolean | undefined {
  if (isObj(system) && system.placement === "on-prem") return true;
  if (!Array.isArray(pools) || pools.length === 0 || pools.length > LIMITS.pools) return undefined;
  return pools.some((p) => isObj(p) && (p.placement === undefined || p.placement === "on-prem"));
}

/** Each cloud pool's node group name (`aisc-<site>-<pool>`) must fit EKS's limit: the pool's name is shortened, keyed. */
function checkNodeGroupNames(r: Reader, key: string, site: string, raw: unknown, pools: readonly GpuPool[]): void {
  if (!Array.isArray(raw) || raw.length > LIMITS.pools) return;
  raw.forEach((item, i) => {
    const pool = pools.find((p) => p.name === (item as { name?: unknown })?.name);
    if (pool?.placement !== "cloud") return;
    const group = nodeGroupName(site, pool.name);
    if (group.length > NODE_GROUP_NAME_MAX) {
      r.fail(
        `${key}.pools[${i}].name`,
        `expected at most ${NODE_GROUP_NAME_MAX - group.length + pool.name.length} characters for a cloud pool of site ${site}: its EKS node group ${group} would be ${group.length} characters, over EKS's ${NODE_GROUP_NAME_MAX}`,
      );
    }
  });
}

/**
 * Each cloud pool's type must be one its region offers, by the record in ./offerings (a node
 * group of a type the region lacks waits an hour and fails), and its zone one of the site's.
 */
function checkCloudPlacement(r: Reader, key: string, region: string, zones: readonly string[] | undefined, raw: unknown, pools: readonly GpuPool[]): void {
  if (!Array.isArray(raw) || raw.length > LIMITS.pools) return;
  raw.forEach((item, i) => {
    const pool = pools.find((p) => p.name === (item as { name?: unknown })?.name);
    if (pool?.placement !== "cloud" || !pool.cloud) return;
    const type = pool.cloud.instanceType.name;
    const offers = regionOffers(region, type);
    const known = Object.keys(REGION_OFFERINGS).sort().join(", ");
    if (offers === undefined)
      r.fail(
        `${key}.pools[${i}].cloud.instanceType`,
        `expected a region aisc has a record of instance offerings for (${known}); it has none for ${region}, so ${type} cannot be checked: add the region to inventory/offerings.ts or use placement on-prem`,
      );
    else if (!offers) {
      const where = Object.entries(REGION_OFFERINGS)
        .filter(([, types]) => types.includes(type))
        .map(([name]) => name);
      r.fail(
        `${key}.pools[${i}].cloud.instanceType`,
        `expected an instance type ${region} offers; it does not offer ${type} (offered in ${where.join(", ") || "no region aisc has a record of"}): use placement on-prem`,
      );
    }
    const zone = pool.cloud.availabilityZone;
    if (zone && zones && !zones.includes(zone))
      r.fail(`${key}.pools[${i}].cloud.availabilityZone`, `expected one of networks.availabilityZones (${zones.join(", ")}), got ${show(zone)}`);
  });
}

function parseMilestones(r: Reader, path: string, value: unknown): Milestone[] {
  const items = value === undefined ? [] : r.list(path, value, { maxItems: LIMITS.milestones, what: "milestones" });
  const out: Milestone[] = [];
  items?.forEach((item, i) => {
    const p = `${path}[${i}]`;
    const o = r.object(p, item, SECTIONS.milestone);
    if (!o) return;
    const name = r.string(`${p}.name`, o.name);
    const date = r.date(`${p}.date`, o.date);
    const pflops = r.number(`${p}.pflops`, o.pflops, 0, 1e9, true);
    if (name && date && pflops !== undefined) out.push({ name, date, pflops });
  });
  r.unique(
    (i) => `${path}[${i}].name`,
    (items ?? []).map((m) => (m as { name?: unknown })?.name).map((n) => (typeof n === "string" ? n : undefined)),
    "milestone name",
  );
  return out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

function parseList<T>(
  r: Reader,
  path: string,
  value: unknown,
  parseItem: (r: Reader, path: string, v: unknown) => T | undefined,
  minItems: number,
  maxItems: number,
  what: string,
): T[] {
  const items = r.list(path, value, { minItems, maxItems, what });
  if (!items) return [];
  const out: T[] = [];
  items.forEach((item, i) => {
    const parsed = parseItem(r, `${path}[${i}]`, item);
    if (parsed !== undefined) out.push(parsed);
  });
  r.unique(
    (i) => `${path}[${i}].name`,
    items.map((x) => (x as { name?: unknown })?.name).map((n) => (typeof n === "string" ? n : undefined)),
    "name",
  );
  return out;
}

/**
 * Validates a site inventory in full and derives its capacity. Throws an {@link InventoryError}
 * listing every problem, each at its config key path, when anything is wrong; never returns a
 * partly valid site.
 *
 * @example
 *   const site = parseSite(new pulumi.Config("aisc").requireObject("site"));
 *   site.capacity.pflops; // at the site's declared precision
 */
export function parseSite(value: unknown, key: string = SITE_CONFIG_KEY): Site {
  const r = new Reader();
  const o = r.object(key, value, SECTIONS.site);
  if (!o) throw new InventoryError(r.issues);
  const name = r.string(`${key}.name`, o.name, { pattern: DNS_LABEL, what: DNS_LABEL_WHAT, maxLength: 24 });
  const displayName = o.displayName === undefined ? name : r.string(`${key}.displayName`, o.displayName);
  const region = o.region === undefined ? "ap-east-1" : r.string(`${key}.region`, o.region, { pattern: REGION, what: "an AWS region such as ap-east-1" });
  const power = r.object(`${key}.power`, o.power, SECTIONS.power);
  const envelopeMW = power && r.number(`${key}.power.envelopeMW`, power.envelopeMW, 0, 10000, true);
  const pue = power && r.number(`${key}.power.pue`, power.pue, 1, 3);
  const capacity = r.object(`${key}.capacity`, o.capacity, SECTIONS.capacity);
  const precision = capacity && r.oneOf(`${key}.capacity.precision`, capacity.precision, PRECISIONS);
  const milestones = capacity ? parseMilestones(r, `${key}.capacity.milestones`, capacity.milestones) : [];
  const cluster = parseCluster(r, `${key}.cluster`, o.cluster);
  const pools: GpuPool[] = parseList(r, `${key}.pools`, o.pools, parsePool, 1, LIMITS.pools, "pools");
  if (name) checkNodeGroupNames(r, key, name, o.pools, pools);
  const system = parseSystem(r, `${key}.system`, o.system, cluster?.kind);
  const hasOnPrem = pools.some((p) => p.placement === "on-prem") || system?.placement === "on-prem";
  const nodes = pools.reduce((n, p) => n + p.nodes, system?.nodes ?? 0);
  if (nodes > LIMITS.nodesPerSite)
    r.fail(
      `${key}.pools`,
      `expected at most ${LIMITS.nodesPerSite} nodes across the pools (Kubernetes' tested limit for one cluster), got ${nodes}${system?.nodes ? ` (${system.nodes} of them system nodes)` : ""}`,
    );
  const hybridNodes = hybridNodeCount({ pools, ...(system ? { system } : {}) });
  if (cluster?.kind === "eks" && hybridNodes > LIMITS.hybridNodesPerAccount) {
    r.fail(
      `${key}.pools`,
      `expected at most ${LIMITS.hybridNodesPerAccount} on-premises nodes (SSM's standard tier registers at most ${LIMITS.hybridNodesPerAccount} hybrid nodes per account and region), got ${hybridNodes}`,
    );
  }
  const networks = parseNetworks(r, `${key}.networks`, o.networks, hasOnPrem, declaresOnPrem(o.pools, o.system), region);
  if (region) checkCloudPlacement(r, key, region, networks?.availabilityZones, o.pools, pools);
  if (region && !EKS_REGISTRY_ACCOUNTS[region] && pools.some((p) => p.placement === "on-prem")) {
    r.fail(
      `${key}.region`,
      `expected a region whose EKS image registry aisc knows for hybrid GPU nodes (${Object.keys(EKS_REGISTRY_ACCOUNTS).sort().join(", ")}), got ${show(region)}`,
    );
  }
  if (cluster?.kind === "existing" && pools.some((p) => p.placement === "cloud")) {
    r.fail(`${key}.cluster.kind`, "expected eks: cloud pools are EKS managed node groups, and an existing cluster gets no AWS resources");
  }
  const tenants: Tenant[] = parseList(r, `${key}.tenants`, o.tenants, parseTenant, 0, LIMITS.tenants, "tenants");
  if (Array.isArray(o.pools) && pools.length === o.pools.length) checkTenantResources(r, `${key}.tenants`, o.tenants, pools);
  // One group administers one tenant: a group shared by two holds both namespaces' rights, and
  // the policies bind each namespace only to its own group.
  if (Array.isArray(o.tenants) && tenants.length === o.tenants.length)
    r.unique(
      (i) => `${key}.tenants[${i}].adminGroup`,
      tenants.map((t) => t.adminGroup),
      "adminGroup (each tenant needs its own group)",
    );
  // Partitions are checked against every pool the inventory names, valid or not, so that one
  // bad pool does not also surface as a dangling reference in every partition that lists it.
  // A pool list over its limit was not read at all, and neither are its names.
  const poolNames = !Array.isArray(o.pools)
    ? []
    : o.pools.length <= LIMITS.pools
      ? (o.pools as { name?: unknown }[]).map((p) => p?.name).filter((n): n is string => typeof n === "string")
      : undefined;
  const slurm = parseSlurm(r, `${key}.slurm`, o.slurm, poolNames, pools);
  const monitoring = parseMonitoring(r, `${key}.monitoring`, o.monitoring);
  // Positions are the raw list's only when every tenant parsed; otherwise the tenants' own issues come first.
  if (Array.isArray(o.tenants) && tenants.length === o.tenants.length)
    tenants.forEach((t, i) => {
      const receivers = monitoring?.alerting?.receivers ?? [];
      if (t.alertReceiver && monitoring && !receivers.includes(t.alertReceiver)) {
        r.fail(
          `${key}.tenants[${i}].alertReceiver`,
          `expected one of monitoring.alerting.receivers (${receivers.join(", ") || "none declared"}), got ${show(t.alertReceiver)}`,
        );
      }
    });
  if (r.issues.length > 0) throw new InventoryError(r.issues);
  return {
    name: name!,
    displayName: displayName!,
    region: region!,
    power: { envelopeMW: envelopeMW!, pue: pue! },
    capacity: siteCapacity(pools, tenants, precision!, pue!, milestones),
    cluster: cluster!,
    system: system!,
    networks: networks!,
    pools,
    tenants,
    slurm: slurm!,
    monitoring: monitoring!,
  };
}
