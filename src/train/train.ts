/**
 * The training loop: the one place where environment, replay buffer and agent reducer meet. It owns
 * every tensor (the reducer runs through {@link step}), draws every random number from keys derived from
 * the seed, and writes the run folder.
 *
 * Key streams: `root = keyFromSeed(seed)` splits into `init` (networks), `loop` (one subkey per
 * environment step, split into action noise, replay sample and episode reset) and `eval` (one fixed key
 * per evaluation episode, reused at every evaluation so that evaluations are comparable).
 *
 * Everything the loop carries from one step to the next is a {@link LoopState}; a checkpoint stores it
 * with the agent state (and, with `saveBuffer`, the replay buffer), so a resumed run continues exactly
 * where the checkpoint was written.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Metrics } from "../core/agents/agent.ts";
import { OU_DEFAULTS, ouInit, ouStep } from "../core/exploration/ornstein_uhlenbeck.ts";
import { foldIn, type Key, keyFromSeed, normal, split, uniform } from "../core/rng.ts";
import type { NoiseType, TrainConfig } from "../config/train_config.ts";
import type { Env, EnvSpec } from "../envs/env.ts";
import { asSource, type EnvSession, type EnvSource } from "../envs/session.ts";
import { openEnv } from "../envs/open_env.ts";
import { ReplayBuffer, type ReplaySnapshot } from "../replay/buffer.ts";
import { makeAgent } from "../core/agents/make_agent.ts";
import {
  CHECKPOINT_FILE,
  encodeCheckpoint,
  firstNonFinite,
  POLICY_FILE,
  writeFileAtomic,
} from "../runtime/checkpoint.ts";
import { encodePolicy } from "../runtime/policy.ts";
import { evaluate } from "../runtime/evaluate.ts";
import { readTensor, step, tensorsIn } from "../runtime/memory.ts";
import { learningCurveSvg } from "../report/plot.ts";
import {
  type EpisodeRow,
  episodesCsv,
  type EvalRow,
  evalsCsv,
  timingCsv,
  type TimingRow,
} from "../formats/run_files.ts";

/** Live progress, reported after every environment step. */
export interface Progress {
  /** Environment steps taken. */
  readonly totalSteps: number;
  /** Total steps of the run. */
  readonly steps: number;
  /** Return of the last finished episode, if any. */
  readonly lastReturn?: number;
  /** Environment steps per second so far (in this process). */
  readonly stepsPerSecond: number;
}

/**
 * Where a training run stands after `step` environment steps: everything the loop needs besides the
 * agent state and the replay buffer. Plain JSON data; stored in every checkpoint.
 */
export interface LoopState {
  /** Environment steps done. */
  readonly step: number;
  /** Key of the loop stream for the next step. */
  readonly key: Key;
  /** State of the environment's current episode. */
  readonly envState: unknown;
  /** Its observation. */
  readonly observation: readonly number[];
  /** Return of the current episode so far. */
  readonly episodeReturn: number;
  /** Steps of the current episode so far. */
  readonly episodeLength: number;
  /** Updates happen at steps after this one (`learningStarts`, later after a resume without buffer). */
  readonly updatesFrom: number;
  /** Every finished training episode. */
  readonly episodes: readonly EpisodeRow[];
  /** Every evaluation on the `evalEvery` grid (the extra one at the end of a run is not carried on). */
  readonly evals: readonly EvalRow[];
  /** State of the Ornstein-Uhlenbeck exploration noise (`noiseType: "ou"` only). */
  readonly noise?: readonly number[];
}

/** A run to continue: the agent state (tensors now owned by {@link train}), the loop and the buffer. */
export interface ResumePoint {
  /** The agent state from the checkpoint. */
  readonly state: unknown;
  /** Where the loop stood. */
  readonly loop: LoopState;
  /** The replay buffer, when the checkpoint has it; without it, updates wait for fresh transitions. */
  readonly replay?: ReplaySnapshot;
  /** Timing rows written before (wall-clock only, for `timing.csv`). */
  readonly timing?: readonly TimingRow[];
}

