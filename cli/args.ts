import { UsageError } from "./stack-config";

/**
 * A strict flag parser: each command declares its flags, anything else is a usage error
 * (exit 2) naming the flag, so a typo never silently plans the wrong thing.
 */

export interface FlagSpec {
  /** Takes a value (`--out DIR`) rather than being a switch (`--all`). */
  readonly value: boolean;
  /** May be given more than once; values accumulate. */
  readonly repeat?: boolean;
}

export interface ParsedArgs {
  readonly values: Record<string, string[]>;
  readonly switches: Set<string>;
  readonly positional: string[];
}

export function parseArgs(argv: readonly string[], spec: Readonly<Record<string, FlagSpec>>, maxPositional = 0): ParsedArgs {
  const values: Record<string, string[]> = {};
  const switches = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const flag = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const s = spec[flag];
    if (!s) throw new UsageError(`unknown flag --${flag}; expected one of ${Object.keys(spec).map((f) => `--${f}`).join(", ")}`);
    if (!s.value) {
      if (eq >= 0) throw new UsageError(`--${flag} takes no value`);
      switches.add(flag);
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === "" || (eq < 0 && value.startsWith("--"))) throw new UsageError(`--${flag} expects a value`);
    if (values[flag] && !s.repeat) throw new UsageError(`--${flag} given more than once`);
    (values[flag] ??= []).push(value);
  }
  if (positional.length > maxPositional) throw new UsageError(`unexpected argument ${positional[maxPositional]}`);
  return { values, switches, positional };
}
