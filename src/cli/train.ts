/**
 * `deno task train`: parse flags, pick the backend, make (or resume) the run folder, train, and report
 * errors as one line with a non-zero exit code (2 for bad input, 1 when training fails). Never overwrites
 * a run folder unless `--force` says so, and then only one holding nothing but run files. SIGINT/SIGTERM
 * finish the current step, write the checkpoint and logs, and exit 130/143 saying how to resume.
 *
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import type { BackendName } from "../config/backends.ts";
import type { TrainConfig } from "../config/train_config.ts";
import { type Command, parseTrainArgs, USAGE } from "./args.ts";
import { matrixProducts, useBackend } from "../runtime/backend.ts";
import { ENGINE_ENV_IDS } from "../config/env_ids.ts";
import { loadRun } from "../train/resume.ts";
import { type ResumePoint, train } from "../train/train.ts";
import { SEEDS_FILE, type SeedsRecord, trainSeeds } from "../train/train_seeds.ts";
import { exists, removeRunFolder, removeStaleTemporaries, shellQuote } from "./run_folder.ts";
import { createRunFolder, lockRunFolder, type RunLock } from "./run_lock.ts";

/** Create the first free folder of `base`, `base-2`, `base-3`, … (atomically: a taken name is skipped). */
async function freshRunFolder(base: string): Promise<string> {
  for (let i = 1;; i++) {
    const candidate = i === 1 ? base : `${base}-${i}`;
    if (await exists(candidate)) continue;
    const created = await createRunFolder(candidate);
    if (E.isRight(created)) return candidate;
    if (await exists(candidate)) continue; // taken between the check and the mkdir
    fail(created.left, 2);
  }
}

/** Create `--out` (refusing anything already there) and take its lock, or exit 2 with one line. */
async function newRunFolder(out: string | undefined, base: string): Promise<string> {
  const dir = out ?? await freshRunFolder(base);
  if (out !== undefined) {
    const created = await createRunFolder(out);
    if (E.isLeft(created)) fail(created.left, 2);
  }
  await holdLock(dir);
  return dir;
}

/** The run folder locks this process holds until it exits. */
const held: RunLock[] = [];

/** Release every held lock (their files are removed): before any exit. */
function releaseLocks(): void {
  for (const lock of held.splice(0)) lock.release();
}

/** Remove what killed writes left in a run folder whose lock this process holds, and say so. */
async function clearTemporaries(dir: string): Promise<void> {
  const removed = await removeStaleTemporaries(dir);
  if (removed.length > 0) {
    console.log(`removed ${removed.length} temporary file(s) left in ${dir} by an interrupted write`);
  }
}

/** The log files missing from a finished run folder, and config.json if it is not the checkpoint's. */
async function staleFiles(dir: string, config: TrainConfig): Promise<string[]> {
  const missing = [];
  for (const name of ["episodes.csv", "evals.csv", "learning_curve.svg"]) {
    if (!(await exists(`${dir}/${name}`))) missing.push(name);
  }
  const onDisk = await Deno.readTextFile(`${dir}/config.json`).catch(() => "");
  if (onDisk !== JSON.stringify(config, null, 2) + "\n") missing.push("config.json");
  return missing;
}

/** Take a run folder's lock for the rest of the process, or exit 2 with one line. */
async function holdLock(dir: string): Promise<void> {
  const lock = await lockRunFolder(dir);
  if (E.isLeft(lock)) fail(lock.left, 2);
  held.push(lock.right);
}

function fail(message: string, code: number): never {
  console.error(`error: ${message}`);
  releaseLocks();
  Deno.exit(code);
}

/** Listens for SIGINT and SIGTERM while training; remembers the first one. */
function stopSignals(): { readonly signal: () => Deno.Signal | undefined; readonly remove: () => void } {
  let received: Deno.Signal | undefined;
  const listeners: [Deno.Signal, () => void][] = [];
  for (const name of ["SIGINT", "SIGTERM"] as const) {
    const listener = () => {
      received ??= name;
    };
    try {
      Deno.addSignalListener(name, listener);
      listeners.push([name, listener]);
    } catch {
      // SIGTERM cannot be listened to on Windows; Ctrl-C still is.
    }
  }
  return {
    signal: () => received,
    remove: () => listeners.forEach(([name, l]) => Deno.removeSignalListener(name, l)),
  };
}

