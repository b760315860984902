import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { Plan, PlannedResource } from "../../cli/record";

/** The compiled helpers, beside this file's compiled form in dist/test/. */
const CHILD = path.resolve(__dirname, "..", "helpers", "run-program-child.js");
const PROGRAM = path.resolve(__dirname, "..", "helpers", "programs", "moved-parent.js");

/** Plans test/helpers/programs/moved-parent.ts as `move` leaves it, with the SDK's own alias URNs recorded. */
function planOf(move: "before" | "renamed" | "aliased"): Plan {
  const run = spawnSync(process.execPath, [CHILD, PROGRAM], {
    env: { ...process.env, AISC_MOVE: move, AISC_ALIAS_URNS: "1" },
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as Plan;
}

const typeChain = (urn: string) => urn.split("::")[2];
const nameOf = (urn: string) => urn.split("::").slice(3).join("::");

/**
 * The alias the engine gives a child whose parent was found under `parentOld` (pkg/resource/deploy,
 * stepGenerator.inheritedChildAlias): the old parent's type chain, and the child's name with the
 * parent's name prefix swapped for the old parent's (children are named `<parent>-...`).
 */
function inheritedChildAlias(childType: string, childName: string, parent: PlannedResource, parentOld: string): string {
  const name = childName.startsWith(parent.name) ? nameOf(parentOld) + childName.slice(parent.name.length) : childName;
  const [prefix] = parentOld.split("::" + typeChain(parentOld) + "::");
  return `${prefix}::${typeChain(parentOld)}$${childType}::${name}`;
}

/** A URN's own type, the last of its chain. */
const ownType = (urn: string) => typeChain(urn).split("$").pop()!;

/**
 * The URN in `old` each resource of `plan` is found under, as the engine matches a resource to
 * its previous state (stepGenerator.generateAliases): its own URN, else its aliases (as the SDK
 * sends them), else the alias inherited from the parent's match, parents first. Undefined for a
 * resource the engine would create anew.
 */
function engineMatches(plan: Plan, old: ReadonlySet<string>): Map<string, string | undefined> {
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  const matched = new Map<string, string | undefined>();
  const match = (r: PlannedResource): string | undefined => {
    if (matched.has(r.urn)) return matched.get(r.urn);
    const candidates = [r.urn, ...(r.options.aliases ?? [])];
    const parent = r.parent === undefined ? undefined : byUrn.get(r.parent);
    const parentOld = parent && match(parent);
    if (parent && parentOld && parentOld !== parent.urn) {
      // The engine's two products: the child as it is under the old parent, and each of the
      // child's own aliases under the old parent.
      candidates.push(inheritedChildAlias(r.type, r.name, parent, parentOld));
      for (const alias of r.options.aliases ?? []) candidates.push(inheritedChildAlias(ownType(alias), nameOf(alias), parent, parentOld));
    }
    const found = candidates.find((u) => old.has(u));
    matched.set(r.urn, found);
    return found;
  };
  for (const r of plan.resources) match(r);
  return matched;
}

/**
 * A component re-typed and renamed in code (here the Site over the real Tenants of Sandy Ridge,
 * each with its ChartResources and Kubernetes objects) changes the URN of everything under it:
 * without an alias, `pulumi up` would delete every tenant's namespace and create it anew. One
 * alias on the moved component is enough, because the engine derives every descendant's alias
 * from its parent's. The SDK computes the first level itself when told the monitor takes no alias
 * specs; deeper levels follow the engine's rule, modelled above from its source.
 */
describe("aliases: a component's parent moved in code", function () {
  this.timeout(300_000);
  let original: Plan;
  let renamed: Plan;
  let aliased: Plan;
  const under = (plan: Plan) => plan.resources.filter((r) => r.type !== "pulumi:pulumi:Stack" && r.type !== "pulumi:providers:kubernetes");

  before(() => {
    original = planOf("before");
    renamed = planOf("renamed");
    aliased = planOf("aliased");
  });

  it("re-typed and renamed without an alias, every resource under it gets a new URN", () => {
    const old = new Set(original.resources.map((r) => r.urn));
    const kept = [...engineMatches(renamed, old).entries()].filter(([urn, found]) => found !== undefined && under(renamed).some((r) => r.urn === urn));
    assert.equal(under(original).length, 100);
    assert.deepEqual(kept, []);
  });

  it("with one alias on the parent, every resource under it keeps its URN, one for one", () => {
    const old = new Set(original.resources.map((r) => r.urn));
    const matches = engineMatches(aliased, old);
    const lost = under(aliased).filter((r) => matches.get(r.urn) === undefined);
    assert.deepEqual(
      lost.map((r) => r.urn),
      [],
    );
    const found = under(aliased).map((r) => matches.get(r.urn)!);
    assert.equal(new Set(found).size, found.length, "no two resources claim one old URN");
    assert.deepEqual(
      [...found].sort(),
      under(original)
        .map((r) => r.urn)
        .sort(),
    );
    // The move is real: no resource under the parent kept its URN by itself.
    assert.equal(under(aliased).filter((r) => old.has(r.urn)).length, 0);
  });

  it("finds a tenant's Namespace, two levels down, under its old whole type chain", () => {
    const matches = engineMatches(aliased, new Set(original.resources.map((r) => r.urn)));
    const ns = "urn:pulumi:aliases::aisc::aisc:site:Site$aisc:tenancy:Tenant$kubernetes:core/v1:Namespace::sr-tenant-hkgai-objects:hkgai";
    assert.equal(
      matches.get(ns),
      "urn:pulumi:aliases::aisc::aisc:platform:Site$aisc:tenancy:Tenant$kubernetes:core/v1:Namespace::sandy-ridge-tenant-hkgai-objects:hkgai",
    );
  });

  it("takes the first level from the SDK itself: each Tenant carries its old URN as an alias", () => {
    const tenant = aliased.resources.find((r) => r.type === "aisc:tenancy:Tenant" && r.name === "sr-tenant-hkgai")!;
    assert.equal(tenant.urn, "urn:pulumi:aliases::aisc::aisc:site:Site$aisc:tenancy:Tenant::sr-tenant-hkgai");
    assert.deepEqual(tenant.options.aliases, ["urn:pulumi:aliases::aisc::aisc:platform:Site$aisc:tenancy:Tenant::sandy-ridge-tenant-hkgai"]);
  });
});
