import { PolicyResource, ReportViolation, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { PoolFacts } from "../charts/site-facts";
import { planDate } from "../inventory/dates";
import { GPU_CATALOG, GpuModel, gpuTflops, Precision } from "../inventory/catalog";
import { DEFAULT_RESERVE, quotaLimit, round3 } from "../inventory/capacity";
import { classOfResource, ResourceClass } from "../inventory/gpu-resources";
import { count, measured, percent } from "./evidence";
import { configMapData, configOf, gpuQuotaLines, K8S, meta, ofKind, poolFactsOf, siteFactsOf, tenants, Undecided } from "./common";

/**
 * Capacity rules, recomputed from the resources in the stack (the site's and pools' facts
 * ConfigMaps, ResourceQuotas, the tenants' Slurm accounts), never from numbers copied into
 * policy config: config holds only thresholds.
 */

function gpusOf(pools: readonly PoolFacts[]): number {
  return pools.reduce((n, p) => n + p.gpusPerNode * p.nodes, 0);
}

/** Stack facts every capacity rule needs; reports a violation and returns undefined without them. */
function siteOrReport(args: StackValidationArgs, report: ReportViolation) {
  const site = siteFactsOf(args.resources);
  if (!site) {
    report("The stack has no kube-system/aisc-site facts ConfigMap, so its capacity cannot be checked.");
    return undefined;
  }
  return { site, pools: poolFactsOf(args.resources).map((p) => p.facts) };
}

const reserveSchema = {
  reserve: { type: "number" as const, minimum: 0, maximum: 0.9, default: DEFAULT_RESERVE, description: "Share of the site's GPUs kept out of tenant quotas." },
};

/** What each class of GPU resource is called in messages. */
const CLASS_NAMES: Readonly<Record<ResourceClass, string>> = { whole: "whole GPUs", mig: "MIG slices", shared: "shared GPUs" };

/** Each tenant quota's GPU lines (`requests.nvidia.com/...`), summed by resource; a quota a preview cannot read yet is left undecided. */
function quotaDemand(resources: readonly PolicyResource[], undecided: Undecided): Map<string, number> {
  const demand = new Map<string, number>();
  for (const t of tenants(resources)) {
    const lines = t.quota ? undecided.attempt(`tenant ${t.name}'s quota`, () => gpuQuotaLines(t.quota!)) : [];
    for (const [resource, n] of lines ?? []) demand.set(resource, (demand.get(resource) ?? 0) + n);
  }
  return demand;
}

/** Whether a pool backs tenants' quotas: on premises, or a cloud pool the inventory says is held for them. */
function counted(p: PoolFacts): boolean {
  return p.placement !== "cloud" || p.guaranteed === true;
}

/** What the pools advertise, by resource: those that back quotas, or the burst pools that do not. */
function supply(pools: readonly PoolFacts[], backing: boolean): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of pools.filter((x) => counted(x) === backing)) {
    for (const [name, n] of Object.entries(p.advertises ?? {})) out.set(name, (out.get(name) ?? 0) + n);
  }
  return out;
}

/**
 * Tenants' quotas are guarantees, so each class of GPU resource is held to what serves it: the
 * sum of whole-GPU quotas to the on-premises pools' whole GPUs (MIG and shared pools cannot
 * serve a whole-GPU request), MIG slices to the slices of that profile, shared replicas to the
 * shared pools' replicas, each after the reserve. Cloud burst pools are rented by the hour and
 * may be gone, so they are reported beside, never counted, unless the inventory holds one for
 * the tenants (`cloud.guaranteed`).
 */
