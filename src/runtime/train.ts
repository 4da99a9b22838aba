/**
 * The training loop: the one place where environment, replay buffer and agent reducer meet. It owns
 * every tensor (the reducer runs through {@link step}), draws every random number from keys derived from
 * the seed, and writes the run folder.
 *
 * Key streams: `root = keyFromSeed(seed)` splits into `init` (networks), `loop` (one subkey per
 * environment step, split into action noise, replay sample and episode reset) and `eval` (one fixed key
 * per evaluation episode, reused at every evaluation so that evaluations are comparable).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Agent, Metrics } from "../core/agents/agent.ts";
import { makeSac } from "../core/agents/sac.ts";
import { makeSacV } from "../core/agents/sac_v.ts";
import { makeTd3 } from "../core/agents/td3.ts";
import { type Key, keyFromSeed, split, uniform } from "../core/rng.ts";
import type { TrainConfig } from "../config/train_config.ts";
import type { Env } from "../envs/env.ts";
import { makeEnv } from "../envs/registry.ts";
import { ReplayBuffer } from "../replay/buffer.ts";
import { CHECKPOINT_FILE, encodeCheckpoint, writeFileAtomic } from "./checkpoint.ts";
import { evaluate } from "./evaluate.ts";
import { readTensor, step, tensorsIn } from "./memory.ts";
import { learningCurveSvg } from "./plot.ts";
import {
  type EpisodeRow,
  episodesCsv,
  type EvalRow,
  evalsCsv,
  timingCsv,
  type TimingRow,
} from "./run_files.ts";

/** Live progress, reported after every environment step. */
export interface Progress {
  /** Environment steps taken. */
  readonly totalSteps: number;
  /** Total steps of the run. */
  readonly steps: number;
  /** Return of the last finished episode, if any. */
  readonly lastReturn?: number;
  /** Environment steps per second so far. */
  readonly stepsPerSecond: number;
}

/** Callbacks and output location of {@link train}. */
export interface TrainOptions {
  /** Run folder; must exist. */
  readonly out: string;
  /** Receives finished lines (episodes, evaluations). */
  readonly log?: (line: string) => void;
  /** Receives progress after every step. */
  readonly progress?: (p: Progress) => void;
}

/** What a finished run reports. */
export interface TrainSummary {
  /** Every training episode. */
  readonly episodes: readonly EpisodeRow[];
  /** Every evaluation. */
  readonly evals: readonly EvalRow[];
  /** Wall-clock seconds. */
  readonly wallSeconds: number;
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
};

/** Uniformly random action inside the bounds. */
function randomAction(key: Key, env: Env<unknown>): Float32Array {
  const u = uniform(key, env.actionSize);
  return u.map((x, i) => env.actionLow[i] + x * (env.actionHigh[i] - env.actionLow[i]));
}

/**
 * The agent a training configuration asks for, sized for an environment.
 *
 * @param config the run configuration
 * @param env the environment
 * @returns the agent
 */
export function agentFor(config: TrainConfig, env: Env<unknown>): Agent<unknown> {
  const sizes = {
    observationSize: env.observationSize,
    actionSize: env.actionSize,
    bounds: { low: env.actionLow, high: env.actionHigh },
  };
  const common = {
    ...sizes,
    hidden: config.hidden,
    actorLr: config.actorLr,
    criticLr: config.criticLr,
    gamma: config.gamma,
    tau: config.tau,
  };
  switch (config.algo) {
    case "td3":
      return makeTd3({
        ...common,
        policyNoise: config.policyNoise,
        noiseClip: config.noiseClip,
        policyDelay: config.policyDelay,
        explorationNoise: config.explorationNoise,
      }) as Agent<unknown>;
    case "sac":
      return makeSac({
        ...common,
        init: config.init,
        alpha: config.alpha,
        alphaLr: config.alphaLr,
        targetEntropy: -env.actionSize,
      }) as Agent<unknown>;
    case "sac-v":
      return makeSacV({
        ...common,
        init: config.init,
        alpha: config.alpha,
        valueLr: config.valueLr,
        policyReg: config.policyReg,
      }) as Agent<unknown>;
  }
}

/** One log field per metric: `critic loss 0.123 | alpha 0.51`. */
function formatMetrics(metrics: Metrics): string {
  return Object.entries(metrics)
    .map(([name, t]) => ` | ${kebabWords(name)} ${t.dataSync()[0].toPrecision(4)}`)
    .join("");
}

function kebabWords(name: string): string {
  return name.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
}

