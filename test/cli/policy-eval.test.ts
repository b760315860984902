import * as assert from "assert";
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { evaluatePolicies, policyResources } from "../../cli/policy-eval";
import { Plan } from "../../cli/record";
import { plannedResource } from "../helpers/plan";

const plan: Plan = {
  project: "aisc",
  stack: "s",
  outputs: {},
  resources: [plannedResource("test:index:Widget", "a", { size: 1 }), plannedResource("test:index:Widget", "b", { size: 5 }), plannedResource("test:index:Gadget", "c", {})],
};

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A resource policy that reports widgets above a configured size, after an await. */
const asyncWidgets: ResourceValidationPolicy = {
  name: "test-widgets-small",
  description: "Widgets are small.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { max: { type: "number", default: 3 } } },
  validateResource: async (args, report) => {
    if (!args.isType({ __pulumiType: "test:index:Widget" } as never)) args.notApplicable("not a widget");
    await tick();
    const { max } = args.getConfig<{ max: number }>();
    if ((args.props.size as number) > max) report(`${args.name} is ${args.props.size}, above ${max}.`);
  },
};

/** A stack policy that is synchronous, reports at a resource it names, and reads its own config. */
const gadgetCount: StackValidationPolicy = {
  name: "test-gadgets-counted",
  description: "There are enough gadgets.",
  enforcementLevel: "advisory",
  configSchema: { properties: { min: { type: "number", default: 2 } } },
  validateStack: (args, report) => {
    const gadgets = args.resources.filter((r) => r.type === "test:index:Gadget");
    const { min } = args.getConfig<{ min: number }>();
    if (gadgets.length < min) report(`${gadgets.length} gadget(s), fewer than ${min}.`, gadgets[0]?.urn);
  },
};

describe("evaluatePolicies", () => {
  it("awaits asynchronous policies, passes notApplicable, and gives each policy its own config", async () => {
    const result = await evaluatePolicies(plan, {}, [asyncWidgets, gadgetCount]);
    assert.deepStrictEqual(result.violations, [
      { policy: "test-widgets-small", level: "mandatory", message: "b is 5, above 3.", urn: plan.resources[1].urn },
      { policy: "test-gadgets-counted", level: "advisory", message: "1 gadget(s), fewer than 2.", urn: plan.resources[2].urn },
    ]);
    assert.deepStrictEqual(result.policies.map((p) => [p.name, p.level, p.violations]), [
      ["test-widgets-small", "mandatory", 1],
      ["test-gadgets-counted", "advisory", 1],
    ]);
  });

  it("takes settings and enforcement levels from config, and runs nothing for a disabled policy", async () => {
    const result = await evaluatePolicies(plan, { "test-widgets-small": { max: 0, enforcementLevel: "advisory" }, "test-gadgets-counted": { enforcementLevel: "disabled" } }, [asyncWidgets, gadgetCount]);
    assert.deepStrictEqual(result.violations.map((v) => `${v.policy} ${v.level}: ${v.message}`), ["test-widgets-small advisory: a is 1, above 0.", "test-widgets-small advisory: b is 5, above 0."]);
    assert.deepStrictEqual(result.policies.map((p) => [p.level, p.violations]), [["advisory", 2], ["disabled", 0]]);
  });

  it("fails on an error that is not notApplicable, rather than passing the policy", async () => {
    const broken: ResourceValidationPolicy = { name: "test-broken", description: "Throws.", enforcementLevel: "mandatory", validateResource: () => { throw new Error("bug in a policy"); } };
    await assert.rejects(evaluatePolicies(plan, {}, [broken]), /bug in a policy/);
  });

  it("resolves each resource's provider, parent and dependencies from the plan", () => {
    const provider = plannedResource("pulumi:providers:aws", "site-aws", { region: "ap-east-1" });
    const parent = plannedResource("aisc:platform:Site", "site", {});
    const key = plannedResource("aws:kms/key:Key", "key", {}, {}, parent.urn);
    const cluster = { ...plannedResource("aws:eks/cluster:Cluster", "eks", {}, { dependencies: [key.urn, "urn:pulumi:s::aisc::gone::x"] }, parent.urn), provider: `${provider.urn}::provider-id` };
    const [, , , eks] = policyResources({ project: "aisc", stack: "s", outputs: {}, resources: [provider, parent, key, cluster] });
    assert.deepStrictEqual(eks.provider, { type: "pulumi:providers:aws", props: { region: "ap-east-1" }, urn: provider.urn, name: "site-aws" });
    assert.strictEqual(eks.parent?.urn, parent.urn);
    assert.deepStrictEqual(eks.dependencies.map((d) => d.urn), [key.urn], "a dependency not in the plan is left out");
    assert.strictEqual(eks.opts.parent, parent.urn);
    assert.ok(eks.isType({ __pulumiType: "aws:eks/cluster:Cluster" } as never) && !eks.isType({ __pulumiType: "aws:kms/key:Key" } as never));
  });
});
