import { StackValidationPolicy } from "@pulumi/policy";
import { count, measured } from "./evidence";
import { inNamespace, K8S, poolFactsOf, quotaHard, tenants, Undecided } from "./common";

/**
 * A ResourceQuota limits only the resources it names: a tenant namespace whose quota has no
 * line for `nvidia.com/mig-1g.10gb` may take every such slice on the site. So every extended
 * resource any pool advertises (whole GPUs, each MIG profile, each shared resource, read from
 * the pools' facts) must have a `requests.` line in every tenant namespace's quota, 0 where the
 * tenant is entitled to none.
 */
export const quotaForEveryGpuResource: StackValidationPolicy = {
  name: "tenancy-quota-for-every-gpu-resource",
  description: "Every tenant namespace's ResourceQuota has a line for every GPU resource the site's pools advertise (whole GPUs, MIG slices, shared GPUs).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const advertisers = new Map<string, string[]>();
    for (const { facts } of poolFactsOf(args.resources)) {
      for (const name of Object.keys(facts.advertises ?? {})) advertisers.set(name, [...(advertisers.get(name) ?? []), facts.pool]);
    }
    const resources = [...advertisers.keys()].sort();
    const undecided = Undecided.over(args.resources);
    const withQuota = tenants(args.resources).filter((t) => inNamespace(args.resources, K8S.quota, t.name).length > 0).length;
    measured(args, {
      text: `${count(withQuota, "tenant")} with a ResourceQuota (of ${tenants(args.resources).length}) checked for a line for each of ${resources.join(", ") || "no advertised GPU resource"}`,
      figures: { tenants: tenants(args.resources).length, tenantsWithQuota: withQuota, resources },
    });
    for (const t of tenants(args.resources)) {
      const quotas = inNamespace(args.resources, K8S.quota, t.name);
      if (quotas.length === 0) continue; // tenancy-namespace-has-gpu-quota reports it.
      const lines = undecided.attempt(`tenant ${t.name}'s quota`, () => new Set(quotas.flatMap((q) => Object.keys(quotaHard(q)))));
      for (const resource of lines ? resources : []) {
        if (!lines!.has(`requests.${resource}`)) {
          report(
            `Tenant ${t.name}'s quota has no line for ${resource}, which pool${advertisers.get(resource)!.length === 1 ? "" : "s"} ${advertisers.get(resource)!.join(", ")} advertise${advertisers.get(resource)!.length === 1 ? "s" : ""}: the tenant could take all of it.`,
            quotas[0].urn,
          );
        }
      }
    }
    undecided.settle();
  },
};
