import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { diffMarkdown, diffPlans } from "../../cli/diff-plans";
import { siteChange, siteMarkdown } from "../../cli/diff-site";
import { showValue, textDiff, valueLines, valuesMarkdown } from "../../cli/diff-values";
import { Plan, PlannedResource } from "../../cli/record";
import { realSite, smallSite, tempDir, writeStackFile } from "../helpers/fixtures";
import { aisc, plannedResource } from "../helpers/plan";

const plan = (resources: PlannedResource[], outputs: Record<string, unknown> = {}): Plan => ({ project: "aisc", stack: "s", resources, outputs });

/** A `capacity` output as stacks export it (inventory/summary.ts), with the figures a test sets. */
const capacity = (entitled: number, over: Record<string, unknown> = {}) => ({
  entitledGpus: entitled,
  precision: "fp8-dense",
  pflops: 3100.736,
  facilityPowerMW: 2.626,
  envelopeMW: 4,
  gpuResources: [
    { resource: "nvidia.com/gpu", class: "whole", onPrem: 1408, cloud: 0, entitled },
    { resource: "nvidia.com/mig-1g.10gb", class: "mig", onPrem: 448, cloud: 0, entitled: 378 },
  ],
  ...over,
});

describe("aisc diff values", () => {
  it("shows numbers and plain strings unquoted, quotes the rest, and shortens long values", () => {
    assert.deepStrictEqual([400, "400", "800Gi", true, null, "", "two words", "true", undefined, { a: 1 }, [1, 2]].map(showValue), [
      "400",
      "400",
      "800Gi",
      "true",
      "null",
      '""',
      '"two words"',
      '"true"',
      "(none)",
      '{"a":1}',
      "[1,2]",
    ]);
    assert.strictEqual(showValue("x".repeat(75)), `${"x".repeat(60)}… (75 chars)`);
    assert.strictEqual(showValue(Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`key${i}`, i]))), "{…12 keys}");
    assert.strictEqual(showValue(Array.from({ length: 30 }, (_, i) => i)), "[…30 items]");
    assert.deepStrictEqual(valueLines({ path: "inputs.spec.hard.requests.nvidia.com/gpu", before: "400", after: "800" }), [
      "~     inputs.spec.hard.requests.nvidia.com/gpu: 400 → 800",
    ]);
    assert.deepStrictEqual(valueLines({ path: "inputs.metadata.labels", after: { x: "1" } }), ['~     inputs.metadata.labels: (none) → {"x":"1"}']);
    assert.deepStrictEqual(valueLines({ path: "options.protect", before: true }), ["~     options.protect: true → (none)"]);
  });

  it("shows a text's changed lines only, each around where it changed", () => {
    const conf = (n: number) => `ClusterName=aisc\nAccount=hkgai ${"x".repeat(120)} GrpTRES=gres/gpu=${n} end\nPartitionName=train\n`;
    assert.deepStrictEqual(textDiff(conf(400), conf(800), "  "), [
      `-  …${"x".repeat(75)} GrpTRES=gres/gpu=400 end`,
      `+  …${"x".repeat(75)} GrpTRES=gres/gpu=800 end`,
    ]);
    const lines = (n: number) => Array.from({ length: 5 }, (_, i) => `line ${i} ${n}`).join("\n");
    assert.deepStrictEqual(textDiff(lines(1), lines(2), " "), ["- line 0 1", "- line 1 1", "+ line 0 2", "+ line 1 2", "~ … and 6 more changed lines"]);
  });

  it("shows at most 8 paths of a resource, then counts the rest", () => {
    const values = Array.from({ length: 11 }, (_, i) => ({ path: `inputs.p${i}`, before: i, after: i + 1 }));
    const md = valuesMarkdown(values);
    assert.strictEqual(md.length, 9);
    assert.deepStrictEqual([md[0], md[8]], ["~     inputs.p0: 0 → 1", "~     … and 3 more"]);
  });

  it("never shows a secret's value, its length or a value beside it in the same leaf; an unchanged secret compares equal", () => {
    // plan.json holds every secret as "[secret]" and records nothing else of it (no digest), so a
    // secret whose value changed and stays secret is "[secret]" on both sides: the diff cannot see it.
    const secret = (stringData: Record<string, unknown>, data: unknown) => plannedResource("kubernetes:core/v1:Secret", "creds", { stringData, data });
    const base = plan([secret({ password: "[secret]", token: "[secret]", user: "admin" }, "[secret]")]);
    const head = plan([secret({ password: "[secret]", token: "hunter2-made-plain", user: "root" }, { cert: "PLAINTEXT-CERT", key: "[secret]" })]);
    const d = diffPlans(base, head);
    assert.deepStrictEqual(d.changes[0].values, [
      { path: "inputs.data", before: "[secret]", after: "[secret]" },
      { path: "inputs.stringData.token", before: "[secret]", after: "[secret]" },
      { path: "inputs.stringData.user", before: "admin", after: "root" },
    ]);
    const md = diffMarkdown(d);
    assert.ok(
      md.includes("~     inputs.data: [secret] (changed)\n~     inputs.stringData.token: [secret] (changed)\n~     inputs.stringData.user: admin → root\n"),
      md,
    );
    for (const leak of ["hunter2", "PLAINTEXT", "chars", "keys}"]) assert.ok(!md.includes(leak), `${leak} in ${md}`);
    assert.ok(!JSON.stringify(d).includes("hunter2") && !JSON.stringify(d).includes("PLAINTEXT"));
  });

  it("sums up the site before → after: entitled GPUs, headroom after the reserve, PFLOPS and power", () => {
    const s = siteChange(plan([], { capacity: capacity(1256) }), plan([], { capacity: capacity(1656, { facilityPowerMW: 2.7 }) }), 0.1)!;
    assert.deepStrictEqual(s.resources[0], {
      resource: "nvidia.com/gpu",
      class: "whole",
      onPrem: { before: 1408, after: 1408 },
      entitled: { before: 1256, after: 1656 },
      headroom: { before: 11, after: -389 },
    });
    assert.deepStrictEqual(
      [s.entitledGpus, s.marginMW],
      [
        { before: 1256, after: 1656 },
        { before: 1.374, after: 1.3 },
      ],
    );
    assert.deepStrictEqual(siteMarkdown(s), [
      "### Site",
      "",
      "- Entitled GPUs: 1256 → 1656",
      "- nvidia.com/gpu: entitled 1256 → 1656 of 1408 on premises; headroom after the 10% reserve 11 → -389 (over by 389)",
      "- PFLOPS at fp8-dense: 3100.736",
      "- Facility power: 2.626 MW → 2.7 MW of 4 MW (margin 1.374 MW → 1.3 MW)",
      "",
    ]);
    // A stack new in HEAD has no figures before; a plan without the output has none at all.
    assert.deepStrictEqual(siteChange(plan([]), plan([], { capacity: capacity(8) }), 0.1)!.entitledGpus, { after: 8 });
    assert.strictEqual(siteChange(plan([]), plan([], { capacity: "x" }), 0.1), undefined);
  });

  describe("of the cyberport plan where a tenant's GPUs go from 400 to 800", () => {
    const policyConfig = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "aisc-policy-")), "policy-config.json");
    let base = "";
    let head = "";

    before(function () {
      this.timeout(300000);
      // 800 GPUs overcommit the site and pass the tenant share limit: made advisory so both plans are written with exit 0.
      fs.writeFileSync(
        policyConfig,
        JSON.stringify({
          "capacity-tenant-quotas-fit-site": { enforcementLevel: "advisory", reserve: 0.05 },
          "capacity-tenant-share-within-limit": "advisory",
        }),
      );
      const withHkgai = (gpus: number) => {
        const site = realSite("cyberport") as { tenants: { name: string; gpus: number }[] };
        site.tenants.find((t) => t.name === "hkgai")!.gpus = gpus;
        return writeStackFile("cyberport", site);
      };
      [base, head] = [tempDir(), tempDir()];
      for (const [out, gpus] of [
        [base, 400],
        [head, 800],
      ] as const) {
        const run = aisc("plan", "--config", withHkgai(gpus), "--out", out, "--policy-config", policyConfig);
        assert.strictEqual(run.status, 0, run.stderr);
      }
    });

    it("shows 400 → 800 on the quota and the Slurm limit, the site's entitled GPUs and headroom before → after, in under 60 lines", () => {
      const run = aisc("diff", base, head, "--policy-config", policyConfig);
      assert.strictEqual(run.status, 0, run.stderr);
      const lines = run.stdout.split("\n");
      for (const line of [
        "- Entitled GPUs: 1336 → 1736",
        "- nvidia.com/gpu: entitled 1336 → 1736 of 1408 on premises; headroom after the 5% reserve 1 → -399 (over by 399)",
        "- Facility power: 2.626 MW of 4 MW (margin 1.374 MW)",
        "~ kubernetes:core/v1:ResourceQuota cyberport-tenant-hkgai-objects:hkgai/tenant-quota",
        "~     inputs.spec.hard.requests.nvidia.com/gpu: 400 → 800",
        "~ kubernetes:core/v1:ConfigMap cyberport-tenant-hkgai-objects:slurm/slurm-account-hkgai",
        "~     inputs.data.gpus: 400 → 800",
        "-       hkgai GrpTRES=gres/gpu=400 Flags=DenyOnLimit Preempt=scavenger",
        "+       hkgai GrpTRES=gres/gpu=800 Flags=DenyOnLimit Preempt=scavenger",
      ])
        assert.ok(lines.includes(line), `missing ${line} in\n${run.stdout}`);
      assert.ok(lines.length < 60, `${lines.length} lines:\n${run.stdout}`);
    });

    it("carries the values and the site's figures as data in JSON, and the default reserve without --policy-config", () => {
      const json = JSON.parse(aisc("diff", base, head, "--format", "json").stdout) as {
        stacks: { site: Record<string, any>; changes: { name: string; paths: string[]; values: unknown[] }[] }[];
      };
      const [stack] = json.stacks;
      assert.deepStrictEqual(
        [stack.site.reserve, stack.site.entitledGpus, stack.site.resources[0].headroom],
        [0.1, { before: 1336, after: 1736 }, { before: -69, after: -469 }],
      );
      const quota = stack.changes.find((c) => c.name.endsWith("hkgai/tenant-quota"))!;
      assert.ok(quota.paths.includes("inputs.spec.hard.requests.nvidia.com/gpu"));
      assert.deepStrictEqual(
        quota.values.find((v) => (v as { path: string }).path === "inputs.spec.hard.requests.nvidia.com/gpu"),
        { path: "inputs.spec.hard.requests.nvidia.com/gpu", before: "400", after: "800" },
      );
      assert.strictEqual(aisc("diff", base, head, "--policy-config", path.join(os.tmpdir(), "absent-policy-config.json")).status, 2);
    });
  });
});

