import { EXIT } from "./exit";
import { plan, PLAN_USAGE } from "./plan";
import { InputError } from "./stack-config";
import { verify, VERIFY_USAGE } from "./verify";

const USAGE = `usage: ${PLAN_USAGE}
       ${VERIFY_USAGE}

  plan   run the Pulumi program for each stack offline, under the SDK's mock runtime, and
         write OUT/<stack>/plan.json and OUT/<stack>/manifests/ (OUT defaults to out/)
  verify check the artifacts in OUT/<stack>/ as they are on disk (planning first if there are
         none): k8s validates every manifest strictly against the Kubernetes schema

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