/** Callbacks and output location of {@link train}. */
export interface TrainOptions {
  /** Run folder; must exist. */
  readonly out: string;
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

/** Uniformly random action inside the bounds. */
function randomAction(key: Key, env: EnvSpec): Float32Array {
  const u = uniform(key, env.actionSize);
  return u.map((x, i) => env.actionLow[i] + x * (env.actionHigh[i] - env.actionLow[i]));
}

/** Half the action range per dimension. */
function halfRanges(env: EnvSpec): number[] {
  return env.actionLow.map((low, i) => (env.actionHigh[i] - low) / 2);
}

/** One log field per metric: `critic loss 0.123 | alpha 0.51`. */
function formatMetrics(metrics: Readonly<Record<string, number>>): string {
  return Object.entries(metrics)
    .map(([name, v]) => ` | ${kebabWords(name)} ${v.toPrecision(4)}`)
    .join("");
}

function kebabWords(name: string): string {
  return name.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
}

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

/** The loop state before the first step of a fresh run (the session's episode is reset here). */
function freshLoop(config: TrainConfig, session: EnvSession, spec: EnvSpec, loopKey: Key): LoopState {
  const [key, firstReset] = split(loopKey);
  const observation = session.reset(firstReset);
  return {
    step: 0,
    key,
    envState: session.save(),
    observation: [...observation],
    episodeReturn: 0,
    episodeLength: 0,
    updatesFrom: config.learningStarts,
    episodes: [],
    evals: [],
    ...(usesOu(config) ? { noise: ouInit(spec.actionSize) } : {}),
  };
}

/** The exploration noise added to the policy's actions (`--noise-type`; the value-network SAC has none). */
function noiseTypeOf(config: TrainConfig): NoiseType {
  return config.algo === "sac-v" ? "none" : config.noiseType;
}

/** Whether the run explores with Ornstein-Uhlenbeck noise (`--noise-type ou`). */
function usesOu(config: TrainConfig): boolean {
  return noiseTypeOf(config) === "ou";
}

const finite = (xs: ArrayLike<number>) => Array.prototype.every.call(xs, Number.isFinite);

/**
 * Train an agent as configured and write the run folder: `config.json` first, then `episodes.csv`, `evals.csv`, `timing.csv`, `learning_curve.svg`, and `checkpoint.safetensors` with
 * `policy.safetensors` every `checkpointEvery` steps, at the end, and when stopped.
 *
 * @param config a validated configuration
 * @param options output folder, callbacks, and where to resume from
 * @returns the episodes and evaluations
 * @throws NonFiniteError when a loss, parameter, action, observation or reward stops being finite
 */
export async function train(config: TrainConfig, options: TrainOptions): Promise<TrainSummary> {
  const env = asSource(options.env ?? openEnv(config.env));
  const session = env.open();
  const agent = makeAgent(config, env);
  const [initKey, loopKey0] = split(keyFromSeed(config.seed), 3);
  const evalKeys = evaluationKeys(config.seed, config.evalEpisodes);
  const bufferOptions = {
    capacity: config.bufferSize,
    observationSize: env.observationSize,
    actionSize: env.actionSize,
  };
  const resume = options.resume;
  const buffer = resume?.replay === undefined
    ? new ReplayBuffer(bufferOptions)
    : ReplayBuffer.restore(bufferOptions, resume.replay);
  const path = (name: string) => `${options.out}/${name}`;
  const log = options.log ?? (() => {});
  const title = `${ALGO_NAMES[config.algo]} on ${config.env} (${config.preset}, seed ${config.seed})`;

  let state: unknown = resume?.state ??
    tf.tidy(() => agent.init(initKey) as unknown as tf.TensorContainer);
  let loop: LoopState = resume?.loop ?? freshLoop(config, session, env, loopKey0);
  if (resume !== undefined) {
    if (loop.envState !== undefined && loop.envState !== null) session.load(loop.envState);
    else {
      // An engine-backed episode cannot be saved: start a new one (its key is a fold of the loop key).
      const observation = session.reset(foldIn(loop.key, 1));
      loop = { ...loop, observation: [...observation], episodeReturn: 0, episodeLength: 0, noise: undefined };
    }
  }
  if (resume !== undefined && resume.replay === undefined) {
    // Without the old transitions, collect `learningStarts` fresh ones (at least a batch) before updating.
    const wait = Math.max(config.learningStarts, config.batchSize);
    loop = { ...loop, updatesFrom: Math.max(loop.updatesFrom, loop.step + wait) };
  }
  const episodes = [...loop.episodes];
  const evals = [...loop.evals];
  const timing = [...(resume?.timing ?? [])];
  const wallBefore = timing.at(-1)?.wallSeconds ?? 0;
  let { key: loopKey, episodeReturn, episodeLength } = loop;
  let observation: Float32Array = Float32Array.from(loop.observation);
  const noiseType = noiseTypeOf(config);
  const sigma = config.algo === "sac-v" ? 0 : config.explorationNoise;
  const ouOptions = { ...OU_DEFAULTS, sigma };
  const half = halfRanges(env);
  let noise = usesOu(config) ? (loop.noise ?? ouInit(env.actionSize)) : undefined;
  let lastMetrics: Record<string, number> = {};
  let lastCheckpoint: number | undefined = resume === undefined ? undefined : loop.step;
  const started = performance.now();
  let lastTiming = { t: started, steps: loop.step };
  let lastYield = started;

  const loopAt = (t: number): LoopState => ({
    step: t,
    key: loopKey,
    envState: session.save(),
    observation: [...observation],
    episodeReturn,
    episodeLength,
    updatesFrom: loop.updatesFrom,
    episodes,
    evals,
    ...(noise === undefined ? {} : { noise }),
  });
  const writeLogs = async (finalEval?: EvalRow) => {
    const shown = finalEval === undefined ? evals : [...evals, finalEval];
    await writeFileAtomic(path("episodes.csv"), episodesCsv(episodes));
    await writeFileAtomic(path("evals.csv"), evalsCsv(shown));
    await writeFileAtomic(path("timing.csv"), timingCsv(timing));
    await writeFileAtomic(
      path("learning_curve.svg"),
      learningCurveSvg({
        title,
        episodes: episodes.map((e) => ({ totalSteps: e.totalSteps, ret: e.ret })),
        evals: shown,
        reference: REFERENCE[config.env],
      }),
    );
  };
  const fail = async (quantity: string, t: number): Promise<never> => {
    await writeLogs();
    throw new NonFiniteError(quantity, t, lastCheckpoint);
  };
  const writeCheckpoint = async (t: number) => {
    const bad = firstNonFinite(state);
    if (bad !== undefined) await fail(`parameter ${bad}`, t);
    const extras = {
      loop: loopAt(t),
      ...(config.saveBuffer
        ? {
          replay: {
            snapshot: buffer.snapshot(),
            observationSize: env.observationSize,
            actionSize: env.actionSize,
          },
        }
        : {}),
    };
    const actor = (state as { actor: unknown }).actor;
    await writeFileAtomic(path(POLICY_FILE), encodePolicy(actor, config));
    await writeFileAtomic(path(CHECKPOINT_FILE), encodeCheckpoint(state, config, extras));
    lastCheckpoint = t;
  };
  const evaluateNow = (t: number): EvalRow => {
    const result = evaluate((o) => agent.act(state, o), { env, keys: evalKeys });
    const now = performance.now();
    timing.push({
      totalSteps: t,
      wallSeconds: wallBefore + (now - started) / 1000,
      stepsPerSecond: ((t - lastTiming.steps) * 1000) / (now - lastTiming.t),
    });
    lastTiming = { t: now, steps: t };
    log(`eval at step ${t}: mean return ${result.mean.toFixed(1)} ± ${result.std.toFixed(1)}`);
    return { totalSteps: t, mean: result.mean, std: result.std };
  };

  await writeFileAtomic(path("config.json"), JSON.stringify(config, null, 2) + "\n");
  let t = loop.step;
  let interrupted = false;
  try {
    while (t < config.steps) {
      t += 1;
      const [nextLoop, stepKey] = split(loopKey);
      loopKey = nextLoop;
      const [actKey, sampleKey, resetKey] = split(stepKey, 3);

      const obs = () => tf.tensor2d(observation, [1, env.observationSize]);
      let action: Float32Array;
      if (t <= config.randomSteps) action = randomAction(actKey, env);
      else if (noiseType === "none" && config.algo === "td3") {
        action = readTensor(() => agent.act(state, obs()));
      } else if (noiseType === "none" || (noiseType === "gaussian" && config.algo === "td3")) {
        // SAC's sample, or TD3's μ(s) with its own Gaussian noise (added and clipped inside the agent).
        action = readTensor(() => agent.explore(state, obs(), actKey));
      } else {
        // TD3's μ(s) or SAC's sample, plus the half-range times the noise, clipped to the bounds (as SB3).
        const [policyKey, noiseKey] = config.algo === "td3" ? [actKey, actKey] : split(actKey);
        let x: readonly number[];
        if (noise !== undefined) x = noise = ouStep(noise, noiseKey, ouOptions);
        else x = Array.from(normal(noiseKey, env.actionSize), (z) => sigma * z);
        const base = readTensor(() =>
          config.algo === "td3" ? agent.act(state, obs()) : agent.explore(state, obs(), policyKey)
        );
        action = base.map((m, i) =>
          Math.min(env.actionHigh[i], Math.max(env.actionLow[i], m + half[i] * x[i]))
        );
      }
      if (!finite(action)) await fail("action", t);
      const result = session.step(action);
      if (!finite(result.observation)) await fail("observation", t);
      if (!Number.isFinite(result.reward)) await fail("reward", t);
      buffer.add({
        observation,
        action,
        reward: result.reward,
        nextObservation: result.observation,
        terminated: result.terminated,
      });
      episodeReturn += result.reward;
      episodeLength += 1;
      if (result.terminated || result.truncated) {
        episodes.push({
          episode: episodes.length + 1,
          totalSteps: t,
          ret: episodeReturn,
          length: episodeLength,
        });
        log(
          `episode ${episodes.length} | step ${t} | return ${episodeReturn.toFixed(1)}${
            formatMetrics(lastMetrics)
          }`,
        );
        observation = session.reset(resetKey);
        if (noise !== undefined) noise = ouInit(env.actionSize);
        episodeReturn = 0;
        episodeLength = 0;
      } else {
        observation = result.observation;
      }

      if (t > loop.updatesFrom && buffer.size >= config.batchSize) {
        let metrics: Metrics;
        [state, metrics] = step(agent.update, state, buffer.sample(sampleKey, config.batchSize));
        const values: Record<string, number> = {};
        for (const [name, scalar] of Object.entries(metrics)) values[name] = scalar.dataSync()[0];
        tensorsIn(metrics).forEach((x) => x.dispose());
        const bad = Object.entries(values).find(([, v]) => !Number.isFinite(v));
        if (bad !== undefined) await fail(kebabWords(bad[0]), t);
        lastMetrics = values;
      }

      const onGrid = t % config.evalEvery === 0;
      if (onGrid) evals.push(evaluateNow(t));
      if (t === config.steps) {
        const finalEval = onGrid ? undefined : evaluateNow(t);
        await writeCheckpoint(t);
        await writeLogs(finalEval);
        if (finalEval !== undefined) evals.push(finalEval);
      } else if (config.checkpointEvery > 0 && t % config.checkpointEvery === 0) {
        await writeCheckpoint(t);
        await writeLogs();
      } else if (onGrid) {
        await writeLogs();
      }
      options.progress?.({
        totalSteps: t,
        steps: config.steps,
        lastReturn: episodes.at(-1)?.ret,
        stepsPerSecond: ((t - loop.step) * 1000) / (performance.now() - started),
      });

      if (options.shouldStop !== undefined) {
        const now = performance.now();
        if (now - lastYield > 50) {
          await new Promise((resolve) => setTimeout(resolve, 0));
          lastYield = performance.now();
        }
        if (options.shouldStop() && t < config.steps) {
          if (lastCheckpoint !== t) await writeCheckpoint(t);
          await writeLogs();
          interrupted = true;
          break;
        }
      }
    }
  } finally {
    tensorsIn(state).forEach((x) => x.dispose());
    session.dispose();
  }
  return { episodes, evals, wallSeconds: (performance.now() - started) / 1000, steps: t, interrupted };
}
