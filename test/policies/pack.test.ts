import * as assert from "assert";
import { policyResources } from "../../cli/policy-eval";
import { PlannedResource } from "../../cli/record";
import { configOf, gpuQuota, inNamespace, isPlatformNamespace, ofKind, poolFactsOf, siteFactsOf, tenants } from "../../policies/common";
import * as fs from "fs";
import * as path from "path";
import { PACK_NAME, PACK_VERSION, POLICIES } from "../../policies/pack";
import { k8s, poolFacts, siteFacts, tenant, TYPES } from "../helpers/policy";

/** The pack's make-up, in process, and the helpers every policy reads the stack through. */

const resourcesOf = (planned: PlannedResource[]) => policyResources({ project: "aisc", stack: "test", resources: planned, outputs: {} });

describe("the aisc policy pack", () => {
  it("names its version as the engine reads it, from policies/package.json (in its 'can't run' notes)", () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, "..", "..", "..", "policies", "package.json"), "utf8")) as { version: string };
    assert.strictEqual(PACK_VERSION, pkg.version);
  });

  it("lists every policy once, in report order, under the pack name aisc", () => {
    assert.strictEqual(PACK_NAME, "aisc");
    assert.deepStrictEqual(
      POLICIES.map((p) => p.name),
      [
        "capacity-tenant-quotas-fit-site",
        "capacity-tenant-share-within-limit",
        "capacity-power-within-envelope",
        "capacity-milestone-met",
        "capacity-milestone-on-track",
        "capacity-slurm-limit-matches-quota",
        "capacity-subsidy-within-budget",
        "capacity-subsidy-headroom",
        "tenancy-namespace-has-gpu-quota",
        "tenancy-namespace-has-limit-range",
        "tenancy-namespace-default-deny",
        "tenancy-namespace-pod-security-restricted",
        "tenancy-rolebinding-own-group",
        "tenancy-tenant-role-bounded",
        "tenancy-tenant-identities-stay-in-namespace",
        "tenancy-pods-restricted-outside-platform",
        "tenancy-gpu-requests-need-quota",
        "tenancy-network-policy-enforced",
        "tenancy-quota-for-every-gpu-resource",
        "tenancy-gpu-runtime-platform-only",
        "security-aws-region-hong-kong",
        "security-eks-endpoint-private",
        "security-eks-secrets-encrypted",
        "security-eks-audit-logs",
        "security-eks-version-supported",
        "security-buckets-private-encrypted",
        "security-stateful-resources-protected",
        "security-images-and-charts-pinned",
        "security-no-binding-to-system-identities",
      ],
    );
  });

  it("describes every policy in one full sentence", () => {
    for (const p of POLICIES) assert.match(p.description, /^[A-Z](?!.*\.\s).*[a-z0-9)]\.$/, p.name);
  });

  it("makes every policy mandatory except the advisory milestone-on-track and subsidy headroom", () => {
    assert.deepStrictEqual(
      POLICIES.filter((p) => p.enforcementLevel !== "mandatory").map((p) => `${p.name}: ${p.enforcementLevel}`),
      ["capacity-milestone-on-track: advisory", "capacity-subsidy-headroom: advisory"],
    );
  });
});

