/**
 * Reading a run folder back for `--resume`: the checkpoint is decoded and checked against everything it
 * must agree with (its own configuration, the network sizes that configuration implies, the run's
 * `config.json`, the replay buffer's sizes) before anything is written. Every problem is one line.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import * as E from "fp-ts/lib/Either.js";
import { configDifference, type TrainConfig, upgradeConfig, validateConfig } from "../config/train_config.ts";
import { keyFromSeed } from "../core/rng.ts";
import { ReplayBuffer } from "../replay/buffer.ts";
import { makeAgent } from "../core/agents/make_agent.ts";
import { openEnv, prepareEnv } from "../envs/open_env.ts";
import {
  CHECKPOINT_FILE,
  CHECKPOINT_FORMAT,
  decodeCheckpoint,
  type DecodedCheckpoint,
  firstNonFinite,
  structureMismatch,
} from "../runtime/checkpoint.ts";
import { decodeSafetensors } from "../formats/safetensors.ts";
import { disposeTree } from "../runtime/memory.ts";
import { episodesCsv, evalsCsv, type TimingRow } from "../formats/run_files.ts";
import type { LoopRecord } from "./loop.ts";
import type { ResumePoint } from "./train.ts";
import type { Either } from "../core/either.ts";

/** A run folder ready to continue. */
export interface LoadedRun {
  /** The configuration stored in the checkpoint. */
  readonly config: TrainConfig;
  /** The agent state (tensors owned by the caller), loop state, buffer and timing rows. */
  readonly resume: ResumePoint;
}

