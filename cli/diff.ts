import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "./args";
import { diffMarkdown, diffPlans, PlanDiff } from "./diff-plans";
import { EXIT } from "./exit";
import { Plan, stableJson } from "./record";
import { InputError } from "./stack-config";

export const DIFF_USAGE = "aisc diff BASE HEAD [--format markdown|json]";

/**
 * The plans under a path: a plan.json, a stack's output directory, or an output root holding
 * one directory per stack. Returned by stack name.
 */
export function loadPlans(where: string): Map<string, Plan> {
  const read = (file: string) => {
    try {
      return JSON.parse(fs.readFileSync(file, "utf8")) as Plan;
    } catch (err) {
      throw new InputError(`${file}: not a plan written by aisc plan (${(err as Error).message.split("\n")[0]})`);
    }
  };
  if (!fs.existsSync(where)) throw new InputError(`${where}: no such file or directory`);
  const plans = new Map<string, Plan>();
  const add = (file: string) => {
    const plan = read(file);
    plans.set(plan.stack, plan);
  };
  if (fs.statSync(where).isFile()) add(where);
  else if (fs.existsSync(path.join(where, "plan.json"))) add(path.join(where, "plan.json"));
  else for (const d of fs.readdirSync(where).sort()) if (fs.existsSync(path.join(where, d, "plan.json"))) add(path.join(where, d, "plan.json"));
  if (plans.size === 0) throw new InputError(`${where}: no plan.json found (give a plan.json, OUT/<stack> or OUT)`);
  return plans;
}

/** Compares the plans of every stack in BASE and HEAD; a stack in only one side is all added or all removed. */
export function diff(argv: readonly string[]): number {
  const args = parseArgs(argv, { format: { value: true } }, 2);
  if (args.positional.length !== 2) throw new InputError("expected two plans to compare: BASE and HEAD");
  const format = args.values.format?.[0] ?? "markdown";
  if (format !== "markdown" && format !== "json") throw new InputError(`--format ${format}: expected markdown or json`);
  const [base, head] = args.positional.map(loadPlans);
  const stacks = [...new Set([...base.keys(), ...head.keys()])].sort();
  const empty = (stack: string): Plan => ({ project: "aisc", stack, resources: [], outputs: {} });
  const diffs: PlanDiff[] = stacks.map((s) => diffPlans(base.get(s) ?? empty(s), head.get(s) ?? empty(s)));
  process.stdout.write(format === "json" ? stableJson({ stacks: diffs }) : `${diffs.map(diffMarkdown).join("\n")}\n`);
  return EXIT.ok;
}
