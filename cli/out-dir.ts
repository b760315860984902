import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { InputError, isStackName } from "./stack-config";

/**
 * The rules by which aisc owns an output folder (OUT), so that it never deletes or replaces a
 * file it did not write:
 *
 * - aisc writes only into an OUT it created: creating one leaves a marker file in it
 *   ({@link OUT_MARKER}); an existing folder without the marker is refused (exit 2), even when
 *   empty, and left as it was.
 * - `OUT/<stack>` is a symbolic link to a folder under `OUT/.aisc-plans/`. A new plan is written
 *   to a fresh folder there, and the link is replaced by renaming a new link over it, which is
 *   atomic: a reader (or a plan killed at any instant) sees the old plan or the new one, whole,
 *   never neither and never a mix. The old folder is removed only after the swap.
 * - One plan at a time per OUT ({@link lockOutDir}); the holder cleans up what killed plans left
 *   under `OUT/.aisc-plans/`. The lock only turns a second writer away with a clear message: the
 *   swap above is what keeps a plan whole, so even two writers racing past a stale lock each
 *   leave a whole plan, the last one winning.
 */

/** The file that marks a folder as an OUT created by aisc. */
export const OUT_MARKER = ".aisc-out";
/** Where the plans behind the `OUT/<stack>` links live; hidden so that `OUT/*` lists stacks only. */
export const PLANS_DIR = ".aisc-plans";
/** The lock file of one OUT, holding the writer's PID. */
export const LOCK_FILE = ".aisc-lock";

const MARKER_TEXT = "This folder was created by `aisc` and holds its output; aisc replaces what is in it.\n";

/** Turns a file-system error into a user's error (exit 2) when the cause is the user's path or disk. */
export function fsInputError(what: string, err: unknown): InputError | undefined {
  const code = (err as NodeJS.ErrnoException)?.code;
  const reasons: Record<string, string> = {
    ENOSPC: "no space left on the device",
    EDQUOT: "the disk quota is exhausted",
    EROFS: "the file system is read-only",
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    ENOTDIR: "a part of the path is a file, not a folder",
    EISDIR: "the path is a folder, not a file",
    EEXIST: "something is already there",
    ENAMETOOLONG: "the path is too long",
    ENOENT: "no such file or folder",
    ELOOP: "too many symbolic links in the path",
    EMFILE: "too many open files",
  };
  return code && reasons[code] ? new InputError(`${what}: ${reasons[code]} (${code})`) : undefined;
}

/** Runs `fn`, reporting a file-system failure caused by the user's path or disk as exit 2. */
export function onDisk<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw fsInputError(what, err) ?? err;
  }
}

/**
 * Makes sure `out` is an OUT aisc may write: creates it (with its marker) when it does not
 * exist, accepts it when it carries the marker, and refuses anything else with exit 2.
 */
export function claimOutDir(out: string, flag = "--out"): void {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(out);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw fsInputError(`${flag} ${out}`, err) ?? err;
  }
  if (stat === undefined) {
    // Every folder aisc makes on the way is marked as its own, so that `--out out/report` does
    // not leave an unmarked out/ that a later plan into out/ would have to refuse.
    onDisk(`${flag} ${out}: cannot create the folder`, () => {
      for (const dir of makeDirs(out)) fs.writeFileSync(path.join(dir, OUT_MARKER), MARKER_TEXT);
    });
    return;
  }
  if (!stat.isDirectory())
    throw new InputError(`${flag} ${out}: is a file; expected a folder for aisc's output (one that does not exist yet, or one aisc created)`);
  if (!fs.existsSync(path.join(out, OUT_MARKER))) {
    throw new InputError(
      `${flag} ${out}: a folder aisc did not create (it has no ${OUT_MARKER} marker); aisc writes only into folders it made, so remove it or name a folder that does not exist yet`,
    );
  }
}

/**
 * `mkdir -p` one level at a time, returning the folders it made, outermost first. Node's own
 * recursive mkdir never returns on some paths that cannot be made (under /proc it retries
 * ENOENT forever); this fails at the first level that cannot be made, with its error.
 */
export function makeDirs(dir: string): string[] {
  const missing: string[] = [];
  let at = path.resolve(dir);
  while (!fs.existsSync(at)) {
    missing.push(at);
    const parent = path.dirname(at);
    if (parent === at) break;
    at = parent;
  }
  missing.reverse();
  for (const d of missing) fs.mkdirSync(d);
  return missing;
}

