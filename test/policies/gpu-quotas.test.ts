import * as assert from "assert";
import { PlannedResource } from "../../cli/record";
import { quotaForEveryGpuResource } from "../../policies/gpu-quotas";
import { poolFacts, tenant, TYPES, violations as check } from "../helpers/policy";

/** tenancy-quota-for-every-gpu-resource: a quota line in every tenant namespace for every GPU resource a pool advertises. */

const POOLS = [
  poolFacts({ pool: "h100", nodes: 2 }),
  poolFacts({ pool: "mig-a", nodes: 1, advertises: { "nvidia.com/mig-1g.10gb": 56 } }),
  poolFacts({ pool: "mig-b", nodes: 1, advertises: { "nvidia.com/mig-1g.10gb": 56 } }),
  poolFacts({ pool: "l40s", gpuModel: "L40S", advertises: { "nvidia.com/gpu.shared": 32 } }),
];
const ALL = { "requests.nvidia.com/mig-1g.10gb": "0", "requests.nvidia.com/gpu.shared": "4" };

/** The tenant's resources, its quota's `hard` extended by `lines`. */
function tenantWith(name: string, lines: Record<string, string>): PlannedResource[] {
  return tenant(name).map((r) =>
    r.type === TYPES.quota ? { ...r, inputs: { ...r.inputs, spec: { hard: { ...(r.inputs.spec as any).hard, ...lines } } } } : r,
  );
}

describe("tenancy-quota-for-every-gpu-resource", () => {
  it("passes tenants whose quotas list every advertised resource, 0 where entitled to none", () => {
    assert.deepStrictEqual(check(quotaForEveryGpuResource, [...POOLS, ...tenantWith("uni-a", ALL), ...tenantWith("gov-c", ALL)]), []);
  });

  it("fails each tenant and resource without a line, naming the pools that advertise it", () => {
    const { "requests.nvidia.com/mig-1g.10gb": _, ...noSlices } = ALL;
    assert.deepStrictEqual(check(quotaForEveryGpuResource, [...POOLS, ...tenantWith("uni-a", noSlices), ...tenantWith("gov-c", {})]), [
      "uni-a/tenant-quota: Tenant uni-a's quota has no line for nvidia.com/mig-1g.10gb, which pools mig-a, mig-b advertise: the tenant could take all of it.",
      "gov-c/tenant-quota: Tenant gov-c's quota has no line for nvidia.com/gpu.shared, which pool l40s advertises: the tenant could take all of it.",
      "gov-c/tenant-quota: Tenant gov-c's quota has no line for nvidia.com/mig-1g.10gb, which pools mig-a, mig-b advertise: the tenant could take all of it.",
    ]);
  });

  it("leaves a tenant with no quota at all to tenancy-namespace-has-gpu-quota", () => {
    const noQuota = tenant("uni-a").filter((r) => r.type !== TYPES.quota);
    assert.deepStrictEqual(check(quotaForEveryGpuResource, [...POOLS, ...noQuota]), []);
  });
});