describe("aisc diff of a secret config value", function () {
  this.timeout(300000);

  it("says a secret was set again, added or removed, by its key alone: no ciphertext, no value", () => {
    const key = "aisc:alertWebhook-platform-channel";
    const planned = (name: string, extra: Record<string, unknown>) => {
      const out = tempDir();
      const run = aisc("plan", "--config", writeStackFile("secretive", smallSite(), extra), "--out", out);
      assert.strictEqual(run.status, 0, run.stderr);
      return { dir: path.join(out, "secretive"), name };
    };
    const a = planned("a", { [key]: { secure: "v1:first-ciphertext-AAAA" } });
    const b = planned("b", { [key]: { secure: "v1:second-ciphertext-BBBB" } });
    const none = planned("none", {});
    const changed = aisc("diff", a.dir, b.dir);
    assert.strictEqual(changed.status, 0, changed.stderr);
    assert.ok(changed.stdout.includes(`### Secret config\n\n- \`${key}\`: [secret] (changed)\n`), changed.stdout);
    assert.ok(!/ciphertext|AAAA|BBBB/.test(changed.stdout));
    assert.ok(aisc("diff", none.dir, a.dir).stdout.includes(`- \`${key}\`: [secret] (added)\n`));
    assert.ok(aisc("diff", a.dir, none.dir).stdout.includes(`- \`${key}\`: [secret] (removed)\n`));
    const json = JSON.parse(aisc("diff", a.dir, b.dir, "--format", "json").stdout) as { stacks: { secrets: unknown }[] };
    assert.deepStrictEqual(json.stacks[0].secrets, [{ key, change: "changed" }]);
    assert.strictEqual(aisc("diff", a.dir, a.dir).stdout, "## aisc diff: secretive\n\nNo changes.\n\n");
  });
});
