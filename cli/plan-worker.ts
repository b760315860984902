/**
 * One stack's plan in its own process (the Pulumi SDK's runtime is process-global): validate
 * the inventory, run the program under mocks, write the artifacts, print the summary. Usage:
 * `node plan-worker.js STACK_FILE OUT_DIR`; exits with the statuses in ./exit.
 */
// First: makes SDK modules the plan never calls load lazily, before anything loads the SDK.
import "./lazy-sdk";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { parseSite, SITE_CONFIG_KEY } from "../inventory/parse";
import { InventoryError } from "../inventory/reader";
import { POLICIES } from "../policies/pack";
import { spawn } from "child_process";
import { STAGE_CONFIG_KEY } from "../components/platform/stages";
import { CLUSTER_STAGE_POLICIES } from "../policies/pack";
import { checkObjectSizes, isKubernetesObject, renderArtifacts, writeArtifacts } from "./artifacts";
import { Plan, planJsonChunks } from "./record";
import { EXIT } from "./exit";
import { discardPlan, fsInputError, publishPlan, stagePlan } from "./out-dir";
import { readPolicyConfig } from "./policy-config";
import { PROJECT, runProgram } from "./run-program";
import { InputError, readStackFile, StackConfig } from "./stack-config";
import { evaluatePolicies, hasMandatoryViolation, PolicyConfig, PolicyResult } from "./policy-eval";
import { withInventoryKeys } from "./inventory-location";
import { policyReportJson, policyReportMarkdown, policyReportSarif } from "./policy-report";
import { formatPolicySummary, formatSummary } from "./summary";

/**
 * Runs the program for `stack` under mocks. The SDK records a stack trace on every promise and
 * resource, for leak reports and source positions the offline plan never shows; capturing them
 * was most of the time and memory of planning a large site (see the README's performance
 * section). Traces return for errors.
 */
async function plannedProgram(stack: StackConfig, region: string): Promise<Plan> {
  const traceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  const plan = await runProgram(stack, region).finally(() => (Error.stackTraceLimit = traceLimit));
  checkObjectSizes(plan);
  return Object.keys(stack.secretFingerprints).length ? { ...plan, secretConfig: stack.secretFingerprints } : plan;
}

/**
 * The cluster stage (components/platform/stages.ts) of an EKS stack, planned by a second worker
 * into `dir` (inside the stack's staged folder): its plan and the verdicts of the policies that
 * judge AWS resources. Prints its policy result as JSON for the parent worker's summary.
 */
async function clusterStage(stackFile: string, dir: string): Promise<number> {
  const stack = readStackFile(stackFile, PROJECT);
  const site = parseSite(stack.raw[SITE_CONFIG_KEY]);
  const config: PolicyConfig = process.env.AISC_POLICY_CONFIG ? readPolicyConfig(process.env.AISC_POLICY_CONFIG, POLICIES) : {};
  const plan = await plannedProgram({ ...stack, config: { ...stack.config, [`aisc:${STAGE_CONFIG_KEY}`]: "cluster" } }, site.region);
  const policies = await evaluatePolicies(plan, config, CLUSTER_STAGE_POLICIES);
  // Never recreate the staged folder: if it is gone, the worker that made it was orphaned and a
  // later aisc has cleared it, and this plan must leave nothing behind.
  if (process.ppid !== PARENT) throw new Error("the plan worker that started this stage has gone");
  try {
    fs.mkdirSync(dir);
    writeArtifacts(dir, [
      ["plan.json", planJsonChunks(plan)],
      ["policy-report.json", policyReportJson(plan, policies)],
      ["policy-report.md", policyReportMarkdown(plan, policies)],
    ]);
  } catch (err) {
    throw fsInputError(`cannot write the cluster stage's plan of ${stack.stack}`, err) ?? err;
  }
  process.stdout.write(JSON.stringify({ resources: plan.resources.length, policies }));
  return hasMandatoryViolation(policies) ? EXIT.failed : EXIT.ok;
}

/** Plans the cluster stage of `stackFile` into `dir` in a second worker process; resolves with its summary lines and status. */
function planClusterStage(stackFile: string, dir: string): Promise<{ code: number; summary: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, __filename, stackFile, dir, "--cluster-stage"], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => {
      if (code !== EXIT.ok && code !== EXIT.failed) {
        resolve({ code: code ?? EXIT.internal, summary: stderr.trimEnd() });
        return;
      }
      const { resources, policies } = JSON.parse(stdout) as { resources: number; policies: PolicyResult };
      resolve({
        code,
        summary: `  cluster stage (aisc:stage cluster): ${resources} resources -> stages/cluster\n${formatPolicySummary(policies).replace(/^ {2}/gm, "    ")}`,
      });
    });
  });
}

