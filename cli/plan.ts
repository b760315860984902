import { spawn } from "child_process";
import * as os from "os";
import * as path from "path";
import { CITY_CONFIG_KEY, parseCity } from "../inventory/city";
import { parseSite, SITE_CONFIG_KEY } from "../inventory/parse";
import { AS_OF_ENV, isDate } from "../inventory/dates";
import { hybridNodeCount, LIMITS } from "../inventory/limits";
import { InventoryError } from "../inventory/reader";
import { Site } from "../inventory/types";
import { CommandSpec, FlagSpec, ParsedArgs, parseCommand, printHelp } from "./args";
import { EXIT } from "./exit";
import { checkStackSlot, claimOutDir, cleanStaleStaging, lockOutDir } from "./out-dir";
import { DEFAULT_OUT, PROJECT, STACKS_DIR } from "./paths";
import { InputError, listStacks, readStackFile, stackNameOf } from "./stack-config";
import { ofTotal, Progress, progressOn, since, SILENT } from "./progress";

export interface WorkerResult {
  readonly stack: string;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Turns a parser's InventoryError into one InputError (exit 2): one problem on one line, several one a line under the file's name. */
function keyed<T>(file: string, what: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof InventoryError)) throw err;
    const n = err.issues.length;
    throw new InputError(n === 1 ? `${file}: invalid ${what}: ${err.message}` : `${file}: invalid ${what}, ${n} problems:\n${err.message}`);
  }
}

/**
 * The validated inventory of a stack file; every mistake in it is one InputError (exit 2). The
 * city's facts the program also reads (`aisc:city`, from Pulumi.yaml unless the stack file sets
 * its own) are validated here too, so a mistake in them is refused before anything runs.
 */
export function readInventory(file: string): Site {
  const stack = readStackFile(file, PROJECT);
  const site = keyed(file, "site inventory", () => parseSite(stack.raw[SITE_CONFIG_KEY]));
  if (stack.raw[CITY_CONFIG_KEY] !== undefined) keyed(file, "city configuration", () => parseCity(stack.raw[CITY_CONFIG_KEY]));
  return site;
}

/**
 * Sites planned together that name the same AWS account and region share SSM's standard tier:
 * 1,000 hybrid nodes between them. Each inventory is held to it alone when read; here the
 * sites of one account are held to it together. Sites that name no account are not compared.
 */
export function sharedAccountProblems(sites: readonly { file: string; site: Site }[]): string[] {
  const groups = new Map<string, { file: string; nodes: number }[]>();
  for (const { file, site } of sites) {
    if (site.cluster.kind !== "eks" || !site.cluster.awsAccountId) continue;
    const key = `${site.cluster.awsAccountId} in ${site.region}`;
    groups.set(key, [...(groups.get(key) ?? []), { file, nodes: hybridNodeCount(site) }]);
  }
  const problems: string[] = [];
  for (const [key, members] of groups) {
    const total = members.reduce((n, m) => n + m.nodes, 0);
    if (members.length > 1 && total > LIMITS.hybridNodesPerAccount) {
      problems.push(
        `${members.map((m) => m.file).join(", ")}: aisc:site.cluster.awsAccountId: expected at most ${LIMITS.hybridNodesPerAccount} on-premises nodes across the sites of account ${key} (SSM's standard tier), got ${total} (${members.map((m) => m.nodes).join(" + ")})`,
      );
    }
  }
  return problems;
}

/** The flags that choose stacks and the output directory, shared by plan and verify. */
export const STACK_FLAGS: Readonly<Record<string, FlagSpec>> = {
  stack: { value: true, repeat: true, arg: "NAME", help: "a stack in stacks/ (Pulumi.NAME.yaml)" },
  all: { value: false, help: "every stack in stacks/ (the default when no --stack or --config is given)" },
  config: { value: true, repeat: true, arg: "FILE", help: "a stack file outside stacks/, named Pulumi.<stack>.yaml" },
  out: { value: true, arg: "DIR", help: "aisc's output folder (default out/)" },
};

/** Flags of the commands whose work takes long enough to report progress. */
export const QUIET_FLAG: Readonly<Record<string, FlagSpec>> = {
  quiet: { value: false, help: "no progress on stderr (it is shown only when stderr is a terminal)" },
};

export const POLICY_CONFIG_FLAG: Readonly<Record<string, FlagSpec>> = {
  "policy-config": { value: true, arg: "FILE", help: "policy settings, the JSON pulumi preview --policy-pack-config takes" },
};

export const PLAN_COMMAND: CommandSpec = {
  name: "plan",
  about: [
    "Runs the Pulumi program for each stack offline, under the SDK's mock runtime, judges it with the",
    "policy pack and writes OUT/<stack>/plan.json, manifests/ and policy-report.{md,json,sarif}.",
    "Exit 0 clean, 1 a mandatory policy failed, 2 a user's mistake (nothing written), 3 internal error.",
  ].join("\n"),
  flags: {
    ...STACK_FLAGS,
    ...POLICY_CONFIG_FLAG,
    "as-of": { value: true, arg: "YYYY-MM-DD", help: "the date milestones and support windows are judged on (default today)" },
    ...QUIET_FLAG,
  },
};