export const tenantQuotasFitSite: StackValidationPolicy = {
  name: "capacity-tenant-quotas-fit-site",
  description:
    "Tenant quotas of each GPU resource (whole GPUs, each MIG profile, each shared resource) together fit what the on-premises pools advertise of it, after the reserve.",
  enforcementLevel: "mandatory",
  configSchema: { properties: reserveSchema },
  validateStack: (args, report) => {
    const s = siteOrReport(args, report);
    if (!s) return;
    const { reserve } = configOf(args, { reserve: DEFAULT_RESERVE });
    const onPrem = supply(s.pools, true);
    const cloud = supply(s.pools, false);
    const where = s.pools.some((p) => p.placement === "cloud" && counted(p)) ? "on-premises and guaranteed cloud" : "on-premises";
    const undecided = Undecided.over(args.resources);
    const demand = quotaDemand(args.resources, undecided);
    const rows = [...new Set([...demand.keys(), ...onPrem.keys()])].sort().map((resource) => ({
      resource,
      quotas: demand.get(resource) ?? 0,
      available: onPrem.get(resource) ?? 0,
      limit: quotaLimit(onPrem.get(resource) ?? 0, reserve),
    }));
    measured(args, {
      text: `${rows.map((r) => `${r.resource}: quotas ${r.quotas} of ${r.limit} allowed (${r.available} ${where} less the reserve)`).join("; ") || "no GPU resource advertised or requested"}; reserve ${percent(reserve)}`,
      figures: { reserve, resources: rows },
    });
    // The known quotas alone may already overcommit: that is decided whatever the unknown ones hold.
    for (const [resource, promised] of [...demand.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const have = onPrem.get(resource) ?? 0;
      const limit = quotaLimit(have, reserve);
      if (promised <= limit) continue;
      const burst = cloud.get(resource) ? `; cloud burst pools (${cloud.get(resource)} more) never count toward tenants' guarantees` : "";
      report(
        `Tenant quotas for ${CLASS_NAMES[classOfResource(resource)]} (${resource}) total ${promised}, ${promised - limit} more than the ${limit} of ${s.site.facts.site}'s ${have} ${where} ones left after a ${Math.round(reserve * 100)}% reserve${burst}.`,
        s.site.resource.urn,
      );
    }
    undecided.settle();
  },
};

export const tenantShareWithinLimit: StackValidationPolicy = {
  name: "capacity-tenant-share-within-limit",
  description: "No tenant's GPU quota exceeds the maximum share of the site unless the inventory exempts it.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      maxShare: { type: "number", minimum: 0.01, maximum: 1, default: 0.25, description: "Largest share of the site's GPUs one tenant may hold." },
    },
  },
  validateStack: (args, report) => {
    const s = siteOrReport(args, report);
    if (!s) return;
    const { maxShare } = configOf(args, { maxShare: 0.25 });
    const siteGpus = gpusOf(s.pools);
    const cap = Math.floor(siteGpus * maxShare);
    const undecided = Undecided.over(args.resources);
    const judged = tenants(args.resources).filter((t) => !t.exempt && t.gpus !== undefined);
    const top = judged.reduce<(typeof judged)[number] | undefined>((a, t) => (a === undefined || t.gpus! > a.gpus! ? t : a), undefined);
    const exempt = tenants(args.resources).filter((t) => t.exempt).length;
    measured(args, {
      text: `largest quota ${top ? `${top.name}'s ${top.gpus} GPUs` : "none"} against a cap of ${cap} GPUs (${percent(maxShare)} of the site's ${siteGpus}); ${count(judged.length, "tenant")} judged, ${exempt} exempt`,
      figures: { maxShare, siteGpus, cap, largest: top ? { tenant: top.name, gpus: top.gpus! } : null, judged: judged.length, exempt },
    });
    for (const t of tenants(args.resources)) {
      if (t.gpusUnknown && !t.exempt) undecided.note(`tenant ${t.name}'s quota`, t.gpusUnknown);
      if (!t.exempt && t.gpus !== undefined && t.gpus > cap) {
        report(`Tenant ${t.name} has a quota of ${t.gpus} GPUs, above ${Math.round(maxShare * 100)}% of the site (${cap} GPUs).`, t.quota!.urn);
      }
    }
    undecided.settle();
  },
};

export const powerWithinEnvelope: StackValidationPolicy = {
  name: "capacity-power-within-envelope",
  description: "The on-premises fleet's full-load power times PUE stays within the site's power envelope.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const s = siteOrReport(args, report);
    if (!s) return;
    const itWatts = s.pools.filter((p) => p.placement === "on-prem").reduce((w, p) => w + p.nodes * p.nodeWatts, 0);
    const facilityMW = round3((itWatts * s.site.facts.pue) / 1e6);
    const { pue, envelopeMW } = s.site.facts;
    measured(args, {
      text: `full load ${facilityMW} MW (${round3(itWatts / 1e6)} MW IT at PUE ${pue}) of the ${envelopeMW} MW envelope, margin ${round3(envelopeMW - facilityMW)} MW`,
      figures: { itMW: round3(itWatts / 1e6), pue, facilityMW, envelopeMW, marginMW: round3(envelopeMW - facilityMW) },
    });
    if (facilityMW > s.site.facts.envelopeMW) {
      report(
        `Full-load power is ${facilityMW} MW (${round3(itWatts / 1e6)} MW IT at PUE ${s.site.facts.pue}), over the ${s.site.facts.envelopeMW} MW envelope.`,
        s.site.resource.urn,
      );
    }
  },
};

/** PFLOPS of the on-prem pools in service by `date`, at `precision`. */
export function plannedPflops(pools: readonly PoolFacts[], date: string, precision: Precision): number {
  const tflops = pools
    .filter((p) => p.placement === "on-prem" && (p.inService === undefined || p.inService <= date) && p.gpuModel in GPU_CATALOG)
    .reduce((t, p) => t + p.gpusPerNode * p.nodes * gpuTflops(GPU_CATALOG[p.gpuModel as GpuModel], precision), 0);
  return round3(tflops / 1000);
}

