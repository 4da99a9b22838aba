/**
 * The effect shell of the training loop: it performs what the pure step of `loop.ts` asks for. It owns
 * the tensors (each step runs in a scope that keeps the new agent state; replaced tensors are freed), the
 * replay buffer's storage, the environment session of an engine-backed environment, the run folder's
 * files, the clock, the progress line and the stop requests (signals, worker messages).
 *
 * Key streams: `root = keyFromSeed(seed)` splits into `init` (networks), `loop` (the step's keys, see
 * `loop.ts`) and `eval` (one fixed key per evaluation episode, reused at every evaluation so that
 * evaluations are comparable).
 *
 * A checkpoint stores the agent state, the loop's record (`loopRecord`) and, with `saveBuffer`, the replay
 * buffer, so a resumed run continues exactly where the checkpoint was written.
 *
 * @module
 */
import { type Key, keyFromSeed, split } from "../core/rng.ts";
import type { TrainConfig } from "../config/train_config.ts";
import type { Env } from "../envs/env.ts";
import { openEnv, prepareEnv } from "../envs/open_env.ts";
import { asSource, type EnvSource, sessionEnv } from "../envs/session.ts";
import {
  type EpisodeRow,
  episodesCsv,
  type EvalRow,
  evalsCsv,
  timingCsv,
  type TimingRow,
} from "../formats/run_files.ts";
import { learningCurveSvg } from "../report/plot.ts";
import { ReplayBuffer, type ReplaySnapshot } from "../replay/buffer.ts";
import { type AgentRuntime, agentRuntime } from "../runtime/agent_runtime.ts";
import { CHECKPOINT_FILE, encodeCheckpoint, POLICY_FILE, writeFileAtomic } from "../runtime/checkpoint.ts";
import { evaluate, type EvaluateOptions } from "./evaluate.ts";
import { encodePolicy } from "../runtime/policy.ts";
import {
  initialLoop,
  type LoopContext,
  loopContext,
  type LoopRecord,
  loopRecord,
  type LoopState,
  loopStep,
  resumedLoop,
  schedule,
  type StepEvents,
  withEvaluation,
  words,
} from "./loop.ts";

/** Live progress, reported after every environment step. */
export interface Progress {
  /** Environment steps taken. */
  readonly totalSteps: number;
  /** Total steps of the run. */
  readonly steps: number;
  /** Return of the last finished episode, if any. */
  readonly lastReturn?: number;
  /** The episode this step finished, if it finished one (its `episodes.csv` row). */
  readonly episode?: EpisodeRow;
  /** The evaluation this step ran, if it ran one (its `evals.csv` row). */
  readonly evaluation?: EvalRow;
  /** Environment steps per second so far (in this process). */
  readonly stepsPerSecond: number;
  /**
   * The current deterministic policy: actions for `n` observations (row-major), e.g. to animate it. Valid
   * only during the callback (the next update may reuse the agent's memory).
   */
  readonly act: (observations: Float32Array, n: number) => Float32Array;
}

/**
 * Where a run's files go: by default the run folder, each file written atomically; the web app keeps them
 * in memory.
 */
export interface RunWriter {
  /**
   * Write (create or replace) one file of the run.
   *
   * @param name the file's name, e.g. `episodes.csv`
   * @param contents its bytes or text
   * @param durable whether it must be on the disk before this returns (checkpoints and policies)
   */
  write(name: string, contents: Uint8Array | string, durable: boolean): Promise<void>;
}

/**
 * The run folder as a {@link RunWriter}: each file written atomically (`writeFileAtomic`), durable ones
 * flushed with their folder.
 *
 * @param out the run folder; must exist
 * @returns the writer
 */
export function folderWriter(out: string): RunWriter {
  return {
    write: (name, contents, durable) => writeFileAtomic(`${out}/${name}`, contents, { sync: durable }),
  };
}

