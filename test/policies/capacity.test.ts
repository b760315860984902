import * as assert from "assert";
import {
  milestoneMet,
  milestoneOnTrack,
  plannedPflops,
  powerWithinEnvelope,
  slurmLimitMatchesQuota,
  tenantQuotasFitSite,
  tenantShareWithinLimit,
} from "../../policies/capacity";
import { PoolFacts } from "../../charts/site-facts";
import { PlannedResource } from "../../cli/record";
import { k8s, poolFacts, siteFacts, SiteFactsInput, tenant, TenantInput, TYPES, violations } from "../helpers/policy";

/**
 * The capacity rules, one policy at a time, over hand-built facts and tenants. The baseline:
 * 48 GPUs (32 H100 on-prem, 8 L40S on-prem from 2027, 8 H100 in the cloud), 28 GPUs of quota
 * (lab-b's 16 exempt from the share cap), 0.062 MW at full load against a 2 MW envelope.
 */

const POOLS = [
  poolFacts({ pool: "h100-a", nodes: 4 }),
  poolFacts({ pool: "l40s", gpuModel: "L40S", gpusPerNode: 4, nodes: 2, nodeWatts: 4500, inService: "2027-01-01" }),
  poolFacts({ pool: "h100-cloud", placement: "cloud" }),
];

function site(input: { facts?: SiteFactsInput; pools?: PlannedResource[]; tenants?: Record<string, TenantInput> } = {}): PlannedResource[] {
  const tenants = input.tenants ?? { "uni-a": { gpus: 8 }, "lab-b": { gpus: 16, exempt: true }, "gov-c": { gpus: 4 } };
  return [siteFacts(input.facts), ...(input.pools ?? POOLS), ...Object.entries(tenants).flatMap(([name, t]) => tenant(name, t))];
}

const CAPACITY = [tenantQuotasFitSite, tenantShareWithinLimit, powerWithinEnvelope, slurmLimitMatchesQuota];