/**
 * Train an agent as configured and write the run folder: `config.json`, `episodes.csv`, `evals.csv`,
 * `timing.csv`, `learning_curve.svg` and the final `checkpoint.safetensors`.
 *
 * @param config a validated configuration
 * @param options output folder and callbacks
 * @returns the episodes and evaluations
 */
export async function train(config: TrainConfig, options: TrainOptions): Promise<TrainSummary> {
  const env = makeEnv(config.env) as Env<unknown>;
  const agent = agentFor(config, env);
  const [initKey, loopKey0, evalKey] = split(keyFromSeed(config.seed), 3);
  const evalKeys = split(evalKey, config.evalEpisodes);
  const buffer = new ReplayBuffer({
    capacity: Math.min(config.bufferSize, config.steps),
    observationSize: env.observationSize,
    actionSize: env.actionSize,
  });
  const path = (name: string) => `${options.out}/${name}`;
  const log = options.log ?? (() => {});
  const title = `${ALGO_NAMES[config.algo]} on ${config.env} (${config.preset}, seed ${config.seed})`;

  let state: unknown = tf.tidy(() => agent.init(initKey) as unknown as tf.TensorContainer);
  let metrics: Metrics | undefined;
  const episodes: EpisodeRow[] = [];
  const evals: EvalRow[] = [];
  const timing: TimingRow[] = [];
  const started = performance.now();
  let lastTiming = { t: started, steps: 0 };

  const [loopKey1, firstReset] = split(loopKey0);
  let loopKey = loopKey1;
  let { state: envState, observation } = env.reset(firstReset);
  let episodeReturn = 0;
  let episodeLength = 0;

  const writeFiles = async () => {
    await writeFileAtomic(path("episodes.csv"), episodesCsv(episodes));
    await writeFileAtomic(path("evals.csv"), evalsCsv(evals));
    await writeFileAtomic(path("timing.csv"), timingCsv(timing));
    await writeFileAtomic(
      path("learning_curve.svg"),
      learningCurveSvg({
        title,
        episodes: episodes.map((e) => ({ totalSteps: e.totalSteps, ret: e.ret })),
        evals,
        reference: REFERENCE[config.env],
      }),
    );
  };

  for (let t = 1; t <= config.steps; t++) {
    const [nextLoop, stepKey] = split(loopKey);
    loopKey = nextLoop;
    const [actKey, sampleKey, resetKey] = split(stepKey, 3);

    const action = t <= config.randomSteps
      ? randomAction(actKey, env)
      : readTensor(() => agent.explore(state, tf.tensor2d(observation, [1, env.observationSize]), actKey));
    const result = env.step(envState, action);
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
      const losses = metrics === undefined ? "" : formatMetrics(metrics);
      log(`episode ${episodes.length} | step ${t} | return ${episodeReturn.toFixed(1)}${losses}`);
      ({ state: envState, observation } = env.reset(resetKey));
      episodeReturn = 0;
      episodeLength = 0;
    } else {
      envState = result.state;
      observation = result.observation;
    }

    if (t > config.learningStarts && buffer.size >= config.batchSize) {
      const previousMetrics = metrics;
      [state, metrics] = step(agent.update, state, buffer.sample(sampleKey, config.batchSize));
      if (previousMetrics !== undefined) tensorsIn(previousMetrics).forEach((x) => x.dispose());
    }

    if (t % config.evalEvery === 0 || t === config.steps) {
      const result = evaluate((o) => agent.act(state, o), { env, keys: evalKeys });
      evals.push({ totalSteps: t, mean: result.mean, std: result.std });
      const now = performance.now();
      timing.push({
        totalSteps: t,
        wallSeconds: (now - started) / 1000,
        stepsPerSecond: ((t - lastTiming.steps) * 1000) / (now - lastTiming.t),
      });
      lastTiming = { t: now, steps: t };
      log(`eval at step ${t}: mean return ${result.mean.toFixed(1)} ± ${result.std.toFixed(1)}`);
      await writeFiles();
    }
    options.progress?.({
      totalSteps: t,
      steps: config.steps,
      lastReturn: episodes.at(-1)?.ret,
      stepsPerSecond: (t * 1000) / (performance.now() - started),
    });
  }

  await writeFileAtomic(path(CHECKPOINT_FILE), encodeCheckpoint(state, config));
  await writeFiles();
  if (metrics !== undefined) tensorsIn(metrics).forEach((x) => x.dispose());
  tensorsIn(state).forEach((x) => x.dispose());
  return { episodes, evals, wallSeconds: (performance.now() - started) / 1000 };
}
