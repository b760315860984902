import * as fs from "fs";
import * as path from "path";
import { parseArgs as nodeParseArgs } from "util";
import { PROJECT_ROOT } from "./paths";
import { UsageError } from "./stack-config";

/**
 * Each command's flags, parsed by Node's own `util.parseArgs` and then held to the command's
 * declaration: anything else is a usage error (exit 2) naming the flag, so a typo never
 * silently plans the wrong thing. Node's parser is lenient here on purpose (`strict: false`,
 * with its tokens read back) so every mistake gets aisc's one-line message with what was
 * expected, rather than Node's wording.
 */

export interface FlagSpec {
  /** Takes a value (`--out DIR`) rather than being a switch (`--all`). */
  readonly value: boolean;
  /** May be given more than once; values accumulate. */
  readonly repeat?: boolean;
  /** One line for `--help`. */
  readonly help?: string;
  /** The value's placeholder in `--help` (`DIR`, `FILE`). */
  readonly arg?: string;
}

export interface ParsedArgs {
  readonly values: Record<string, string[]>;
  readonly switches: Set<string>;
  readonly positional: string[];
  /** `--help` or `-h` was given: the command prints its help and does nothing else. */
  readonly help: boolean;
}

/** A command's interface: what `aisc <command> --help` prints and what its parser accepts. */
export interface CommandSpec {
  /** The command's name (`plan`). */
  readonly name: string;
  /** What the command does, a few lines. */
  readonly about: string;
  /** Its flags, in the order the usage line lists them. */
  readonly flags: Readonly<Record<string, FlagSpec>>;
  /** Its positional arguments' names (`BASE`, `HEAD`), all required; none by default. */
  readonly operands?: readonly string[];
}

/** The usage line, from the declaration: `aisc plan [--stack NAME]... [--all] ...`, so it cannot drift from the flags. */
export function usageOf(command: CommandSpec): string {
  const flags = Object.entries(command.flags).map(([name, s]) => `[--${name}${s.value ? ` ${s.arg ?? "VALUE"}` : ""}]${s.repeat ? "..." : ""}`);
  return ["aisc", command.name, ...(command.operands ?? []), ...flags].join(" ");
}

/** Every command takes these. */
const COMMON: Readonly<Record<string, FlagSpec>> = { help: { value: false, help: "print this help and exit" } };

export function parseArgs(argv: readonly string[], spec: Readonly<Record<string, FlagSpec>>, maxPositional = 0): ParsedArgs {
  const all = { ...spec, ...COMMON };
  const options = Object.fromEntries(
    Object.entries(all).map(([name, s]) => [name, { type: s.value ? ("string" as const) : ("boolean" as const), multiple: true }]),
  );
  const { tokens } = nodeParseArgs({
    args: [...argv],
    options: { ...options, help: { type: "boolean", short: "h", multiple: true } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values: Record<string, string[]> = {};
  const switches = new Set<string>();
  const positional: string[] = [];
  const expected = () =>
    Object.keys(all)
      .map((f) => `--${f}`)
      .join(", ");
  // --help wins over the rest of the line, mistakes included: the user asked what to type.
  if (tokens.some((t) => t.kind === "option" && t.name === "help")) return { values, switches, positional, help: true };
  for (const t of tokens) {
    if (t.kind === "positional") positional.push(t.value);
    if (t.kind !== "option") continue;
    // Own keys only: `--constructor` or `--toString` is no flag of any command.
    const s = Object.hasOwn(all, t.name) ? all[t.name] : undefined;
    if (!s) throw new UsageError(`unknown flag ${t.rawName.startsWith("--") ? t.rawName : `-${t.name}`}; expected one of ${expected()}`);
    const flag = `--${t.name}`;
    if (!s.value) {
      if (t.value !== undefined) throw new UsageError(`${flag} takes no value`);
      switches.add(t.name);
      continue;
    }
    // Node takes the next argument as the value whatever it is: `--out --all` is a missing value,
    // not an OUT named --all (a value starting with `--` is given as `--out=--odd`).
    if (t.value === undefined || t.value === "" || (!t.inlineValue && t.value.startsWith("--"))) throw new UsageError(`${flag} expects a value`);
    if (values[t.name] && !s.repeat) throw new UsageError(`${flag} given more than once`);
    (values[t.name] ??= []).push(t.value);
  }
  if (positional.length > maxPositional) throw new UsageError(`unexpected argument ${positional[maxPositional]}`);
  return { values, switches, positional, help: false };
}

/** Parses `argv` for `command`. */
export function parseCommand(argv: readonly string[], command: CommandSpec): ParsedArgs {
  return parseArgs(argv, command.flags, command.operands?.length ?? 0);
}

/** What `aisc <command> --help` prints: usage, what it does, each flag with its help. */
export function helpText(command: CommandSpec): string {
  const rows = Object.entries({ ...command.flags, ...COMMON }).map(([name, s]) => [
    `--${name}${s.value ? ` ${s.arg ?? "VALUE"}` : ""}${name === "help" ? ", -h" : ""}`,
    `${s.help ?? ""}${s.repeat ? " (repeatable)" : ""}`,
  ]);
  const width = Math.max(...rows.map(([f]) => f.length));
  return [`usage: ${usageOf(command)}`, "", command.about, "", "flags:", ...rows.map(([f, h]) => `  ${f.padEnd(width)}  ${h}`), ""].join("\n");
}

/** Prints `command`'s help on stdout; the exit status of a help request (0). */
export function printHelp(command: CommandSpec): number {
  process.stdout.write(helpText(command));
  return 0;
}

/** aisc's version, from its package.json. */
export function version(): string {
  return (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string }).version;
}
