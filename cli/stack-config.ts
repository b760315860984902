import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as jsYaml from "js-yaml";
import { LIMITS } from "../inventory/limits";
import { WEBHOOK_CONFIG_PREFIX, webhookConfigKey } from "../inventory/parse-monitoring";
import { DNS_LABEL, DNS_LABEL_WHAT } from "../inventory/reader";
import { PROJECT, PROJECT_ROOT } from "./paths";
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

/** A command line aisc cannot read (a flag, a command, an argument): exit 2, pointing to the usage. */
export class UsageError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface StackConfig {
  readonly stack: string;
  readonly file: string;
  /** Config as Pulumi's `PULUMI_CONFIG`: namespaced keys, string values. */
  readonly config: Readonly<Record<string, string>>;
  readonly secretKeys: readonly string[];
  /** Each `secure:` value's fingerprint by its config key path (see {@link fingerprint}). */
  readonly secretFingerprints: Readonly<Record<string, string>>;
  /** The parsed `config:` mapping, for validating the inventory before running anything. */
  readonly raw: Readonly<Record<string, unknown>>;
  /** The file's text as read: policy findings are placed on its lines (./inventory-location). */
  readonly text: string;
}

/** Stack names: the file name's middle part, validated separately so a bad one gets a clear error. */
const STACK_FILE = /^Pulumi\.(.*)\.yaml$/;

/**
 * The longest stack file aisc reads. A 10,000-tenant inventory (the limit) is about 2 MiB;
 * anything far past that is a mistake or an attack, refused before the YAML parser sees it.
 */
export const MAX_STACK_FILE_BYTES = 8 * 1024 * 1024;

/**
 * Whether `name` is a valid stack name: a DNS label of at most 63 characters, the rule site and
 * tenant names follow. Stack names become folder names under OUT, so `.`, `..` and anything
 * with a separator must never pass.
 */
export function isStackName(name: string): boolean {
  return name.length <= 63 && DNS_LABEL.test(name);
}

function stackNameError(where: string, name: string): InputError {
  return new InputError(
    `${where}: the stack name ${JSON.stringify(name)} is not ${DNS_LABEL_WHAT}, at most 63 characters; rename the file Pulumi.<stack>.yaml`,
  );
}

/** Stack names of every `Pulumi.<name>.yaml` in `dir`, sorted; a file with an invalid name is an error, never skipped. */
export function listStacks(dir: string): string[] {
  if (!fs.existsSync(dir)) throw new InputError(`no stacks directory at ${dir}`);
  const names: string[] = [];
  for (const f of fs.readdirSync(dir)) {
    const m = STACK_FILE.exec(f);
    if (!m) continue;
    if (!isStackName(m[1])) throw stackNameError(path.join(dir, f), m[1]);
    names.push(m[1]);
  }
  return names.sort();
}

/** The stack name a file is for, from its `Pulumi.<name>.yaml` file name. */
export function stackNameOf(file: string): string {
  const m = STACK_FILE.exec(path.basename(file));
  if (!m) throw new InputError(`--config ${file}: expected a stack file named Pulumi.<stack>.yaml`);
  if (!isStackName(m[1])) throw stackNameError(`--config ${file}`, m[1]);
  return m[1];
}

/** Every `secure:` value under `value`: its config key path and its ciphertext. */
function secureValues(value: unknown, at: string): [string, string][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => secureValues(v, `${at}[${i}]`));
  if (value === null || typeof value !== "object") return [];
  const obj = value as Record<string, unknown>;
  if (Object.keys(obj).length === 1 && typeof obj.secure === "string") return [[at, obj.secure]];
  return Object.entries(obj).flatMap(([k, v]) => secureValues(v, `${at}.${k}`));
}

/**
 * A secret's fingerprint: the first 16 hex digits of the SHA-256 of its ciphertext. The
 * ciphertext is committed in the stack file already, so this tells nothing of the plaintext; it
 * changes whenever the value is set again (re-encrypting the same value included).
 */
