import { EXIT } from "./exit";
import { plan, PLAN_USAGE } from "./plan";
import { InputError } from "./stack-config";
import { verify, VERIFY_USAGE } from "./verify";
import { diff, DIFF_USAGE } from "./diff";
import { report, REPORT_USAGE } from "./report";

const USAGE = `usage: ${PLAN_USAGE}
       ${VERIFY_USAGE}
       ${DIFF_USAGE}
       ${REPORT_USAGE}

  plan   run the Pulumi program for each stack offline, under the SDK's mock runtime, and
         write OUT/<stack>/plan.json and OUT/<stack>/manifests/ (OUT defaults to out/)
  verify check the artifacts in OUT/<stack>/ as they are on disk (planning first if there are
         none): k8s (schemas), slurm (real Slurm daemons), prometheus (promtool)
  diff   compare two plans (plan.json, OUT/<stack> or OUT): resources added, removed and changed,
         with the changed property paths under their component; data-losing changes flagged
  report the city view across all stacks: capacity against the 2026 and 2030 milestones, and
         allocation by tenant kind and subsidy, as Markdown and an SVG chart (Vega-Lite)

exit status: 0 clean, 1 a mandatory policy failed, 2 invalid input, 3 internal error`;

/** The `aisc` command line. Returns the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "plan":
        return await plan(rest);
      case "verify":
        return await verify(rest);
      case "diff":
        return diff(rest);
      case "report":
        return await report(rest);
      case "help":
      case "--help":
      case "-h":
        process.stdout.write(`${USAGE}\n`);
        return EXIT.ok;
      default:
        throw new InputError(command ? `unknown command ${command}` : "no command given");
    }
  } catch (err) {
    if (err instanceof InputError) {
      process.stderr.write(`aisc: ${err.message}\n${USAGE}\n`);
      return EXIT.invalidInput;
    }
    process.stderr.write(`aisc: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    return EXIT.internal;
  }
}