async function readBytes(path: string): Promise<Uint8Array | undefined> {
  try {
    return await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

function loopProblem(loop: unknown, config: TrainConfig, observationSize: number): string | undefined {
  const l = loop as Partial<Record<keyof LoopRecord, unknown>>;
  if (typeof l !== "object" || l === null) return "it holds no training-loop state";
  const isInt = (x: unknown) => Number.isSafeInteger(x) && (x as number) >= 0;
  if (!isInt(l.step) || (l.step as number) > config.steps) return `its step count ${l.step} is not valid`;
  if (!Array.isArray(l.key) || l.key.length !== 2 || !l.key.every((w) => isInt(w) && w < 2 ** 32)) {
    return "its loop key is not two 32-bit words";
  }
  if (
    !Array.isArray(l.observation) || l.observation.length !== observationSize ||
    !l.observation.every(Number.isFinite)
  ) {
    return `its observation is not ${observationSize} finite numbers`;
  }
  if (!Array.isArray(l.episodes) || !Array.isArray(l.evals)) {
    return "its episode or evaluation log is missing";
  }
  // Every logged row as the writers of episodes.csv and evals.csv need it: counts in order, finite values.
  const step = l.step as number;
  const badEpisode = (l.episodes as unknown[]).findIndex((row, i, rows) => {
    const r = row as Partial<Record<string, unknown>> | null;
    const before = i === 0 ? undefined : rows[i - 1] as { totalSteps: number };
    return typeof r !== "object" || r === null || r.episode !== i + 1 || !isInt(r.totalSteps) ||
      (r.totalSteps as number) > step ||
      (before !== undefined && (r.totalSteps as number) < before.totalSteps) ||
      !isInt(r.length) || !Number.isFinite(r.ret);
  });
  if (badEpisode >= 0) return `its episode log is malformed at row ${badEpisode + 1}`;
  const badEval = (l.evals as unknown[]).findIndex((row) => {
    const r = row as Partial<Record<string, unknown>> | null;
    return typeof r !== "object" || r === null || !isInt(r.totalSteps) || (r.totalSteps as number) > step ||
      !Number.isFinite(r.mean) || !Number.isFinite(r.std);
  });
  if (badEval >= 0) return `its evaluation log is malformed at row ${badEval + 1}`;
  if (!isInt(l.episodeLength) || !Number.isFinite(l.episodeReturn) || !isInt(l.updatesFrom)) {
    return "its episode counters are not valid";
  }
  return undefined;
}

async function readTiming(path: string, upTo: number): Promise<TimingRow[]> {
  const bytes = await readBytes(path);
  if (bytes === undefined) return [];
  const rows = new TextDecoder().decode(bytes).trim().split("\n").slice(1).map((line) => {
    const [totalSteps, wallSeconds, stepsPerSecond] = line.split(",").map(Number);
    return { totalSteps, wallSeconds, stepsPerSecond };
  });
  // Wall-clock rows only; a damaged file just restarts the timing log.
  return rows.every((r) => Object.values(r).every(Number.isFinite))
    ? rows.filter((r) => r.totalSteps <= upTo)
    : [];
}

/**
 * Load a run folder's checkpoint for resuming, with every check done before anything is written.
 *
 * @param dir the run folder
 * @param prepare called with the checkpoint's configuration before any tensor is made (to pick the
 *   configured backend first); a Left stops the load
 * @returns the configuration and resume point, or a one-line error
 */
export async function loadRun(
  dir: string,
  prepare: (config: TrainConfig) => Promise<Either<string, unknown>> = () => Promise.resolve(E.right(0)),
): Promise<Either<string, LoadedRun>> {
  const file = `${dir}/${CHECKPOINT_FILE}`;
  const bytes = await checkpointBytes(dir);
  if (E.isLeft(bytes)) return bytes;
  const decoded = await decodeFor(file, bytes.right, prepare);
  if (E.isLeft(decoded)) return decoded;
  const checked = await resumable(dir, decoded.right);
  if (E.isLeft(checked)) {
    disposeTree(decoded.right.state);
    return checked;
  }
  const { config, loop } = checked.right;
  const { state, replay } = decoded.right;
  const timing = await readTiming(`${dir}/timing.csv`, loop.step);
  return E.right({ config, resume: { state, loop, ...(replay === undefined ? {} : { replay }), timing } });
}

/** The checkpoint file's bytes, when `dir` is a run folder that has one. */
async function checkpointBytes(dir: string): Promise<Either<string, Uint8Array>> {
  try {
    const info = await Deno.stat(dir);
    if (!info.isDirectory) return E.left(`${dir} is not a run folder`);
  } catch (e) {
    // Missing, under a file (ENOTDIR) or too long (ENAMETOOLONG): bad input, not a failure.
    const code = (e as { code?: unknown } | null)?.code;
    if (
      e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory || code === "ENAMETOOLONG"
    ) {
      return E.left(`no run folder at ${dir}`);
    }
    throw e;
  }
  const bytes = await readBytes(`${dir}/${CHECKPOINT_FILE}`);
  return bytes === undefined ? E.left(`${dir} has no ${CHECKPOINT_FILE} to resume from`) : E.right(bytes);
}

/**
 * Decode a checkpoint: its configuration is read and validated first and handed to `prepare` (which picks
 * the backend) before any tensor is made.
 */
async function decodeFor(
  file: string,
  bytes: Uint8Array,
  prepare: (config: TrainConfig) => Promise<Either<string, unknown>>,
): Promise<Either<string, DecodedCheckpoint>> {
  const invalid = (e: unknown) =>
    E.left(`${file} is not a valid checkpoint: ${e instanceof Error ? e.message : e}`);
  let peeked: TrainConfig;
  try {
    const { metadata } = decodeSafetensors(bytes);
    if (metadata.format !== CHECKPOINT_FORMAT) return invalid(`not a ${CHECKPOINT_FORMAT} file`);
    peeked = JSON.parse(metadata.config);
  } catch (e) {
    return invalid(e);
  }
  const valid = validateConfig(peeked);
  if (E.isLeft(valid)) return E.left(`${file} holds an invalid configuration: ${valid.left}`);
  const prepared = await prepare(valid.right);
  if (E.isLeft(prepared)) return E.left(String(prepared.left));
  try {
    return E.right(decodeCheckpoint(bytes));
  } catch (e) {
    return invalid(e);
  }
}

/**
 * Everything a decoded checkpoint must agree with before a run continues from it: a valid configuration,
 * a loop record, networks of the configured sizes, the run's `config.json`, a replay buffer that fits.
 */
async function resumable(
  dir: string,
  decoded: DecodedCheckpoint,
): Promise<Either<string, { config: TrainConfig; loop: LoopRecord }>> {
  const file = `${dir}/${CHECKPOINT_FILE}`;
  const checked = validateConfig(decoded.config as TrainConfig);
  if (E.isLeft(checked)) return E.left(`${file} holds an invalid configuration: ${checked.left}`);
  const config = checked.right;
  await prepareEnv(config.env);
  const env = openEnv(config.env);
  const problem = loopProblem(decoded.loop, config, env.observationSize);
  if (problem !== undefined) return E.left(`${file} cannot be resumed: ${problem}`);

  const agent = makeAgent(config, env);
  const fresh = tf.tidy(() => agent.init(keyFromSeed(0)) as unknown as tf.TensorContainer);
  const mismatch = structureMismatch(decoded.state, fresh);
  disposeTree(fresh);
  if (mismatch !== undefined) {
    const what = `${config.algo} on ${config.env}, hidden ${config.hidden}`;
    return E.left(`${file} does not fit its configuration (${what}): ${mismatch}`);
  }
  const bad = firstNonFinite(decoded.state);
  if (bad !== undefined) {
    return E.left(
      `${file} holds a non-finite parameter (${bad}); it cannot be resumed (train again, or restore a copy)`,
    );
  }
  const onDisk = await configJsonProblem(dir, config);
  if (onDisk !== undefined) return E.left(onDisk);
  const logs = await logsProblem(dir, decoded.loop as LoopRecord);
  if (logs !== undefined) return E.left(logs);
  if (decoded.replay !== undefined) {
    try {
      const sizes = { observationSize: env.observationSize, actionSize: env.actionSize };
      ReplayBuffer.restore({ capacity: config.bufferSize, ...sizes }, decoded.replay);
    } catch (e) {
      return E.left(`${file} has a replay buffer that does not fit: ${e instanceof Error ? e.message : e}`);
    }
  }
  return E.right({ config, loop: decoded.loop as LoopRecord });
}

/**
 * How the run's `episodes.csv` or `evals.csv` disagrees with the checkpoint's logs, if it does. A resume
 * rewrites both from the checkpoint, so each must begin with exactly what the checkpoint holds (rows
 * written after it, before the run stopped, may follow); a file cut short or edited is refused rather than
 * overwritten. A missing file is written afresh.
 */
async function logsProblem(dir: string, loop: LoopRecord): Promise<string | undefined> {
  const files = [["episodes.csv", episodesCsv(loop.episodes)], ["evals.csv", evalsCsv(loop.evals)]];
  for (const [name, expected] of files) {
    let bytes: Uint8Array | undefined;
    try {
      bytes = await readBytes(`${dir}/${name}`);
    } catch (e) {
      if (e instanceof Deno.errors.IsADirectory) return `${dir}/${name} is a folder, not a log file`;
      throw e;
    }
    if (bytes === undefined) continue;
    const text = new TextDecoder().decode(bytes);
    if (!text.startsWith(expected)) {
      const row = firstDifferentLine(text, expected);
      return `${dir}/${name} disagrees with the checkpoint at line ${row} (cut short, edited, or older than the checkpoint); move it ` +
        `away and resume again to have it rewritten from the checkpoint`;
    }
  }
  return undefined;
}

/** The 1-based number of the first line where `text` does not continue as `expected`. */
function firstDifferentLine(text: string, expected: string): number {
  const [a, b] = [text.split("\n"), expected.split("\n")];
  const i = b.findIndex((line, k) => a[k] !== line);
  return (i < 0 ? b.length - 1 : i) + 1;
}

/** How the run's `config.json` disagrees with the checkpoint's configuration, if it does (none: fine). */
async function configJsonProblem(dir: string, config: TrainConfig): Promise<string | undefined> {
  const configJson = await readBytes(`${dir}/config.json`);
  if (configJson === undefined) {
    return `${dir}/config.json is missing; the checkpoint's configuration cannot be confirmed (restore it)`;
  }
  let onDisk: Record<string, unknown>;
  try {
    onDisk = JSON.parse(new TextDecoder().decode(configJson));
  } catch {
    return `${dir}/config.json is not valid JSON; the checkpoint's configuration cannot be confirmed`;
  }
  // The backend and the budget are what a resume may change (`--resume DIR --backend NAME --steps N`); a
  // resume writes config.json after its first checkpoint, so a crash between the two leaves config.json
  // behind on those, and the checkpoint's hold.
  const { backend: _onDisk, steps: _stepsOnDisk, ...stored } = upgradeConfig(onDisk);
  const { backend: _checkpoint, steps: _steps, ...expected } = config as unknown as Record<string, unknown>;
  const difference = configDifference(stored, expected);
  return difference === undefined
    ? undefined
    : `${dir}/config.json and the checkpoint disagree on ${difference}`;
}
