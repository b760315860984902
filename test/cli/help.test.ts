import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { helpText, parseArgs } from "../../cli/args";
import { DIFF_COMMAND } from "../../cli/diff";
import { PLAN_COMMAND } from "../../cli/plan";
import { progressOn } from "../../cli/progress";
import { VERIFY_COMMAND } from "../../cli/verify";
import { aisc } from "../helpers/plan";

/** The CLI's manners: help for each command, its version, progress only where a person watches. */

const ROOT = path.resolve(__dirname, "..", "..", "..");

describe("aisc --help and --version", () => {
  it("prints each command's usage and flags on stdout and exits 0, doing nothing else", () => {
    for (const [command, spec] of [
      ["plan", PLAN_COMMAND],
      ["verify", VERIFY_COMMAND],
      ["diff", DIFF_COMMAND],
    ] as const) {
      for (const run of [aisc(command, "--help"), aisc(command, "-h"), aisc("help", command)]) {
        assert.strictEqual(run.status, 0, run.stderr);
        assert.strictEqual(run.stderr, "");
        assert.strictEqual(run.stdout, helpText(spec));
      }
    }
    const plan = aisc("plan", "--help").stdout;
    assert.ok(
      plan.startsWith("usage: aisc plan [--stack NAME]... [--all] [--config FILE]... [--out DIR] [--policy-config FILE] [--as-of YYYY-MM-DD] [--quiet]\n"),
      plan,
    );
    assert.match(plan, /^ {2}--as-of YYYY-MM-DD {4}the date milestones and support windows are judged on \(default today\)$/m);
    assert.match(aisc("verify", "--help").stdout, /^ {2}--only CHECK +run only this check: k8s, slurm, placement, prometheus, policy \(repeatable\)$/m);
  });

  it("--help wins over the rest of the line: nothing is planned, even with a bad stack named", () => {
    const run = aisc("plan", "--stack", "nosuchstack", "--help", "--out", "/nonexistent/out");
    assert.strictEqual(run.status, 0, run.stderr);
    assert.strictEqual(run.stdout, helpText(PLAN_COMMAND));
    assert.ok(!fs.existsSync("/nonexistent/out"));
    for (const line of [
      ["plan", "--help", "--out"],
      ["plan", "--help", "--all=yes"],
      ["verify", "-h", "--onyl", "k8s"],
    ]) {
      assert.deepStrictEqual(aisc(...line).status, 0, line.join(" "));
    }
    assert.deepStrictEqual(aisc("help", "constructor"), {
      status: 2,
      stdout: "",
      stderr: "aisc: help: expected a command (plan, verify, diff, report), got constructor (aisc help shows the usage)\n",
    });
  });

  it("--version prints the package's version", () => {
    const version = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version;
    for (const run of [aisc("--version"), aisc("-V"), aisc("version")]) {
      assert.deepStrictEqual(run, { status: 0, stdout: `aisc ${version}\n`, stderr: "" });
    }
  });

  it("the top-level help names every command and how to get each one's help", () => {
    const run = aisc("help");
    assert.strictEqual(run.status, 0);
    for (const c of ["aisc plan [", "aisc verify [", "aisc diff BASE HEAD", "aisc report [", "aisc help [COMMAND] | aisc COMMAND --help | aisc --version"])
      assert.ok(run.stdout.includes(c), c);
  });
});

describe("the flag parser", () => {
  const spec = { stack: { value: true, repeat: true }, all: { value: false }, out: { value: true } };

  it("reads values, repeats, switches, `--flag=value` and positionals after `--`", () => {
    const args = parseArgs(["--stack", "a", "--stack=b", "--all", "--out=o", "--", "--x"], spec, 1);
    assert.deepStrictEqual(
      { values: args.values, switches: [...args.switches], positional: args.positional, help: args.help },
      { values: { stack: ["a", "b"], out: ["o"] }, switches: ["all"], positional: ["--x"], help: false },
    );
    // As before util.parseArgs: a value may start with one dash (a folder named -dir).
    assert.deepStrictEqual(parseArgs(["--out", "-dir"], spec).values, { out: ["-dir"] });
  });

  it("refuses what the command does not declare, each with its own message", () => {
    const cases: [string[], string][] = [
      [["--stacks", "a"], "unknown flag --stacks; expected one of --stack, --all, --out, --help"],
      [["-q"], "unknown flag -q; expected one of --stack, --all, --out, --help"],
      [["--stack"], "--stack expects a value"],
      [["--stack", "--all"], "--stack expects a value"],
      [["--constructor"], "unknown flag --constructor; expected one of --stack, --all, --out, --help"],
      [["--toString=3"], "unknown flag --toString; expected one of --stack, --all, --out, --help"],
      [["--all=1"], "--all takes no value"],
      [["--out", "a", "--out", "b"], "--out given more than once"],
      [["x"], "unexpected argument x"],
    ];
    for (const [argv, message] of cases) assert.throws(() => parseArgs(argv, spec), { message }, argv.join(" "));
  });
});

describe("progress", () => {
  const stream = (isTTY: boolean) => {
    const lines: string[] = [];
    return { lines, isTTY, write: (s: string) => lines.push(s) > 0 };
  };

  it("is written to a terminal, one line a step, and never when quiet or when stderr is a pipe or file", () => {
    const tty = stream(true);
    progressOn(false, tty).step("planning cyberport (1 of 2)");
    assert.deepStrictEqual(tty.lines, ["aisc: planning cyberport (1 of 2)\n"]);
    const quiet = stream(true);
    progressOn(true, quiet).step("x");
    const pipe = stream(false);
    progressOn(false, pipe).step("x");
    assert.deepStrictEqual([quiet.lines, pipe.lines], [[], []]);
  });
});