function fingerprint(ciphertext: string): string {
  return createHash("sha256").update(ciphertext).digest("hex").slice(0, 16);
}

function redactSecure(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecure);
  if (value === null || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  if (Object.keys(obj).length === 1 && typeof obj.secure === "string") return REDACTED;
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, redactSecure(v)]));
}

/** The config keys whose values aisc reads as secrets; everything in the inventory is plain. */
export const SECRET_CONFIG_KEYS = ["aisc:kubeconfig", `aisc:${webhookConfigKey("<receiver>")}`] as const;

/** The most values a stack file may expand to once aliases are followed (a 10,000-tenant site is about 100,000). */
const MAX_EXPANDED_VALUES = 2_000_000;

/**
 * Counts the values of a parsed document as JSON would write them, following aliases, and stops
 * at `budget`: an alias bomb ("billion laughs") parses quickly into shared objects but expands
 * beyond any memory when serialised, as the config handed to the program is.
 */
function expandedSize(value: unknown, budget: number): number {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && count <= budget) {
    const v = stack.pop();
    count++;
    if (Array.isArray(v)) for (const x of v) stack.push(x);
    else if (v !== null && typeof v === "object") for (const x of Object.values(v)) stack.push(x);
  }
  return count;
}

/**
 * Parses a stack file's text as Pulumi's CLI does (YAML 1.2 core schema: dates stay strings),
 * with js-yaml, which reads a large file in a tenth of the time and memory of the \`yaml\`
 * package. A YAML error is one line with its line and column; the parser's own excerpt of the
 * file is never shown, since a stack file holds \`secure:\` ciphertext.
 */
function parseYaml(file: string, text: string): unknown {
  let doc: unknown;
  try {
    doc = jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA, filename: path.basename(file) });
  } catch (err) {
    const e = err as jsYaml.YAMLException;
    const at = e.mark ? ` at line ${e.mark.line + 1}, column ${e.mark.column + 1}` : "";
    throw new InputError(`${file}: not valid YAML${at}: ${e.reason ?? "unreadable"}`);
  }
  if (doc === undefined || doc === null) throw new InputError(`${file}: the stack file is empty; expected a mapping with config: holding ${SITE_KEY}`);
  if (expandedSize(doc, MAX_EXPANDED_VALUES) > MAX_EXPANDED_VALUES) {
    throw new InputError(`${file}: expands to more than ${MAX_EXPANDED_VALUES} values through YAML aliases; write the values out, or use fewer aliases`);
  }
  return doc;
}

const SITE_KEY = "aisc:site";

/** The project file, whose project-level `config:` (Pulumi 3.44 and later) every stack sees. */
export const PROJECT_FILE = path.join(PROJECT_ROOT, "Pulumi.yaml");

/** The keys Pulumi's long form of a project config entry may hold; its value is `value`, else `default`. */
const LONG_FORM_KEYS = ["type", "description", "default", "value", "secret", "items"];

function entryValue(entry: unknown): unknown {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) return entry;
  const keys = Object.keys(entry);
  if (keys.length === 0 || !keys.every((k) => LONG_FORM_KEYS.includes(k))) return entry;
  const o = entry as Record<string, unknown>;
  return "value" in o ? o.value : o.default;
}

/**
 * Project-level config values by namespaced key (`aisc:city`): the Pulumi CLI merges them into
 * every stack's config before the program runs, a stack's own file winning, and `aisc plan`
 * does the same (readStackFile), so the program sees the city's facts alike. Exit 2 when the
 * file cannot be read.
 */
export function projectConfig(file: string = PROJECT_FILE): Readonly<Record<string, unknown>> {
  let doc: unknown;
  try {
    doc = jsYaml.load(fs.readFileSync(file, "utf8"), { schema: jsYaml.CORE_SCHEMA });
  } catch (err) {
    throw new InputError(`${file}: cannot read the project file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message.split("\n")[0]})`);
  }
  const config = (doc as { config?: unknown } | null)?.config;
  if (config === undefined || config === null) return {};
  if (typeof config !== "object" || Array.isArray(config)) throw new InputError(`${file}: config: expected a mapping of config keys`);
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(config as Record<string, unknown>)) {
    const value = entryValue(entry);
    if (value !== undefined) out[key.includes(":") ? key : `${PROJECT}:${key}`] = value;
  }
  return out;
}

