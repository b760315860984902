import * as fs from "fs";
import * as path from "path";
import { isObj } from "../inventory/reader";
import { DEFAULT_RESERVE } from "../inventory/capacity";
import { CommandSpec, parseCommand, printHelp } from "./args";
import { diffMarkdown, diffPlans, PlanDiff } from "./diff-plans";
import { EXIT } from "./exit";
import { Plan, stableJson } from "./record";
import { onDisk, stackEntries } from "./out-dir";
import { InputError, isStackName } from "./stack-config";
import { URN_SCHEME, withEngineUrns } from "./urns";

export const DIFF_COMMAND: CommandSpec = {
  name: "diff",
  about: [
    "Compares two plans (a plan.json, an OUT/<stack> or a whole OUT): the site's capacity, headroom,",
    "power and subsidy before -> after, then resources added, removed and changed under their",
    "component with each changed value old -> new (secrets never shown), data-losing changes flagged.",
    "Markdown for a pull-request comment, or JSON. Exit 0, or 2 when a path is not a plan.",
  ].join("\n"),
  flags: {
    format: { value: true, arg: "markdown|json", help: "output format (default markdown)" },
    "policy-config": { value: true, arg: "FILE", help: "the policy settings the plans were made with: the site's headroom is counted after their reserve" },
  },
  operands: ["BASE", "HEAD"],
};

/** What `file` must hold to be read as a plan: the fields `aisc diff` reads, with their types. */
function asPlan(file: string, json: unknown): Plan {
  const bad = (what: string) => new InputError(`${file}: not a plan written by aisc plan (${what})`);
  if (!isObj(json)) throw bad(`expected a JSON object, got ${json === null ? "null" : Array.isArray(json) ? "a list" : typeof json}`);
  if (typeof json.stack !== "string" || !isStackName(json.stack)) throw bad("expected stack: a stack name");
  if (!Array.isArray(json.resources)) throw bad("expected resources: a list");
  json.resources.forEach((r: unknown, i: number) => {
    if (!isObj(r)) throw bad(`resources[${i}]: expected an object`);
    for (const key of ["urn", "type", "name"]) if (typeof r[key] !== "string") throw bad(`resources[${i}].${key}: expected a string`);
    if (r.parent !== undefined && typeof r.parent !== "string") throw bad(`resources[${i}].parent: expected a string`);
    if (!isObj(r.inputs)) throw bad(`resources[${i}].inputs: expected an object`);
    if (!isObj(r.options)) throw bad(`resources[${i}].options: expected an object`);
  });
  if (json.urns !== undefined && json.urns !== URN_SCHEME) throw bad(`urns: expected "${URN_SCHEME}"`);
  if (json.secretConfig !== undefined && (!isObj(json.secretConfig) || !Object.values(json.secretConfig).every((v) => typeof v === "string")))
    throw bad("secretConfig: expected an object of fingerprints");
  return json as unknown as Plan;
}

/**
 * The plans under a path: a plan.json, a stack's output folder, or an OUT holding one entry per
 * stack (aisc's bookkeeping in OUT, such as unfinished plans, is never read). Returned by stack
 * name; anything that is not a plan is exit 2.
 */
export function loadPlans(where: string): Map<string, Plan> {
  const read = (file: string) => {
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
      throw new InputError(`${file}: not a plan written by aisc plan (${(err as NodeJS.ErrnoException).code ?? (err as Error).message.split("\n")[0]})`);
    }
    // A plan made before aisc named its URNs as the engine does is renamed to that scheme (./urns).
    return withEngineUrns(asPlan(file, json));
  };
  const plans = new Map<string, Plan>();
  const add = (file: string) => {
    const plan = read(file);
    if (plans.has(plan.stack)) throw new InputError(`${file}: a second plan of stack ${plan.stack} in ${where}`);
    plans.set(plan.stack, plan);
  };
  const stat = onDisk(where, () => fs.statSync(where));
  if (stat.isFile()) add(where);
  else if (fs.existsSync(path.join(where, "plan.json"))) add(path.join(where, "plan.json"));
  else for (const d of onDisk(where, () => stackEntries(where))) if (fs.existsSync(path.join(where, d, "plan.json"))) add(path.join(where, d, "plan.json"));
  if (plans.size === 0) throw new InputError(`${where}: no plan.json found (give a plan.json, OUT/<stack> or OUT)`);
  return plans;
}

/**
 * The reserve the site's headroom is counted after: the one `capacity-tenant-quotas-fit-site`
 * holds quotas to under the policy config plan and verify were given, else the policy's default.
 * A plan does not record its policy config, so the diff is told it.
 */
async function reserveOf(configFile: string | undefined): Promise<number> {
  if (!configFile) return DEFAULT_RESERVE;
  // Loaded only here: the policy pack brings the Pulumi SDK with it.
  const [{ readPolicyConfig }, { POLICIES }, { tenantQuotasFitSite }] = await Promise.all([
    import("./policy-config"),
    import("../policies/pack"),
    import("../policies/capacity"),
  ]);
  const reserve = readPolicyConfig(configFile, POLICIES)[tenantQuotasFitSite.name]?.reserve;
  return typeof reserve === "number" ? reserve : DEFAULT_RESERVE;
}

/** Compares the plans of every stack in BASE and HEAD; a stack in only one side is all added or all removed. */
export async function diff(argv: readonly string[]): Promise<number> {
  const args = parseCommand(argv, DIFF_COMMAND);
  if (args.help) return printHelp(DIFF_COMMAND);
  if (args.positional.length !== 2) throw new InputError("expected two plans to compare: BASE and HEAD");
  const format = args.values.format?.[0] ?? "markdown";
  if (format !== "markdown" && format !== "json") throw new InputError(`--format ${format}: expected markdown or json`);
  const reserve = await reserveOf(args.values["policy-config"]?.[0]);
  const [base, head] = args.positional.map(loadPlans);
  const stacks = [...new Set([...base.keys(), ...head.keys()])].sort();
  const empty = (stack: string): Plan => ({ project: "aisc", stack, resources: [], outputs: {} });
  const diffs: PlanDiff[] = stacks.map((s) => diffPlans(base.get(s) ?? empty(s), head.get(s) ?? empty(s), reserve));
  process.stdout.write(format === "json" ? stableJson({ stacks: diffs }) : `${diffs.map(diffMarkdown).join("\n")}\n`);
  return EXIT.ok;
}
