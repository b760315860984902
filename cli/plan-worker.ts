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
import { isKubernetesObject, renderArtifacts, writeArtifacts } from "./artifacts";
import { EXIT } from "./exit";
import { PROJECT, runProgram } from "./run-program";
import { InputError, readStackFile } from "./stack-config";
import { evaluatePolicies, hasMandatoryViolation, PolicyConfig } from "./policy-eval";
import { policyReportJson, policyReportMarkdown, policyReportSarif } from "./policy-report";
import { formatPolicySummary, formatSummary } from "./summary";

async function main(stackFile: string, outRoot: string): Promise<number> {
  const stack = readStackFile(stackFile, PROJECT);
  // Validate before running anything, so a bad inventory writes nothing and starts nothing.
  const site = parseSite(stack.raw[SITE_CONFIG_KEY]);
  // The SDK records a stack trace on every promise and resource, for leak reports and source
  // positions the offline plan never shows; capturing them was most of the time and memory of
  // planning a large site (see the README's performance section). Traces return for errors.
  const traceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  const plan = await runProgram(stack, site.region).finally(() => (Error.stackTraceLimit = traceLimit));
  const dir = path.join(outRoot, stack.stack);
  const policyStart = process.hrtime.bigint();
  const policies = await evaluatePolicies(plan, policyConfig());
  const policySeconds = Number(process.hrtime.bigint() - policyStart) / 1e9;
  const where = path.relative(process.cwd(), stackFile) || stackFile;
  const reports: [string, string][] = [
    ["policy-report.json", policyReportJson(plan, policies)],
    ["policy-report.md", policyReportMarkdown(plan, policies)],
    ["policy-report.sarif", policyReportSarif(plan, policies, where.startsWith("..") ? stackFile : where)],
  ];
  writeArtifacts(dir, (function* () {
    yield* renderArtifacts(plan);
    yield* reports;
  })());
  // `npm run bench` asks for the worker's own figures: peak memory and time in policies.
  if (process.env.AISC_BENCH_STATS) {
    const stats = { resources: plan.resources.length, policySeconds, peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) };
    fs.writeFileSync(process.env.AISC_BENCH_STATS, JSON.stringify(stats));
  }
  process.stdout.write(`${formatSummary(plan, dir, plan.resources.filter(isKubernetesObject).length)}\n${formatPolicySummary(policies)}\n`);
  return hasMandatoryViolation(policies) ? EXIT.failed : EXIT.ok;
}

/** Policy config from AISC_POLICY_CONFIG (a JSON file, as `pulumi preview --policy-pack-config` takes). */
function policyConfig(): PolicyConfig {
  const file = process.env.AISC_POLICY_CONFIG;
  if (!file) return {};
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as PolicyConfig;
  } catch (err) {
    throw new InputError(`--policy-config ${file}: expected a JSON object of policy settings (${(err as Error).message})`);
  }
}

function fail(err: unknown): number {
  if (err instanceof InventoryError) {
    process.stderr.write(`${process.argv[2]}: invalid site inventory:\n${err.message}\n`);
    return EXIT.invalidInput;
  }
  if (err instanceof InputError || err instanceof pulumi.RunError) {
    process.stderr.write(`${(err as Error).message}\n`);
    return EXIT.invalidInput;
  }
  process.stderr.write(`aisc plan: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
  return EXIT.internal;
}

// The program creates tenants asynchronously (components/tenancy/tenants.ts): a failure there
// may surface as a rejection no one awaits. It is an internal error, never a policy verdict.
process.on("unhandledRejection", (err) => process.exit(fail(err)));

main(process.argv[2], process.argv[3]).then(
  (code) => process.exit(code),
  (err) => process.exit(fail(err)),
);
