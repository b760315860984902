import { GPU_MODELS, gpuTflops, Precision, PRECISIONS } from "./catalog";
import { CapacityFigures, GpuPool, Milestone, MilestoneStatus, SiteCapacity, Tenant } from "./types";

/**
 * Capacity maths: pure functions of pools, so the parser, the policies and the reports all
 * derive the same numbers from the same inventory.
 */

/** Rounds to 3 decimals so that figures are stable in reports and across platforms. */
export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/**
 * Nodes, GPUs, PFLOPS at every precision and power at full load of a set of pools. GPUs and
 * PFLOPS count every pool the cluster can schedule on; power counts only on-premises pools,
 * since cloud burst pools draw on AWS's facilities, not the site's envelope.
 */
export function capacityOf(pools: readonly GpuPool[], precision: Precision, pue: number): CapacityFigures {
  let nodes = 0;
  let gpus = 0;
  let gpuWatts = 0;
  let itWatts = 0;
  const byModel = new Map<string, number>();
  const tflops = Object.fromEntries(PRECISIONS.map((p) => [p, 0])) as Record<Precision, number>;
  for (const pool of pools) {
    const poolGpus = pool.gpusPerNode * pool.nodes;
    nodes += pool.nodes;
    gpus += poolGpus;
    if (pool.placement === "on-prem") {
      gpuWatts += poolGpus * pool.gpu.tdpWatts;
      itWatts += pool.nodes * pool.nodeWatts;
    }
    byModel.set(pool.gpu.model, (byModel.get(pool.gpu.model) ?? 0) + poolGpus);
    for (const p of PRECISIONS) tflops[p] += poolGpus * gpuTflops(pool.gpu, p);
  }
  const gpusByModel: Record<string, number> = {};
  for (const model of GPU_MODELS) {
    const count = byModel.get(model);
    if (count !== undefined) gpusByModel[model] = count;
  }
  const pflopsByPrecision = Object.fromEntries(PRECISIONS.map((p) => [p, round3(tflops[p] / 1000)])) as Record<Precision, number>;
  return {
    nodes,
    gpus,
    gpusByModel,
    pflops: pflopsByPrecision[precision],
    pflopsByPrecision,
    gpuPowerMW: round3(gpuWatts / 1e6),
    itPowerMW: round3(itWatts / 1e6),
    facilityPowerMW: round3((itWatts * pue) / 1e6),
  };
}

/** Pools in service on `date` (YYYY-MM-DD): those with no date, or a date on or before it. */
export function poolsInService(pools: readonly GpuPool[], date: string): GpuPool[] {
  return pools.filter((p) => p.inService === undefined || p.inService <= date);
}

/**
 * Each milestone with the PFLOPS planned to be in service by its date, and whether that meets
 * it. Only on-premises pools count: a milestone is the site's own capacity, and burst
 * capacity is rented by the hour.
 */
export function milestoneStatus(pools: readonly GpuPool[], milestones: readonly Milestone[], precision: Precision): MilestoneStatus[] {
  const onPrem = pools.filter((p) => p.placement === "on-prem");
  return milestones.map((m) => {
    const plannedPflops = capacityOf(poolsInService(onPrem, m.date), precision, 1).pflops;
    return { ...m, plannedPflops, met: plannedPflops >= m.pflops };
  });
}

/** The full derived capacity of a site. */
export function siteCapacity(
  pools: readonly GpuPool[],
  tenants: readonly Tenant[],
  precision: Precision,
  pue: number,
  milestones: readonly Milestone[],
): SiteCapacity {
  return {
    precision,
    ...capacityOf(pools, precision, pue),
    entitledGpus: tenants.reduce((sum, t) => sum + t.gpus, 0),
    milestones: milestoneStatus(pools, milestones, precision),
  };
}

/**
 * Share of the site's GPUs kept out of tenant quotas when the policy config sets none
 * (`capacity-tenant-quotas-fit-site`); `aisc diff` reports headroom after it too. Here, with
 * the capacity maths, so the diff reads it without loading the policy SDK.
 */
export const DEFAULT_RESERVE = 0.1;

/** What tenants' quotas of a resource may total: what the site has of it, less the reserve, in whole units. */
export function quotaLimit(have: number, reserve: number): number {
  return Math.floor(have * (1 - reserve));
}
