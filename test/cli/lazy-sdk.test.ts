import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";

const LAZY_SDK = path.resolve(__dirname, "..", "..", "cli", "lazy-sdk.js");

/** Runs `script` in a fresh Node with cli/lazy-sdk loaded first, as the plan worker loads it; returns its JSON output. */
function probe(script: string): Record<string, unknown> {
  const run = spawnSync(process.execPath, ["-r", LAZY_SDK, "-e", script], { cwd: path.resolve(__dirname, "..", "..", ".."), encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

const LOADED = `const loaded = (re) => Object.keys(require.cache).some((f) => re.test(f));`;

describe("the plan worker's lazy SDK modules (cli/lazy-sdk)", () => {
  it("loads the three SDKs without the TypeScript compiler or npm's arborist", () => {
    const out = probe(
      `${LOADED} require("@pulumi/pulumi"); require("@pulumi/aws"); require("@pulumi/kubernetes");
       process.stdout.write(JSON.stringify({ typescript: loaded(/node_modules\\/typescript\\/lib\\/typescript\\.js$/), arborist: loaded(/@npmcli\\/arborist\\/lib\\/arborist\\/index\\.js$/), sigstore: loaded(/node_modules\\/sigstore\\//) }));`,
    );
    assert.deepEqual(out, { typescript: false, arborist: false, sigstore: false });
  });

  it("loads the real module at its first use, so the SDK's function serialization still works", () => {
    const out = probe(
      `${LOADED} const pulumi = require("@pulumi/pulumi");
       const before = loaded(/node_modules\\/typescript\\/lib\\/typescript\\.js$/);
       pulumi.runtime.serializeFunction(() => 42).then((s) => {
         process.stdout.write(JSON.stringify({ before, after: loaded(/node_modules\\/typescript\\/lib\\/typescript\\.js$/), serialized: s.text.includes("42") }));
       });`,
    );
    assert.deepEqual(out, { before: false, after: true, serialized: true });
  });
});
