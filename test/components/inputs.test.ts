import * as assert from "assert";
import { Plan, PlannedResource } from "../../cli/record";
import { realSite, smallSite, tempDir, writeStackFile } from "../helpers/fixtures";
import { ofType, one, planFile, realPlan } from "../helpers/plan";

/** The components of a plan: aisc's own types, whose inputs are the summaries `super` is given. */
function components(plan: Plan): PlannedResource[] {
  return plan.resources.filter((r) => r.type.startsWith("aisc:"));
}

/** The tenant component named after `tenant` in the cyberport plan. */
function tenant(plan: Plan, name: string): PlannedResource {
  return ofType(plan, "aisc:tenancy:Tenant").find((r) => r.name === `cyberport-tenant-${name}`)!;
}

/**
 * What a component's inputs must never hold: a secret (redacted or not, it would be stored in
 * the state), a value known only after deployment, a resource, a kubeconfig, or a date, which
 * would put the component in every day's preview.
 */
function forbiddenIn(inputs: unknown): string[] {
  const text = JSON.stringify(inputs);
  const found: string[] = [];
  if (text.includes("[secret]")) found.push("a secret");
  if (text.includes("[unknown]")) found.push("an unknown");
  if (text.includes('"$ref"')) found.push("a resource");
  if (/kubeconfig|certificate-authority|current-context/i.test(text)) found.push("a kubeconfig");
  if (/\d{4}-\d{2}-\d{2}/.test(text)) found.push("a date");
  return found;
}

describe("components' inputs, as the engine records them and previews diff them", () => {
  let plan: Plan;
  before(() => {
    plan = realPlan("cyberport");
  });

  it("records the site by its name, region and stage, and its cluster by name, kind and Kubernetes version", () => {
    assert.deepStrictEqual(one(plan, "aisc:platform:Site").inputs, { region: "ap-east-1", site: "cyberport", stage: "platform" });
    assert.deepStrictEqual(one(plan, "aisc:cluster:GpuCluster").inputs, { clusterName: "aisc-cyberport", kind: "eks", kubernetesVersion: "1.36" });
  });

  it("records each tenant by its name, kind and GPU quota lines, the same lines as its ResourceQuota", () => {
    assert.deepStrictEqual(tenant(plan, "hkgai").inputs, {
      gpus: { "nvidia.com/gpu": 320, "nvidia.com/gpu.shared": 128, "nvidia.com/mig-1g.10gb": 0 },
      kind: "research-centre",
      tenant: "hkgai",
    });
    assert.deepStrictEqual(tenant(plan, "hku").inputs, {
      gpus: { "nvidia.com/gpu": 80, "nvidia.com/gpu.shared": 0, "nvidia.com/mig-1g.10gb": 56 },
      kind: "university",
      tenant: "hku",
    });
    const quotas = ofType(plan, "kubernetes:core/v1:ResourceQuota");
    const tenants = ofType(plan, "aisc:tenancy:Tenant");
    assert.strictEqual(tenants.length, 23);
    for (const t of tenants) {
      const name = t.inputs.tenant as string;
      const hard = (quotas.find((q) => (q.inputs.metadata as any).namespace === name)!.inputs.spec as any).hard as Record<string, string>;
      const gpuLines = Object.fromEntries(
        Object.entries(hard)
          .filter(([k]) => k.startsWith("requests.nvidia.com/"))
          .map(([k, v]) => [k.slice("requests.".length), Number(v)]),
      );
      assert.deepStrictEqual(t.inputs.gpus, gpuLines, name);
    }
  });

  it("gives every component plain inputs: no secret, unknown, resource, kubeconfig or date, in either site or an existing cluster's", () => {
    const s = smallSite();
    s.cluster = { kind: "existing" };
    s.system = { storageClass: "local-nvme" };
    s.pools = s.pools.filter((p: any) => p.placement !== "cloud");
    s.slurm.partitions = [s.slurm.partitions[0]];
    const existing = planFile(writeStackFile("onprem", s, { "aisc:kubeconfig": { secure: "v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAA" } }), tempDir());
    assert.deepStrictEqual(one(existing, "aisc:cluster:GpuCluster").inputs, { clusterName: "testsite", kind: "existing" });
    for (const p of [plan, realPlan("sandy-ridge"), existing]) {
      const all = components(p);
      assert.ok(all.length > 10, p.stack);
      for (const c of all) {
        assert.notDeepStrictEqual(c.inputs, {}, `${c.urn} says what it is`);
        assert.deepStrictEqual(forbiddenIn(c.inputs), [], c.urn);
      }
    }
  });

  it("keeps every component's inputs when only the plan's date moves, though the activations it issues change", () => {
    const later = planFile(writeStackFile("cyberport", realSite("cyberport")), tempDir(), "--as-of", "2027-01-20");
    const inputs = (p: Plan, test: (r: PlannedResource) => boolean) => p.resources.filter(test).map((r) => [r.urn, r.inputs]);
    assert.deepStrictEqual(
      inputs(later, (r) => r.type.startsWith("aisc:")),
      inputs(plan, (r) => r.type.startsWith("aisc:")),
    );
    const activations = (r: PlannedResource) => r.type === "aws:ssm/activation:Activation";
    assert.notDeepStrictEqual(inputs(later, activations), inputs(plan, activations));
  });
});
