import { CommandSpec, printHelp, usageOf, version } from "./args";
import { EXIT } from "./exit";
import { plan, PLAN_COMMAND } from "./plan";
import { InventoryError } from "../inventory/reader";
import { InputError, UsageError } from "./stack-config";
import { verify, VERIFY_COMMAND } from "./verify";
import { diff, DIFF_COMMAND } from "./diff";
import { report, REPORT_COMMAND } from "./report";

const COMMANDS: Readonly<Record<string, { spec: CommandSpec; run: (argv: readonly string[]) => number | Promise<number> }>> = {
  plan: { spec: PLAN_COMMAND, run: plan },
  verify: { spec: VERIFY_COMMAND, run: verify },
  diff: { spec: DIFF_COMMAND, run: diff },
  report: { spec: REPORT_COMMAND, run: report },
};

const USAGE = `usage: ${Object.values(COMMANDS)
  .map((c) => usageOf(c.spec))
  .join("\n       ")}
       aisc help [COMMAND] | aisc COMMAND --help | aisc --version

  plan   run the Pulumi program for each stack offline, under the SDK's mock runtime, and
         write OUT/<stack>/plan.json and OUT/<stack>/manifests/ (OUT defaults to out/)
  verify check the artifacts in OUT/<stack>/ as they are on disk (planning first if there are
         none): k8s (schemas), slurm (real Slurm daemons), placement (pods on declared
         nodes), prometheus (promtool), policy (the pack over the files)
  diff   compare two plans (plan.json, OUT/<stack> or OUT): the site's capacity and power before
         → after, then resources added, removed and changed, with each changed value old → new
         (secrets never shown) under their component; data-losing changes flagged
  report the city view across the chosen stacks (all by default): capacity against the 2026 and 2030 milestones, and
         allocation by tenant kind and subsidy, as Markdown and an SVG chart (Vega-Lite)

OUT holds aisc's output only: aisc creates it (marking it with .aisc-out), refuses a folder it
did not create, and swaps each OUT/<stack> in whole. Progress goes to stderr when it is a
terminal (--quiet silences it).

exit status: 0 clean, 1 a mandatory policy failed or a check failed, 2 a user's mistake (one
line on stderr, nothing written), 3 internal error`;

const COMMAND_NAMES = "plan, verify, diff, report, help or --version";

/** The `aisc` command line. Returns the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "help":
      case "--help":
      case "-h":
        if (rest.length === 0) {
          process.stdout.write(`${USAGE}\n`);
          return EXIT.ok;
        }
        if (rest.length === 1 && Object.hasOwn(COMMANDS, rest[0])) return printHelp(COMMANDS[rest[0]].spec);
        throw new UsageError(`help: expected a command (${Object.keys(COMMANDS).join(", ")}), got ${rest.join(" ")}`);
      case "--version":
      case "-V":
      case "version":
        if (rest.length > 0) throw new UsageError(`--version takes no arguments, got ${rest[0]}`);
        process.stdout.write(`aisc ${version()}\n`);
        return EXIT.ok;
      default:
        if (command !== undefined && Object.hasOwn(COMMANDS, command)) return await COMMANDS[command].run(rest);
        throw new UsageError(command ? `unknown command ${command}; expected ${COMMAND_NAMES}` : `no command given; expected ${COMMAND_NAMES}`);
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