/** A run to continue: the agent state (tensors now owned by {@link train}), the loop and the buffer. */
export interface ResumePoint {
  /** The agent state from the checkpoint, as tfjs tensors (the engine takes them over). */
  readonly state: unknown;
  /** Where the loop stood. */
  readonly loop: LoopRecord;
  /** The replay buffer, when the checkpoint has it; without it, updates wait for fresh transitions. */
  readonly replay?: ReplaySnapshot;
  /** Timing rows written before (wall-clock only, for `timing.csv`). */
  readonly timing?: readonly TimingRow[];
}

/** Callbacks and output location of {@link train}. */
export interface TrainOptions {
  /** Run folder; must exist. Needed unless {@link TrainOptions.files} is given. */
  readonly out?: string;
  /** Where the run's files go instead of `out` (e.g. memory). */
  readonly files?: RunWriter;
  /** Receives finished lines (episodes, evaluations). */
  readonly log?: (line: string) => void;
  /** Receives progress after every step. */
  readonly progress?: (p: Progress) => void;
  /** Continue from here instead of starting fresh. */
  readonly resume?: ResumePoint;
  /** The environment to train on instead of the one `config.env` names (e.g. one of your own). */
  readonly env?: Env<unknown> | EnvSource;
  /**
   * Asked between environment steps (the loop yields to the event loop every ~50 ms so that signal
   * handlers and worker messages can run); when it returns true, the run writes its checkpoint and logs
   * and returns with `interrupted` set.
   */
  readonly shouldStop?: () => boolean;
  /**
   * Awaited each time the loop yields to the event loop (every ~50 ms when this or `shouldStop` is given):
   * a run pauses for as long as the promise is pending.
   */
  readonly idle?: () => Promise<void>;
  /**
   * Threads the engine's updates may use (default: the machine's cores, at most 2, or `TD3SAC_THREADS`):
   * see `runtime/agent_runtime.ts`'s `criticThreads`. The results are the same bits either way.
   */
  readonly threads?: number;
  /** Called once the agent is built, with the threads its updates use (for the run log). */
  readonly started?: (info: { readonly threads: number }) => void;
}

/** What a finished or interrupted run reports. */
export interface TrainSummary {
  /** Every training episode. */
  readonly episodes: readonly EpisodeRow[];
  /** Every evaluation written to `evals.csv`. */
  readonly evals: readonly EvalRow[];
  /** Wall-clock seconds of this call. */
  readonly wallSeconds: number;
  /** Environment steps done when it returned. */
  readonly steps: number;
  /** Whether {@link TrainOptions.shouldStop} ended it early. */
  readonly interrupted: boolean;
}

/** A NaN or infinity in a loss, parameter, action, observation or reward: training cannot go on. */
export class NonFiniteError extends Error {
  /**
   * A run stopped by a non-finite value.
   *
   * @param quantity what was not finite, e.g. `critic loss`
   * @param step the environment step
   * @param lastCheckpoint the step of the last checkpoint written (kept as it was), if any
   */
  constructor(
    readonly quantity: string,
    readonly step: number,
    readonly lastCheckpoint: number | undefined,
  ) {
    super(
      `non-finite ${quantity} at step ${step}; training stopped, ` +
        (lastCheckpoint === undefined
          ? "no checkpoint had been written"
          : `the last good checkpoint (step ${lastCheckpoint}) is kept`),
    );
    this.name = "NonFiniteError";
  }
}

/** Display names of the algorithms. */
const ALGO_NAMES: Readonly<Record<TrainConfig["algo"], string>> = {
  td3: "TD3",
  sac: "SAC",
  "sac-v": "SAC-V (value network)",
};

/** Horizontal reference lines for the learning curve, per environment. */
const REFERENCE: Readonly<Record<string, { value: number; label: string }>> = {
  "Pendulum-v1": { value: -200, label: "−200" },
  "MountainCarContinuous-v0": { value: 90, label: "90" },
  "LunarLanderContinuous-v3": { value: 200, label: "200" },
  "BipedalWalker-v3": { value: 300, label: "300" },
};

