import { siteSharedResources } from "./gpu-resources";
import { GpuPool, Site, Tenant } from "./types";

/**
 * What a tenant's entitlement means, derived once: the Kubernetes GPU quota and the Slurm
 * GrpTRES limit both come from these functions, so the two can never drift apart.
 */

/** Whole GPUs the tenant may hold at once, in Kubernetes and in Slurm alike. */
export function gpuEntitlement(tenant: Tenant): number {
  return tenant.gpus;
}

/**
 * Shared-GPU replicas a tenant may request, for every shared resource the site advertises: its
 * `sharedGpus`, or 0. Every resource gets a line, since a quota without one does not limit it.
 */
export function sharedEntitlements(pools: readonly GpuPool[], tenant: Tenant): Record<string, number> {
  return Object.fromEntries(siteSharedResources(pools).map((name) => [name, tenant.sharedGpus[name] ?? 0]));
}

/** The label every tenant namespace carries, with the tenant's name; admission policies select tenants by it. */
export const TENANT_LABEL = "aisc.hk/tenant";

/** The labels that mark a namespace and its objects as a tenant's; platform objects never carry them. */
export function tenantLabels(tenant: Tenant): Record<string, string> {
  return {
    [TENANT_LABEL]: tenant.name,
    "aisc.hk/tenant-kind": tenant.kind,
    "aisc.hk/subsidy-scheme": tenant.subsidy?.scheme ?? "none",
    ...(tenant.subsidy ? { "aisc.hk/subsidy-share": String(tenant.subsidy.share) } : {}),
    ...(tenant.maxShareExempt ? { "aisc.hk/max-share-exempt": "true" } : {}),
  };
}

/** A tenant as stack outputs and reports show it. */
export interface TenantSummary {
  readonly name: string;
  readonly displayName: string;
  readonly kind: string;
  readonly namespace: string;
  readonly gpus: number;
  readonly subsidyScheme: string;
  readonly subsidyShare: number;
}

export function tenantSummaries(site: Site): TenantSummary[] {
  return [...site.tenants].sort((a, b) => (a.name < b.name ? -1 : 1)).map((t) => ({
    name: t.name,
    displayName: t.displayName,
    kind: t.kind,
    namespace: t.name,
    gpus: gpuEntitlement(t),
    subsidyScheme: t.subsidy?.scheme ?? "none",
    subsidyShare: t.subsidy?.share ?? 0,
  }));
}
