import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";

/**
 * Starts the real daemons as plain processes and stops every one it started, newest first,
 * whatever happens: the verification must leave nothing running.
 */

export interface Daemon {
  readonly name: string;
  readonly process: ChildProcess;
  /** Where the daemon logs, when not to stderr. */
  readonly logFile?: string;
  /** What the process wrote to stdout and stderr, for Slurm's own error messages. */
  output(): string;
}

/** The last `n` lines a daemon wrote, to stderr or its log file. */
export function lastLines(d: Daemon, n = 5): string[] {
  const log = d.logFile && fs.existsSync(d.logFile) ? fs.readFileSync(d.logFile, "utf8") : "";
  return `${d.output()}\n${log}`
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-n);
}

/** Whether every command is on PATH (or given as an absolute path that exists). */
export function missingCommands(commands: readonly string[]): string[] {
  return commands.filter((c) => {
    if (c.startsWith("/")) return !fs.existsSync(c);
    return spawnSync("sh", ["-c", `command -v ${c}`], { encoding: "utf8" }).status !== 0;
  });
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export class Daemons {
  private readonly started: Daemon[] = [];

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  /** Starts `command` in the foreground of its own process; it is stopped by {@link stopAll}. */
  start(name: string, command: string, args: readonly string[], logFile?: string): Daemon {
    const child = spawn(command, args, { env: this.env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout?.on("data", (d) => (out += d));
    child.stderr?.on("data", (d) => (out += d));
    child.on("error", (err) => (out += String(err)));
    const daemon = { name, process: child, logFile, output: () => out };
    this.started.push(daemon);
    return daemon;
  }

  /** Whether a daemon has exited (a daemon that dies at start-up has failed). */
  exited(d: Daemon): boolean {
    return d.process.exitCode !== null || d.process.signalCode !== null;
  }

  /** Stops everything started, newest first: SIGTERM, then SIGKILL after `graceMs`. */
  async stopAll(graceMs = 5000): Promise<void> {
    for (const d of [...this.started].reverse()) {
      if (this.exited(d)) continue;
      const gone = new Promise<void>((resolve) => d.process.once("exit", () => resolve()));
      d.process.kill("SIGTERM");
      const timer = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), graceMs));
      if ((await Promise.race([gone, timer])) === "timeout") {
        d.process.kill("SIGKILL");
        await gone;
      }
    }
    this.started.length = 0;
  }
}

/** Runs a client command to completion with the daemons' environment. */
export function run(env: NodeJS.ProcessEnv, command: string, args: readonly string[], timeoutMs = 60000): { status: number; out: string } {
  const r = spawnSync(command, args, { env, encoding: "utf8", timeout: timeoutMs });
  return { status: r.status ?? -1, out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

/**
 * Polls `ready` until it holds. A daemon of `daemon` (one, or several) that dies meanwhile ends
 * the wait at once, with its last lines, rather than after the timeout.
 */
export async function waitFor(
  what: string,
  ready: () => boolean,
  opts: { timeoutMs: number; daemon?: Daemon | readonly Daemon[]; daemons?: Daemons },
): Promise<void> {
  const watched: readonly Daemon[] = opts.daemon === undefined ? [] : [opts.daemon].flat();
  const deadline = Date.now() + opts.timeoutMs;
  while (Date.now() < deadline) {
    if (ready()) return;
    const dead = watched.find((d) => opts.daemons?.exited(d));
    if (dead) throw new Error(`${dead.name} exited while waiting for ${what}:\n${lastLines(dead).join("\n")}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${opts.timeoutMs / 1000}s waiting for ${what}`);
}
