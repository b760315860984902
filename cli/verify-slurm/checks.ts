import { gresType } from "../../charts/slurm-config";
import { isWholeGpuPool } from "../../inventory/parse-slurm";
import { gpuEntitlement } from "../../inventory/tenancy";
import { GpuPool, Site } from "../../inventory/types";
import { expandHostlist } from "./overlay";

/**
 * What the real Slurm must show, from the inventory, and readers of what it does show. Pure, so
 * the comparisons are tested without daemons.
 */

/** `key=value` pairs of one line of `scontrol show ... -o`. */
export function scontrolFields(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of line.matchAll(/(\w+)=(\S*)/g)) out[m[1]] = m[2];
  return out;
}

/** Expected partitions: name to the sorted node names of its pools. */
export function expectedPartitions(site: Site): Map<string, string[]> {
  return new Map(site.slurm.partitions.map((p) => [p.name, p.pools.flatMap((name) => poolNodes(site.pools.find((x) => x.name === name)!)).sort()]));
}

export function poolNodes(pool: GpuPool): string[] {
  return Array.from({ length: pool.nodes }, (_, i) => `${pool.name}-${i}`);
}

/** Differences between the partitions Slurm reports and the inventory's, one line each. */
export function comparePartitions(site: Site, scontrolOutput: string): string[] {
  const actual = new Map<string, string[]>();
  for (const line of scontrolOutput.split("\n").filter((l) => l.startsWith("PartitionName="))) {
    const f = scontrolFields(line);
    actual.set(f.PartitionName, f.Nodes && f.Nodes !== "(null)" ? expandHostlist(f.Nodes).sort() : []);
  }
  const problems: string[] = [];
  for (const [name, nodes] of expectedPartitions(site)) {
    const got = actual.get(name);
    if (!got) problems.push(`partition ${name}: missing`);
    else if (got.join(",") !== nodes.join(","))
      problems.push(`partition ${name}: has ${got.length} nodes, expected ${nodes.length} (${nodes[0]} ... ${nodes[nodes.length - 1]})`);
  }
  for (const name of actual.keys()) if (!expectedPartitions(site).has(name)) problems.push(`partition ${name}: not in the inventory`);
  return problems;
}

/** The GRES a node of `pool` must have: `gpu:<type>:<n>`. */
export function expectedGres(pool: GpuPool): string {
  return `gpu:${gresType(pool)}:${pool.gpusPerNode}`;
}

/** The node's configured GRES as scontrol shows it, without the socket annotation `(S:0-1)`. */
export function nodeGres(scontrolNodeLine: string): string {
  return (scontrolFields(scontrolNodeLine).Gres ?? "(null)").replace(/\([^)]*\)/g, "");
}

/** The tenant and pool that prove a GPU limit on this site's Slurm, and the nodes that takes. */
export interface Probe {
  readonly tenant: string;
  readonly limit: number;
  readonly partition: string;
  readonly pool: GpuPool;
  /** Nodes of the pool to run: enough GPUs for the limit and one more. */
  readonly nodes: number;
}

/**
 * The tenant with the smallest positive entitlement, on the partition pool with the most GPUs
 * per node: a job for exactly the limit must run, and one more GPU must wait on the limit while
 * a GPU stays free, so the wait can only be the QoS.
 */
export function chooseProbe(site: Site): Probe | undefined {
  const tenants = site.tenants.filter((t) => gpuEntitlement(t) > 0).sort((a, b) => gpuEntitlement(a) - gpuEntitlement(b) || (a.name < b.name ? -1 : 1));
  for (const t of tenants) {
    const limit = gpuEntitlement(t);
    for (const partition of [...site.slurm.partitions].sort((a, b) => Number(b.default) - Number(a.default))) {
      const pools = partition.pools
        .map((n) => site.pools.find((p) => p.name === n)!)
        .filter(isWholeGpuPool)
        .sort((a, b) => b.gpusPerNode - a.gpusPerNode);
      for (const pool of pools) {
        const nodes = Math.ceil((limit + 1) / pool.gpusPerNode);
        if (nodes <= pool.nodes) return { tenant: t.name, limit, partition: partition.name, pool, nodes };
      }
    }
  }
  return undefined;
}

/** Representative nodes: the first of every Slurm pool, and as many of the probe's pool as it needs. */
export function representativeNodes(site: Site, probe: Probe | undefined): { name: string; pool: GpuPool }[] {
  const named = new Set(site.slurm.partitions.flatMap((p) => p.pools));
  return site.pools
    .filter((p) => named.has(p.name))
    .flatMap((pool) =>
      poolNodes(pool)
        .slice(0, probe?.pool.name === pool.name ? probe.nodes : 1)
        .map((name) => ({ name, pool })),
    );
}

/** Differences between the QoS limits in the database and the tenants' entitlements. */
export function compareQos(site: Site, sacctmgrOutput: string): string[] {
  const limits = new Map(
    sacctmgrOutput
      .trim()
      .split("\n")
      .map((l) => l.split("|") as [string, string]),
  );
  return site.tenants.flatMap((t) => {
    const want = `gres/gpu=${gpuEntitlement(t)}`;
    const got = limits.get(t.name);
    return got === want
      ? []
      : [`tenant ${t.name}: QoS GrpTRES is ${got === undefined ? "missing" : JSON.stringify(got)}, expected ${want} (its Kubernetes GPU quota)`];
  });
}
