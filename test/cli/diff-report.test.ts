import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { changedPaths, diffMarkdown, diffPlans } from "../../cli/diff-plans";
import { cityChartSpec, cityMarkdown } from "../../cli/report";
import { Plan, PlannedResource } from "../../cli/record";
import { parseSite } from "../../inventory/parse";
import { realSite, smallSite, tempDir, writeStackFile } from "../helpers/fixtures";
import { aisc, plannedResource } from "../helpers/plan";

const plan = (resources: PlannedResource[]): Plan => ({ project: "aisc", stack: "s", resources, outputs: {} });

describe("aisc diff", () => {
  it("lists the property paths that changed, never their values", () => {
    assert.deepStrictEqual(changedPaths({ a: 1, b: { c: [1, 2], d: "[secret]" } }, { a: 1, b: { c: [1, 3], d: "[secret]", e: true } }), ["b.c[1]", "b.e"]);
  });

  it("flags deleting a protected resource and replacing a stateful one as dangerous", () => {
    const key = plannedResource("aws:kms/key:Key", "key", { description: "k" }, { protect: true });
    const pvc = plannedResource("kubernetes:core/v1:PersistentVolumeClaim", "db", { spec: { storageClassName: "a", resources: { requests: { storage: "1Gi" } } } }, { protect: true });
    const ns = plannedResource("kubernetes:core/v1:Namespace", "ns", { metadata: { name: "ns" } });
    const head = plan([
      { ...pvc, inputs: { spec: { storageClassName: "b", resources: { requests: { storage: "1Gi" } } } } },
      { ...ns, inputs: { metadata: { name: "ns", labels: { x: "1" } } } },
      plannedResource("kubernetes:core/v1:ConfigMap", "new", {}),
    ]);
    const d = diffPlans(plan([key, pvc, ns]), head);
    assert.deepStrictEqual(d.changes.map((c) => [c.kind, c.name, c.paths ?? [], c.danger ?? ""]), [
      ["remove", "key", [], "deletes a protected resource"],
      ["add", "new", [], ""],
      ["change", "ns", ["inputs.metadata.labels"], ""],
      ["change", "db", ["inputs.spec.storageClassName"], "replaces a protected resource (inputs.spec.storageClassName)"],
    ]);
    const md = diffMarkdown(d);
    assert.match(md, /^\+1 added, -1 removed, ~2 changed; \*\*2 dangerous\*\*$/m);
    assert.match(md, /^- \*\*- aws:kms\/key:Key key\*\*: deletes a protected resource$/m);
  });

  it("flags deleting a namespace or a volume as dangerous, protected or not: a tenant's removal deletes its data", () => {
    const ns = plannedResource("kubernetes:core/v1:Namespace", "uni-a", { metadata: { name: "uni-a" } });
    const protectedNs = plannedResource("kubernetes:core/v1:Namespace", "lab-b", { metadata: { name: "lab-b" } }, { protect: true });
    const pv = plannedResource("kubernetes:core/v1:PersistentVolume", "pv", {});
    const d = diffPlans(plan([ns, protectedNs, pv]), plan([]));
    assert.deepStrictEqual(d.changes.map((c) => [c.kind, c.name, c.danger ?? ""]), [
      ["remove", "lab-b", "deletes a protected resource"],
      ["remove", "uni-a", "deletes a stateful resource and its data"],
      ["remove", "pv", "deletes a stateful resource and its data"],
    ]);
  });

  it("compares two planned stacks and groups changes under their component", () => {
    const [base, head] = [tempDir(), tempDir()];
    assert.strictEqual(aisc("plan", "--config", writeStackFile("testsite", smallSite()), "--out", base).status, 0);
    const s = smallSite();
    s.tenants = s.tenants.filter((t: { name: string }) => t.name !== "gov-c");
    assert.strictEqual(aisc("plan", "--config", writeStackFile("testsite", s), "--out", head).status, 0);
    const run = aisc("diff", base, head);
    assert.strictEqual(run.status, 0, run.stderr);
    assert.match(run.stdout, /^## aisc diff: testsite$/m);
    // Removing a tenant deletes its namespace and everything in it: said first, as dangerous.
    assert.match(run.stdout, /^\+0 added, -9 removed, ~0 changed; \*\*1 dangerous\*\*$/m);
    assert.match(run.stdout, /^### Dangerous\n\n- \*\*- kubernetes:core\/v1:Namespace testsite-tenant-gov-c-objects:gov-c\*\*: deletes a protected resource$/m);
    assert.match(run.stdout, /^### aisc:tenancy:Tenant testsite-tenant-gov-c$/m);
    assert.match(run.stdout, /^- kubernetes:core\/v1:Namespace testsite-tenant-gov-c-objects:gov-c$/m);
    assert.match(run.stdout, /^- kubernetes:batch\/v1:CronJob testsite-tenant-gov-c-objects:slurm\/slurm-members-gov-c$/m);
    const json = JSON.parse(aisc("diff", path.join(base, "testsite"), path.join(head, "testsite", "plan.json"), "--format", "json").stdout);
    assert.strictEqual(json.stacks[0].changes.length, 9);
    assert.strictEqual(aisc("diff", base).status, 2);
  });
});

describe("aisc report", () => {
  it("sums the sites against the 2026 and 2030 milestones and splits entitlements by kind and subsidy", () => {
    const sites = ["cyberport", "sandy-ridge"].map((s) => parseSite(realSite(s)));
    const md = cityMarkdown(sites);
    assert.match(md, /^- 2026: 3100\.736 of 3000 PFLOPS \(Cyberport AISC, 3,000 PFLOPS by early 2026\): met\.$/m);
    assert.match(md, /^- 2030: 17876\.032 of 15000 PFLOPS \(Hong Kong's target of 15,000 PFLOPS by 2030\): met\.$/m);
    assert.match(md, /^\| university \| 14 \| 1464 \| 37\.5% \|$/m);
    assert.match(md, /^\| AI Subsidy Scheme \(HK\$3 billion, Cyberport\) \| 14 \| 1788 \| 70% \|$/m);
    const layers = (cityChartSpec(sites) as { layer: { data: { values: unknown[] } }[] }).layer;
    assert.deepStrictEqual(layers[1].data.values, [{ year: "2026", target: 3000 }, { year: "2030", target: 15000 }]);
  });

  it("writes the Markdown and an SVG chart drawn by Vega", () => {
    const out = tempDir();
    const run = aisc("report", "--out", out);
    assert.strictEqual(run.status, 0, run.stderr);
    const svg = fs.readFileSync(path.join(out, "city-capacity.svg"), "utf8");
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.ok(svg.includes("cyberport") && svg.includes("sandy-ridge") && svg.includes("2030"));
    assert.match(fs.readFileSync(path.join(out, "city-report.md"), "utf8"), /!\[Capacity per site against the city's milestones\]\(city-capacity\.svg\)/);
  });
});

describe("the preview workflow for users", () => {
  const workflow = YAML.parse(fs.readFileSync(path.resolve(__dirname, "..", "..", "..", ".github", "workflows", "preview.yml"), "utf8"));

  it("plans base and head offline, posts the diff and policy report, and fails on a violation", () => {
    const steps = workflow.jobs.offline.steps.map((s: { run?: string }) => s.run ?? "").join("\n");
    assert.match(steps, /npx aisc plan --all --out "\$GITHUB_WORKSPACE\/out-base"/);
    assert.match(steps, /npx aisc diff "\$GITHUB_WORKSPACE\/out-base" "\$GITHUB_WORKSPACE\/out-head"/);
    assert.match(steps, /policy-report\.md/);
    // The read-only job uploads the comment and SARIF; preview-comment.yml posts them (test/workflows/preview.test.ts).
    assert.ok(workflow.jobs.offline.steps.some((s: { uses?: string }) => s.uses?.startsWith("actions/upload-artifact@")));
    assert.ok(workflow.jobs.offline.steps.some((s: { if?: string; run?: string }) => s.if === "steps.head.outputs.status != '0'" && /exit 1/.test(s.run ?? "")));
  });

  it("runs pulumi preview with the policy pack only where credentials exist", () => {
    assert.strictEqual(workflow.jobs.pulumi.if, "github.event.pull_request.head.repo.full_name == github.repository");
    const preview = workflow.jobs.pulumi.steps.find((s: { uses?: string }) => s.uses?.startsWith("pulumi/actions@"));
    assert.deepStrictEqual([preview.with.command, preview.with.policyPacks], ["preview", "policies"]);
  });
});
