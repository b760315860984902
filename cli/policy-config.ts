import Ajv from "ajv";
import * as fs from "fs";
import type { Policies } from "@pulumi/policy";
import type { PolicyConfig } from "./policy-eval";
import { InputError } from "./stack-config";

/**
 * Reads a policy config file, the JSON `pulumi preview --policy-pack-config` takes, and checks it
 * as the engine does before any policy runs: every key a policy of the pack (or `all`), every
 * value an enforcement level or an object of the policy's settings valid against its
 * `configSchema`. A mistake is one line naming the key and what was expected (exit 2).
 */

const LEVELS = ["advisory", "mandatory", "remediate", "disabled"] as const;

/** The longest policy config file read: a pack's settings are a few kilobytes. */
const MAX_BYTES = 1024 * 1024;

function level(where: string, value: unknown): string {
  if (typeof value === "string" && (LEVELS as readonly string[]).includes(value)) return value;
  throw new InputError(`${where}: expected an enforcement level (${LEVELS.join(", ")}), got ${JSON.stringify(value)?.slice(0, 60) ?? String(value)}`);
}

/** Validates `text` (the content of `file`) against `policies`; returns per-policy settings with `all` applied. */
export function parsePolicyConfig(file: string, text: string, policies: Policies): PolicyConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError(`--policy-config ${file}: not valid JSON (${(err as Error).message.split("\n")[0]})`);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new InputError(
      `--policy-config ${file}: expected a JSON object of policy names to settings, got ${json === null ? "null" : Array.isArray(json) ? "a list" : typeof json}`,
    );
  }
  const byName = new Map(policies.map((p) => [p.name, p]));
  const entries = json as Record<string, unknown>;
  const all = entries.all === undefined ? undefined : level(`--policy-config ${file}: all`, entries.all);
  const out: Record<string, Record<string, unknown>> = {};
  if (all) for (const p of policies) out[p.name] = { enforcementLevel: all };
  const ajv = new Ajv({ allErrors: false, strict: false });
  for (const [name, value] of Object.entries(entries)) {
    if (name === "all") continue;
    const where = `--policy-config ${file}: ${name}`;
    const policy = byName.get(name);
    if (!policy) throw new InputError(`${where}: not a policy of this pack; expected all or one of ${[...byName.keys()].sort().join(", ")}`);
    if (typeof value === "string") {
      out[name] = { ...out[name], enforcementLevel: level(where, value) };
      continue;
    }
    if (value === null || typeof value !== "object" || Array.isArray(value))
      throw new InputError(`${where}: expected an enforcement level or an object of settings`);
    const { enforcementLevel, ...settings } = value as Record<string, unknown>;
    if (enforcementLevel !== undefined) level(`${where}.enforcementLevel`, enforcementLevel);
    const schema = { type: "object", additionalProperties: false, properties: {}, ...(policy.configSchema ?? {}) };
    const validate = ajv.compile(schema);
    if (!validate(settings)) {
      const e = validate.errors![0];
      const at = e.instancePath ? e.instancePath.slice(1).replace(/\//g, ".") : ((e.params as { additionalProperty?: string }).additionalProperty ?? "");
      throw new InputError(
        `${where}${at ? `.${at}` : ""}: ${e.message}${e.keyword === "additionalProperties" ? ` (settings: ${Object.keys(policy.configSchema?.properties ?? {}).join(", ") || "none"})` : ""}`,
      );
    }
    out[name] = { ...out[name], ...settings, ...(enforcementLevel !== undefined ? { enforcementLevel } : {}) };
  }
  return out;
}

/** Reads and validates the policy config at `file`. */
export function readPolicyConfig(file: string, policies: Policies): PolicyConfig {
  let text: string;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw new InputError(`--policy-config ${file}: not a regular file; expected a JSON file of policy settings`);
    if (stat.size > MAX_BYTES)
      throw new InputError(`--policy-config ${file}: larger than ${MAX_BYTES / 1048576} MiB; expected a JSON object of policy settings`);
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`--policy-config ${file}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return parsePolicyConfig(file, text, policies);
}
