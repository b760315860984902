import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { evaluatePolicies } from "../../cli/policy-eval";
import { Plan } from "../../cli/record";
import { judged, measured } from "../../policies/evidence";
import { smallSite, tempDir, writeStackFile } from "../helpers/fixtures";
import { aisc, plannedResource } from "../helpers/plan";

/**
 * Evidence for every pass: each policy states what it measured and against which settings, in
 * the Markdown (passes collapsed, failures first) and as numbers in the JSON.
 */

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

const widgets: ResourceValidationPolicy = {
  name: "test-widgets-small",
  description: "Widgets are small.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { max: { type: "number", default: 3 } } },
  validateResource: (args, report) => {
    if (args.type !== "test:index:Widget") return;
    judged(args, "widget");
    if ((args.props.size as number) > args.getConfig<{ max: number }>().max) report(`${args.name} is too big.`);
  },
};

const gadgets: StackValidationPolicy = {
  name: "test-gadgets-counted",
  description: "There are gadgets.",
  enforcementLevel: "advisory",
  validateStack: (args) => {
    const n = args.resources.filter((r) => r.type === "test:index:Gadget").length;
    measured(args, { text: `${n} gadget`, figures: { gadgets: n } });
  },
};

const silent: StackValidationPolicy = { name: "test-silent", description: "Says nothing.", enforcementLevel: "advisory", validateStack: () => undefined };

describe("policy evidence", function () {
  this.timeout(300000);

  it("records what each policy measured, what a resource policy judged by kind, and the settings it ran with", async () => {
    const result = await evaluatePolicies(plan, { "test-widgets-small": { max: 9 }, "test-silent": { enforcementLevel: "disabled" } }, [
      widgets,
      gadgets,
      silent,
    ]);
    assert.deepStrictEqual(
      result.policies.map((p) => [p.name, p.evidence, p.settings]),
      [
        ["test-widgets-small", { text: "judged 2 widgets", figures: { judged: { widget: 2 } } }, { max: 9 }],
        ["test-gadgets-counted", { text: "1 gadget", figures: { gadgets: 1 } }, {}],
        ["test-silent", { text: "disabled by the policy config: nothing judged", figures: { disabled: true } }, {}],
      ],
    );
    const quiet = await evaluatePolicies(plan, {}, [silent]);
    assert.deepStrictEqual(quiet.policies[0].evidence, { text: "judged the stack's 3 resources", figures: { resources: 3 } });
  });

  it("shows each capacity policy's figures and threshold in a passing stack's reports, as numbers in the JSON", () => {
    const out = tempDir();
    const run = aisc("plan", "--config", writeStackFile("evidence", smallSite()), "--out", out);
    assert.strictEqual(run.status, 0, run.stderr);
    const dir = path.join(out, "evidence");
    const json = JSON.parse(fs.readFileSync(path.join(dir, "policy-report.json"), "utf8")) as {
      policies: { name: string; status: string; evidence: { text: string; figures: Record<string, unknown> }; settings: Record<string, unknown> }[];
    };
    const byName = new Map(json.policies.map((p) => [p.name, p]));
    // smallSite: h100-a 4 nodes x 8 H100 (32 whole GPUs), l40s-ts 2 x 4 L40S time-sliced 4 ways (32 shared);
    // quotas uni-a 8 + lab-b 16 (exempt from the share) + gov-c 4 = 28 whole GPUs.
    assert.deepStrictEqual(byName.get("capacity-tenant-quotas-fit-site")!.evidence.figures, {
      reserve: 0.1,
      resources: [
        { resource: "nvidia.com/gpu", quotas: 28, available: 32, limit: 28 }, // floor(32 x 0.9)
        { resource: "nvidia.com/gpu.shared", quotas: 0, available: 32, limit: 28 },
      ],
    });
    assert.deepStrictEqual(byName.get("capacity-tenant-share-within-limit")!.evidence.figures, {
      maxShare: 0.25,
      siteGpus: 40,
      cap: 10,
      largest: { tenant: "uni-a", gpus: 8 },
      judged: 2,
      exempt: 1,
    });
    // 32 H100 at 1,275 W a GPU's share of its server, 8 L40S at 525 W: 45 kW IT, at PUE 1.25.
    assert.deepStrictEqual(byName.get("capacity-power-within-envelope")!.evidence.figures, {
      itMW: 0.045,
      pue: 1.25,
      facilityMW: 0.057,
      envelopeMW: 2,
      marginMW: 1.943,
    });
    // 32 H100 at 1,979 TFLOPS FP8 dense; the L40S pool enters service in 2027.
    assert.deepStrictEqual(byName.get("capacity-milestone-met")!.evidence.figures, {
      asOf: "2026-12-02",
      precision: "fp8-dense",
      milestones: [{ name: "Opening", date: "2026-01-31", pflops: 60, plannedPflops: 63.328, marginPflops: 3.328 }],
    });
    assert.deepStrictEqual(byName.get("capacity-slurm-limit-matches-quota")!.evidence.figures, { tenants: 3, accountsCompared: 3, equal: 3 });
    assert.deepStrictEqual(byName.get("capacity-tenant-share-within-limit")!.settings, { maxShare: 0.25 });

    const md = fs.readFileSync(path.join(dir, "policy-report.md"), "utf8");
    const details = md.slice(md.indexOf("<details>"), md.indexOf("</details>"));
    assert.ok(md.indexOf("| `capacity-subsidy-headroom` | advisory |") < md.indexOf("<details>"), "failures first, passes collapsed");
    for (const row of [
      "| `capacity-tenant-quotas-fit-site` | mandatory | nvidia.com/gpu: quotas 28 of 28 allowed (32 on-premises less the reserve); nvidia.com/gpu.shared: quotas 0 of 28 allowed (32 on-premises less the reserve); reserve 10% | reserve 0.1 |",
      "| `capacity-tenant-share-within-limit` | mandatory | largest quota uni-a's 8 GPUs against a cap of 10 GPUs (25% of the site's 40); 2 tenants judged, 1 exempt | maxShare 0.25 |",
      "| `capacity-power-within-envelope` | mandatory | full load 0.057 MW (0.045 MW IT at PUE 1.25) of the 2 MW envelope, margin 1.943 MW |  |",
      '| `capacity-milestone-met` | mandatory | "Opening" (2026-01-31): 63.328 of 60 PFLOPS at fp8-dense, judged on 2026-12-02 |  |',
      "| `security-eks-endpoint-private` | mandatory | judged 1 EKS cluster |  |",
    ]) {
      assert.ok(details.includes(`\n${row}\n`), row);
    }
    assert.match(
      md,
      /^- `capacity-subsidy-headroom`: ai-subsidy-scheme: 0% of its budget committed \(rounded down\), warning above 80%; 1 tenant not costed in full \(settings: warnAt 0\.8\)$/m,
    );
  });
});