/**
 * The keys of a run's evaluation episodes: the third stream of the seed's root key, split per episode.
 * `deno task eval` uses the same keys, so it reproduces a run's own evaluations.
 *
 * @param seed the run's seed
 * @param episodes how many episodes
 * @returns one reset key per episode
 */
export function evaluationKeys(seed: number, episodes: number): Key[] {
  return split(split(keyFromSeed(seed), 3)[2], episodes);
}

/**
 * Train an agent as configured and write the run folder: `config.json` first (on a resume: after the first
 * checkpoint), then `episodes.csv`, `evals.csv`, `timing.csv`, `learning_curve.svg`, and
 * `checkpoint.safetensors` then `policy.safetensors` every `checkpointEvery` steps, at the end, and when
 * stopped.
 *
 * @param config a validated configuration
 * @param options output folder, callbacks, and where to resume from
 * @returns the episodes and evaluations
 * @throws NonFiniteError when a loss, parameter, action, observation or reward stops being finite
 */
export async function train(config: TrainConfig, options: TrainOptions): Promise<TrainSummary> {
  if (options.env === undefined) await prepareEnv(config.env);
  const source = asSource(options.env ?? openEnv(config.env));
  const session = source.pure === undefined ? source.open() : undefined;
  const runtime = await agentRuntime(
    config,
    source,
    options.threads === undefined ? {} : { threads: options.threads },
  );
  options.started?.({ threads: runtime.threads });
  const context = loopContext(config, source.pure ?? sessionEnv(source, session!), runtime.learner);
  const buffer = replayBuffer(config, source, options.resume?.replay);
  const clock = new Clock(options.resume?.timing ?? [], options.resume?.loop.step ?? 0);
  const writer = options.files ?? (options.out === undefined ? undefined : folderWriter(options.out));
  if (writer === undefined) throw new TypeError("train: give a run folder (out) or a writer (files)");
  const files = runFiles(config, source, writer, clock.timing);
  const log = options.log ?? (() => {});
  const evalKeys = evaluationKeys(config.seed, config.evalEpisodes);
  let state = startingState(context, runtime, options.resume);
  let lastCheckpoint = options.resume === undefined ? undefined : state.step;
  let finalEval: EvalRow | undefined;
  const stop = async (quantity: string, step: number): Promise<never> => {
    await files.logs(state);
    throw new NonFiniteError(quantity, step, lastCheckpoint);
  };
  // A resumed run may change the budget (`--steps`) or the backend: its config.json is rewritten only after
  // its first checkpoint, so that until then the folder is exactly what it was (config.json and the
  // checkpoint agree), whatever stops the process.
  let configWritten = false;
  const checkpoint = async () => {
    const bad = runtime.nonFinite(state.agent);
    if (bad !== undefined) await stop(`parameter ${bad}`, state.step);
    await files.checkpoint(state, runtime.checkpointTree(state.agent), buffer);
    lastCheckpoint = state.step;
    if (!configWritten) {
      await files.config();
      configWritten = true;
    }
  };
  const step = (s: LoopState, replay: ReplayBuffer) => loopStep(context, s, replay);
  let interrupted = false;
  if (options.resume === undefined) {
    await files.config();
    configWritten = true;
  }
  try {
    if (options.resume !== undefined && state.step >= config.steps) {
      // Nothing left to train (a finished run whose logs or config.json are missing or stale): they are
      // written again from the checkpoint, the last evaluation recomputed when it was off the grid.
      const due = schedule(config, state.step);
      if (due.evaluate && !due.keepEvaluation) {
        const last = evaluate((o, n) => context.agent.act(state.agent, o, n), {
          env: source,
          keys: evalKeys,
        });
        finalEval = { totalSteps: state.step, mean: last.mean, std: last.std };
      }
      await files.logs(state, finalEval);
      await files.config();
    }
    while (state.step < config.steps) {
      const previous = state;
      let events: StepEvents;
      [state, events] = runtime.step(step, state, buffer, agentOf);
      if (events.episode !== undefined) log(episodeLine(events.episode, previous.metrics));
      if (events.fault !== undefined) await stop(events.fault, previous.step + 1);
      if (events.transition !== undefined) buffer.add(events.transition);
      let evaluation: EvalRow | undefined;
      if (events.evaluate) {
        evaluation = evaluateNow(context, state, { env: source, keys: evalKeys }, clock, log);
        if (events.keepEvaluation) state = withEvaluation(state, evaluation);
        else finalEval = evaluation;
      }
      // Logs before the checkpoint: after a crash between the two they are ahead of it, never behind, so a
      // resume can tell them from a log that was cut short (see `resume.ts`).
      if (events.writeLogs) await files.logs(state, finalEval);
      if (events.checkpoint) await checkpoint();
      if (options.progress !== undefined) {
        const agent = state.agent;
        const act = (o: Float32Array, n: number) => context.agent.act(agent, o, n);
        options.progress({
          ...progressAt(state, config, clock, act),
          ...(events.episode === undefined ? {} : { episode: events.episode }),
          ...(evaluation === undefined ? {} : { evaluation }),
        });
      }
      if (options.shouldStop === undefined && options.idle === undefined) continue;
      await clock.breathe(options.idle);
      if (options.shouldStop?.() && !events.done) {
        await files.logs(state);
        if (lastCheckpoint !== state.step) await checkpoint();
        interrupted = true;
        break;
      }
    }
  } finally {
    runtime.dispose(state.agent);
    runtime.close();
    session?.dispose();
  }
  const evals = finalEval === undefined ? state.evals : [...state.evals, finalEval];
  return { episodes: state.episodes, evals, wallSeconds: clock.seconds(), steps: state.step, interrupted };
}