/** Exit after an interruption: one line on standard error, no `error:` prefix (nothing went wrong). */
function stop(message: string, code: number): never {
  console.error(message);
  releaseLocks();
  Deno.exit(code);
}

const EXIT_CODES: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };

async function trainOne(config: TrainConfig, out: string, resume?: ResumePoint): Promise<void> {
  const tty = Deno.stdout.isTerminal();
  const products = await matrixProducts(config.backend);
  const encoder = new TextEncoder();
  let lastDraw = 0;
  const from = resume === undefined ? "" : ` from step ${resume.loop.step}`;
  /** The run log's first lines, once the agent is built (its threads are known then). */
  const header = (threads: number) => {
    console.log(
      `training ${config.algo} on ${config.env} for ${config.steps} steps${from} (seed ${config.seed}, ` +
        `preset ${config.preset}, backend ${config.backend}` +
        (products === undefined ? "" : `, matrix products by ${products}`) +
        (threads > 1 ? `, twin critics on ${threads} threads` : "") + `) into ${out}`,
    );
    if (resume !== undefined && ENGINE_ENV_IDS.includes(config.env)) {
      console.log(`${config.env} runs on a physics engine whose world cannot be saved: a new episode starts`);
    }
    if (resume !== undefined && resume.replay === undefined) {
      console.log(
        "the checkpoint has no replay buffer (train with --save-buffer for exact resumes): " +
          `updates wait until ${Math.max(config.learningStarts, config.batchSize)} fresh transitions are in`,
      );
    }
  };
  const signals = stopSignals();
  const clearLine = () => tty && Deno.stdout.writeSync(encoder.encode("\r\x1b[K"));
  let summary;
  try {
    summary = await train(config, {
      out,
      resume,
      shouldStop: () => signals.signal() !== undefined,
      started: ({ threads }) => header(threads),
      log: (line) => {
        clearLine();
        console.log(line);
      },
      progress: (p) => {
        const now = performance.now();
        if (!tty || (now - lastDraw < 200 && p.totalSteps !== p.steps)) return;
        lastDraw = now;
        const last = p.lastReturn === undefined ? "–" : p.lastReturn.toFixed(1);
        Deno.stdout.writeSync(
          encoder.encode(
            `\r\x1b[Kstep ${p.totalSteps}/${p.steps} | last return ${last} | ${
              p.stepsPerSecond.toFixed(0)
            } steps/s`,
          ),
        );
      },
    });
  } catch (e) {
    clearLine();
    fail(`${e instanceof Error ? e.message.split("\n")[0] : e} (run folder ${out})`, 1);
  } finally {
    signals.remove();
  }
  clearLine();
  const signal = signals.signal();
  if (summary.interrupted && signal !== undefined) {
    stop(
      `interrupted by ${signal} at step ${summary.steps} of ${config.steps}; checkpoint and logs written; ` +
        `continue with: deno task train --resume ${shellQuote(out)}`,
      EXIT_CODES[signal],
    );
  }
  const last = summary.evals.at(-1);
  console.log(
    `done in ${summary.wallSeconds.toFixed(1)} s: final eval ${last?.mean.toFixed(1)} ± ${
      last?.std.toFixed(1)
    }; files in ${out}`,
  );
}

/** The seeds of a `--seeds` folder (its `seed-N` subfolders holding checkpoints), if it is one. */
async function seedFolders(dir: string): Promise<number[] | undefined> {
  if (await exists(`${dir}/checkpoint.safetensors`)) return undefined;
  const record = await readSeedsRecord(dir);
  if (record !== undefined) return [...record.seeds];
  const seeds: number[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      const m = /^seed-(\d+)$/.exec(e.name);
      if (e.isDirectory && m && await exists(`${dir}/${e.name}/checkpoint.safetensors`)) {
        seeds.push(Number(m[1]));
      }
    }
  } catch {
    return undefined;
  }
  return seeds.length > 0 ? seeds.sort((a, b) => a - b) : undefined;
}

