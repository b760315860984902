import * as path from "path";
import { runProgram } from "../../cli/run-program";

/**
 * Runs a test program (argv[2], a compiled module) under the offline plan's runtime in this
 * process and prints the plan as JSON: the SDK's runtime is process-global, so each program
 * run needs a process of its own. With `AISC_ALIAS_URNS=1` the runtime is told the monitor
 * takes no alias specs, so the SDK computes alias URNs itself: each resource's own and one
 * level inherited from its direct parent's declared aliases (its path for engines without
 * alias specs; with specs the engine derives every level).
 */
async function main(): Promise<void> {
  const program = path.resolve(process.argv[2]);
  const config = { stack: "aliases", file: "", config: {}, secretKeys: [], secretFingerprints: {}, raw: {}, text: "" };
  const plan = await runProgram(config, "ap-east-1", program, { sdkAliases: process.env.AISC_ALIAS_URNS === "1" });
  process.stdout.write(JSON.stringify(plan));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