async function main(stackFile: string, outRoot: string): Promise<number> {
  const stack = readStackFile(stackFile, PROJECT);
  // Validate before running anything, so a bad inventory or policy config writes nothing and starts nothing.
  const site = parseSite(stack.raw[SITE_CONFIG_KEY]);
  const config: PolicyConfig = process.env.AISC_POLICY_CONFIG ? readPolicyConfig(process.env.AISC_POLICY_CONFIG, POLICIES) : {};
  // An EKS stack is deployed in two stages: whatever stage its aisc:stage names now, the whole
  // program (the platform stage) is planned here and the cluster stage beside it, by a second
  // worker, into the same staged folder.
  const staged = stagePlan(outRoot, stack.stack);
  const stages = site.cluster.kind === "eks";
  const platformStack = stages ? { ...stack, config: { ...stack.config, [`aisc:${STAGE_CONFIG_KEY}`]: "platform" } } : stack;
  let clusterPlan: ReturnType<typeof planClusterStage> | undefined;
  let plan: Plan;
  let policies: PolicyResult;
  let policySeconds: number;
  let cluster: Awaited<typeof clusterPlan>;
  // Written to a fresh folder, then swapped in whole (./out-dir.ts): a failure or a kill at any
  // point leaves OUT/<stack> as the previous plan.
  try {
    if (stages) {
      fs.mkdirSync(path.join(staged, "stages"));
      clusterPlan = planClusterStage(stackFile, path.join(staged, "stages", "cluster"));
    }
    plan = await plannedProgram(platformStack, site.region);
    const policyStart = process.hrtime.bigint();
    policies = withInventoryKeys(await evaluatePolicies(plan, config), plan, stack.raw[SITE_CONFIG_KEY]);
    policySeconds = Number(process.hrtime.bigint() - policyStart) / 1e9;
    const reports: [string, string][] = [
      ["policy-report.json", policyReportJson(plan, policies)],
      ["policy-report.md", policyReportMarkdown(plan, policies)],
      ["policy-report.sarif", policyReportSarif(plan, policies, stack)],
    ];
    cluster = await clusterPlan;
    // The second worker has said what went wrong, in the same words and with the same status.
    if (cluster && cluster.code !== EXIT.ok && cluster.code !== EXIT.failed) throw new StageFailed(cluster.code, cluster.summary);
    writeArtifacts(
      staged,
      (function* () {
        yield* renderArtifacts(plan);
        yield* reports;
      })(),
    );
    // Orphaned (the CLI holding OUT's lock was killed), a later aisc may own OUT by now.
    if (process.ppid !== PARENT) throw new Error("the aisc process that started this plan has gone");
    publishPlan(outRoot, stack.stack, staged);
  } catch (err) {
    await clusterPlan;
    discardPlan(staged);
    throw fsInputError(`cannot write the plan of ${stack.stack} into ${outRoot}`, err) ?? err;
  }
  const dir = path.join(outRoot, stack.stack);
  // `npm run bench` asks for the worker's own figures: peak memory and time in policies.
  if (process.env.AISC_BENCH_STATS) {
    const stats = { resources: plan.resources.length, policySeconds, peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) };
    fs.writeFileSync(process.env.AISC_BENCH_STATS, JSON.stringify(stats));
  }
  process.stdout.write(
    `${formatSummary(plan, dir, plan.resources.filter(isKubernetesObject).length)}\n${formatPolicySummary(policies)}\n${cluster ? `${cluster.summary}\n` : ""}`,
  );
  return hasMandatoryViolation(policies) || cluster?.code === EXIT.failed ? EXIT.failed : EXIT.ok;
}

/** The cluster stage's worker failed; it has printed why, and its status is the plan's. */
class StageFailed extends Error {
  constructor(
    readonly code: number,
    readonly output: string,
  ) {
    super(output);
  }
}

function fail(err: unknown): number {
  if (err instanceof StageFailed) {
    process.stderr.write(`${err.output}\n`);
    return err.code;
  }
  if (err instanceof InventoryError) {
    process.stderr.write(`${process.argv[2]}: invalid site inventory:\n${err.message}\n`);
    return EXIT.invalidInput;
  }
  if (err instanceof InputError) {
    process.stderr.write(`aisc: ${err.message}\n`);
    return EXIT.invalidInput;
  }
  if (err instanceof pulumi.RunError) {
    process.stderr.write(`${err.message}\n`);
    return EXIT.invalidInput;
  }
  process.stderr.write(`aisc plan: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
  return EXIT.internal;
}

/**
 * The CLI that started this worker and holds OUT's lock. Once it is gone (killed, even with
 * SIGKILL), the lock can be taken over by another aisc, which clears unfinished plans: this
 * worker then stops rather than write into an OUT it no longer holds.
 */
const PARENT = process.ppid;
setInterval(() => {
  if (process.ppid !== PARENT) process.exit(EXIT.internal);
}, 250).unref();

// The program creates tenants asynchronously (components/tenancy/tenants.ts): a failure there
// may surface as a rejection no one awaits. It is an internal error, never a policy verdict.
process.on("unhandledRejection", (err) => process.exit(fail(err)));

(process.argv[4] === "--cluster-stage" ? clusterStage(process.argv[2], process.argv[3]) : main(process.argv[2], process.argv[3])).then(
  (code) => process.exit(code),
  (err) => process.exit(fail(err)),
);