/** Where a loop state keeps its agent state (tensors or arenas). */
const agentOf = (state: LoopState): unknown => state.agent;

/** The loop state to start from: a fresh agent and episode, or the resume point's. */
function startingState(
  context: LoopContext,
  runtime: AgentRuntime,
  resume: ResumePoint | undefined,
): LoopState {
  if (resume !== undefined) {
    const agent = runtime.adopt(resume.state);
    return resumedLoop(context, resume.loop, agent, resume.replay !== undefined);
  }
  const [initKey, loopKey] = split(keyFromSeed(context.config.seed), 3);
  return initialLoop(context, loopKey, runtime.init(initKey));
}

/** An empty replay buffer, or the resume point's. */
function replayBuffer(
  config: TrainConfig,
  env: EnvSource,
  snapshot: ReplaySnapshot | undefined,
): ReplayBuffer {
  const options = {
    capacity: config.bufferSize,
    observationSize: env.observationSize,
    actionSize: env.actionSize,
  };
  return snapshot === undefined ? new ReplayBuffer(options) : ReplayBuffer.restore(options, snapshot);
}

/** Evaluate the deterministic policy on the run's evaluation keys, note the time and log the result. */
function evaluateNow(
  context: LoopContext,
  state: LoopState,
  episodes: EvaluateOptions,
  clock: Clock,
  log: (line: string) => void,
): EvalRow {
  const result = evaluate((o, n) => context.agent.act(state.agent, o, n), episodes);
  clock.mark(state.step);
  log(`eval at step ${state.step}: mean return ${result.mean.toFixed(1)} ± ${result.std.toFixed(1)}`);
  return { totalSteps: state.step, mean: result.mean, std: result.std };
}

/** The progress report after a step. */
function progressAt(state: LoopState, config: TrainConfig, clock: Clock, act: Progress["act"]): Progress {
  return {
    totalSteps: state.step,
    steps: config.steps,
    lastReturn: state.episodes.at(-1)?.ret,
    stepsPerSecond: clock.stepsPerSecond(state.step),
    act,
  };
}