/** Which stack files a command covers: named stacks, --config files, or every stack. */
export function selectStackFiles(args: ParsedArgs, stacksDir: string = STACKS_DIR): { files: string[]; out: string } {
  const known = listStacks(stacksDir);
  const named = args.values.stack ?? [];
  for (const s of named) {
    if (!known.includes(s)) throw new InputError(`unknown stack ${s}; stacks in ${stacksDir}: ${known.join(", ")}`);
  }
  const configs = (args.values.config ?? []).map((f) => {
    stackNameOf(f);
    return path.resolve(f);
  });
  const all = args.switches.has("all") || (named.length === 0 && configs.length === 0);
  const stacks = all ? known : named;
  const files = [...new Set([...stacks.map((s) => path.join(stacksDir, `Pulumi.${s}.yaml`)), ...configs])];
  const names = files.map(stackNameOf);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new InputError(`stack ${dup} is given twice; its artifacts would overwrite each other in ${DEFAULT_OUT}/${dup}`);
  return { files, out: path.resolve(args.values.out?.[0] ?? DEFAULT_OUT) };
}

/**
 * Node flags for the plan worker. The Pulumi SDK allocates heavily for every resource, and the
 * default 16 MB young generation made the garbage collector copy live registrations over and
 * over: 64 MB plans a large site markedly faster for somewhat more peak memory (`npm run bench`
 * measures both; the README's performance section has the figures, which a comment would let go stale).
 */
export const WORKER_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=64"];

/** Where the plan worker is: one stack per process, since the SDK's runtime is process-global. */
export const PLAN_WORKER = path.join(__dirname, "plan-worker.js");

/** What a plan is made with beyond the stack files: the policies' config file and the plan's date. */
export interface PlanOptions {
  readonly policyConfig?: string;
  /** Where each stack's start and end are reported (nowhere by default). */
  readonly progress?: Progress;
  /** YYYY-MM-DD; today when unset (inventory/dates.ts). */
  readonly asOf?: string;
}

/** Plans one stack file into `out` in a worker process; the caller holds the OUT's lock. */
export function runWorker(file: string, out: string, options: PlanOptions = {}): Promise<WorkerResult> {
  const { policyConfig, asOf } = options;
  return new Promise((resolve) => {
    const env = { ...process.env, ...(policyConfig ? { AISC_POLICY_CONFIG: path.resolve(policyConfig) } : {}), ...(asOf ? { [AS_OF_ENV]: asOf } : {}) };
    const child = spawn(process.execPath, [...WORKER_NODE_FLAGS, PLAN_WORKER, file, out], { stdio: ["ignore", "pipe", "pipe"], env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code, signal) => {
      const stack = stackNameOf(file);
      // A worker killed from outside (the OOM killer, a signal) has written nothing visible.
      if (code === null)
        resolve({
          stack,
          code: EXIT.internal,
          stdout,
          stderr: `${stderr}aisc plan: the plan of ${stack} was stopped by ${signal}; ${out}/${stack} is unchanged\n`,
        });
      else resolve({ stack, code, stdout, stderr });
    });
  });
}

/**
 * Plans `files` into `out`, one worker process per stack, as many at once as there are cores,
 * after checking everything a user can get wrong: every inventory, the OUT folder and each
 * stack's place in it. A mistake there is exit 2 with nothing written. Output is printed in
 * stack order whatever order the workers finish in; the status is the worst of the stacks'.
 */
export async function planInto(files: readonly string[], out: string, options: PlanOptions = {}): Promise<WorkerResult[]> {
  const { policyConfig, asOf, progress = SILENT } = options;
  const problems: string[] = [];
  if (asOf !== undefined && !isDate(asOf)) throw new InputError(`--as-of: expected a date written YYYY-MM-DD, got ${JSON.stringify(asOf)}`);
  const sites: { file: string; site: Site }[] = [];
  for (const file of files) {
    try {
      sites.push({ file, site: readInventory(file) });
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      problems.push(err.message);
    }
  }
  problems.push(...sharedAccountProblems(sites));
  if (policyConfig) {
    // Loaded only when asked: the policy pack brings the Pulumi SDK with it.
    const { readPolicyConfig } = await import("./policy-config");
    const { POLICIES } = await import("../policies/pack");
    readPolicyConfig(policyConfig, POLICIES);
  }
  if (problems.length > 0) throw new InputError(problems.join("\n"));
  claimOutDir(out);
  const release = lockOutDir(out);
  try {
    cleanStaleStaging(out);
    for (const file of files) checkStackSlot(out, stackNameOf(file));
    const results = new Array<WorkerResult>(files.length);
    let next = 0;
    const lanes = Math.max(1, Math.min(os.cpus().length, files.length));
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        while (next < files.length) {
          const i = next++;
          const start = Date.now();
          progress.step(`planning ${stackNameOf(files[i])}${ofTotal(i, files.length)}`);
          results[i] = await runWorker(files[i], out, options);
          progress.step(`planned ${stackNameOf(files[i])} in ${since(start)}${results[i].code === EXIT.ok ? "" : `, exit ${results[i].code}`}`);
        }
      }),
    );
    return results;
  } finally {
    release();
  }
}

/** `aisc plan`: plans the chosen stacks offline and prints each one's summary. */
export async function plan(argv: readonly string[]): Promise<number> {
  const args = parseCommand(argv, PLAN_COMMAND);
  if (args.help) return printHelp(PLAN_COMMAND);
  const { files, out } = selectStackFiles(args);
  const policyConfig = args.values["policy-config"]?.[0];
  const asOf = args.values["as-of"]?.[0];
  const progress = progressOn(args.switches.has("quiet"));
  const results = await planInto(files, out, { ...(policyConfig ? { policyConfig } : {}), ...(asOf ? { asOf } : {}), progress });
  for (const r of results) {
    if (r.stdout) process.stdout.write(r.stdout);
    if (r.stderr) process.stderr.write(r.stderr);
  }
  return Math.max(...results.map((r) => r.code));
}
