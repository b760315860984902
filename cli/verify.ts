import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "./args";
import { EXIT } from "./exit";
import { DEFAULT_OUT, STACKS_DIR } from "./paths";
import { runWorker } from "./plan";
import { InputError, listStacks } from "./stack-config";
import { checkK8s } from "./verify-k8s";

export const VERIFY_USAGE = "aisc verify [--stack NAME]... [--all] [--only CHECK]... [--out DIR]";

/** The checks `verify` knows, by the name `--only` takes. Each reads OUT/<stack>/ as it is. */
const CHECKS: Record<string, (stackDir: string) => { ok: boolean; report: string[] }> = {
  k8s: (stackDir) => {
    const result = checkK8s(stackDir);
    const head = `${result.objects} objects in ${result.files} manifest files against the Kubernetes schema`;
    if (result.failures.length === 0) return { ok: true, report: [`${head}: ok`] };
    return {
      ok: false,
      report: [`${head}: ${result.failures.length} problem${result.failures.length === 1 ? "" : "s"}`, ...result.failures.map((f) => `  ${f.file}: ${f.object}: ${f.field}: ${f.message}`)],
    };
  },
};

/**
 * Checks the artifacts of `aisc plan` with the real engines. Artifacts are checked as they are
 * on disk, so an edited manifest is checked as it stands; a stack with no artifacts yet is
 * planned first. Exit 1 when any check fails.
 */
export async function verify(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, { stack: { value: true, repeat: true }, all: { value: false }, only: { value: true, repeat: true }, out: { value: true } });
  const known = listStacks(STACKS_DIR);
  const named = args.values.stack ?? [];
  for (const s of named) if (!known.includes(s)) throw new InputError(`unknown stack ${s}; stacks in ${STACKS_DIR}: ${known.join(", ")}`);
  const stacks = named.length === 0 || args.switches.has("all") ? known : named;
  const only = args.values.only ?? Object.keys(CHECKS);
  for (const c of only) if (!CHECKS[c]) throw new InputError(`unknown check --only ${c}; expected one of ${Object.keys(CHECKS).join(", ")}`);
  const out = path.resolve(args.values.out?.[0] ?? DEFAULT_OUT);

  let status: number = EXIT.ok;
  for (const stack of stacks) {
    const stackDir = path.join(out, stack);
    if (!fs.existsSync(path.join(stackDir, "plan.json"))) {
      const planned = await runWorker(path.join(STACKS_DIR, `Pulumi.${stack}.yaml`), out);
      if (planned.code !== EXIT.ok) {
        process.stderr.write(planned.stderr);
        status = Math.max(status, planned.code);
        continue;
      }
    }
    for (const check of only) {
      const { ok, report } = CHECKS[check](stackDir);
      process.stdout.write(`${stack} ${check}: ${report.join("\n")}\n`);
      if (!ok) status = Math.max(status, EXIT.failed);
    }
  }
  return status;
}