/** Reads one stack file for project `project`. */
export function readStackFile(file: string, project: string): StackConfig {
  const stack = stackNameOf(file);
  let text: string;
  try {
    const stat = fs.statSync(file);
    // A device or a pipe (/dev/zero, a FIFO) would be read forever: only regular files are read.
    if (!stat.isFile()) throw new InputError(`${file}: not a regular file; expected a stack file`);
    const size = stat.size;
    if (size > MAX_STACK_FILE_BYTES) {
      throw new InputError(
        `${file}: ${(size / 1048576).toFixed(1)} MiB; expected a stack file of at most ${MAX_STACK_FILE_BYTES / 1048576} MiB (a site at every limit, ${LIMITS.tenants} tenants and ${LIMITS.pools} pools, is about 2 MiB; strings hold at most ${LIMITS.stringLength} characters)`,
      );
    }
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`${file}: cannot read the stack file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const top = parseYaml(file, text);
  if (typeof top !== "object" || top === null || Array.isArray(top))
    throw new InputError(`${file}: expected a mapping with a config: key, got ${Array.isArray(top) ? "a list" : typeof top}`);
  const rawConfig = (top as Record<string, unknown>).config;
  if (rawConfig === undefined || rawConfig === null) throw new InputError(`${file}: no config: key; expected config: holding ${SITE_KEY}`);
  if (typeof rawConfig !== "object" || Array.isArray(rawConfig)) throw new InputError(`${file}: config: expected a mapping of config keys`);
  const config: Record<string, string> = {};
  const raw: Record<string, unknown> = {};
  const secretKeys: string[] = [];
  const secretFingerprints: Record<string, string> = {};
  for (const [key, value] of Object.entries(rawConfig as Record<string, unknown>)) {
    const full = key.includes(":") ? key : `${project}:${key}`;
    if (full in raw) throw new InputError(`${file}: config: ${full} is set twice, once without its ${project}: namespace; expected it once`);
    const secure = secureValues(value, full);
    const secrets = secure.map(([at]) => at);
    for (const [at, ciphertext] of secure) secretFingerprints[at] = fingerprint(ciphertext);
    if (secrets.length > 0 && full === SITE_KEY) {
      throw new InputError(
        `${file}: ${secrets[0]}: a secure: value; the site inventory holds no secrets (names, groups and networks are plain), and the only secrets aisc reads are ${SECRET_CONFIG_KEYS.join(" and ")} (pulumi config set --secret aisc:kubeconfig < kubeconfig)`,
      );
    }
    const plain = redactSecure(value);
    raw[full] = plain;
    config[full] = typeof plain === "string" ? plain : JSON.stringify(plain instanceof Date ? plain.toISOString().slice(0, 10) : plain);
    if (secrets.length > 0) secretKeys.push(full);
  }
  for (const [key, value] of Object.entries(projectConfig())) {
    if (key in raw) continue;
    raw[key] = value;
    config[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  // A webhook URL carries its token: it is set with --secret, or not at all.
  const plainWebhook = Object.keys(raw).find((k) => k.startsWith(`${project}:${WEBHOOK_CONFIG_PREFIX}`) && !secretKeys.includes(k));
  if (plainWebhook)
    throw new InputError(
      `${file}: ${plainWebhook}: a plain value; expected a secret, since a webhook URL carries its token (pulumi config set --secret ${plainWebhook} <webhook URL>)`,
    );
  if (raw[SITE_KEY] === undefined || raw[SITE_KEY] === null) {
    throw new InputError(`${file}: config: has no ${SITE_KEY}; expected the site inventory under config: ${SITE_KEY} (see the README's site inventory)`);
  }
  return { stack, file, config, secretKeys: secretKeys.sort(), secretFingerprints, raw, text };
}
