import * as assert from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LOCK_FILE, OUT_MARKER, PLANS_DIR } from "../../cli/out-dir";
import { listStacks } from "../../cli/stack-config";
import { readTree, smallSite, stacksIn, tempDir, writeStackFile } from "../helpers/fixtures";
import { aisc } from "../helpers/plan";

/** The output folder's rules: aisc writes only what it made, replaces a plan whole, one writer at a time. */

/** A folder holding `files` (relative path to content), made by the test, not by aisc. */
function foreignFolder(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aisc-foreign-"));
  for (const [f, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), content);
  }
  return dir;
}

describe("aisc's output folder", function () {
  it("refuses stack files named Pulumi....yaml and Pulumi...yaml, deleting nothing", () => {
    const proj = foreignFolder({ "unrelated.txt": "keep me", "out/mine.txt": "mine" });
    for (const name of ["Pulumi....yaml", "Pulumi...yaml"]) {
      fs.copyFileSync(writeStackFile("x", smallSite()), path.join(proj, name));
      const before = readTree(proj);
      const run = aisc("plan", "--config", path.join(proj, name), "--out", path.join(proj, "out"));
      assert.strictEqual(run.status, 2);
      const stack = name === "Pulumi....yaml" ? ".." : ".";
      assert.strictEqual(
        run.stderr,
        `aisc: --config ${path.join(proj, name)}: the stack name "${stack}" is not a DNS label (lower-case letters, digits and '-', starting and ending with a letter or digit), at most 63 characters; rename the file Pulumi.<stack>.yaml\n`,
      );
      assert.deepStrictEqual(readTree(proj), before);
    }
  });

  it("refuses a stacks folder holding a stack file whose name is not a DNS label", () => {
    const dir = foreignFolder({ "Pulumi.cyberport.yaml": "", "Pulumi...yaml": "" });
    assert.throws(() => listStacks(dir), {
      name: "InputError",
      message: new RegExp(`^${path.join(dir, "Pulumi...yaml").replace(/[.]/g, "\\.")}: the stack name "\\."`),
    });
    assert.deepStrictEqual(listStacks(foreignFolder({ "Pulumi.cyberport.yaml": "", "Pulumi.sandy-ridge.yaml": "", "notes.yaml": "" })), [
      "cyberport",
      "sandy-ridge",
    ]);
  });

  it("refuses to plan into a folder it did not create, empty or not, and leaves it as it was", () => {
    const file = writeStackFile("mine", smallSite());
    for (const files of [{ "notes.txt": "mine", "mine/plan.json": "{}" }, {}] as Record<string, string>[]) {
      const dir = foreignFolder(files);
      const run = aisc("plan", "--config", file, "--out", dir);
      assert.strictEqual(run.status, 2);
      assert.strictEqual(
        run.stderr,
        `aisc: --out ${dir}: a folder aisc did not create (it has no ${OUT_MARKER} marker); aisc writes only into folders it made, so remove it or name a folder that does not exist yet\n`,
      );
      assert.deepStrictEqual(readTree(dir), new Map(Object.entries(files)));
      assert.deepStrictEqual(
        fs.readdirSync(dir).sort(),
        Object.keys(files)
          .map((f) => f.split("/")[0])
          .sort(),
      );
    }
  });

  it("refuses --out naming a file, and a stack's place in OUT taken by something aisc did not write", () => {
    const file = writeStackFile("mine", smallSite());
    const notFolder = path.join(foreignFolder({ "f.txt": "x" }), "f.txt");
    const run = aisc("plan", "--config", file, "--out", notFolder);
    assert.strictEqual(run.status, 2);
    assert.match(run.stderr, /^aisc: --out .*f\.txt: is a file; expected a folder for aisc's output/);
    const out = tempDir();
    assert.strictEqual(aisc("plan", "--config", writeStackFile("other", smallSite()), "--out", out).status, 0);
    fs.mkdirSync(path.join(out, "mine"));
    fs.writeFileSync(path.join(out, "mine", "notes.txt"), "mine");
    const taken = aisc("plan", "--config", file, "--out", out);
    assert.strictEqual(taken.status, 2);
    assert.strictEqual(
      taken.stderr,
      `aisc: ${path.join(out, "mine")}: not written by aisc plan (it is not aisc's link into ${PLANS_DIR}/); aisc replaces only what it wrote, so move it away first\n`,
    );
    assert.strictEqual(fs.readFileSync(path.join(out, "mine", "notes.txt"), "utf8"), "mine");
  });

  it("replaces a plan by swapping a link, removes the previous plan, and lists only stacks in OUT", () => {
    const out = tempDir();
    const file = writeStackFile("swap", smallSite());
    assert.strictEqual(aisc("plan", "--config", file, "--out", out).status, 0);
    const first = fs.readlinkSync(path.join(out, "swap"));
    assert.strictEqual(aisc("plan", "--config", file, "--out", out).status, 0);
    const second = fs.readlinkSync(path.join(out, "swap"));
    assert.notStrictEqual(second, first);
    assert.match(second, new RegExp(`^${PLANS_DIR.replace(".", "\\.")}/swap\\.\\d+\\.[0-9a-f]{8}$`));
    assert.deepStrictEqual(fs.readdirSync(path.join(out, PLANS_DIR)), [path.basename(second)]);
    assert.deepStrictEqual(stacksIn(out), ["swap"]);
    assert.deepStrictEqual(fs.readdirSync(out).sort(), [OUT_MARKER, PLANS_DIR, "swap"].sort());
  });

  it("never reads a leftover staging folder as a plan, and cleans it on the next run", () => {
    const out = tempDir();
    const file = writeStackFile("stay", smallSite());
    assert.strictEqual(aisc("plan", "--config", file, "--out", out).status, 0);
    const leftover = path.join(out, PLANS_DIR, "stay.99999.deadbeef");
    fs.mkdirSync(leftover);
    fs.copyFileSync(path.join(out, "stay", "plan.json"), path.join(leftover, "plan.json"));
    const plan = JSON.parse(fs.readFileSync(path.join(leftover, "plan.json"), "utf8"));
    plan.stack = "ghost";
    fs.writeFileSync(path.join(leftover, "plan.json"), JSON.stringify(plan));
    const diff = aisc("diff", out, out, "--format", "json");
    assert.strictEqual(diff.status, 0, diff.stderr);
    assert.deepStrictEqual(
      JSON.parse(diff.stdout).stacks.map((s: { stack: string }) => s.stack),
      ["stay"],
    );
    assert.strictEqual(aisc("plan", "--config", file, "--out", out).status, 0);
    assert.ok(!fs.existsSync(leftover));
  });

  it("turns a second writer away while a live aisc holds OUT's lock, and takes over a dead one's", () => {
    const out = tempDir();
    const file = writeStackFile("locked", smallSite());
    assert.strictEqual(aisc("plan", "--config", file, "--out", out).status, 0);
    const holder = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
    try {
      fs.writeFileSync(path.join(out, LOCK_FILE), `${holder.pid}\n`);
      const before = readTree(path.join(out, "locked"));
      const run = aisc("plan", "--config", file, "--out", out);
      assert.strictEqual(run.status, 2);
      assert.strictEqual(
        run.stderr,
        `aisc: ${out}: another aisc is writing this folder (process ${holder.pid}); wait for it to finish, or choose another --out\n`,
      );
      assert.deepStrictEqual(readTree(path.join(out, "locked")), before);
    } finally {
      holder.kill("SIGKILL");
    }
    // A PID no process has: the lock of a plan that was killed.
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout;
    fs.writeFileSync(path.join(out, LOCK_FILE), `${dead}\n`);
    const run = aisc("plan", "--config", file, "--out", out);
    assert.strictEqual(run.status, 0, run.stderr);
    assert.ok(!fs.existsSync(path.join(out, LOCK_FILE)));
  });

  it("exits 2 with the reason when OUT's disk is full, keeping the previous plan", function () {
    const mount = fs.mkdtempSync(path.join(os.tmpdir(), "aisc-full-"));
    // A small tmpfs is a full disk on demand; mounting needs root, and without it this is skipped.
    if (spawnSync("mount", ["-t", "tmpfs", "-o", "size=800k", "tmpfs", mount]).status !== 0) this.skip();
    try {
      const out = path.join(mount, "out");
      const small = smallSite();
      assert.strictEqual(aisc("plan", "--config", writeStackFile("full", { ...small, tenants: small.tenants.slice(0, 1) }), "--out", out).status, 0);
      const before = readTree(path.join(out, "full"));
      const run = aisc("plan", "--config", writeStackFile("full", smallSite()), "--out", out);
      assert.strictEqual(run.status, 2, run.stderr);
      assert.match(
        run.stderr,
        /^aisc: cannot (write the plan of full into .*|write the cluster stage's plan of full|create .*): no space left on the device \(ENOSPC\)\n$/,
      );
      assert.deepStrictEqual(readTree(path.join(out, "full")), before);
      assert.strictEqual(fs.readdirSync(path.join(out, PLANS_DIR)).length, 1, "the failed plan's folder is removed");
    } finally {
      spawnSync("umount", [mount]);
    }
  });

  it("exits 2 when OUT cannot be created", () => {
    const run = aisc("plan", "--config", writeStackFile("nowhere", smallSite()), "--out", "/proc/aisc-out");
    assert.strictEqual(run.status, 2);
    assert.match(
      run.stderr,
      /^aisc: --out \/proc\/aisc-out: cannot create the folder: (no such file or folder \(ENOENT\)|permission denied \(EACCES\)|operation not permitted \(EPERM\))\n$/,
    );
  });
});
