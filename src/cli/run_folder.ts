/**
 * Run folders on disk, for the CLI: whether a path exists, and `--force`'s careful removal, which deletes a
 * folder only when everything in it is a file a run writes (so a mistyped `--out` cannot lose user data).
 *
 * @module
 */
import * as E from "fp-ts/lib/Either.js";

/** Files a run (single seed, or the top of a `--seeds` run) writes. */
export const RUN_FILES: readonly string[] = [
  "config.json",
  "episodes.csv",
  "evals.csv",
  "timing.csv",
  "learning_curve.svg",
  "checkpoint.safetensors",
  "policy.safetensors",
  "evals_mean.csv",
  "learning_curve_mean.svg",
  ".lock",
  "seeds.json",
];

/**
 * Whether anything (file, folder, link) is at a path.
 *
 * @param path the path
 * @returns true when it exists
 */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (namesNothing(e)) return false;
    throw e;
  }
}

/**
 * Whether a file-system error says the path names nothing that could be read: it is missing, a part of it
 * is a file and not a folder (ENOTDIR), or it is too long (ENAMETOOLONG). Such a path is bad input.
 *
 * @param e the error
 * @returns true for those errors
 */
export function namesNothing(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory ||
    code === "ENAMETOOLONG";
}

/**
 * Whether a file name is a temporary file of a run's atomic write (`NAME.PID-N.tmp`, or `NAME.tmp` from
 * earlier versions) for one of the {@link RUN_FILES}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isRunTemporary } from "./run_folder.ts";
 *
 * assert.ok(isRunTemporary("checkpoint.safetensors.4242-7.tmp"));
 * assert.ok(!isRunTemporary("notes.txt.4242-7.tmp"));
 * ```
 *
 * @param name a file name
 * @returns true for such a temporary file
 */
export function isRunTemporary(name: string): boolean {
  return RUN_FILES.some((f) =>
    name === `${f}.tmp` || (name.startsWith(`${f}.`) && /^\.\d+-\d+\.tmp$/.test(name.slice(f.length)))
  );
}

/**
 * Remove the temporary files that killed writes left in a run folder (only regular files named as
 * {@link isRunTemporary} says; links and anything else stay). Call it only while holding the folder's lock:
 * then no live process is writing them.
 *
 * @param dir the run folder
 * @returns the names removed
 */
export async function removeStaleTemporaries(dir: string): Promise<string[]> {
  const removed: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !isRunTemporary(entry.name)) continue;
    await Deno.remove(`${dir}/${entry.name}`);
    removed.push(entry.name);
  }
  return removed.sort();
}

/** The first entry under `dir` that a run does not write, as a path, if any. */
async function foreignEntry(dir: string, depth: number): Promise<string | undefined> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    // A run file, or a temporary one left by a killed write.
    const runFile = RUN_FILES.includes(entry.name) || isRunTemporary(entry.name);
    if (entry.isFile && runFile) continue;
    if (entry.isDirectory && depth === 0 && /^seed-\d+$/.test(entry.name)) {
      const inner = await foreignEntry(path, depth + 1);
      if (inner !== undefined) return inner;
      continue;
    }
    return path;
  }
  return undefined;
}

/**
 * Remove a run folder for `--force`, refusing (and removing nothing) when it holds anything else.
 *
 * @param dir the folder
 * @returns nothing, or a one-line reason for refusing
 */
export async function removeRunFolder(dir: string): Promise<E.Either<string, void>> {
  const info = await Deno.lstat(dir);
  if (!info.isDirectory) return E.left(`--force replaces run folders only, and ${dir} is not a folder`);
  const foreign = await foreignEntry(dir, 0);
  if (foreign !== undefined) {
    return E.left(`--force refuses: ${foreign} is not a file a run writes, so ${dir} was left untouched`);
  }
  await Deno.remove(dir, { recursive: true });
  return E.right(undefined);
}

/**
 * A path as a POSIX shell word: as it is when it holds only safe characters, else in single quotes (each
 * `'` written as `'\''`), so that the printed command can be pasted as it stands.
 *
 * @param path the path
 * @returns the shell word
 */
export function shellQuote(path: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(path) ? path : `'${path.replaceAll("'", "'\\''")}'`;
}