/**
 * A `--seeds` folder's record of its seeds and configuration, if it has one; exit 2 with one line when it
 * is there but unreadable.
 */
async function readSeedsRecord(dir: string): Promise<SeedsRecord | undefined> {
  const path = `${dir}/${SEEDS_FILE}`;
  if (!(await exists(path))) return undefined;
  let record: Partial<SeedsRecord>;
  try {
    record = JSON.parse(await Deno.readTextFile(path));
  } catch {
    fail(`${path} is not valid JSON; the run's seeds cannot be known`, 2);
  }
  const seeds = record.seeds;
  const valid = Array.isArray(seeds) && seeds.length > 0 && seeds.length <= 1000 &&
    seeds.every((s) => Number.isSafeInteger(s) && s >= 0) && new Set(seeds).size === seeds.length;
  if (!valid || typeof record.config !== "object" || record.config === null) {
    fail(`${path} does not list the run's seeds and configuration`, 2);
  }
  return record as SeedsRecord;
}

/** `--resume` of a `--seeds` folder: every seed continues in parallel workers, then the aggregate is redrawn. */
async function resumeSeeds(
  dir: string,
  seeds: number[],
  steps: number | undefined,
  backend: BackendName | undefined,
): Promise<void> {
  const record = await readSeedsRecord(dir);
  // Seeds without a checkpoint (not started, or killed before their first one) start from scratch: a seed
  // is a function of its configuration, so that is what an uninterrupted run would have done.
  const fresh: number[] = [];
  for (const seed of seeds) {
    const seedDir = `${dir}/seed-${seed}`;
    if (await Deno.stat(seedDir).then((i) => i.isDirectory, () => false)) await clearTemporaries(seedDir);
    if (await exists(`${seedDir}/checkpoint.safetensors`)) continue;
    if (await exists(seedDir)) {
      const removed = await removeRunFolder(seedDir);
      if (E.isLeft(removed)) fail(removed.left, 2);
    }
    fresh.push(seed);
  }
  let base: TrainConfig;
  if (record !== undefined) {
    base = record.config;
  } else {
    try {
      base = JSON.parse(await Deno.readTextFile(`${dir}/seed-${seeds[0]}/config.json`));
    } catch {
      fail(`${dir}/seed-${seeds[0]}/config.json is missing or not JSON`, 2);
    }
  }
  console.log(
    `resuming seeds ${seeds.join(", ")} in ${dir} in parallel workers` +
      (fresh.length === 0 ? "" : ` (seeds ${fresh.join(", ")} from the start: no checkpoint)`),
  );
  const signals = stopSignals();
  let summary;
  try {
    summary = await trainSeeds(base, {
      seeds,
      fresh,
      out: dir,
      resume: { ...(steps === undefined ? {} : { steps }), ...(backend === undefined ? {} : { backend }) },
      log: (line) => console.log(line),
      shouldStop: () => signals.signal() !== undefined,
    });
  } catch (e) {
    fail(e instanceof Error ? e.message.split("\n")[0] : String(e), 2);
  } finally {
    signals.remove();
  }
  const signal = signals.signal();
  if (summary.interrupted && signal !== undefined) {
    stop(
      `interrupted by ${signal}; each seed wrote its checkpoint and logs; continue with: deno task train --resume ${
        shellQuote(dir)
      }`,
      EXIT_CODES[signal],
    );
  }
  console.log(
    `done in ${summary.wallSeconds.toFixed(1)} s; per-seed runs and learning_curve_mean.svg in ${dir}`,
  );
}

