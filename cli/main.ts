import { CommandSpec, printHelp, usageOf, version } from "./args";
import { EXIT } from "./exit";
import { InventoryError } from "../inventory/reader";
import { InputError, UsageError } from "./stack-config";

interface Command {
  readonly spec: CommandSpec;
  readonly run: (argv: readonly string[]) => number | Promise<number>;
}

/**
 * Each command's module, loaded only when that command runs or its usage is asked for: verify
 * brings the engines' checks, diff and verify can bring the policy pack and with it the Pulumi
 * SDK, report brings Vega. Loading all four made every `aisc plan` start a second slower.
 */
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  plan: async () => {
    const m = await import("./plan");
    return { spec: m.PLAN_COMMAND, run: m.plan };
  },
  verify: async () => {
    const m = await import("./verify");
    return { spec: m.VERIFY_COMMAND, run: m.verify };
  },
  diff: async () => {
    const m = await import("./diff");
    return { spec: m.DIFF_COMMAND, run: m.diff };
  },
  report: async () => {
    const m = await import("./report");
    return { spec: m.REPORT_COMMAND, run: m.report };
  },
};

/** The whole usage, every command's line from its own spec. */
async function usage(): Promise<string> {
  const specs = await Promise.all(Object.values(COMMANDS).map(async (load) => (await load()).spec));
  return `usage: ${specs.map(usageOf).join("\n       ")}
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
}

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
          process.stdout.write(`${await usage()}\n`);
          return EXIT.ok;
        }
        if (rest.length === 1 && Object.hasOwn(COMMANDS, rest[0])) return printHelp((await COMMANDS[rest[0]]()).spec);
        throw new UsageError(`help: expected a command (${Object.keys(COMMANDS).join(", ")}), got ${rest.join(" ")}`);
      case "--version":
      case "-V":
      case "version":
        if (rest.length > 0) throw new UsageError(`--version takes no arguments, got ${rest[0]}`);
        process.stdout.write(`aisc ${version()}\n`);
        return EXIT.ok;
      default:
        if (command !== undefined && Object.hasOwn(COMMANDS, command)) return await (await COMMANDS[command]()).run(rest);
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
