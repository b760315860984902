import * as assert from "assert";
import { ResourceValidationPolicy, StackValidationPolicy, UnknownValueError } from "@pulumi/policy";
import { engineProps, evaluatePolicies, policyResources } from "../../cli/policy-eval";
import { Plan, UNKNOWN } from "../../cli/record";
import { plannedResource } from "../helpers/plan";
import { poolFacts, siteFacts, tenant } from "../helpers/policy";

const plan: Plan = {
  project: "aisc",
  stack: "s",
  outputs: {},
  resources: [
    plannedResource("test:index:Widget", "a", { size: 1 }),
    plannedResource("test:index:Widget", "b", { size: 5 }),
    plannedResource("test:index:Gadget", "c", {}),
  ],
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
    assert.deepStrictEqual(
      result.policies.map((p) => [p.name, p.level, p.violations]),
      [
        ["test-widgets-small", "mandatory", 1],
        ["test-gadgets-counted", "advisory", 1],
      ],
    );
  });

  it("takes settings and enforcement levels from config, and runs nothing for a disabled policy", async () => {
    const result = await evaluatePolicies(
      plan,
      { "test-widgets-small": { max: 0, enforcementLevel: "advisory" }, "test-gadgets-counted": { enforcementLevel: "disabled" } },
      [asyncWidgets, gadgetCount],
    );
    assert.deepStrictEqual(
      result.violations.map((v) => `${v.policy} ${v.level}: ${v.message}`),
      ["test-widgets-small advisory: a is 1, above 0.", "test-widgets-small advisory: b is 5, above 0."],
    );
    assert.deepStrictEqual(
      result.policies.map((p) => [p.level, p.violations]),
      [
        ["advisory", 2],
        ["disabled", 0],
      ],
    );
  });

  it("fails on an error that is not notApplicable, rather than passing the policy", async () => {
    const broken: ResourceValidationPolicy = {
      name: "test-broken",
      description: "Throws.",
      enforcementLevel: "mandatory",
      validateResource: () => {
        throw new Error("bug in a policy");
      },
    };
    await assert.rejects(evaluatePolicies(plan, {}, [broken]), /bug in a policy/);
  });

  it("resolves each resource's provider, parent and dependencies from the plan", () => {
    const provider = plannedResource("pulumi:providers:aws", "site-aws", { region: "ap-east-1" });
    const parent = plannedResource("aisc:platform:Site", "site", {});
    const key = plannedResource("aws:kms/key:Key", "key", {}, {}, parent.urn);
    const cluster = {
      ...plannedResource("aws:eks/cluster:Cluster", "eks", {}, { dependencies: [key.urn, "urn:pulumi:s::aisc::gone::x"] }, parent.urn),
      provider: `${provider.urn}::provider-id`,
    };
    const [, , , eks] = policyResources({ project: "aisc", stack: "s", outputs: {}, resources: [provider, parent, key, cluster] });
    assert.deepStrictEqual(eks.provider, { type: "pulumi:providers:aws", props: { region: "ap-east-1" }, urn: provider.urn, name: "site-aws" });
    assert.strictEqual(eks.parent?.urn, parent.urn);
    assert.deepStrictEqual(
      eks.dependencies.map((d) => d.urn),
      [key.urn],
      "a dependency not in the plan is left out",
    );
    assert.strictEqual(eks.opts.parent, parent.urn);
    assert.ok(eks.isType({ __pulumiType: "aws:eks/cluster:Cluster" } as never) && !eks.isType({ __pulumiType: "aws:kms/key:Key" } as never));
  });
});