/** The folder under `OUT/.aisc-plans/` that `OUT/<stack>` points to, or undefined when it is not aisc's link. */
function linkedPlan(out: string, stack: string): string | undefined {
  let target: string;
  try {
    target = fs.readlinkSync(path.join(out, stack));
  } catch {
    return undefined;
  }
  const rel = path.isAbsolute(target) ? path.relative(out, target) : target;
  const parts = rel.split(/[\\/]/);
  return parts.length === 2 && parts[0] === PLANS_DIR && parts[1].startsWith(`${stack}.`) ? parts[1] : undefined;
}

/**
 * Checks that `OUT/<stack>` is free for aisc to replace: absent, or aisc's link into
 * `OUT/.aisc-plans/`. A folder or file put there by anyone else is refused (exit 2).
 */
export function checkStackSlot(out: string, stack: string): void {
  const slot = path.join(out, stack);
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(slot);
  } catch {
    return;
  }
  if (!stat.isSymbolicLink() || linkedPlan(out, stack) === undefined) {
    throw new InputError(
      `${slot}: not written by aisc plan (it is not aisc's link into ${PLANS_DIR}/); aisc replaces only what it wrote, so move it away first`,
    );
  }
}

/** A fresh, unique folder name for a new plan of `stack`. */
function freshPlanName(stack: string): string {
  return `${stack}.${process.pid}.${crypto.randomBytes(4).toString("hex")}`;
}

/**
 * A staging folder for a new plan of `stack` in `out`; {@link publishPlan} swaps it in. Until
 * then nothing a reader sees has changed.
 */
export function stagePlan(out: string, stack: string): string {
  checkStackSlot(out, stack);
  const dir = path.join(out, PLANS_DIR, freshPlanName(stack));
  onDisk(`cannot create ${dir}`, () => makeDirs(dir));
  return dir;
}

/**
 * Makes the staged folder `OUT/<stack>`: a new link is made beside the old one and renamed over
 * it (atomic), then the previous plan's folder is removed.
 */
export function publishPlan(out: string, stack: string, staged: string): void {
  checkStackSlot(out, stack);
  const previous = linkedPlan(out, stack);
  const tempLink = path.join(out, PLANS_DIR, `link.${path.basename(staged)}`);
  // 'junction' makes a folder link on Windows without privileges; elsewhere the type is ignored.
  onDisk(`cannot link ${path.join(out, stack)}`, () => {
    fs.symlinkSync(path.join(PLANS_DIR, path.basename(staged)), tempLink, "junction");
    fs.renameSync(tempLink, path.join(out, stack));
  });
  if (previous && previous !== path.basename(staged)) fs.rmSync(path.join(out, PLANS_DIR, previous), { recursive: true, force: true });
}

/** Removes a staged folder that will not be published (the plan failed part-way). */
export function discardPlan(staged: string): void {
  fs.rmSync(staged, { recursive: true, force: true });
}

/**
 * Removes what killed or failed plans left in `OUT/.aisc-plans/`: every folder or link that no
 * `OUT/<stack>` points to. Only the holder of the OUT's lock calls this.
 */
export function cleanStaleStaging(out: string): void {
  const plans = path.join(out, PLANS_DIR);
  if (!fs.existsSync(plans)) return;
  const live = new Set(
    fs
      .readdirSync(out)
      .filter(isStackName)
      .map((s) => linkedPlan(out, s)),
  );
  for (const entry of fs.readdirSync(plans)) {
    if (!live.has(entry)) fs.rmSync(path.join(plans, entry), { recursive: true, force: true });
  }
}

/** Whether a process with this PID runs on this machine (EPERM: it runs as another user). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes the OUT's lock for this process, or exits 2 naming the live process that holds it. A
 * lock whose process is gone (a killed plan) is taken over. Returns the release function.
 */
export function lockOutDir(out: string): () => void {
  const lock = path.join(out, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lock, `${process.pid}\n`, { flag: "wx" });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          if (fs.readFileSync(lock, "utf8").trim() === String(process.pid)) fs.unlinkSync(lock);
        } catch {
          // Already gone: nothing to release.
        }
      };
      process.once("exit", release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw fsInputError(`cannot lock ${out}`, err) ?? err;
    }
    const holder = Number.parseInt(readOrEmpty(lock), 10);
    if (Number.isSafeInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
      throw new InputError(`${out}: another aisc is writing this folder (process ${holder}); wait for it to finish, or choose another --out`);
    }
    fs.rmSync(lock, { force: true });
  }
  throw new InputError(`${out}: could not take the lock ${LOCK_FILE}; another aisc may be starting on this folder, try again`);
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

/** The names of the stack entries in an OUT (its links), for readers such as `aisc diff`. */
export function stackEntries(out: string): string[] {
  return fs.readdirSync(out).filter(isStackName).sort();
}
