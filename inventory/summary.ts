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
  };
}