/** The log line of a finished episode, with the last update's metrics: `… | critic loss 0.123`. */
function episodeLine(episode: EpisodeRow, metrics: Readonly<Record<string, number>>): string {
  const fields = Object.entries(metrics).map(([name, v]) => ` | ${words(name)} ${v.toPrecision(4)}`).join("");
  return `episode ${episode.episode} | step ${episode.totalSteps} | return ${
    episode.ret.toFixed(1)
  }${fields}`;
}

/** The files of a run folder, written atomically. */
function runFiles(config: TrainConfig, env: EnvSource, writer: RunWriter, timing: readonly TimingRow[]) {
  const write = (name: string, contents: Uint8Array | string, durable = false) =>
    writer.write(name, contents, durable);
  const title = `${ALGO_NAMES[config.algo]} on ${config.env} (${config.preset}, seed ${config.seed})`;
  return {
    config: () => write("config.json", JSON.stringify(config, null, 2) + "\n"),
    /** `episodes.csv`, `evals.csv` (with the extra last evaluation, if any), `timing.csv`, the curve. */
    logs: async (state: LoopState, finalEval?: EvalRow) => {
      const evals = finalEval === undefined ? state.evals : [...state.evals, finalEval];
      await write("episodes.csv", episodesCsv(state.episodes));
      await write("evals.csv", evalsCsv(evals));
      await write("timing.csv", timingCsv(timing));
      const episodes = state.episodes.map((e) => ({ totalSteps: e.totalSteps, ret: e.ret }));
      const curve = learningCurveSvg({ title, episodes, evals, reference: REFERENCE[config.env] });
      await write("learning_curve.svg", curve);
    },
    /**
     * `checkpoint.safetensors` (with the buffer when `saveBuffer`), then `policy.safetensors`: a failure
     * between the two leaves a policy no newer than the checkpoint a resume continues from.
     */
    checkpoint: async (state: LoopState, agent: { readonly actor: unknown }, buffer: ReplayBuffer) => {
      const replay = {
        snapshot: buffer.snapshot(),
        observationSize: env.observationSize,
        actionSize: env.actionSize,
      };
      const extras = { loop: loopRecord(state), ...(config.saveBuffer ? { replay } : {}) };
      await write(CHECKPOINT_FILE, encodeCheckpoint(agent, config, extras), true);
      await write(POLICY_FILE, encodePolicy(agent.actor, config, env), true);
    },
  };
}

/** Wall-clock bookkeeping of a run: timing rows at evaluations, steps per second, event-loop breaks. */
class Clock {
  readonly timing: TimingRow[];
  readonly #started = performance.now();
  readonly #firstStep: number;
  readonly #wallBefore: number;
  #last: { t: number; steps: number };
  #lastBreak = this.#started;

  constructor(timing: readonly TimingRow[], firstStep: number) {
    this.timing = [...timing];
    this.#firstStep = firstStep;
    this.#wallBefore = timing.at(-1)?.wallSeconds ?? 0;
    this.#last = { t: this.#started, steps: firstStep };
  }

  /** Seconds since this process started training. */
  seconds(): number {
    return (performance.now() - this.#started) / 1000;
  }

  /** Steps per second of this process so far. */
  stepsPerSecond(step: number): number {
    return ((step - this.#firstStep) * 1000) / (performance.now() - this.#started);
  }

  /** Add a timing row at `step`. */
  mark(step: number): void {
    const now = performance.now();
    const stepsPerSecond = ((step - this.#last.steps) * 1000) / (now - this.#last.t);
    this.timing.push({ totalSteps: step, wallSeconds: this.#wallBefore + this.seconds(), stepsPerSecond });
    this.#last = { t: now, steps: step };
  }

  /**
   * Yield to the event loop every ~50 ms, so that signal handlers and worker messages can run, then await
   * `idle` (a pause lasts as long as it is pending).
   */
  async breathe(idle?: () => Promise<void>): Promise<void> {
    if (performance.now() - this.#lastBreak <= 50) return;
    await new Promise((resolve) => setTimeout(resolve, 0));
    await idle?.();
    this.#lastBreak = performance.now();
  }
}