async function resumeRun(command: Extract<Command, { kind: "resume" }>): Promise<void> {
  // One trainer per folder: taken before anything is read (a missing folder is reported by the loader).
  const isFolder = await Deno.stat(command.dir).then((i) => i.isDirectory, () => false);
  if (isFolder) {
    await holdLock(command.dir);
    await clearTemporaries(command.dir);
  }
  const seeds = await seedFolders(command.dir);
  if (seeds !== undefined) return await resumeSeeds(command.dir, seeds, command.steps, command.backend);
  const loaded = await loadRun(command.dir, (config) => useBackend(command.backend ?? config.backend));
  if (E.isLeft(loaded)) fail(loaded.left, 2);
  const { resume } = loaded.right;
  const done = resume.loop.step;
  const steps = command.steps ?? loaded.right.config.steps;
  if (steps < done) {
    fail(`--steps ${steps} is fewer than the ${done} steps ${command.dir} has already trained`, 2);
  }
  const config = { ...loaded.right.config, steps, backend: command.backend ?? loaded.right.config.backend };
  if (steps === done) {
    // Nothing to train; the logs and config.json are written again from the checkpoint only if one is
    // missing or behind it (moved away, or a crash between the checkpoint and config.json).
    const stale = await staleFiles(command.dir, config);
    const rewrite = stale.length === 0 ? "" : `; writing ${stale.join(", ")} again from its checkpoint`;
    console.log(
      `${command.dir} has trained ${done} of ${steps} steps; nothing to do (--steps N trains on to N)${rewrite}`,
    );
    if (stale.length === 0) return;
  }
  await trainOne(config, command.dir, resume);
}

/**
 * Run the train command.
 *
 * @param args command-line arguments
 */
export async function main(args: readonly string[]): Promise<void> {
  const parsed = parseTrainArgs(args);
  if (E.isLeft(parsed)) fail(`${parsed.left} (see --help)`, 2);
  const command = parsed.right;
  if (command.kind === "help") {
    console.log(USAGE);
    return;
  }
  if (command.kind === "resume") return await resumeRun(command);
  const { config } = command;
  if (command.out !== undefined && await exists(command.out)) {
    if (!command.force) {
      fail(`--out ${command.out} already exists; choose a new folder, or --resume or --force it`, 2);
    }
    // Never remove a folder another process is training in.
    const isFolder = (await Deno.lstat(command.out)).isDirectory;
    if (isFolder) await holdLock(command.out);
    const removed = await removeRunFolder(command.out);
    if (E.isLeft(removed)) fail(removed.left, 2);
  }
  const backend = await useBackend(config.backend);
  if (E.isLeft(backend)) fail(backend.left, 2);

  if (command.seeds !== undefined) {
    const seeds = command.seeds;
    const spec = seeds.length > 1 && seeds.every((s, i) => s === seeds[0] + i)
      ? `${seeds[0]}-${seeds.at(-1)}`
      : seeds.join(",");
    const out = await newRunFolder(command.out, `runs/${config.algo}-${config.env}-seeds${spec}`);
    console.log(
      `training ${config.algo} on ${config.env} for ${config.steps} steps, seeds ${spec}, in parallel ` +
        `workers (preset ${config.preset}, backend ${config.backend}) into ${out}`,
    );
    const signals = stopSignals();
    let summary;
    try {
      summary = await trainSeeds(config, {
        seeds,
        out,
        log: (line) => console.log(line),
        shouldStop: () => signals.signal() !== undefined,
      });
    } finally {
      signals.remove();
    }
    const signal = signals.signal();
    if (summary.interrupted && signal !== undefined) {
      stop(
        `interrupted by ${signal}; each seed wrote its checkpoint and logs; continue with: ` +
          `deno task train --resume ${shellQuote(out)}`,
        EXIT_CODES[signal],
      );
    }
    console.log(
      `done in ${summary.wallSeconds.toFixed(1)} s (${summary.stepsPerSecond.toFixed(0)} environment ` +
        `steps/s over all seeds); per-seed runs and learning_curve_mean.svg in ${out}`,
    );
    return;
  }
  const out = await newRunFolder(command.out, `runs/${config.algo}-${config.env}-seed${config.seed}`);
  await trainOne(config, out);
}

if (import.meta.main) {
  try {
    await main(Deno.args);
    releaseLocks();
  } catch (e) {
    fail(e instanceof Error ? e.message.split("\n")[0] : String(e), 1);
  }
}
