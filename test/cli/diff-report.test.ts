import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { changedPaths, diffMarkdown, diffPlans } from "../../cli/diff-plans";
import { changedValues } from "../../cli/diff-values";
import { cityMarkdown } from "../../cli/city-markdown";
import { cityReport, readCityConfig, subsidyProblems } from "../../cli/report";
import { InputError } from "../../cli/stack-config";
import { GPU_CATALOG } from "../../inventory/catalog";
import { Site } from "../../inventory/types";
import { Plan, PlannedResource } from "../../cli/record";
import { parseSite } from "../../inventory/parse";
import { costedCity, mutated, realSite, smallSite, tempDir, writeStackFile } from "../helpers/fixtures";
import { parseCity } from "../../inventory/city";
import { aisc, plannedResource } from "../helpers/plan";

const plan = (resources: PlannedResource[]): Plan => ({ project: "aisc", stack: "s", resources, outputs: {} });

describe("aisc diff", () => {
  it("lists the property paths that changed with their values before and after, a secret's redacted on both sides", () => {
    const [before, after] = [
      { a: 1, b: { c: [1, 2], d: "[secret]", f: "[secret]" } },
      { a: 1, b: { c: [1, 3], d: "[secret]", e: true, f: "plaintext" } },
    ];
    assert.deepStrictEqual(changedPaths(before, after), ["b.c[1]", "b.e", "b.f"]);
    assert.deepStrictEqual(changedValues(before, after), [
      { path: "b.c[1]", before: 2, after: 3 },
      { path: "b.e", after: true },
      { path: "b.f", before: "[secret]", after: "[secret]" },
    ]);
  });

  it("flags deleting a protected resource and replacing a stateful one as dangerous", () => {
    const key = plannedResource("aws:kms/key:Key", "key", { description: "k" }, { protect: true });
    const pvc = plannedResource(
      "kubernetes:core/v1:PersistentVolumeClaim",
      "db",
      { spec: { storageClassName: "a", resources: { requests: { storage: "1Gi" } } } },
      { protect: true },
    );
    const ns = plannedResource("kubernetes:core/v1:Namespace", "ns", { metadata: { name: "ns" } });
    const head = plan([
      { ...pvc, inputs: { spec: { storageClassName: "b", resources: { requests: { storage: "1Gi" } } } } },
      { ...ns, inputs: { metadata: { name: "ns", labels: { x: "1" } } } },
      plannedResource("kubernetes:core/v1:ConfigMap", "new", {}),
    ]);
    const d = diffPlans(plan([key, pvc, ns]), head);
    assert.deepStrictEqual(
      d.changes.map((c) => [c.kind, c.name, c.paths ?? [], c.danger ?? ""]),
      [
        ["remove", "key", [], "deletes a protected resource"],
        ["add", "new", [], ""],
        ["change", "ns", ["inputs.metadata.labels"], ""],
        ["change", "db", ["inputs.spec.storageClassName"], "replaces a protected resource (inputs.spec.storageClassName)"],
      ],
    );
    const md = diffMarkdown(d);
    assert.match(md, /^\+1 added, -1 removed, ~2 changed; \*\*2 dangerous\*\*$/m);
    assert.match(md, /^- \*\*- aws:kms\/key:Key key\*\*: deletes a protected resource$/m);
  });

  it("flags deleting a namespace or a volume as dangerous, protected or not: a tenant's removal deletes its data", () => {
    const ns = plannedResource("kubernetes:core/v1:Namespace", "uni-a", { metadata: { name: "uni-a" } });
    const protectedNs = plannedResource("kubernetes:core/v1:Namespace", "lab-b", { metadata: { name: "lab-b" } }, { protect: true });
    const pv = plannedResource("kubernetes:core/v1:PersistentVolume", "pv", {});
    const d = diffPlans(plan([ns, protectedNs, pv]), plan([]));
    assert.deepStrictEqual(
      d.changes.map((c) => [c.kind, c.name, c.danger ?? ""]),
      [
        ["remove", "lab-b", "deletes a protected resource"],
        ["remove", "uni-a", "deletes a stateful resource and its data"],
        ["remove", "pv", "deletes a stateful resource and its data"],
      ],
    );
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
  const city = readCityConfig();
  const real = ["cyberport", "sandy-ridge"].map((stack) => ({ site: parseSite(realSite(stack)), stack, mandatory: 0 }));
  /** A milestone's total recomputed by hand from the catalog: GPUs in service on premises by its date times their dense FP8 TFLOPS. */
  const byHand = (sites: Site[], date: string) =>
    Math.round(
      sites
        .flatMap((s) => s.pools)
        .filter((p) => p.placement === "on-prem" && (p.inService === undefined || p.inService <= date))
        .reduce((t, p) => t + p.gpusPerNode * p.nodes * GPU_CATALOG[p.gpu.model].denseTflops.fp8!, 0),
    ) / 1000;

  it("reads the city's facts from Pulumi.yaml: one precision, the milestones at their real dates", () => {
    assert.strictEqual(city.precision, "fp8-dense");
    assert.deepStrictEqual(
      city.milestones.map((m) => [m.name, m.date, m.pflops, m.sites]),
      [
        ["Cyberport AISC at full capacity", "2026-03-31", 3000, ["cyberport"]],
        ["Hong Kong 2030", "2030-12-31", 15000, undefined],
        ["Private entities in the Northern Metropolis, 2030", "2030-12-31", 10000, []],
      ],
    );
  });

  it("adds every site at the city's precision, whatever each declares, and each total is the catalog's sum by hand", () => {
    const r = cityReport(city, real);
    // A site that declares sparse figures adds exactly what the same site declared dense does.
    const dense = parseSite(mutated((s) => (s.capacity.precision = "fp8-dense")));
    const sparse = parseSite(mutated((s) => (s.capacity.precision = "fp8-sparse")));
    const total = (site: Site) => cityReport(city, [{ site, stack: "t", mandatory: 0 }]).milestones[1].counted;
    assert.strictEqual(total(sparse), total(dense));
    assert.strictEqual(total(dense), byHand([dense], "2030-12-31"));
    const [aisc, hk2030, privateShare] = r.milestones;
    assert.strictEqual(aisc.counted, byHand([real[0].site], "2026-03-31"));
    assert.strictEqual(
      hk2030.counted,
      byHand(
        real.map((x) => x.site),
        "2030-12-31",
      ),
    );
    assert.deepStrictEqual([privateShare.counted, privateShare.met, privateShare.margin], [0, false, -10000]);
    // Sandy Ridge at its own (sparse) precision would count twice as much: the report never adds that.
    const sandy = r.sites[1];
    assert.strictEqual(sandy.pflops["fp8-sparse"], 2 * sandy.pflops["fp8-dense"]);
    const md = cityMarkdown(
      r,
      real.map((x) => x.site),
    );
    assert.match(
      md,
      new RegExp(
        `^\\| Hong Kong 2030 \\| 2030-12-31 \\| 15000 \\| ${hk2030.counted} \\| ${hk2030.margin >= 0 ? "\\+" : ""}${hk2030.margin} \\| ${hk2030.met ? "met" : "short"} \\|$`,
        "m",
      ),
    );
    assert.match(md, /^- Private entities in the Northern Metropolis, 2030: .*; counts no site yet \(none is named\)\.$/m);
  });

  it("shows a site that fails a mandatory policy apart, and counts none of it", () => {
    const r = cityReport(city, [real[0], { ...real[1], mandatory: 2 }]);
    assert.strictEqual(r.milestones[1].counted, byHand([real[0].site], "2030-12-31"));
    assert.deepStrictEqual(
      r.sites.map((s) => s.counted),
      [true, false],
    );
    assert.match(
      cityMarkdown(
        r,
        real.map((x) => x.site),
      ),
      /^- .* \(sandy-ridge\): 2 mandatory violations; /m,
    );
  });

  it("fails the subsidy budget across sites that fit it one by one, and does not let off a site left out for failing a policy", () => {
    // uni-a commits 8 x 25 x 26,280 x 0.7 = HK$3,679,200 at each site; HK$5,000,000 is left.
    const terms = parseCity(costedCity({ committedOutside: 2995e6 }));
    const a = parseSite(smallSite());
    const b = parseSite({ ...smallSite(), name: "othersite" });
    const one = cityReport(terms, [{ site: a, stack: "a", mandatory: 0 }]);
    assert.deepStrictEqual(subsidyProblems(one), []);
    assert.match(
      cityMarkdown(one, [a]),
      /^Budget HK\$3,000,000,000; committed outside these stacks HK\$2,995,000,000; committed by counted sites HK\$3,679,200; \*\*HK\$1,320,800 left\*\* \(99\.95% committed, rounded down\)\.$/m,
    );
    assert.deepStrictEqual(
      subsidyProblems(
        cityReport(terms, [
          { site: a, stack: "a", mandatory: 0 },
          { site: b, stack: "b", mandatory: 0 },
        ]),
      ),
      [
        "ai-subsidy-scheme: the counted sites commit HK$7,358,400 over the scheme's term, HK$2,358,400 more than the HK$5,000,000 left of its HK$3,000,000,000 budget (testsite HK$3,679,200, othersite HK$3,679,200)",
      ],
    );
    assert.deepStrictEqual(
      subsidyProblems(
        cityReport(terms, [
          { site: a, stack: "a", mandatory: 0 },
          { site: b, stack: "b", mandatory: 1 },
        ]),
      ),
      [
        "ai-subsidy-scheme: othersite (not counted: it fails a mandatory policy) would commit HK$3,679,200, HK$2,358,400 more than the budget left once counted",
      ],
    );
  });

  it("says which GPUs cannot be counted at the city's precision", () => {
    const a100 = parseSite(
      mutated((s) => (s.pools.push({ name: "a100-old", gpu: "A100", gpusPerNode: 8, nodes: 2 }), s.slurm.partitions[0].pools.push("a100-old"))),
    );
    const r = cityReport(city, [{ site: a100, stack: "testsite", mandatory: 0 }]);
    assert.deepStrictEqual(r.sites[0].uncounted, [{ model: "A100", gpus: 16 }]);
    assert.match(cityMarkdown(r, [a100]), /: 16 A100 GPUs have no fp8-dense figure and add nothing at it\.$/m);
  });

  it("refuses an invalid city configuration with its key (exit 2)", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "aisc-city-")), "Pulumi.yaml");
    fs.writeFileSync(
      file,
      "name: aisc\nconfig:\n  aisc:city:\n    value: { precision: fp4, milestones: [{ name: x, date: 2030-13-01, pflops: -1, source: s }] }\n",
    );
    assert.throws(
      () => readCityConfig(file),
      (err: Error) =>
        err instanceof InputError &&
        /aisc:city\.value\.precision: expected one of/.test(err.message) &&
        /aisc:city\.value\.milestones\[0\]\.date/.test(err.message) &&
        /milestones\[0\]\.pflops/.test(err.message),
    );
    fs.writeFileSync(file, "name: aisc\n");
    assert.throws(() => readCityConfig(file), /config: has no aisc:city/);
  });

  it("writes Markdown, JSON and an SVG chart, with a candidate from --config beside the stacks, apart when it fails a policy", () => {
    const out = tempDir();
    const candidate = mutated((s) => (s.tenants[0].gpus = 30)); // over the site's 32 GPUs less the reserve: a mandatory failure
    const run = aisc("report", "--stack", "cyberport", "--stack", "sandy-ridge", "--config", writeStackFile("candidate", candidate), "--out", out);
    assert.strictEqual(run.status, 0, run.stderr);
    const json = JSON.parse(fs.readFileSync(path.join(out, "city-report.json"), "utf8")) as { sites: { stack: string; counted: boolean }[] };
    assert.deepStrictEqual(
      json.sites.map((s) => [s.stack, s.counted]),
      [
        ["cyberport", true],
        ["sandy-ridge", true],
        ["candidate", false],
      ],
    );
    const md = fs.readFileSync(path.join(out, "city-report.md"), "utf8");
    assert.match(md, /^### Not counted: failing a mandatory policy$/m);
    assert.match(md, /!\[PFLOPS in service per site against the city's milestones\]\(city-capacity\.svg\)/);
    const svg = fs.readFileSync(path.join(out, "city-capacity.svg"), "utf8");
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.ok(svg.includes("cyberport") && svg.includes("sandy-ridge") && !svg.includes("testsite"));
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
    assert.ok(
      workflow.jobs.offline.steps.some((s: { if?: string; run?: string }) => s.if === "steps.head.outputs.status != '0'" && /exit 1/.test(s.run ?? "")),
    );
  });

  it("runs pulumi preview with the policy pack only where credentials exist", () => {
    assert.strictEqual(workflow.jobs.pulumi.if, "github.event.pull_request.head.repo.full_name == github.repository");
    const preview = workflow.jobs.pulumi.steps.find((s: { uses?: string }) => s.uses?.startsWith("pulumi/actions@"));
    assert.deepStrictEqual([preview.with.command, preview.with.policyPacks], ["preview", "policies"]);
  });
});