describe("policy helpers", () => {
  it("index resources by type and by namespace, one index per evaluation", () => {
    const rs = resourcesOf([...tenant("uni-a"), ...tenant("gov-c"), k8s(TYPES.limitRange, "cluster-wide", undefined)]);
    assert.deepStrictEqual(
      ofKind(rs, TYPES.limitRange).map((r) => r.name),
      ["uni-a/tenant-defaults", "gov-c/tenant-defaults", "cluster-wide"],
    );
    assert.deepStrictEqual(ofKind(rs, "kubernetes:core/v1:Secret"), []);
    assert.deepStrictEqual(
      inNamespace(rs, TYPES.limitRange, "gov-c").map((r) => r.name),
      ["gov-c/tenant-defaults"],
    );
    assert.deepStrictEqual(
      inNamespace(rs, TYPES.limitRange, "").map((r) => r.name),
      ["cluster-wide"],
    );
    assert.deepStrictEqual(inNamespace(rs, TYPES.quota, "nowhere"), []);
    // Asked again, the answers come from the same index: the same arrays, not new scans.
    assert.strictEqual(ofKind(rs, TYPES.limitRange), ofKind(rs, TYPES.limitRange));
    assert.strictEqual(inNamespace(rs, TYPES.limitRange, "gov-c"), inNamespace(rs, TYPES.limitRange, "gov-c"));
    assert.strictEqual(inNamespace(rs, TYPES.quota, "uni-a"), inNamespace(rs, TYPES.quota, "uni-a"));
    assert.strictEqual(tenants(rs), tenants(rs));
  });

  it("reads a GPU quota line as a number, and undefined without one", () => {
    const [quota] = resourcesOf([k8s(TYPES.quota, "q", "a", { spec: { hard: { "requests.nvidia.com/gpu": "16" } } })]);
    assert.strictEqual(gpuQuota(quota), 16);
    for (const body of [{}, { spec: {} }, { spec: { hard: { "requests.cpu": "8" } } }])
      assert.strictEqual(gpuQuota(resourcesOf([k8s(TYPES.quota, "q", "a", body)])[0]), undefined, JSON.stringify(body));
  });

  it("sees tenants by label, with the first GPU quota of their namespace and their exemption", () => {
    const rs = resourcesOf([
      k8s(TYPES.quota, "cpu", "uni-a", { spec: { hard: { "requests.cpu": "8" } } }),
      ...tenant("uni-a", { gpus: 8 }),
      k8s(TYPES.quota, "second", "uni-a", { spec: { hard: { "requests.nvidia.com/gpu": "99" } } }),
      ...tenant("lab-b", { gpus: 0, exempt: true }),
      k8s(TYPES.namespace, "not-exempt", undefined, {}, { "aisc.hk/tenant": "not-exempt", "aisc.hk/max-share-exempt": "yes" }),
      k8s(TYPES.namespace, "platform", undefined, {}, { team: "ops" }),
      k8s(TYPES.namespace, "bare", undefined),
    ]);
    assert.deepStrictEqual(
      tenants(rs).map((t) => [t.name, t.namespace.name, t.quota?.name, t.gpus, t.exempt]),
      [
        ["uni-a", "uni-a", "uni-a/tenant-quota", 8, false],
        ["lab-b", "lab-b", "lab-b/tenant-quota", 0, true],
        ["not-exempt", "not-exempt", undefined, undefined, false],
      ],
    );
    assert.ok(!("gpus" in tenants(rs)[2]), "a tenant with no quota has no gpus key");
  });

  it("takes kube-* and the platform's namespaces as platform, and nothing else (not default, where an object naming none lands)", () => {
    for (const ns of ["kube-system", "kube-public", "nvidia-gpu", "slinky", "slurm", "monitoring", "cert-manager"])
      assert.strictEqual(isPlatformNamespace(ns), true, ns);
    for (const ns of ["default", "kubeflow", "uni-a", "", "slurm-dev"]) assert.strictEqual(isPlatformNamespace(ns), false, ns);
  });

  it("reads the site's and pools' facts only from labelled kube-system ConfigMaps with valid JSON", () => {
    const fakeSite = k8s(TYPES.configMap, "aisc-site", "default", { data: { "site.json": "{}" } }, { "aisc.hk/facts": "site" });
    const unlabelled = k8s(TYPES.configMap, "aisc-site-2", "kube-system", { data: { "site.json": "{}" } });
    const broken = k8s(TYPES.configMap, "aisc-pool-x", "kube-system", { data: { "pool.json": "{not json" } }, { "aisc.hk/facts": "pool" });
    const empty = k8s(TYPES.configMap, "aisc-pool-y", "kube-system", { data: {} }, { "aisc.hk/facts": "pool" });
    const wrongKey = k8s(TYPES.configMap, "aisc-pool-z", "kube-system", { data: { "site.json": "{}" } }, { "aisc.hk/facts": "pool" });
    const noData = k8s(TYPES.configMap, "aisc-pool-w", "kube-system", {}, { "aisc.hk/facts": "pool" });
    const rs = resourcesOf([fakeSite, unlabelled, broken, empty, wrongKey, noData, siteFacts({ envelopeMW: 3 }), poolFacts({ pool: "h100", nodes: 2 })]);
    const site = siteFactsOf(rs);
    assert.deepStrictEqual([site?.resource.name, site?.facts.envelopeMW], ["kube-system/aisc-site", 3]);
    assert.deepStrictEqual(
      poolFactsOf(rs).map((p) => [p.resource.name, p.facts.pool, p.facts.nodes]),
      [["kube-system/aisc-pool-h100", "h100", 2]],
    );
    assert.strictEqual(siteFactsOf(resourcesOf([fakeSite, unlabelled])), undefined);
  });

  it("fills a policy's config with defaults for what is not set", () => {
    const args = (set: Record<string, unknown> | undefined) => ({ getConfig: <T>() => set as T });
    assert.deepStrictEqual(configOf(args({ reserve: 0.2 }), { reserve: 0.1, other: 1 }), { reserve: 0.2, other: 1 });
    assert.deepStrictEqual(configOf(args(undefined), { reserve: 0.1 }), { reserve: 0.1 });
  });
});
