import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Plan, PlannedResource } from "../../cli/record";
import { URN_SCHEME, withEngineUrns } from "../../cli/urns";
import { aisc, realPlan } from "../helpers/plan";

/**
 * A plan as aisc wrote it before it named URNs as the engine does: each URN made by the SDK's
 * mock monitor (node_modules/@pulumi/pulumi/runtime/mocks.js, newUrn), which prefixes a
 * resource's type with its parent's last type only (the stack's included), and no `urns` field.
 */
function mockSchemePlan(plan: Plan): Plan {
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  const old = new Map<string, string>();
  const oldUrn = (r: PlannedResource): string => {
    const known = old.get(r.urn);
    if (known) return known;
    const parent = r.parent === undefined ? undefined : byUrn.get(r.parent);
    const type = parent ? `${oldUrn(parent).split("::")[2].split("$").pop()}$${r.type}` : r.type;
    const urn = `urn:pulumi:${plan.stack}::${plan.project}::${type}::${r.name}`;
    old.set(r.urn, urn);
    return urn;
  };
  for (const r of plan.resources) oldUrn(r);
  // Every string that is a URN, or a provider reference (a URN, `::` and an ID), in the old scheme.
  const renamed = (v: unknown): unknown => {
    if (typeof v === "string") {
      const cut = v.lastIndexOf("::");
      return old.get(v) ?? (cut > 0 && old.has(v.slice(0, cut)) ? `${old.get(v.slice(0, cut))}${v.slice(cut)}` : v);
    }
    if (Array.isArray(v)) return v.map(renamed);
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, renamed(x)]));
    return v;
  };
  return renamed({ ...plan, urns: undefined }) as Plan;
}

describe("URNs in the engine's scheme (cli/urns)", () => {
  const plan = realPlan("sandy-ridge");

  it("records the scheme, and gives every resource under two components its whole parent type chain", () => {
    assert.equal(plan.urns, URN_SCHEME);
    const ns = plan.resources.find((r) => r.type === "kubernetes:core/v1:Namespace" && r.name === "sandy-ridge-tenant-hkgai-objects:hkgai")!;
    assert.equal(
      ns.urn,
      "urn:pulumi:sandy-ridge::aisc::aisc:platform:Site$aisc:tenancy:Tenant$kubernetes:core/v1:Namespace::sandy-ridge-tenant-hkgai-objects:hkgai",
    );
    assert.equal(plan.resources.find((r) => r.type === "aisc:platform:Site")!.urn, "urn:pulumi:sandy-ridge::aisc::aisc:platform:Site::sandy-ridge");
  });

  it("renames an older plan's URNs, parents, provider references and dependencies to the engine's", () => {
    const old = mockSchemePlan(plan);
    const ns = old.resources.find((r) => r.name === "sandy-ridge-tenant-hkgai-objects:hkgai" && r.type === "kubernetes:core/v1:Namespace")!;
    assert.equal(ns.urn, "urn:pulumi:sandy-ridge::aisc::aisc:tenancy:Tenant$kubernetes:core/v1:Namespace::sandy-ridge-tenant-hkgai-objects:hkgai");
    assert.equal(old.urns, undefined);
    assert.deepEqual(withEngineUrns(old), plan);
  });

  it("lets aisc diff compare a plan from before with one from after: no change, not the whole site deleted", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aisc-urns-"));
    try {
      fs.writeFileSync(path.join(dir, "base.json"), JSON.stringify(mockSchemePlan(plan)));
      fs.writeFileSync(path.join(dir, "head.json"), JSON.stringify(plan));
      const run = aisc("diff", path.join(dir, "base.json"), path.join(dir, "head.json"));
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stdout, "## aisc diff: sandy-ridge\n\nNo changes.\n\n");
      fs.writeFileSync(path.join(dir, "odd.json"), JSON.stringify({ ...plan, urns: "mock" }));
      const odd = aisc("diff", path.join(dir, "odd.json"), path.join(dir, "head.json"));
      assert.equal(odd.status, 2);
      assert.equal(odd.stderr, `aisc: ${path.join(dir, "odd.json")}: not a plan written by aisc plan (urns: expected "engine")\n`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
