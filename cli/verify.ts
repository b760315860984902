import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { CommandSpec, parseCommand, printHelp } from "./args";
import { ofTotal, progressOn, since } from "./progress";
import { EXIT } from "./exit";
import { Site } from "../inventory/types";
import { planInto, POLICY_CONFIG_FLAG, QUIET_FLAG, readInventory, selectStackFiles, STACK_FLAGS } from "./plan";
import { InputError, stackNameOf } from "./stack-config";
import { checkK8s } from "./verify-k8s";
import { checkPlacement } from "./verify-placement";
import { checkPrometheus } from "./verify-prometheus";
import { checkSlurm } from "./verify-slurm";
import type { PolicyConfig } from "./policy-eval";

/** What a check is given besides the stack's output folder: its inventory, stack file and policy config. */
interface CheckContext {
  readonly site: Site;
  readonly stackFile: string;
  readonly policyConfig: PolicyConfig;
}

/** One check's verdict; the engine checks are asynchronous, the file checks are not. */
type Check = (stackDir: string, context: CheckContext) => CheckResult | Promise<CheckResult>;
type CheckResult = { ok: boolean; report: readonly string[] };

/** The checks `verify` knows, by the name `--only` takes. Each reads OUT/<stack>/ as it is. */
const CHECKS: Record<string, Check> = {
  k8s: (stackDir) => {
    const result = checkK8s(stackDir);
    const skipped = Object.entries(result.skipped);
    const skippedCount = skipped.reduce((n, [, c]) => n + c, 0);
    const checked = result.objects - skippedCount;
    const head = `${checked} of ${result.objects} objects in ${result.files} manifest files checked against the Kubernetes schema`;
    const skips = skipped.length
      ? [`  skipped ${skippedCount} custom resources with no CRD schema in charts/imports/crds: ${skipped.map(([k, n]) => `${k} (${n})`).join(", ")}`]
      : [];
    skips.push(`  Helm chart values checked against the pinned charts' defaults (charts/imports/values): ${result.charts.checked.join(", ") || "none"}`);
    if (result.charts.skipped.length) skips.push(`  skipped Helm charts with no vendored defaults: ${result.charts.skipped.join(", ")}`);
    if (result.failures.length === 0) return { ok: true, report: [`${head}: ok`, ...skips] };
    return {
      ok: false,
      report: [
        `${head}: ${result.failures.length} problem${result.failures.length === 1 ? "" : "s"}`,
        ...result.failures.map((f) => `  ${f.file}: ${f.object}: ${f.field}: ${f.message}`),
        ...skips,
      ],
    };
  },
  slurm: async (stackDir, { site }) => {
    // What Slurm must show comes from the inventory, the source of truth, not from the files.
    const result = await checkSlurm(stackDir, site);
    const head = `the site's Slurm files on real slurmctld, slurmd and slurmdbd (Slurm ${slurmVersion()})`;
    return { ok: result.status !== "failed", report: [`${head}: ${result.status}`, ...result.report.map((l) => `  ${l}`)] };
  },
  placement: (stackDir, { site }) => {
    const result = checkPlacement(stackDir, site);
    return { ok: result.status !== "failed", report: [`pod templates on the site's declared nodes: ${result.status}`, ...result.report.map((l) => `  ${l}`)] };
  },
  prometheus: (stackDir, { site }) => {
    const result = checkPrometheus(stackDir, site);
    return { ok: result.status !== "failed", report: [`alert rules with the real promtool: ${result.status}`, ...result.report.map((l) => `  ${l}`)] };
  },
  policy: async (stackDir, { stackFile, policyConfig }) => {
    // Loaded only for this check: the policy pack brings the Pulumi SDK with it.
    const { checkPolicies } = await import("./verify-policy");
    const result = await checkPolicies(stackDir, policyConfig, stackFile);
    return { ok: result.status !== "failed", report: [`the policy pack over the artifacts as they are on disk: ${result.status}`, ...result.report] };
  },
};

/** The flags choosing stacks, without --out: --only is listed among them. */
const { out: _out, ...STACK_CHOICE } = STACK_FLAGS;

export const VERIFY_COMMAND: CommandSpec = {
  name: "verify",
  about: [
    "Checks the artifacts in OUT/<stack>/ as they are on disk (planning first if there are none) with",
    `the real engines: ${Object.keys(CHECKS).join(", ")}. Exit 0 when every check passes or is`,
    "skipped (a skip is reported as skipped), 1 when one fails, 2 a user's mistake, 3 internal error.",
  ].join("\n"),
  flags: {
    ...STACK_CHOICE,
    only: { value: true, repeat: true, arg: "CHECK", help: `run only this check: ${Object.keys(CHECKS).join(", ")}` },
    out: STACK_FLAGS.out,
    ...POLICY_CONFIG_FLAG,
    ...QUIET_FLAG,
  },
};

function slurmVersion(): string {
  const r = spawnSync("slurmctld", ["-V"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim().replace(/^slurm(-wlm)?\s*/, "") : "not installed";
}

/**
 * Checks the artifacts of `aisc plan` with the real engines. Artifacts are checked as they are
 * on disk, so an edited manifest is checked as it stands; a stack with no artifacts yet is
 * planned first. Exit 1 when any check fails.
 */
export async function verify(argv: readonly string[]): Promise<number> {
  const args = parseCommand(argv, VERIFY_COMMAND);
  if (args.help) return printHelp(VERIFY_COMMAND);
  const progress = progressOn(args.switches.has("quiet"));
  const { files, out } = selectStackFiles(args);
  const only = args.values.only ?? Object.keys(CHECKS);
  for (const c of only) if (!CHECKS[c]) throw new InputError(`unknown check --only ${c}; expected one of ${Object.keys(CHECKS).join(", ")}`);
  const configFile = args.values["policy-config"]?.[0];
  let policyConfig: PolicyConfig = {};
  if (configFile) {
    const [{ readPolicyConfig }, { POLICIES }] = await Promise.all([import("./policy-config"), import("../policies/pack")]);
    policyConfig = readPolicyConfig(configFile, POLICIES);
  }

  // Every inventory is read once, first: a mistake in any is exit 2 before anything runs.
  const sites = new Map(files.map((file) => [file, readInventory(file)]));
  let status: number = EXIT.ok;
  for (const [f, file] of files.entries()) {
    const stack = stackNameOf(file);
    const stackDir = path.join(out, stack);
    if (!fs.existsSync(path.join(stackDir, "plan.json"))) {
      const [planned] = await planInto([file], out, { progress });
      if (planned.code !== EXIT.ok) {
        process.stderr.write(planned.stderr);
        status = Math.max(status, planned.code);
        continue;
      }
    }
    for (const [i, check] of only.entries()) {
      const start = Date.now();
      progress.step(`verify ${check} ${stack}${ofTotal(f * only.length + i, files.length * only.length)}`);
      const { ok, report } = await CHECKS[check](stackDir, { site: sites.get(file)!, stackFile: file, policyConfig });
      progress.step(`verified ${check} ${stack} in ${since(start)}`);
      process.stdout.write(`${stack} ${check}: ${report.join("\n")}\n`);
      if (!ok) status = Math.max(status, EXIT.failed);
    }
  }
  return status;
}