describe("capacity policies", () => {
  it("pass the compliant baseline", () => {
    for (const p of CAPACITY) assert.deepStrictEqual(violations(p, site()), [], p.name);
  });

  it("report a stack without site facts once per rule that needs them, and only that", () => {
    const noFacts = site().filter((r) => r.name !== "kube-system/aisc-site");
    for (const p of [tenantQuotasFitSite, tenantShareWithinLimit, powerWithinEnvelope, milestoneMet, milestoneOnTrack]) {
      assert.deepStrictEqual(violations(p, noFacts), ["-: The stack has no kube-system/aisc-site facts ConfigMap, so its capacity cannot be checked."], p.name);
    }
  });

  describe("capacity-tenant-quotas-fit-site", () => {
    it("fails whole-GPU quotas above the on-premises whole GPUs less a 10% reserve, at the site facts, leaving the cloud out", () => {
      const resources = site({
        tenants: { "uni-a": { gpus: 8 }, "lab-b": { gpus: 16, exempt: true }, "gov-c": { gpus: 20, exempt: true }, "new-d": { slurmGpus: null } },
      });
      // new-d has a namespace but no quota: it counts as 0, not as NaN.
      resources.splice(
        resources.findIndex((r) => r.name === "new-d/tenant-quota"),
        1,
      );
      assert.deepStrictEqual(violations(tenantQuotasFitSite, resources), [
        "kube-system/aisc-site: Tenant quotas for whole GPUs (nvidia.com/gpu) total 44, 8 more than the 36 of testsite's 40 on-premises ones left after a 10% reserve; cloud burst pools (8 more) never count toward tenants' guarantees.",
      ]);
    });

    it("passes quotas exactly at the limit (40 on-premises GPUs less 10%, rounded down)", () => {
      assert.deepStrictEqual(
        violations(tenantQuotasFitSite, site({ tenants: { "uni-a": { gpus: 8 }, "lab-b": { gpus: 16, exempt: true }, "gov-c": { gpus: 12, exempt: true } } })),
        [],
      );
    });

    it("counts a cloud pool the inventory holds for tenants, and says so", () => {
      const pools = [poolFacts({ pool: "h100-a", nodes: 4 }), poolFacts({ pool: "h100-cloud", placement: "cloud", guaranteed: true })];
      // 40 whole GPUs back quotas now: 36 after the reserve.
      assert.deepStrictEqual(
        violations(tenantQuotasFitSite, site({ pools, tenants: { "uni-a": { gpus: 20, exempt: true }, "lab-b": { gpus: 16, exempt: true } } })),
        [],
      );
      assert.deepStrictEqual(
        violations(tenantQuotasFitSite, site({ pools, tenants: { "uni-a": { gpus: 21, exempt: true }, "lab-b": { gpus: 16, exempt: true } } })),
        [
          "kube-system/aisc-site: Tenant quotas for whole GPUs (nvidia.com/gpu) total 37, 1 more than the 36 of testsite's 40 on-premises and guaranteed cloud ones left after a 10% reserve.",
        ],
      );
    });

    it("holds MIG slices and shared replicas to the pools that advertise them, each class apart", () => {
      const pools = [
        poolFacts({ pool: "h100-a", nodes: 4 }),
        poolFacts({ pool: "mig", nodes: 1, advertises: { "nvidia.com/mig-1g.10gb": 56 } }),
        poolFacts({ pool: "l40s", gpuModel: "L40S", nodes: 2, advertises: { "nvidia.com/gpu.shared": 32 } }),
      ];
      const withLines = (hard: Record<string, string>) => (r: PlannedResource) =>
        r.type === TYPES.quota ? { ...r, inputs: { spec: { hard: { ...(r.inputs.spec as any).hard, ...hard } }, metadata: r.inputs.metadata } } : r;
      const resources = site({ pools, tenants: { "uni-a": { gpus: 8 }, "lab-b": { gpus: 16, exempt: true } } }).map(
        withLines({ "requests.nvidia.com/mig-1g.10gb": "26", "requests.nvidia.com/gpu.shared": "14" }),
      );
      // 52 slices of 56 (limit 50), 28 replicas of 32 (limit 28): only the slices overflow.
      assert.deepStrictEqual(violations(tenantQuotasFitSite, resources), [
        "kube-system/aisc-site: Tenant quotas for MIG slices (nvidia.com/mig-1g.10gb) total 52, 2 more than the 50 of testsite's 56 on-premises ones left after a 10% reserve.",
      ]);
      const noPool = site({ tenants: { "uni-a": { gpus: 8 } } }).map(withLines({ "requests.nvidia.com/mig-3g.40gb": "1" }));
      assert.deepStrictEqual(violations(tenantQuotasFitSite, noPool), [
        "kube-system/aisc-site: Tenant quotas for MIG slices (nvidia.com/mig-3g.40gb) total 1, 1 more than the 0 of testsite's 0 on-premises ones left after a 10% reserve.",
      ]);
    });

    it("reads the reserve from config", () => {
      assert.deepStrictEqual(violations(tenantQuotasFitSite, site(), { reserve: 0.5 }), [
        "kube-system/aisc-site: Tenant quotas for whole GPUs (nvidia.com/gpu) total 28, 8 more than the 20 of testsite's 40 on-premises ones left after a 50% reserve; cloud burst pools (8 more) never count toward tenants' guarantees.",
      ]);
    });

    it("declares the reserve in its config schema, 10% by default", () => {
      assert.deepStrictEqual(tenantQuotasFitSite.configSchema?.properties?.reserve, {
        type: "number",
        minimum: 0,
        maximum: 0.9,
        default: 0.1,
        description: "Share of the site's GPUs kept out of tenant quotas.",
      });
    });
  });

  describe("capacity-tenant-share-within-limit", () => {
    it("fails a tenant above 25% of the site, at its quota; exempt and quota-less tenants pass", () => {
      const resources = site({ tenants: { "uni-a": { gpus: 13 }, "lab-b": { gpus: 16, exempt: true }, "gov-c": { gpus: 12 }, "new-d": { slurmGpus: null } } });
      resources.splice(
        resources.findIndex((r) => r.name === "new-d/tenant-quota"),
        1,
      );
      assert.deepStrictEqual(violations(tenantShareWithinLimit, resources), [
        "uni-a/tenant-quota: Tenant uni-a has a quota of 13 GPUs, above 25% of the site (12 GPUs).",
      ]);
    });

    it("rounds the cap down to whole GPUs", () => {
      // 50 GPUs: 25% is 12.5, so 13 is over.
      const pools = [...POOLS, poolFacts({ pool: "a100", gpuModel: "A100", gpusPerNode: 2, nodes: 1 })];
      assert.deepStrictEqual(violations(tenantShareWithinLimit, site({ pools, tenants: { "uni-a": { gpus: 13 } } })), [
        "uni-a/tenant-quota: Tenant uni-a has a quota of 13 GPUs, above 25% of the site (12 GPUs).",
      ]);
    });

    it("reads the maximum share from config", () => {
      assert.deepStrictEqual(violations(tenantShareWithinLimit, site(), { maxShare: 0.1 }), [
        "uni-a/tenant-quota: Tenant uni-a has a quota of 8 GPUs, above 10% of the site (4 GPUs).",
      ]);
    });

    it("declares the maximum share in its config schema, 25% by default", () => {
      assert.deepStrictEqual(tenantShareWithinLimit.configSchema?.properties?.maxShare, {
        type: "number",
        minimum: 0.01,
        maximum: 1,
        default: 0.25,
        description: "Largest share of the site's GPUs one tenant may hold.",
      });
    });
  });

  describe("capacity-power-within-envelope", () => {
    it("fails on-prem power times PUE above the envelope, at the site facts", () => {
      assert.deepStrictEqual(violations(powerWithinEnvelope, site({ facts: { envelopeMW: 0.05 } })), [
        "kube-system/aisc-site: Full-load power is 0.062 MW (0.05 MW IT at PUE 1.25), over the 0.05 MW envelope.",
      ]);
    });

    it("passes power exactly at the envelope, and leaves cloud pools' power out", () => {
      // With the cloud node's 10.2 kW counted the site would draw 0.075 MW.
      assert.deepStrictEqual(violations(powerWithinEnvelope, site({ facts: { envelopeMW: 0.062 } })), []);
      assert.deepStrictEqual(violations(powerWithinEnvelope, site({ facts: { envelopeMW: 0.07 } })), []);
    });

    it("multiplies by the site's PUE", () => {
      assert.deepStrictEqual(violations(powerWithinEnvelope, site({ facts: { envelopeMW: 0.07, pue: 1.5 } })), [
        "kube-system/aisc-site: Full-load power is 0.075 MW (0.05 MW IT at PUE 1.5), over the 0.07 MW envelope.",
      ]);
    });
  });

  describe("plannedPflops", () => {
    const facts = (p: Partial<PoolFacts> & { pool: string }): PoolFacts => ({
      gpuModel: "H100",
      gpusPerNode: 8,
      nodes: 1,
      placement: "on-prem",
      nodeWatts: 10200,
      advertises: {},
      containerd: "",
      ...p,
    });
    const pools = [
      facts({ pool: "h100", nodes: 4 }),
      facts({ pool: "l40s", gpuModel: "L40S", gpusPerNode: 4, nodes: 2, inService: "2027-01-01" }),
      facts({ pool: "cloud", placement: "cloud" }),
      facts({ pool: "odd", gpuModel: "X999" }),
    ];

    it("counts on-prem pools in service by the date, from that day on", () => {
      assert.strictEqual(plannedPflops(pools, "2026-12-31", "fp8-dense"), 63.328);
      assert.strictEqual(plannedPflops(pools, "2027-01-01", "fp8-dense"), 69.192);
    });

    it("counts at the precision asked for", () => {
      assert.strictEqual(plannedPflops(pools, "2027-01-01", "bf16-sparse"), (2 * (32 * 989 + 8 * 362)) / 1000);
    });
  });

  describe("capacity-milestone-met and -on-track", () => {
    const milestones = [
      { name: "Opening", date: "2026-01-31", pflops: 63.328 },
      { name: "Phase 2", date: "2026-11-22", pflops: 70 },
      { name: "Phase 3", date: "2027-06-30", pflops: 69.192 },
      { name: "Phase 4", date: "2028-01-01", pflops: 100 },
    ];
    const resources = site({ facts: { milestones } });

    it("judge milestones up to and including asOf as past, later ones as future, each at the site facts", () => {
      assert.deepStrictEqual(violations(milestoneMet, resources, { asOf: "2026-11-22" }), [
        'kube-system/aisc-site: Milestone "Phase 2" (2026-11-22) needs 70 PFLOPS at fp8-dense; the pools in service by then give 63.328.',
      ]);
      assert.deepStrictEqual(violations(milestoneOnTrack, resources, { asOf: "2026-11-22" }), [
        'kube-system/aisc-site: Milestone "Phase 4" (2028-01-01) needs 100 PFLOPS at fp8-dense; the pools in service by then give 69.192.',
      ]);
    });

    it("judge on today's date when asOf is unset", () => {
      const old = site({
        facts: {
          milestones: [
            { name: "Long ago", date: "2000-01-01", pflops: 1000 },
            { name: "Far off", date: "2999-01-01", pflops: 1000 },
          ],
        },
      });
      assert.deepStrictEqual(violations(milestoneMet, old), [
        'kube-system/aisc-site: Milestone "Long ago" (2000-01-01) needs 1000 PFLOPS at fp8-dense; the pools in service by then give 63.328.',
      ]);
      assert.deepStrictEqual(violations(milestoneOnTrack, old), [
        'kube-system/aisc-site: Milestone "Far off" (2999-01-01) needs 1000 PFLOPS at fp8-dense; the pools in service by then give 69.192.',
      ]);
    });

    it("enforce past milestones and advise on future ones", () => {
      assert.deepStrictEqual(
        [milestoneMet.name, milestoneMet.enforcementLevel, milestoneMet.description],
        ["capacity-milestone-met", "mandatory", "Every milestone whose date has passed is met by the capacity in service by that date."],
      );
      assert.deepStrictEqual(
        [milestoneOnTrack.name, milestoneOnTrack.enforcementLevel, milestoneOnTrack.description],
        ["capacity-milestone-on-track", "advisory", "Every future milestone is met by the capacity the inventory plans to have in service by its date."],
      );
      assert.deepStrictEqual(milestoneMet.configSchema, {
        properties: {
          asOf: {
            type: "string",
            pattern: "^\\d{4}-\\d{2}-\\d{2}$",
            description: "The date milestones are judged on (YYYY-MM-DD); the plan's date (today, or aisc plan --as-of) when unset.",
          },
        },
      });
    });
  });

  describe("capacity-slurm-limit-matches-quota", () => {
    const account = (name: string, data?: Record<string, string>) =>
      k8s(TYPES.configMap, `slurm-account-${name}`, "slurm", data ? { data } : {}, { "aisc.hk/slurm-account": name });

    it("fails a tenant with no Slurm account, at its namespace", () => {
      // A ConfigMap with no labels at all is not an account, and must not trip the rule.
      const resources = [...site({ tenants: { "uni-a": { slurmGpus: null } } }), k8s(TYPES.configMap, "plain", "slurm")];
      assert.deepStrictEqual(violations(slurmLimitMatchesQuota, resources), [
        "uni-a: Tenant uni-a has no Slurm account (ConfigMap slurm/slurm-account-uni-a).",
      ]);
    });

    it("fails a limit that differs from the quota, at the account", () => {
      assert.deepStrictEqual(violations(slurmLimitMatchesQuota, site({ tenants: { "uni-a": { gpus: 8, slurmGpus: 7 }, "gov-c": { gpus: 4 } } })), [
        "slurm/slurm-account-uni-a: Tenant uni-a's Slurm GPU limit is 7, but its Kubernetes GPU quota is 8.",
      ]);
    });

    it("reads the GPU limit among other TRES and says when there is none", () => {
      const cases: [Record<string, string> | undefined, string | undefined][] = [
        [{ qos: "uni-a GrpTRES=cpu=64,mem=1T,gres/gpu=8\n" }, undefined],
        [{ qos: "uni-a GrpTRES=cpu=64,gres/gpu=9\n" }, "9"],
        [{ qos: "uni-a GrpTRES=cpu=64\n" }, "missing"],
        [{ qos: "uni-a MaxTRES=gres/gpu=8\n" }, "missing"],
        [{ account: "Account - 'uni-a'" }, "missing"],
        [undefined, "missing"],
      ];
      for (const [data, limit] of cases) {
        const resources = [...site({ tenants: { "uni-a": { slurmGpus: null } } }), account("uni-a", data)];
        const expected =
          limit === undefined ? [] : [`slurm/slurm-account-uni-a: Tenant uni-a's Slurm GPU limit is ${limit}, but its Kubernetes GPU quota is 8.`];
        assert.deepStrictEqual(violations(slurmLimitMatchesQuota, resources), expected, JSON.stringify(data));
      }
    });

    it("checks every account labelled for a tenant, not only the first", () => {
      const base = site({ tenants: { "uni-a": { slurmGpus: null } } });
      const right = account("uni-a", { qos: "uni-a GrpTRES=gres/gpu=8\n" });
      const stray = k8s(TYPES.configMap, "uni-a-copy", "slurm", { data: { qos: "uni-a GrpTRES=gres/gpu=16\n" } }, { "aisc.hk/slurm-account": "uni-a" });
      const expected = ["slurm/uni-a-copy: Tenant uni-a's Slurm GPU limit is 16, but its Kubernetes GPU quota is 8."];
      assert.deepStrictEqual(violations(slurmLimitMatchesQuota, [...base, right, stray]), expected);
      assert.deepStrictEqual(violations(slurmLimitMatchesQuota, [...base, stray, right]), expected);
    });

    it("takes a tenant with no GPU quota as having 0 GPUs", () => {
      const resources = site({ tenants: { "uni-a": { slurmGpus: 0 }, "gov-c": { slurmGpus: 4 } } }).filter((r) => !r.name.endsWith("/tenant-quota"));
      assert.deepStrictEqual(violations(slurmLimitMatchesQuota, resources), [
        "slurm/slurm-account-gov-c: Tenant gov-c's Slurm GPU limit is 4, but its Kubernetes GPU quota is 0.",
      ]);
    });
  });
});
