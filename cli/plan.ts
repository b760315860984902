import { spawn } from "child_process";
import * as os from "os";
import * as path from "path";
import { FlagSpec, parseArgs, ParsedArgs } from "./args";
import { EXIT } from "./exit";
import { DEFAULT_OUT, STACKS_DIR } from "./paths";
import { InputError, listStacks, stackNameOf } from "./stack-config";

export const PLAN_USAGE = "aisc plan [--stack NAME]... [--all] [--config FILE]... [--out DIR] [--policy-config FILE]";

export interface WorkerResult {
  readonly stack: string;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The flags that choose stacks and the output directory, shared by plan and verify. */
export const STACK_FLAGS: Readonly<Record<string, FlagSpec>> = {
  stack: { value: true, repeat: true },
  all: { value: false },
  config: { value: true, repeat: true },
  out: { value: true },
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
 * over: 64 MB planned 4,000 tenants in 23 s rather than 28 s for ~130 MB more peak memory
 * (`npm run bench`; see the README's performance section).
 */
export const WORKER_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=64"];

/** Where the plan worker is: one stack per process, since the SDK's runtime is process-global. */
export const PLAN_WORKER = path.join(__dirname, "plan-worker.js");

/** Plans one stack file into `out` in a worker process. */
export function runWorker(file: string, out: string, policyConfig?: string): Promise<WorkerResult> {
  return new Promise((resolve) => {
    const env = { ...process.env, ...(policyConfig ? { AISC_POLICY_CONFIG: path.resolve(policyConfig) } : {}) };
    const child = spawn(process.execPath, [...WORKER_NODE_FLAGS, PLAN_WORKER, file, out], { stdio: ["ignore", "pipe", "pipe"], env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code, signal) => resolve({ stack: stackNameOf(file), code: code ?? (signal ? EXIT.internal : EXIT.ok), stdout, stderr }));
  });
}

/**
 * Plans stacks offline, one worker process per stack, as many at once as there are cores.
 * Output is printed in stack order whatever order the workers finish in; the exit status is
 * the worst of the stacks'.
 */
export async function plan(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, { ...STACK_FLAGS, "policy-config": { value: true } });
  const { files, out } = selectStackFiles(args);
  const policyConfig = args.values["policy-config"]?.[0];
  const results: WorkerResult[] = new Array(files.length);
  let next = 0;
  const lanes = Math.max(1, Math.min(os.cpus().length, files.length));
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < files.length) {
        const i = next++;
        results[i] = await runWorker(files[i], out, policyConfig);
      }
    }),
  );
  for (const r of results) {
    if (r.stdout) process.stdout.write(r.stdout);
    if (r.stderr) process.stderr.write(r.stderr);
  }
  return Math.max(...results.map((r) => r.code));
}
