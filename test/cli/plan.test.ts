import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { readTree, smallSite, stacksIn, tempDir, writeStackFile } from "../helpers/fixtures";
import { aisc } from "../helpers/plan";

describe("aisc plan", function () {
  it("plans every stack by default, writing each plan.json and a capacity summary", () => {
    const out = tempDir();
    const run = aisc("plan", "--out", out);
    assert.strictEqual(run.status, 0, run.stderr);
    assert.deepStrictEqual(stacksIn(out), ["cyberport", "sandy-ridge"]);
    for (const stack of ["cyberport", "sandy-ridge"]) {
      const plan = JSON.parse(fs.readFileSync(path.join(out, stack, "plan.json"), "utf8"));
      assert.strictEqual(plan.stack, stack);
      assert.ok(plan.resources.some((r: { type: string }) => r.type === "aisc:platform:Site"));
    }
    assert.match(run.stdout, /cyberport: \d+ resources/);
    assert.match(run.stdout, /capacity at fp8-dense: 1728 GPUs on 216 nodes, 3100\.736 PFLOPS; 1256 GPUs entitled to tenants/);
    assert.match(run.stdout, /AISC full capacity \(early 2026\)\s+2026-03-31\s+3000\s+3100\.736\s+yes/);
  });

  it("is deterministic: planning twice gives byte-identical files", () => {
    const file = writeStackFile("twice", smallSite());
    const [a, b] = [tempDir(), tempDir()];
    assert.strictEqual(aisc("plan", "--config", file, "--out", a).status, 0);
    assert.strictEqual(aisc("plan", "--config", file, "--out", b).status, 0);
    assert.deepStrictEqual(readTree(path.join(b, "twice")), readTree(path.join(a, "twice")));
  });

  it("exits 2 on an invalid --config inventory, naming the key, writing nothing", () => {
    const site = smallSite();
    site.pools[1].gpusPerNode = -8;
    site.tenants[0].kind = "charity";
    const out = tempDir();
    const run = aisc("plan", "--config", writeStackFile("broken", site), "--out", out);
    assert.strictEqual(run.status, 2);
    assert.match(run.stderr, /aisc:site\.pools\[1\]\.gpusPerNode: expected an integer from 1 to 16, got -8/);
    assert.match(run.stderr, /aisc:site\.tenants\[0\]\.kind: expected one of university, research-centre, startup, government, enterprise, got "charity"/);
    assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
    assert.ok(!fs.existsSync(out), "no output folder is created");
  });

  it("leaves the previous artifacts in place when a re-plan fails", () => {
    const out = tempDir();
    const good = writeStackFile("keep", smallSite());
    assert.strictEqual(aisc("plan", "--config", good, "--out", out).status, 0);
    const before = readTree(path.join(out, "keep"));
    const broken = smallSite();
    broken.power.pue = 7;
    fs.writeFileSync(good, fs.readFileSync(writeStackFile("keep", broken), "utf8"));
    assert.strictEqual(aisc("plan", "--config", good, "--out", out).status, 2);
    assert.deepStrictEqual(readTree(path.join(out, "keep")), before);
  });

  it("exits 2 on a stack file that is not YAML", () => {
    const file = writeStackFile("yaml", {});
    fs.writeFileSync(file, "config:\n  aisc:site: [unclosed\n");
    const run = aisc("plan", "--config", file, "--out", tempDir());
    assert.strictEqual(run.status, 2);
    assert.match(run.stderr, /Pulumi\.yaml\.yaml: not valid YAML/);
  });

  it("exits 2 on an unknown stack, an unknown flag or a misnamed --config file", () => {
    const unknown = aisc("plan", "--stack", "kowloon");
    assert.strictEqual(unknown.status, 2);
    assert.match(unknown.stderr, /unknown stack kowloon; stacks in .*: cyberport, sandy-ridge/);
    const flag = aisc("plan", "--stacks", "cyberport");
    assert.strictEqual(flag.status, 2);
    assert.match(flag.stderr, /unknown flag --stacks; expected one of --stack, --all, --config, --out, --policy-config, --as-of, --quiet, --help/);
    const misnamed = aisc("plan", "--config", "site.yaml");
    assert.strictEqual(misnamed.status, 2);
    assert.match(misnamed.stderr, /--config site\.yaml: expected a stack file named Pulumi\.<stack>\.yaml/);
    assert.strictEqual(aisc("frobnicate").status, 2);
  });
});