/** Milestones checked on `asOf` (config, default today): past ones must be met, future ones on track. */
function milestonePolicy(name: string, past: boolean): StackValidationPolicy {
  return {
    name,
    description: past
      ? "Every milestone whose date has passed is met by the capacity in service by that date."
      : "Every future milestone is met by the capacity the inventory plans to have in service by its date.",
    enforcementLevel: past ? "mandatory" : "advisory",
    configSchema: {
      properties: {
        asOf: {
          type: "string",
          pattern: "^\\d{4}-\\d{2}-\\d{2}$",
          description: "The date milestones are judged on (YYYY-MM-DD); the plan's date (today, or aisc plan --as-of) when unset.",
        },
      },
    },
    validateStack: (args, report) => {
      const s = siteOrReport(args, report);
      if (!s) return;
      const { asOf } = configOf(args, { asOf: planDate() });
      const precision = s.site.facts.precision as Precision;
      const judged = s.site.facts.milestones
        .filter((m) => m.date <= asOf === past)
        .map((m) => ({ name: m.name, date: m.date, pflops: m.pflops, plannedPflops: plannedPflops(s.pools, m.date, precision) }));
      measured(args, {
        text: `${judged.map((m) => `"${m.name}" (${m.date}): ${m.plannedPflops} of ${m.pflops} PFLOPS`).join("; ") || `no ${past ? "past" : "future"} milestone`} at ${precision}, judged on ${asOf}`,
        figures: { asOf, precision, milestones: judged.map((m) => ({ ...m, marginPflops: round3(m.plannedPflops - m.pflops) })) },
      });
      for (const m of judged) {
        const planned = m.plannedPflops;
        if (planned < m.pflops) {
          report(
            `Milestone "${m.name}" (${m.date}) needs ${m.pflops} PFLOPS at ${s.site.facts.precision}; the pools in service by then give ${planned}.`,
            s.site.resource.urn,
          );
        }
      }
    },
  };
}

export const milestoneMet = milestonePolicy("capacity-milestone-met", true);
export const milestoneOnTrack = milestonePolicy("capacity-milestone-on-track", false);

function slurmGpuLimit(account: PolicyResource): number | undefined {
  const qos = configMapData(account).qos ?? "";
  const m = /GrpTRES=(?:[^\s,]*,)*gres\/gpu=(\d+)/.exec(qos);
  return m ? Number(m[1]) : undefined;
}

export const slurmLimitMatchesQuota: StackValidationPolicy = {
  name: "capacity-slurm-limit-matches-quota",
  description: "Each tenant's Slurm GPU limit equals its Kubernetes GPU quota.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    // Every account labelled for a tenant is checked: a stray second account with another
    // limit would be loaded by its own Job too.
    const accounts = new Map<string, PolicyResource[]>();
    for (const c of ofKind(args.resources, K8S.configMap)) {
      const owner = meta(c).labels?.["aisc.hk/slurm-account"];
      if (owner !== undefined) accounts.set(owner, [...(accounts.get(owner) ?? []), c]);
    }
    const undecided = Undecided.over(args.resources);
    let compared = 0;
    let matching = 0;
    for (const t of tenants(args.resources)) {
      const own = accounts.get(t.name) ?? [];
      if (own.length === 0) report(`Tenant ${t.name} has no Slurm account (ConfigMap slurm/slurm-account-${t.name}).`, t.namespace.urn);
      if (t.gpusUnknown) {
        if (own.length) undecided.note(`tenant ${t.name}'s Slurm limit against its quota`, t.gpusUnknown);
        continue;
      }
      for (const account of own) {
        const read = undecided.attempt(`tenant ${t.name}'s Slurm account ${meta(account).name}`, () => ({ limit: slurmGpuLimit(account) }));
        if (read === undefined) continue;
        const { limit } = read;
        compared++;
        if (limit === (t.gpus ?? 0)) matching++;
        if (limit !== (t.gpus ?? 0))
          report(`Tenant ${t.name}'s Slurm GPU limit is ${limit ?? "missing"}, but its Kubernetes GPU quota is ${t.gpus ?? 0}.`, account.urn);
      }
    }
    measured(args, {
      text: `${count(compared, "Slurm account")} of ${count(tenants(args.resources).length, "tenant")} compared with the tenant's GPU quota: ${matching} equal`,
      figures: { tenants: tenants(args.resources).length, accountsCompared: compared, equal: matching },
    });
    undecided.settle();
  },
};

export const CAPACITY_POLICIES = [tenantQuotasFitSite, tenantShareWithinLimit, powerWithinEnvelope, milestoneMet, milestoneOnTrack, slurmLimitMatchesQuota];
