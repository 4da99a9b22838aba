/**
 * One trainer per run folder. A run folder is created atomically (`mkdir` of the folder itself fails when
 * anything is there, so two commands started at the same moment cannot both get it), and the process that
 * trains holds an exclusive lock on `DIR/.lock` (an advisory `flock` on Linux and macOS, `LockFileEx` on
 * Windows) until it exits. The operating system releases the lock when the process ends in any way, kill -9
 * included, so a lock is never stale: a folder whose trainer died can be resumed at once. The file holds the
 * pid of its holder, for the message that refuses a second trainer, and is removed on release; one left by a
 * killed process is taken over by the next trainer. Removing it is safe because a taker checks, after
 * locking, that the path still names the file it locked (else it tries again).
 *
 * @module
 */
import * as E from "fp-ts/lib/Either.js";

/** The lock file's name inside a run folder. */
export const LOCK_FILE = ".lock";

/** A held lock; released when the process exits, or earlier by `release`. */
export interface RunLock {
  /** Remove the lock file and release the lock. */
  release(): void;
}

/**
 * Create a run folder, failing if anything is already at its path (its parents are created as needed).
 *
 * @param dir the folder
 * @returns nothing, or a one-line reason
 */
export async function createRunFolder(dir: string): Promise<E.Either<string, void>> {
  const parent = dir.includes("/") ? dir.slice(0, dir.lastIndexOf("/")) : "";
  try {
    if (parent !== "") await Deno.mkdir(parent, { recursive: true });
  } catch (e) {
    return E.left(`cannot create ${dir}: its parent ${parent} cannot be a folder (${reason(e)})`);
  }
  try {
    await Deno.mkdir(dir);
    return E.right(undefined);
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists) {
      return E.left(`${dir} already exists (another command may have just created it); choose a new folder`);
    }
    return E.left(`cannot create ${dir}: ${reason(e)}`);
  }
}

/**
 * Take the run folder's lock, or say who holds it.
 *
 * @param dir the run folder (must exist)
 * @returns the lock, or a one-line reason when another process holds it or the lock file is unusable
 */
export async function lockRunFolder(dir: string): Promise<E.Either<string, RunLock>> {
  for (let attempt = 0;; attempt++) {
    const taken = await tryLockRunFolder(dir);
    if (taken !== "moved" || attempt === 4) {
      return taken === "moved" ? E.left(`${dir}/${LOCK_FILE} keeps changing; try again`) : taken;
    }
  }
}

/** One attempt: the lock, a reason, or `moved` when the lock file was replaced while it was taken. */
async function tryLockRunFolder(dir: string): Promise<E.Either<string, RunLock> | "moved"> {
  const path = `${dir}/${LOCK_FILE}`;
  try {
    const info = await Deno.lstat(path);
    if (!info.isFile) return E.left(`${path} is not a plain file; remove it to train in ${dir}`);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) return E.left(`cannot read ${path}: ${reason(e)}`);
  }
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true, write: true, create: true });
  } catch (e) {
    return E.left(`cannot open ${path}: ${reason(e)}`);
  }
  if (!(await file.tryLock(true))) {
    const holder = await readHolder(file);
    file.close();
    return E.left(
      `${dir} is in use by another training${holder === undefined ? "" : ` (pid ${holder})`}; ` +
        "wait for it to end or stop it, then try again",
    );
  }
  // The holder before us may have removed the file between our open and our lock: then we hold a lock on
  // a file nobody else will open, and must start again.
  const [mine, named] = [await file.stat(), await Deno.lstat(path).catch(() => undefined)];
  if (named === undefined || mine.ino !== named.ino || mine.dev !== named.dev) {
    file.close();
    return "moved";
  }
  await file.truncate(0);
  await file.write(new TextEncoder().encode(`${Deno.pid}\n`));
  let held = true;
  return E.right({
    release() {
      if (!held) return;
      held = false;
      try {
        Deno.removeSync(path);
      } catch {
        // already gone (the folder was removed): nothing to clean
      }
      file.unlockSync();
      file.close();
    },
  });
}

/** The pid written in a lock file, if it holds one. */
async function readHolder(file: Deno.FsFile): Promise<number | undefined> {
  try {
    const bytes = new Uint8Array(32);
    const n = await file.read(bytes);
    const pid = Number(new TextDecoder().decode(bytes.subarray(0, n ?? 0)).trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** An error's message, one line. */
function reason(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0];
}
