import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { NO_OPTIONS, Plan, PlannedResource } from "../../cli/record";
import { realSite, tempDir, writeStackFile } from "./fixtures";

/** The built CLI entry, run as users run it. */
export const AISC = path.resolve(__dirname, "..", "..", "..", "bin", "aisc.js");

export interface CliRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `aisc ...args` in a child process (the SDK runtime is per process) and waits. */
export function aisc(...args: string[]): CliRun {
  const r = spawnSync(process.execPath, [AISC, ...args], { encoding: "utf8", timeout: 120000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Plans one stack file into `out` and returns its plan; fails the test on a non-zero exit. */
export function planFile(file: string, out: string, ...flags: string[]): Plan {
  const run = aisc("plan", "--config", file, "--out", out, ...flags);
  if (run.status !== 0) throw new Error(`aisc plan exited ${run.status}: ${run.stderr}`);
  const stack = /^Pulumi\.(.+)\.yaml$/.exec(path.basename(file))![1];
  return JSON.parse(fs.readFileSync(path.join(out, stack, "plan.json"), "utf8")) as Plan;
}

export function ofType(plan: Plan, type: string): PlannedResource[] {
  return plan.resources.filter((r) => r.type === type);
}

export function one(plan: Plan, type: string): PlannedResource {
  const found = ofType(plan, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0];
}

const cache = new Map<string, Plan>();

/** The plan of a real stack in stacks/, made once per test run and shared by every test file. */
export function realPlan(stack: string): Plan {
  let plan = cache.get(stack);
  if (!plan) {
    plan = planFile(writeStackFile(stack, realSite(stack)), tempDir());
    cache.set(stack, plan);
  }
  return plan;
}

/** A recorded resource built by hand, for tests that need one the programs do not make. */
export function plannedResource(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  options: Partial<PlannedResource["options"]> = {},
  parent?: string,
): PlannedResource {
  return {
    urn: `urn:pulumi:s::aisc::${type}::${name}`,
    type,
    name,
    custom: true,
    remote: false,
    inputs,
    ...(parent ? { parent } : {}),
    options: { ...NO_OPTIONS, ...options },
  };
}
