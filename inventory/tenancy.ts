import { migResource, siteMigProfiles, siteSharedResources, WHOLE_GPU } from "./gpu-resources";
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
 * What the tenant may request of every GPU resource the site advertises, in quota order: whole
 * GPUs, each shared resource (its `sharedGpus`), each MIG profile's slices (its `migSlices`),
 * 0 where it has none, since a quota without a line does not limit that resource. The tenant's
 * quota and the plan's summary both read this.
 */
export function gpuEntitlements(pools: readonly GpuPool[], tenant: Tenant): Record<string, number> {
  return {
    [WHOLE_GPU]: gpuEntitlement(tenant),
    ...Object.fromEntries(siteSharedResources(pools).map((name) => [name, tenant.sharedGpus[name] ?? 0])),
    ...Object.fromEntries(siteMigProfiles(pools).map((profile) => [migResource(profile), tenant.migSlices[profile] ?? 0])),
  };
}

/**
 * The Kubernetes group a tenant's `adminGroup` reaches the cluster as: on EKS, with the site
 * directory's groups prefix (`oidc:aisc-hkgai-admins`), which also keeps a directory group from
 * passing as one of Kubernetes' own `system:` groups; on an existing cluster, as named.
 */
export function adminGroupSubject(site: Pick<Site, "cluster">, tenant: Pick<Tenant, "adminGroup">): string {
  return `${site.cluster.identity?.groupsPrefix ?? ""}${tenant.adminGroup}`;
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
  return [...site.tenants]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((t) => ({
      name: t.name,
      displayName: t.displayName,
      kind: t.kind,
      namespace: t.name,
      gpus: gpuEntitlement(t),
      subsidyScheme: t.subsidy?.scheme ?? "none",
      subsidyShare: t.subsidy?.share ?? 0,
    }));
}
