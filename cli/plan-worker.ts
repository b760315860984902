/**
 * One stack's plan in its own process (the Pulumi SDK's runtime is process-global): validate
 * the inventory, run the program under mocks, write the artifacts, print the summary. Usage:
 * `node plan-worker.js STACK_FILE OUT_DIR`; exits with the statuses in ./exit.
 */
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { parseSite, SITE_CONFIG_KEY } from "../inventory/parse";
import { InventoryError } from "../inventory/reader";
import { POLICIES } from "../policies/pack";
import { checkObjectSizes, isKubernetesObject, renderArtifacts, writeArtifacts } from "./artifacts";
import { EXIT } from "./exit";
import { discardPlan, fsInputError, publishPlan, stagePlan } from "./out-dir";
import { readPolicyConfig } from "./policy-config";
import { PROJECT, runProgram } from "./run-program";
import { InputError, readStackFile } from "./stack-config";
import { evaluatePolicies, hasMandatoryViolation, PolicyConfig } from "./policy-eval";
import { policyReportJson, policyReportMarkdown, policyReportSarif } from "./policy-report";
import { formatPolicySummary, formatSummary } from "./summary";

async function main(stackFile: string, outRoot: string): Promise<number> {
  const stack = readStackFile(stackFile, PROJECT);
  // Validate before running anything, so a bad inventory or policy config writes nothing and starts nothing.
  const site = parseSite(stack.raw[SITE_CONFIG_KEY]);
  const config: PolicyConfig = process.env.AISC_POLICY_CONFIG ? readPolicyConfig(process.env.AISC_POLICY_CONFIG, POLICIES) : {};
  // The SDK records a stack trace on every promise and resource, for leak reports and source
  // positions the offline plan never shows; capturing them was most of the time and memory of
  // planning a large site (see the README's performance section). Traces return for errors.
  const traceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  const plan = await runProgram(stack, site.region).finally(() => (Error.stackTraceLimit = traceLimit));
  checkObjectSizes(plan);
  const policyStart = process.hrtime.bigint();
  const policies = await evaluatePolicies(plan, config);
  const policySeconds = Number(process.hrtime.bigint() - policyStart) / 1e9;
  const where = path.relative(process.cwd(), stackFile) || stackFile;
  const reports: [string, string][] = [
    ["policy-report.json", policyReportJson(plan, policies)],
    ["policy-report.md", policyReportMarkdown(plan, policies)],
    ["policy-report.sarif", policyReportSarif(plan, policies, where.startsWith("..") ? stackFile : where)],
  ];
  // Written to a fresh folder, then swapped in whole (./out-dir.ts): a failure or a kill at any
  // point leaves OUT/<stack> as the previous plan.
  const staged = stagePlan(outRoot, stack.stack);
  try {
    writeArtifacts(staged, (function* () {
      yield* renderArtifacts(plan);
      yield* reports;
    })());
    // Orphaned (the CLI holding OUT's lock was killed), a later aisc may own OUT by now.
    if (process.ppid !== PARENT) throw new Error("the aisc process that started this plan has gone");
    publishPlan(outRoot, stack.stack, staged);
  } catch (err) {
    discardPlan(staged);
    throw fsInputError(`cannot write the plan of ${stack.stack} into ${outRoot}`, err) ?? err;
  }
  const dir = path.join(outRoot, stack.stack);
  // `npm run bench` asks for the worker's own figures: peak memory and time in policies.
  if (process.env.AISC_BENCH_STATS) {
    const stats = { resources: plan.resources.length, policySeconds, peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) };
    fs.writeFileSync(process.env.AISC_BENCH_STATS, JSON.stringify(stats));
  }
  process.stdout.write(`${formatSummary(plan, dir, plan.resources.filter(isKubernetesObject).length)}\n${formatPolicySummary(policies)}\n`);
  return hasMandatoryViolation(policies) ? EXIT.failed : EXIT.ok;
}

function fail(err: unknown): number {
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

main(process.argv[2], process.argv[3]).then(
  (code) => process.exit(code),
  (err) => process.exit(fail(err)),
);
