import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { REDACTED } from "./record";

/**
 * Reads stack config files the way the Pulumi CLI hands them to a program: every key
 * namespaced (`site` becomes `aisc:site`), structured values as JSON text, and `secure:` values
 * marked secret. Secure values are ciphertext only the CLI can decrypt, so the offline plan
 * stands a redacted placeholder in for them and never sees a secret.
 */

/** A problem with what the user asked for: a flag, a stack name, a file. Exit status 2. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

export interface StackConfig {
  readonly stack: string;
  readonly file: string;
  /** Config as Pulumi's `PULUMI_CONFIG`: namespaced keys, string values. */
  readonly config: Readonly<Record<string, string>>;
  readonly secretKeys: readonly string[];
  /** The parsed `config:` mapping, for validating the inventory before running anything. */
  readonly raw: Readonly<Record<string, unknown>>;
}

const STACK_FILE = /^Pulumi\.([A-Za-z0-9_.-]+)\.yaml$/;

/** Stack names of every `Pulumi.<name>.yaml` in `dir`, sorted. */
export function listStacks(dir: string): string[] {
  if (!fs.existsSync(dir)) throw new InputError(`no stacks directory at ${dir}`);
  return fs
    .readdirSync(dir)
    .map((f) => STACK_FILE.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

/** The stack name a file is for, from its `Pulumi.<name>.yaml` file name. */
export function stackNameOf(file: string): string {
  const m = STACK_FILE.exec(path.basename(file));
  if (!m) throw new InputError(`--config ${file}: expected a stack file named Pulumi.<stack>.yaml`);
  return m[1];
}

function hasSecure(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasSecure);
  if (value === null || typeof value !== "object") return false;
  const obj = value as Record<string, unknown>;
  if (Object.keys(obj).length === 1 && typeof obj.secure === "string") return true;
  return Object.values(obj).some(hasSecure);
}

function redactSecure(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecure);
  if (value === null || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  if (Object.keys(obj).length === 1 && typeof obj.secure === "string") return REDACTED;
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, redactSecure(v)]));
}

/** Reads one stack file for project `project`. */
export function readStackFile(file: string, project: string): StackConfig {
  const stack = stackNameOf(file);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new InputError(`${file}: cannot read the stack file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let doc: unknown;
  try {
    doc = YAML.parse(text, { prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    throw new InputError(`${file}: not valid YAML: ${(err as Error).message.split("\n")[0]}`);
  }
  const top = (doc ?? {}) as Record<string, unknown>;
  if (typeof top !== "object" || Array.isArray(top)) throw new InputError(`${file}: expected a mapping with a config: key`);
  const rawConfig = (top.config ?? {}) as Record<string, unknown>;
  if (typeof rawConfig !== "object" || Array.isArray(rawConfig)) throw new InputError(`${file}: config: expected a mapping of config keys`);
  const config: Record<string, string> = {};
  const raw: Record<string, unknown> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(rawConfig)) {
    const full = key.includes(":") ? key : `${project}:${key}`;
    const secret = hasSecure(value);
    const plain = redactSecure(value);
    raw[full] = plain;
    config[full] = typeof plain === "string" ? plain : JSON.stringify(plain instanceof Date ? plain.toISOString().slice(0, 10) : plain);
    if (secret) secretKeys.push(full);
  }
  return { stack, file, config, secretKeys: secretKeys.sort(), raw };
}
