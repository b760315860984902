import { strict as assert } from "assert";
import { spawnSync, SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The compiled test runs from dist/test/tooling/, three levels below the project root. */
const ROOT = path.resolve(__dirname, "..", "..", "..");
const BIN = (tool: string) => path.join(ROOT, "node_modules", ".bin", tool);
/** What a copy of the project needs to be linted as the project is: never outputs or dependencies. */
const LEFT_OUT = new Set([".git", "node_modules", "dist", "out", "reports", ".stryker-tmp"]);

/**
 * `npm run lint` must catch what it is there to catch, in this project with its own configs:
 * each case copies the sources, adds one defect to a real module, and runs the tool as the
 * script does. A config change that stopped seeing the defect fails here.
 */
describe("npm run lint", function () {
  // Type-aware ESLint builds a TypeScript program of the project: several seconds.
  this.timeout(180_000);
  let copy: string;

  beforeEach(() => {
    copy = fs.mkdtempSync(path.join(os.tmpdir(), "aisc-lint-"));
    fs.cpSync(ROOT, copy, { recursive: true, filter: (src) => !LEFT_OUT.has(path.basename(src)) || path.dirname(src) !== ROOT });
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(copy, "node_modules"), "dir");
  });
  afterEach(() => fs.rmSync(copy, { recursive: true, force: true }));

  const run = (tool: string, args: string[]): SpawnSyncReturns<string> => spawnSync(BIN(tool), args, { cwd: copy, encoding: "utf8", timeout: 150_000 });
  const append = (file: string, text: string) => fs.appendFileSync(path.join(copy, file), text);

  it("passes the project as it is (knip and Prettier; ESLint runs over the whole tree in `npm run lint`)", () => {
    const knip = run("knip", []);
    assert.equal(knip.status, 0, knip.stdout + knip.stderr);
    const prettier = run("prettier", ["--check", "."]);
    assert.equal(prettier.status, 0, prettier.stdout + prettier.stderr);
  });

  it("fails on a promise nobody awaits or handles, naming the rule and the line", () => {
    const file = "charts/tenant.ts";
    append(file, '\nexport function tenantProbe(): void {\n  Promise.reject(new Error("lost"));\n}\n');
    const line = fs.readFileSync(path.join(copy, file), "utf8").split("\n").indexOf('  Promise.reject(new Error("lost"));') + 1;
    const eslint = run("eslint", ["--max-warnings", "0", "--format", "json", file]);
    assert.equal(eslint.status, 1, eslint.stderr);
    const [result] = JSON.parse(eslint.stdout) as { messages: { ruleId: string; line: number }[] }[];
    assert.deepEqual(
      result.messages.map((m) => [m.ruleId, m.line]),
      [["@typescript-eslint/no-floating-promises", line]],
    );
  });

  it("fails on an export nothing uses, naming it and its file", () => {
    append("inventory/dates.ts", "\nexport const UNUSED_PROBE = 42;\n");
    const knip = run("knip", ["--include", "exports"]);
    assert.equal(knip.status, 1, knip.stderr);
    assert.match(knip.stdout, /Unused exports \(1\)\nUNUSED_PROBE\s+inventory\/dates\.ts:\d+:\d+/);
  });

  it("fails on code Prettier would lay out otherwise", () => {
    append("inventory/dates.ts", "\nexport const spaced   =   { a:1 };\n");
    const prettier = run("prettier", ["--check", "inventory/dates.ts"]);
    assert.equal(prettier.status, 1);
    assert.match(prettier.stdout + prettier.stderr, /inventory\/dates\.ts/);
  });
});
