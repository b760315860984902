import * as assert from "assert";
import { App } from "cdk8s";
import { slurmQos, TENANT_ADMIN_RULES, TenantChart, tenantQuota } from "../../../charts/tenant";
import { Plan, PlannedResource } from "../../../cli/record";
import { parseSite } from "../../../inventory/parse";
import { realSite, smallSite, tempDir, writeStackFile } from "../../helpers/fixtures";
import { planFile, realPlan } from "../../helpers/plan";

/** Kubernetes objects of a plan in namespace `ns` (or cluster-scoped with `ns` undefined), by kind. */
function objectsIn(plan: Plan, ns: string | undefined): Map<string, PlannedResource[]> {
  const byKind = new Map<string, PlannedResource[]>();
  for (const r of plan.resources) {
    const meta = r.inputs.metadata as { namespace?: string } | undefined;
    if (!r.type.startsWith("kubernetes:") || !meta || meta.namespace !== ns) continue;
    const kind = String(r.inputs.kind);
    byKind.set(kind, [...(byKind.get(kind) ?? []), r]);
  }
  return byKind;
}

const meta = (r: PlannedResource) => r.inputs.metadata as { name: string; namespace?: string; labels: Record<string, string> };

describe("tenancy", () => {
  for (const stack of ["cyberport", "sandy-ridge"]) {
    describe(stack, () => {
      const site = parseSite(realSite(stack));

      it("gives every tenant a restricted, labelled namespace with quota, defaults, network policies and an admin binding", () => {
        const plan = realPlan(stack);
        const namespaces = plan.resources.filter((r) => r.inputs.kind === "Namespace");
        for (const t of site.tenants) {
          const ns = namespaces.find((r) => meta(r).name === t.name);
          assert.ok(ns, `${t.name} has a namespace`);
          assert.strictEqual(ns.options.protect, true, "deleting a namespace deletes the tenant's volumes: protected");
          assert.strictEqual(meta(ns).labels["pod-security.kubernetes.io/enforce"], "restricted");
          assert.strictEqual(meta(ns).labels["aisc.hk/tenant"], t.name);
          assert.strictEqual(meta(ns).labels["aisc.hk/tenant-kind"], t.kind);
          assert.strictEqual(meta(ns).labels["aisc.hk/subsidy-scheme"], t.subsidy?.scheme ?? "none");
          const objects = objectsIn(plan, t.name);
          const quota = (objects.get("ResourceQuota") ?? [])[0]?.inputs.spec as { hard: Record<string, string> };
          assert.strictEqual(quota.hard["requests.nvidia.com/gpu"], String(t.gpus));
          assert.strictEqual(objects.get("LimitRange")?.length, 1);
          const [isolation, ...others] = objects.get("NetworkPolicy") ?? [];
          assert.strictEqual(others.length, 0, "one NetworkPolicy per tenant");
          assert.deepStrictEqual(isolation.inputs.spec, {
            egress: [
              { to: [{ podSelector: {} }] },
              {
                ports: [
                  { port: 53, protocol: "UDP" },
                  { port: 53, protocol: "TCP" },
                ],
                to: [
                  {
                    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                    podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                  },
                ],
              },
              {
                ports: [
                  { port: 22, protocol: "TCP" },
                  { port: 6820, protocol: "TCP" },
                ],
                to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "slurm" } } }],
              },
            ],
            ingress: [{ from: [{ podSelector: {} }] }, { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }] }],
            podSelector: {},
            policyTypes: ["Ingress", "Egress"],
          });
          const binding = objects.get("RoleBinding")![0].inputs as any;
          assert.deepStrictEqual(binding.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "aisc-tenant-admin" });
          assert.strictEqual(objects.get("Role"), undefined, "the rights are the platform's one ClusterRole, not a copy per tenant");
          assert.deepStrictEqual(binding.subjects, [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: `oidc:${t.adminGroup}` }]);
        }
      });

      it("gives every tenant a Slurm account whose GrpTRES equals its Kubernetes GPU quota", () => {
        const plan = realPlan(stack);
        const accounts = objectsIn(plan, "slurm").get("ConfigMap") ?? [];
        for (const t of site.tenants) {
          const account = accounts.find((r) => meta(r).name === `slurm-account-${t.name}`);
          assert.ok(account, `${t.name} has a Slurm account`);
          const data = account.inputs.data as Record<string, string>;
          const grp = /GrpTRES=gres\/gpu=(\d+)/.exec(data.qos)![1];
          const quota = (objectsIn(plan, t.name).get("ResourceQuota")![0].inputs.spec as any).hard["requests.nvidia.com/gpu"];
          assert.strictEqual(grp, quota);
          assert.match(data.account, new RegExp(`^Account - '${t.name}':.*:QOS='${t.name},scavenger':DefaultQOS='${t.name}'\n$`));
        }
      });

      it("makes a tenant's own objects wait for its namespace only, and its Slurm account for the Slurm cluster", () => {
        const plan = realPlan(stack);
        const slurmObjects = plan.resources.filter((r) => r.urn.includes("aisc:slurm:Cluster") || r.parent?.includes("aisc:slurm:Cluster"));
        const slurmControllerUrn = slurmObjects.find((r) => r.inputs.kind === "Controller")!.urn;
        const slurmNamespaceUrn = plan.resources.find((r) => r.inputs.kind === "Namespace" && meta(r).name === "slurm")!.urn;
        for (const t of site.tenants) {
          const nsUrn = plan.resources.find((r) => r.inputs.kind === "Namespace" && meta(r).name === t.name)!.urn;
          const own = [...objectsIn(plan, t.name).values()].flat();
          assert.strictEqual(own.length, 4, `${t.name}'s namespaced objects`);
          for (const r of own) assert.deepStrictEqual(r.options.dependencies, [nsUrn], `${r.name} waits for its namespace only`);
          const account = (objectsIn(plan, "slurm").get("Job") ?? []).find((r) => meta(r).name === `slurm-account-${t.name}`)!;
          assert.ok(account.options.dependencies.includes(slurmControllerUrn), `${account.name} waits for the Slurm controller`);
          assert.ok(account.options.dependencies.includes(slurmNamespaceUrn), `${account.name} waits for the slurm namespace`);
        }
      });

      it("keeps tenant labels off the platform namespaces", () => {
        const plan = realPlan(stack);
        const platform = plan.resources.filter((r) => r.inputs.kind === "Namespace" && meta(r).labels["aisc.hk/platform"] === "true");
        assert.deepStrictEqual(platform.map((r) => meta(r).name).sort(), ["cert-manager", "monitoring", "nvidia-gpu", "slinky", "slurm"]);
        for (const ns of platform) assert.ok(!Object.keys(meta(ns).labels).some((k) => k.startsWith("aisc.hk/tenant") || k.startsWith("aisc.hk/subsidy")));
      });
    });
  }

  it("grants tenant admins no cluster-wide rights and no way to widen their own access", () => {
    const objects = new TenantChart(new App(), "t", { site: parseSite(smallSite()), tenant: parseSite(smallSite()).tenants[0] }).toJson();
    assert.ok(!objects.some((o: any) => o.kind.startsWith("Cluster")));
    // The one ClusterRole the tenants' RoleBindings refer to is the platform's, with exactly these rules.
    const roles = realPlan("cyberport").resources.filter((r) => r.inputs.kind === "ClusterRole" && meta(r).name === "aisc-tenant-admin");
    assert.strictEqual(roles.length, 1);
    assert.deepStrictEqual(roles[0].inputs.rules, JSON.parse(JSON.stringify(TENANT_ADMIN_RULES)));
    for (const rule of TENANT_ADMIN_RULES) {
      assert.ok(!(rule.resources as string[]).some((r) => ["roles", "rolebindings", "*"].includes(r)));
      assert.ok(!(rule.apiGroups as string[]).includes("rbac.authorization.k8s.io"));
    }
    const writable = TENANT_ADMIN_RULES.filter((r) => (r.verbs as string[]).includes("create")).flatMap((r) => r.resources as string[]);
    for (const fixed of ["resourcequotas", "limitranges", "networkpolicies"]) assert.ok(!writable.includes(fixed), fixed);
  });

  it("sizes CPU, memory, storage and pods from the GPU entitlement and quotas shared GPUs", () => {
    const s = smallSite();
    s.tenants[1].sharedGpus = { "nvidia.com/gpu.shared": 64 };
    const site = parseSite(s);
    assert.strictEqual(tenantQuota(site, site.tenants[0])["requests.nvidia.com/gpu.shared"], "0");
    assert.deepStrictEqual(tenantQuota(site, site.tenants[1]), {
      "requests.nvidia.com/gpu": "16",
      "requests.nvidia.com/gpu.shared": "64",
      "requests.cpu": "264",
      "limits.cpu": "264",
      "requests.memory": "3104Gi",
      "limits.memory": "3104Gi",
      "requests.storage": "33Ti",
      persistentvolumeclaims: "42",
      pods: "84",
      "services.loadbalancers": "0",
      "services.nodeports": "0",
    });
    assert.strictEqual(slurmQos(site.tenants[1]), "lab-b GrpTRES=gres/gpu=16 Flags=DenyOnLimit Preempt=scavenger\n");
  });

  it("changes only a removed tenant's resources, leaving every other resource as it was", () => {
    const full = realPlan("cyberport");
    const s = realSite("cyberport") as { tenants: { name: string }[] };
    s.tenants = s.tenants.filter((t) => t.name !== "polyu");
    const less = planFile(writeStackFile("cyberport", s), tempDir());
    const before = new Map(full.resources.map((r) => [r.urn, r]));
    const after = new Map(less.resources.map((r) => [r.urn, r]));
    const removed = [...before.keys()].filter((u) => !after.has(u));
    assert.deepStrictEqual(
      [...after.keys()].filter((u) => !before.has(u)),
      [],
      "nothing added",
    );
    assert.deepStrictEqual(removed.map((u) => before.get(u)!.type).sort(), [
      "aisc:tenancy:Tenant",
      "kubernetes:batch/v1:CronJob",
      "kubernetes:batch/v1:Job",
      "kubernetes:core/v1:ConfigMap",
      "kubernetes:core/v1:LimitRange",
      "kubernetes:core/v1:Namespace",
      "kubernetes:core/v1:ResourceQuota",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy",
      "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
    ]);
    for (const urn of removed) assert.match(urn, /::cyberport-tenant-polyu(-objects(:.*)?)?$/);
    for (const [urn, r] of after) assert.deepStrictEqual(r.inputs, before.get(urn)!.inputs, `${urn} unchanged`);
  });
});
