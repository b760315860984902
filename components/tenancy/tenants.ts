import * as pulumi from "@pulumi/pulumi";
import { Tenant, TenantArgs } from "./tenant";

/**
 * Tenants created per turn of the event loop. One tenant (12 resources) per turn planned 400
 * tenants fastest of 1, 4 and 16 when measured with `npm run bench`: the fewer registrations in
 * flight, the less the garbage collector has to copy.
 */
export const TENANTS_PER_TURN = 1;

/**
 * Creates every tenant of the site, a few at a time, yielding to the event loop between
 * batches so that each batch's registrations complete before the next is created.
 *
 * Why: the Pulumi SDK holds every registration's inputs, outputs and promises until the engine
 * answers, and the engine cannot answer until the program yields. Creating thousands of tenants
 * in one synchronous loop kept all of them alive at once: garbage collection became most of
 * the plan's time, and 4,000 tenants outgrew a 4 GB heap. Batching keeps that bounded. Names
 * come from each tenant's key, so batching changes no resource or its order in the plan.
 */
export async function createTenants(
  name: string,
  args: Omit<TenantArgs, "tenant">,
  opts: pulumi.ComponentResourceOptions,
  perTurn: number = TENANTS_PER_TURN,
): Promise<Readonly<Record<string, Tenant>>> {
  if (!Number.isInteger(perTurn) || perTurn < 1) throw new Error(`createTenants: perTurn must be a positive integer, got ${perTurn}`);
  const tenants: Record<string, Tenant> = {};
  const all = args.site.tenants;
  for (let i = 0; i < all.length; i++) {
    if (i > 0 && i % perTurn === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const tenant = all[i];
    tenants[tenant.name] = new Tenant(`${name}-tenant-${tenant.name}`, { ...args, tenant }, opts);
  }
  return tenants;
}
