import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { smallSite, tempDir, writeStackFile } from "../helpers/fixtures";
import { aisc, CliRun } from "../helpers/plan";

/**
 * Every user mistake is exit 2 with one line saying what is wrong and what was expected: no
 * stack trace, no usage dump, nothing written. Exit 3 is left for aisc's own bugs.
 */

/** Asserts exit 2 with exactly `line` (a string, or a pattern for the whole line) on stderr, and nothing on stdout. */
function refused(run: CliRun, line: string | RegExp): void {
  assert.strictEqual(run.status, 2, run.stderr);
  assert.strictEqual(run.stdout, "");
  assert.strictEqual(run.stderr.split("\n").length, 2, `one line: ${run.stderr}`);
  if (typeof line === "string") assert.strictEqual(run.stderr, `${line}\n`);
  else assert.match(run.stderr.trimEnd(), line);
}

/** A stack file with exactly `text`. */
function stackFile(name: string, text: string): string {
  const file = writeStackFile(name, {});
  fs.writeFileSync(file, text);
  return file;
}

describe("aisc on its users' mistakes", function () {
  it("an unknown flag, command or check is one line pointing to the usage", () => {
    refused(
      aisc("plan", "--stacks", "cyberport"),
      "aisc: unknown flag --stacks; expected one of --stack, --all, --config, --out, --policy-config, --as-of, --quiet, --help (aisc help shows the usage)",
    );
    refused(aisc("frobnicate"), "aisc: unknown command frobnicate; expected plan, verify, diff, report, help or --version (aisc help shows the usage)");
    refused(
      aisc("plan", "-x"),
      "aisc: unknown flag -x; expected one of --stack, --all, --config, --out, --policy-config, --as-of, --quiet, --help (aisc help shows the usage)",
    );
    refused(aisc("plan", "--out", "--all"), "aisc: --out expects a value (aisc help shows the usage)");
    refused(aisc("plan", "--out="), "aisc: --out expects a value (aisc help shows the usage)");
    refused(aisc("plan", "--all=yes"), "aisc: --all takes no value (aisc help shows the usage)");
    refused(aisc("plan", "--out", "a", "--out", "b"), "aisc: --out given more than once (aisc help shows the usage)");
    refused(aisc("diff", "a", "b", "c"), "aisc: unexpected argument c (aisc help shows the usage)");
    refused(aisc("help", "frobnicate"), "aisc: help: expected a command (plan, verify, diff, report), got frobnicate (aisc help shows the usage)");
    refused(
      aisc("verify", "--only", "helm", "--stack", "cyberport"),
      "aisc: unknown check --only helm; expected one of k8s, slurm, placement, prometheus, policy",
    );
  });

  it("tells an empty stack file, one without aisc:site and a YAML error apart, with the line", () => {
    const empty = stackFile("empty", "");
    refused(aisc("plan", "--config", empty, "--out", tempDir()), `aisc: ${empty}: the stack file is empty; expected a mapping with config: holding aisc:site`);
    const comments = stackFile("comments", "# nothing yet\n");
    refused(
      aisc("plan", "--config", comments, "--out", tempDir()),
      `aisc: ${comments}: the stack file is empty; expected a mapping with config: holding aisc:site`,
    );
    const noSite = stackFile("nosite", "config:\n  aws:region: ap-east-1\n");
    refused(
      aisc("plan", "--config", noSite, "--out", tempDir()),
      `aisc: ${noSite}: config: has no aisc:site; expected the site inventory under config: aisc:site (see the README's site inventory)`,
    );
    const noConfig = stackFile("noconfig", "encryptionsalt: v1:abc\n");
    refused(aisc("plan", "--config", noConfig, "--out", tempDir()), `aisc: ${noConfig}: no config: key; expected config: holding aisc:site`);
    const tab = stackFile("tab", "config:\n  aisc:site:\n\tname: x\n");
    refused(
      aisc("plan", "--config", tab, "--out", tempDir()),
      `aisc: ${tab}: not valid YAML at line 3, column 1: tab characters must not be used in indentation`,
    );
    const twice = stackFile("twice", "config:\n  site: {}\n  aisc:site: {}\n");
    refused(
      aisc("plan", "--config", twice, "--out", tempDir()),
      `aisc: ${twice}: config: aisc:site is set twice, once without its aisc: namespace; expected it once`,
    );
    const duplicate = stackFile("dup", "config:\n  aisc:site: {}\n  aisc:site: {}\n");
    refused(aisc("plan", "--config", duplicate, "--out", tempDir()), `aisc: ${duplicate}: not valid YAML at line 3, column 3: duplicated mapping key`);
  });

  it("reads only regular files: a device, a pipe or a folder named as a stack or policy file is refused at once", () => {
    const dir = path.dirname(writeStackFile("x", {}));
    const device = path.join(dir, "Pulumi.zero.yaml");
    fs.symlinkSync("/dev/zero", device);
    refused(aisc("plan", "--config", device, "--out", tempDir()), `aisc: ${device}: not a regular file; expected a stack file`);
    const folder = path.join(dir, "Pulumi.folder.yaml");
    fs.mkdirSync(folder);
    refused(aisc("plan", "--config", folder, "--out", tempDir()), `aisc: ${folder}: not a regular file; expected a stack file`);
    const good = writeStackFile("good", smallSite());
    refused(
      aisc("plan", "--config", good, "--out", tempDir(), "--policy-config", "/dev/zero"),
      "aisc: --policy-config /dev/zero: not a regular file; expected a JSON file of policy settings",
    );
  });

  it("an inventory with one problem is one line, keyed", () => {
    const site = smallSite();
    site.tenants[0].gpus = -1;
    const file = writeStackFile("onebad", site);
    const out = tempDir();
    refused(
      aisc("plan", "--config", file, "--out", out),
      `aisc: ${file}: invalid site inventory: aisc:site.tenants[0].gpus: expected a non-negative integer, got -1`,
    );
    assert.ok(!fs.existsSync(out));
  });

  it("a tenant named like Slurm's own account or QoS, or a display name Slurm's files cannot carry, is exit 2, keyed", () => {
    for (const [change, line] of [
      [
        (s: any) => (s.tenants[0].name = "root"),
        `aisc:site.tenants[0].name: expected a name Slurm does not already use (root, normal, scavenger); "root" is Slurm's root account`,
      ],
      [
        (s: any) => (s.tenants[0].name = "normal"),
        `aisc:site.tenants[0].name: expected a name Slurm does not already use (root, normal, scavenger); "normal" is Slurm's default QoS`,
      ],
      [
        (s: any) => (s.tenants[0].displayName = "Lab #1"),
        `aisc:site.tenants[0].displayName: expected a name of letters, digits, spaces and & ( ) - . , / + (it is written into Slurm's account records, where # : ' and " break the line), got "Lab #1"`,
      ],
    ] as const) {
      const site = smallSite();
      change(site);
      const file = writeStackFile("slurmnames", site);
      const out = tempDir();
      refused(aisc("plan", "--config", file, "--out", out), `aisc: ${file}: invalid site inventory: ${line}`);
      assert.ok(!fs.existsSync(out));
    }
  });

  it("refuses a webhook URL set in plain text, naming the key and how to set it", () => {
    const file = writeStackFile("plainhook", smallSite(), { "aisc:alertWebhook-oncall": "https://pager.example/hook?token=t" });
    const out = tempDir();
    refused(
      aisc("plan", "--config", file, "--out", out),
      `aisc: ${file}: aisc:alertWebhook-oncall: a plain value; expected a secret, since a webhook URL carries its token (pulumi config set --secret aisc:alertWebhook-oncall <webhook URL>)`,
    );
    assert.ok(!fs.existsSync(out));
  });

  it("report and verify refuse an invalid inventory with exit 2, writing nothing", () => {
    const site = smallSite();
    site.power.pue = 7;
    const file = writeStackFile("badsite", site);
    const line = `aisc: ${file}: invalid site inventory: aisc:site.power.pue: expected a number at least 1 and at most 3, got 7`;
    const out = tempDir();
    refused(aisc("report", "--config", file, "--out", out), line);
    refused(aisc("verify", "--config", file, "--only", "k8s", "--out", out), line);
    assert.ok(!fs.existsSync(out));
  });

  it("diff refuses files that are not plans, naming what is missing", () => {
    const dir = path.dirname(writeStackFile("x", {}));
    const write = (name: string, text: string) => {
      fs.writeFileSync(path.join(dir, name), text);
      return path.join(dir, name);
    };
    const cases: [string, string][] = [
      ["null", "expected a JSON object, got null"],
      ["{}", "expected stack: a stack name"],
      ["[]", "expected a JSON object, got a list"],
      ['{"stack":"x","resources":[{"urn":"u"}]}', "resources[0].type: expected a string"],
      ['{"stack":"..","resources":[]}', "expected stack: a stack name"],
    ];
    for (const [i, [text, why]] of cases.entries()) {
      const file = write(`plan${i}.json`, text);
      refused(aisc("diff", file, file), `aisc: ${file}: not a plan written by aisc plan (${why})`);
    }
    refused(
      aisc("diff", write("broken.json", "{"), path.join(dir, "broken.json")),
      new RegExp(`^aisc: ${path.join(dir, "broken.json")}: not a plan written by aisc plan \\(.*JSON.*\\)$`),
    );
    refused(aisc("diff", path.join(dir, "absent"), path.join(dir, "absent")), `aisc: ${path.join(dir, "absent")}: no such file or folder (ENOENT)`);
  });

  it("plan refuses a malformed --policy-config before writing anything", () => {
    const file = writeStackFile("policycfg", smallSite());
    const dir = path.dirname(file);
    const cases: [string, string][] = [
      ["{", "not valid JSON"],
      ["null", "expected a JSON object of policy names to settings, got null"],
      ['{"no-such-policy": "advisory"}', "no-such-policy: not a policy of this pack; expected all or one of"],
      ['{"all": "loud"}', 'all: expected an enforcement level (advisory, mandatory, remediate, disabled), got "loud"'],
      ['{"capacity-tenant-share-within-limit": {"maxShare": "half"}}', "capacity-tenant-share-within-limit.maxShare: must be number"],
      ['{"capacity-tenant-share-within-limit": {"maxShare": 7}}', "capacity-tenant-share-within-limit.maxShare: must be <= 1"],
      [
        '{"capacity-power-within-envelope": "mandtory"}',
        'capacity-power-within-envelope: expected an enforcement level (advisory, mandatory, remediate, disabled), got "mandtory"',
      ],
      ['{"capacity-tenant-quotas-fit-site": {"reserve": 5}}', "capacity-tenant-quotas-fit-site.reserve: must be <= 0.9"],
      [
        '{"capacity-tenant-quotas-fit-site": {"enforcementLevel": "mandtory"}}',
        'capacity-tenant-quotas-fit-site.enforcementLevel: expected an enforcement level (advisory, mandatory, remediate, disabled), got "mandtory"',
      ],
      [
        '{"capacity-tenant-share-within-limit": {"maxshare": 0.3}}',
        "capacity-tenant-share-within-limit.maxshare: must NOT have additional properties (settings: maxShare)",
      ],
    ];
    for (const [i, [text, why]] of cases.entries()) {
      const config = path.join(dir, `policy-${i}.json`);
      fs.writeFileSync(config, text);
      const out = tempDir();
      const run = aisc("plan", "--config", file, "--out", out, "--policy-config", config);
      refused(run, new RegExp(`^aisc: --policy-config ${config.replace(/[.]/g, "\\.")}: ${why.replace(/[.()[\]]/g, "\\$&")}`));
      assert.ok(!fs.existsSync(out), text);
    }
  });

  it("verify refuses an edited manifest it cannot read: an alias bomb, a YAML error", () => {
    const file = writeStackFile("edited", smallSite());
    const out = tempDir();
    assert.strictEqual(aisc("plan", "--config", file, "--out", out).status, 0);
    const manifest = path.join(out, "edited", "manifests", "cluster.yaml");
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const l of "bcdefghi")
      levels.push(
        `${l}: &${l} [${Array(9)
          .fill(`*${String.fromCharCode(l.charCodeAt(0) - 1)}`)
          .join(",")}]`,
      );
    fs.writeFileSync(manifest, `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n  ${levels.join("\n  ")}\n`);
    refused(
      aisc("verify", "--config", file, "--only", "k8s", "--out", out),
      new RegExp(
        `^aisc: ${manifest}: not valid YAML at line 1, column 1: Excessive alias count indicates a resource exhaustion attack; fix the edit or re-run aisc plan$`,
      ),
    );
    fs.writeFileSync(manifest, "apiVersion: v1\nkind: [ConfigMap\n");
    refused(
      aisc("verify", "--config", file, "--only", "k8s", "--out", out),
      new RegExp(`^aisc: ${manifest}: not valid YAML at line \\d+, column \\d+: .+; fix the edit or re-run aisc plan$`),
    );
  });

  it("never echoes a secure: ciphertext, and refuses a secret inside aisc:site, keyed", () => {
    const cipher = "v1:S3CR3TCIPHERTEXTxyz";
    const tagged = stackFile("tagged", `config:\n  aisc:kubeconfig: !secret ${cipher}\n  aisc:site: {}\n`);
    const run = aisc("plan", "--config", tagged, "--out", tempDir());
    refused(run, new RegExp(`^aisc: ${tagged}: not valid YAML at line 2, column \\d+: unknown tag !<!secret>$`));
    assert.ok(!run.stderr.includes(cipher));
    const site = smallSite();
    site.tenants[1].adminGroup = { secure: cipher };
    const inSite = writeStackFile("insite", site);
    const out = tempDir();
    const secret = aisc("plan", "--config", inSite, "--out", out);
    refused(
      secret,
      `aisc: ${inSite}: aisc:site.tenants[1].adminGroup: a secure: value; the site inventory holds no secrets (names, groups and networks are plain), and the only secrets aisc reads are aisc:kubeconfig and aisc:alertWebhook-<receiver> (pulumi config set --secret aisc:kubeconfig < kubeconfig)`,
    );
    assert.ok(!secret.stderr.includes(cipher));
    assert.ok(!fs.existsSync(out));
  });

  it("keeps renderYamlToDirectory inside the project", () => {
    for (const dir of ["../../../etc", "/etc", "rendered/../../x", ".git/hooks"]) {
      const site = smallSite();
      site.cluster = { ...(site.cluster ?? {}), renderYamlToDirectory: dir };
      const file = writeStackFile("render", site);
      refused(
        aisc("plan", "--config", file, "--out", tempDir()),
        `aisc: ${file}: invalid site inventory: aisc:site.cluster.renderYamlToDirectory: expected a folder inside the project, relative to it, such as rendered/cyberport (letters, digits, '.', '_', '-' and '/'; no '..', '.git' or leading '/'), got ${JSON.stringify(dir)}`,
      );
    }
  });
});
