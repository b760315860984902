/**
 * Progress of long work (planning a stack, a verify check), one line on stderr per step, so a
 * user at a terminal sees which stack and check is running and how far the run is. Quiet when
 * stderr is not a terminal (CI logs, pipes, the tests) or with --quiet: stdout and the exit
 * status are the same either way.
 */

export interface Progress {
  /** Reports one step: `planning cyberport (1 of 2)`. */
  step(text: string): void;
}

/** Progress that says nothing. */
export const SILENT: Progress = { step: () => undefined };

/** Progress on `stream` (stderr by default) when it is a terminal and `quiet` is not set. */
export function progressOn(quiet: boolean, stream: Pick<NodeJS.WriteStream, "write" | "isTTY"> = process.stderr): Progress {
  if (quiet || !stream.isTTY) return SILENT;
  return { step: (text) => void stream.write(`aisc: ${text}\n`) };
}

/** `(i of n)`, 1-based, or nothing when there is one item. */
export function ofTotal(i: number, n: number): string {
  return n > 1 ? ` (${i + 1} of ${n})` : "";
}

/** Seconds since `start` (a `Date.now()`), one decimal. */
export function since(start: number): string {
  return `${((Date.now() - start) / 1000).toFixed(1)} s`;
}
