import { EXIT } from "./exit";
import { plan, PLAN_USAGE } from "./plan";
import { InventoryError } from "../inventory/reader";
import { InputError, UsageError } from "./stack-config";
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
         none): k8s (schemas), slurm (real Slurm daemons), placement (pods on declared
         nodes), prometheus (promtool)
  diff   compare two plans (plan.json, OUT/<stack> or OUT): resources added, removed and changed,
         with the changed property paths under their component; data-losing changes flagged
  report the city view across the chosen stacks (all by default): capacity against the 2026 and 2030 milestones, and
         allocation by tenant kind and subsidy, as Markdown and an SVG chart (Vega-Lite)

OUT holds aisc's output only: aisc creates it (marking it with .aisc-out), refuses a folder it
did not create, and swaps each OUT/<stack> in whole.

exit status: 0 clean, 1 a mandatory policy failed or a check failed, 2 a user's mistake (one
line on stderr, nothing written), 3 internal error`;

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
        throw new UsageError(command ? `unknown command ${command}; expected plan, verify, diff, report or help` : "no command given; expected plan, verify, diff, report or help");
    }
  } catch (err) {
    // A user's mistake is the message alone, never a stack trace; usage only on request.
    if (err instanceof UsageError) {
      process.stderr.write(`aisc: ${err.message} (aisc help shows the usage)\n`);
      return EXIT.invalidInput;
    }
    if (err instanceof InputError || err instanceof InventoryError) {
      process.stderr.write(`aisc: ${err.message}\n`);
      return EXIT.invalidInput;
    }
    process.stderr.write(`aisc: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    return EXIT.internal;
  }
}
