import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { keyPositions, sourceUri, withInventoryKeys } from "../../cli/inventory-location";
import { policyReportSarif } from "../../cli/policy-report";
import { Plan } from "../../cli/record";
import { smallSite, stackYaml, tempDir } from "../helpers/fixtures";
import { aisc } from "../helpers/plan";

/**
 * Policy findings on the inventory line: the key each comes from, and the SARIF result on that
 * key's line and column by a path relative to the repository, as GitHub code scanning needs.
 */

interface SarifResult {
  ruleId: string;
  locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region?: { startLine: number; startColumn: number } } }[];
}

/** 1-based line and column of the first line matching `pattern` after the line matching `after`. */
function lineOf(text: string, after: RegExp, pattern: RegExp): { line: number; column: number } {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => after.test(l));
  const i = lines.findIndex((l, n) => n > start && pattern.test(l));
  return { line: i + 1, column: lines[i].search(/\S/) + 1 };
}

/** A folder that is a repository's root (it holds `.git`), with `rel` inside it written as `text`. */
function inRepo(rel: string, text: string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "aisc-repo-"));
  fs.mkdirSync(path.join(root, ".git"));
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

describe("policy findings on the inventory line", function () {
  this.timeout(300000);

  it("puts the over-share SARIF result on the tenant's gpus: line, by a repository-relative path", () => {
    const site = smallSite();
    site.tenants[1].gpus = 8; // lab-b
    site.tenants[2].gpus = 12; // gov-c: 12 of the site's 40 GPUs, above 25% (10); the whole-GPU quotas still fit (28 of 32 after the reserve)
    const text = stackYaml(site);
    const file = inRepo("sites/Pulumi.over.yaml", text);
    const out = tempDir();
    const run = aisc("plan", "--config", file, "--out", out);
    assert.strictEqual(run.status, 1, run.stderr);
    const sarif = JSON.parse(fs.readFileSync(path.join(out, "over", "policy-report.sarif"), "utf8")) as {
      runs: { originalUriBaseIds: Record<string, unknown>; results: SarifResult[] }[];
    };
    const [result] = sarif.runs[0].results.filter((r) => r.ruleId === "capacity-tenant-share-within-limit");
    const at = lineOf(text, /name: gov-c/, /^\s*gpus: 12$/);
    assert.deepStrictEqual(result.locations[0].physicalLocation, {
      artifactLocation: { uri: "sites/Pulumi.over.yaml", uriBaseId: "%SRCROOT%" },
      region: { startLine: at.line, startColumn: at.column },
    });
    assert.deepStrictEqual(Object.keys(sarif.runs[0].originalUriBaseIds), ["%SRCROOT%"]);
    assert.ok(!JSON.stringify(sarif).includes(path.dirname(file)), "no absolute path");
    const json = JSON.parse(fs.readFileSync(path.join(out, "over", "policy-report.json"), "utf8")) as { violations: { policy: string; key?: string }[] };
    assert.deepStrictEqual(
      json.violations.filter((v) => v.policy === "capacity-tenant-share-within-limit").map((v) => v.key),
      ["aisc:site.tenants[2].gpus"],
    );
    assert.match(
      fs.readFileSync(path.join(out, "over", "policy-report.md"), "utf8"),
      /\| `capacity-tenant-share-within-limit` \| mandatory \| kubernetes:core\/v1:ResourceQuota testsite-tenant-gov-c-objects:gov-c\/tenant-quota \| `aisc:site\.tenants\[2\]\.gpus` \| Tenant gov-c has a quota of 12 GPUs, above 25% of the site \(10 GPUs\)\. \|$/m,
    );
  });

  it("names the shipped stacks by their path in this repository", () => {
    assert.deepStrictEqual(sourceUri(path.resolve(__dirname, "..", "..", "..", "stacks", "Pulumi.cyberport.yaml")), {
      uri: "stacks/Pulumi.cyberport.yaml",
      uriBaseId: "%SRCROOT%",
    });
  });

  it("names a stack file in no repository by its file name alone, never its absolute path", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aisc-norepo-"));
    assert.deepStrictEqual(sourceUri(path.join(dir, "Pulumi.x.yaml")), { uri: "Pulumi.x.yaml", uriBaseId: "STACKFILEDIR" });
  });

  const text = "config:\n  aisc:site:\n    region: eu-west-1\n    tenants:\n      - name: a\n        gpus: 4\n      - name: b\n        kind: university\n";
  const site = {
    region: "eu-west-1",
    tenants: [
      { name: "a", gpus: 4 },
      { name: "b", kind: "university" },
    ],
  };
  const plan: Plan = {
    project: "aisc",
    stack: "x",
    outputs: {},
    resources: [
      {
        urn: "urn:pulumi:x::aisc::kubernetes:core/v1:ResourceQuota::b-quota",
        type: "kubernetes:core/v1:ResourceQuota",
        name: "b-quota",
        inputs: { metadata: { name: "b", namespace: "b" } },
        options: {},
      },
      {
        urn: "urn:pulumi:x::aisc::kubernetes:core/v1:ConfigMap::acct-a",
        type: "kubernetes:core/v1:ConfigMap",
        name: "acct-a",
        inputs: { metadata: { name: "slurm-account-a", namespace: "slurm", labels: { "aisc.hk/tenant": "a" } } },
        options: {},
      },
      {
        urn: "urn:pulumi:x::aisc::kubernetes:apps/v1:DaemonSet::dp",
        type: "kubernetes:apps/v1:DaemonSet",
        name: "dp",
        inputs: { metadata: { name: "dp", namespace: "kube-system" } },
        options: {},
      },
    ] as unknown as Plan["resources"],
  };

  it("keys each finding by its policy, under its tenant when it has one, cut back to what the file holds", () => {
    const located = withInventoryKeys(
      {
        policies: [],
        violations: [
          { policy: "capacity-tenant-share-within-limit", level: "mandatory", message: "m", urn: plan.resources[0].urn },
          { policy: "tenancy-namespace-has-limit-range", level: "mandatory", message: "m", urn: plan.resources[0].urn },
          { policy: "security-aws-region-hong-kong", level: "mandatory", message: "m" },
          { policy: "security-eks-endpoint-private", level: "mandatory", message: "m" },
          { policy: "security-images-and-charts-pinned", level: "mandatory", message: "m", urn: plan.resources[2].urn },
          { policy: "capacity-slurm-limit-matches-quota", level: "mandatory", message: "m", urn: plan.resources[1].urn },
        ],
      },
      plan,
      site,
    );
    // b has no gpus: key (it defaults), so the finding points at b's entry; no cluster: key at all, so nothing.
    // The Slurm account lives in slurm's namespace but carries its tenant's label.
    assert.deepStrictEqual(
      located.violations.map((v) => v.key),
      ["aisc:site.tenants[1]", "aisc:site.tenants[1]", "aisc:site.region", undefined, undefined, "aisc:site.tenants[0].gpus"],
    );
    const where = keyPositions(text);
    assert.deepStrictEqual(
      [where("aisc:site.tenants[0].gpus"), where("aisc:site.tenants[1]"), where("aisc:site.region"), where("aisc:site.cluster")],
      [{ line: 6, column: 9 }, { line: 7, column: 9 }, { line: 3, column: 5 }, undefined],
    );
    // `site:` without its namespace, as Pulumi reads it, and a tenant given as an alias: its keys are on the anchor's lines.
    const aliased = keyPositions("config:\n  site:\n    tenants:\n      - &t\n        name: a\n        gpus: 4\n      - *t\n");
    assert.deepStrictEqual(
      [aliased("aisc:site.tenants[1]"), aliased("aisc:site.tenants[1].gpus")],
      [
        { line: 7, column: 9 },
        { line: 6, column: 9 },
      ],
    );
  });

  it("writes a finding with no key on the stack file without a region", () => {
    const file = inRepo("Pulumi.x.yaml", text);
    const sarif = JSON.parse(
      policyReportSarif(
        plan,
        { policies: [], violations: [{ policy: "security-images-and-charts-pinned", level: "advisory", message: "m", urn: plan.resources[2].urn }] },
        { file, text },
      ),
    ) as { runs: { results: SarifResult[] }[] };
    assert.deepStrictEqual(sarif.runs[0].results[0].locations[0].physicalLocation, { artifactLocation: { uri: "Pulumi.x.yaml", uriBaseId: "%SRCROOT%" } });
  });
});
