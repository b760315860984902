import * as pulumi from "@pulumi/pulumi";
import { App } from "cdk8s";
import { TenantChart } from "../../charts/tenant";
import { PLATFORM_NAMESPACES } from "../../inventory/platform";
import { gpuEntitlement, gpuEntitlements } from "../../inventory/tenancy";
import { GpuPool, Tenant as TenantInventory, TenantKind } from "../../inventory/types";
import { chartObjects, createChartObjects, SiteWorkloadArgs } from "../k8s";

export const TENANT_TYPE = "aisc:tenancy:Tenant";

export interface TenantArgs extends Omit<SiteWorkloadArgs, "dependsOn"> {
  /** The tenant, from `site.tenants`; the site's pools decide its shared-GPU quota lines. */
  readonly tenant: TenantInventory;
  /**
   * What the tenant's Slurm account objects (in the Slurm namespace) wait for: the Slurm
   * cluster, whose key and sacctmgr configuration the account Job uses. The objects in the
   * tenant's own namespace wait only for that namespace.
   */
  readonly slurmAccountDependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** What a {@link Tenant} records as its inputs (see {@link tenantInputs}). */
export interface TenantInputs {
  readonly tenant: string;
  readonly kind: TenantKind;
  /** The quota's GPU lines: what the tenant may request of each GPU resource the site advertises, 0 where it has none. */
  readonly gpus: Readonly<Record<string, number>>;
}

/**
 * Who the tenant is and what it is entitled to: its entitlement is what a tenant change is
 * about, so a preview shows it on the tenant itself (`gpus.nvidia.com/gpu: 400 → 800`) and not
 * only in its ResourceQuota and Slurm QoS. From the tenant and the site's pools only, never
 * another tenant, so changing one tenant changes no other's inputs.
 */
export function tenantInputs(pools: readonly GpuPool[], tenant: TenantInventory): TenantInputs {
  return { tenant: tenant.name, kind: tenant.kind, gpus: gpuEntitlements(pools, tenant) };
}

/**
 * One tenant: its isolated namespace, GPU quota, defaults, isolating network policy, admin binding and
 * Slurm account, all from its one entitlement. Named after the tenant's key, so adding,
 * removing or reordering tenants touches no other tenant's resources.
 *
 * @example
 *   for (const t of site.tenants) new Tenant(`${site.name}-tenant-${t.name}`, { site, tenant: t, provider });
 */
export class Tenant extends pulumi.ComponentResource {
  public readonly namespace: string;
  public readonly gpus: number;

  constructor(name: string, args: TenantArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TENANT_TYPE, name, tenantInputs(args.site.pools, args.tenant), opts);
    const objects = chartObjects(new TenantChart(new App(), args.tenant.name, { site: args.site, tenant: args.tenant }));
    const dependsOnByNamespace = new Map([[PLATFORM_NAMESPACES.slurm, args.slurmAccountDependsOn ?? []]]);
    createChartObjects(this, `${name}-objects`, { objects, provider: args.provider, dependsOnByNamespace });
    this.namespace = args.tenant.name;
    this.gpus = gpuEntitlement(args.tenant);
    this.registerOutputs({ namespace: this.namespace, gpus: this.gpus });
  }
}
