import { poolResources, resourceClass, ResourceClass } from "./gpu-resources";
import { gpuEntitlements } from "./tenancy";
import { Site } from "./types";

/** The capacity figures a stack exports and reports print: plain numbers, no Pulumi types. */
export interface CapacitySummary {
  readonly precision: string;
  readonly nodes: number;
  readonly gpus: number;
  readonly gpusByModel: Readonly<Record<string, number>>;
  readonly pflops: number;
  readonly pflopsByPrecision: Readonly<Record<string, number>>;
  readonly entitledGpus: number;
  readonly gpuPowerMW: number;
  readonly itPowerMW: number;
  readonly facilityPowerMW: number;
  readonly envelopeMW: number;
  readonly milestones: readonly { name: string; date: string; pflops: number; plannedPflops: number; met: boolean }[];
  /** Each GPU resource the pools advertise, on premises and in the cloud apart, and what tenants are entitled to of it. */
  readonly gpuResources: readonly { resource: string; class: ResourceClass; onPrem: number; cloud: number; entitled: number }[];
}

/** The per-resource rows of the summary, sorted by resource. */
export function gpuResourceRows(site: Site): CapacitySummary["gpuResources"] {
  const entitled = new Map<string, number>();
  for (const t of site.tenants)
    for (const [resource, n] of Object.entries(gpuEntitlements(site.pools, t))) entitled.set(resource, (entitled.get(resource) ?? 0) + n);
  const rows = new Map<string, { resource: string; class: ResourceClass; onPrem: number; cloud: number; entitled: number }>();
  for (const pool of site.pools) {
    for (const [resource, n] of Object.entries(poolResources(pool))) {
      const row = rows.get(resource) ?? { resource, class: resourceClass(pool), onPrem: 0, cloud: 0, entitled: entitled.get(resource) ?? 0 };
      if (pool.placement === "cloud") row.cloud += n;
      else row.onPrem += n;
      rows.set(resource, row);
    }
  }
  return [...rows.values()].sort((a, b) => (a.resource < b.resource ? -1 : 1));
}

export function capacitySummary(site: Site): CapacitySummary {
  const c = site.capacity;
  return {
    precision: c.precision,
    nodes: c.nodes,
    gpus: c.gpus,
    gpusByModel: c.gpusByModel,
    pflops: c.pflops,
    pflopsByPrecision: c.pflopsByPrecision,
    entitledGpus: c.entitledGpus,
    gpuPowerMW: c.gpuPowerMW,
    itPowerMW: c.itPowerMW,
    facilityPowerMW: c.facilityPowerMW,
    envelopeMW: site.power.envelopeMW,
    milestones: c.milestones.map((m) => ({ name: m.name, date: m.date, pflops: m.pflops, plannedPflops: m.plannedPflops, met: m.met })),
    gpuResources: gpuResourceRows(site),
  };
}