describe("values a preview cannot know", () => {
  // Three tenants over a 16-GPU site (reserve 10%: 14 left); gov-c's quota is unknown until apply.
  const facts = [siteFacts({ envelopeMW: 2 }), poolFacts({ pool: "h100", nodes: 2 })];
  const withUnknown = (uniGpus: number): Plan => ({
    project: "aisc",
    stack: "s",
    outputs: {},
    resources: [
      ...facts,
      ...tenant("uni-a", { gpus: uniGpus }),
      ...tenant("gov-c", { gpus: 4 }).map((r) =>
        r.name === "gov-c/tenant-quota" ? { ...r, inputs: { ...r.inputs, spec: { hard: { "requests.nvidia.com/gpu": UNKNOWN } } } } : r,
      ),
    ],
  });
  const notes = (result: Awaited<ReturnType<typeof evaluatePolicies>>) =>
    result.violations.filter((v) => v.level === "advisory" || v.policy.startsWith("capacity-tenant")).map((v) => `${v.level} ${v.policy}: ${v.message}`);

  it("hands policies the engine's unknown, which throws when read, only where the plan has one", () => {
    const [quota] = policyResources(withUnknown(8)).filter((r) => r.name === "gov-c/tenant-quota");
    assert.throws(() => (quota.props.spec as { hard: Record<string, unknown> }).hard["requests.nvidia.com/gpu"], UnknownValueError);
    const [known] = policyResources(withUnknown(8)).filter((r) => r.name === "uni-a/tenant-quota");
    assert.strictEqual(engineProps(known.props), known.props, "no unknown, no proxy");
  });

  it("skips a ConfigGroup whose objects are unknown, notes it, and still decides everything else", async () => {
    const plan = withUnknown(8);
    const noLimits = {
      ...plan,
      resources: [
        ...plan.resources.filter((r) => r.name !== "uni-a/tenant-defaults"),
        plannedResource("kubernetes:yaml/v2:ConfigGroup", "extras", { yaml: UNKNOWN }),
      ],
    };
    const result = await evaluatePolicies(noLimits);
    const limit = result.violations.filter((v) => v.policy === "tenancy-namespace-has-limit-range");
    assert.deepStrictEqual(
      limit.map((v) => [v.level, v.message.replace(/during preview: .* \(/, "during preview: … (")]),
      [
        ["mandatory", "Tenant namespace uni-a has no LimitRange."],
        [
          "advisory",
          "can't run policy 'tenancy-namespace-has-limit-range' from policy pack 'aisc@v0.1.0' during preview: … (undecided until apply: the objects of extras)",
        ],
      ],
    );
  });

  it("reports a remediate policy's violations as mandatory, as the engine does", async () => {
    const result = await evaluatePolicies(withUnknown(15), { "capacity-tenant-share-within-limit": { enforcementLevel: "remediate" } });
    assert.deepStrictEqual(
      result.violations.filter((v) => v.policy === "capacity-tenant-share-within-limit").map((v) => v.level),
      ["mandatory", "advisory"],
    );
  });

  it("still decides from the known quotas, and says in an advisory note what it could not decide", async () => {
    const over = await evaluatePolicies(withUnknown(15));
    assert.deepStrictEqual(notes(over), [
      "mandatory capacity-tenant-quotas-fit-site: Tenant quotas for whole GPUs (nvidia.com/gpu) total 15, 1 more than the 14 of testsite's 16 on-premises ones left after a 10% reserve.",
      "advisory capacity-tenant-quotas-fit-site: can't run policy 'capacity-tenant-quotas-fit-site' from policy pack 'aisc@v0.1.0' during preview: string value at .spec.hard.requests.nvidia.com/gpu can't be known during preview (undecided until apply: tenant gov-c's quota)",
      "mandatory capacity-tenant-share-within-limit: Tenant uni-a has a quota of 15 GPUs, above 25% of the site (4 GPUs).",
      "advisory capacity-tenant-share-within-limit: can't run policy 'capacity-tenant-share-within-limit' from policy pack 'aisc@v0.1.0' during preview: string value at .spec.hard.requests.nvidia.com/gpu can't be known during preview (undecided until apply: tenant gov-c's quota)",
      "advisory capacity-slurm-limit-matches-quota: can't run policy 'capacity-slurm-limit-matches-quota' from policy pack 'aisc@v0.1.0' during preview: string value at .spec.hard.requests.nvidia.com/gpu can't be known during preview (undecided until apply: tenant gov-c's Slurm limit against its quota)",
    ]);
    // The tenancy rules that do not read the quota's value are decided for every tenant, with no note.
    assert.ok(!over.violations.some((v) => v.policy.startsWith("tenancy-")), JSON.stringify(over.violations));
  });
});
