/**
 * The training loop as a pure step: `loopStep(context, state, replay) -> [state, events]` takes one
 * environment step — act (uniformly at random during the first `randomSteps`, otherwise the behaviour
 * policy plus the exploration noise), step the environment, episode bookkeeping, one agent update on a batch
 * sampled as if this step's transition were already stored — and says what needs an effect: the transition
 * to store, the episode that ended, whether an evaluation or a checkpoint is due, or a non-finite value that
 * stops the run. It reads the replay buffer and never writes it; it uses no Deno API, no clock and no
 * global random source, so the same state gives the same step anywhere (a Web Worker included). The shell
 * (`train.ts`) performs the effects.
 *
 * The step is pure when the environment is (every environment of `src/envs` except the Box2D ones, whose
 * world lives in a session: they are stepped through `sessionEnv`, and their `envState` is `undefined`).
 * Tensor memory is the caller's, as for every reducer: the step allocates tensors (the new agent state,
 * temporaries), and the shell runs it in a scope that keeps the new agent state and frees the rest.
 *
 * Key streams: the loop key splits into the next loop key and a step key; the step key into the action key
 * (split again into policy and noise keys when both the policy and the noise draw), the replay-sample key
 * and the reset key of an episode that ends at this step.
 *
 * @module
 */
import { type Learner, tfjsLearner } from "../core/agents/learner.ts";
import { makeAgent } from "../core/agents/make_agent.ts";
import { type Exploration, makeExploration, type NoiseState } from "../core/exploration/exploration.ts";
import { foldIn, type Key, split, uniform } from "../core/rng.ts";
import type { TrainConfig } from "../config/train_config.ts";
import type { Env, EnvSpec, StepResult } from "../envs/env.ts";
import type { EpisodeRow, EvalRow } from "../formats/run_files.ts";
import type { ReplayBuffer, Transition } from "../replay/buffer.ts";

/** What a step needs besides its state: the run's configuration, environment, agent and exploration. */
export interface LoopContext {
  /** The run's configuration. */
  readonly config: TrainConfig;
  /** The environment, as pure functions (or a session behind them, see the module notes). */
  readonly env: Env<unknown>;
  /** The agent the configuration asks for, as a learner on host arrays (tfjs's or the fused engine's). */
  readonly agent: Learner<unknown>;
  /** The exploration noise the configuration asks for. */
  readonly exploration: Exploration;
}

/** Where a training run stands between two steps: everything the loop carries. */
export interface LoopState {
  /** Environment steps done. */
  readonly step: number;
  /** Key of the loop stream for the next step. */
  readonly key: Key;
  /** The agent state (tensors, or the engine's arenas). */
  readonly agent: unknown;
  /** State of the environment's current episode (`undefined` for a session-backed environment). */
  readonly envState: unknown;
  /** Its observation. */
  readonly observation: Float32Array;
  /** Return of the current episode so far. */
  readonly episodeReturn: number;
  /** Steps of the current episode so far. */
  readonly episodeLength: number;
  /** Updates happen at steps after this one (`learningStarts`, later after a resume without buffer). */
  readonly updatesFrom: number;
  /** State of the exploration noise (Ornstein-Uhlenbeck's process; `undefined` for the others). */
  readonly noise: NoiseState;
  /** Every finished training episode. */
  readonly episodes: readonly EpisodeRow[];
  /** Every evaluation on the `evalEvery` grid (the extra one at the end of a run is not carried). */
  readonly evals: readonly EvalRow[];
  /** The metrics of the last update, for the log (none before the first update of this process). */
  readonly metrics: Readonly<Record<string, number>>;
}

/**
 * The loop's part of a checkpoint: {@link LoopState} without the agent (stored as tensors beside it) and the
 * metrics, as plain JSON, in the field order of the checkpoint format.
 */
export interface LoopRecord {
  /** Environment steps done. */
  readonly step: number;
  /** Key of the loop stream for the next step. */
  readonly key: Key;
  /** State of the environment's current episode; absent when the environment cannot save it. */
  readonly envState?: unknown;
  /** Its observation. */
  readonly observation: readonly number[];
  /** Return of the current episode so far. */
  readonly episodeReturn: number;
  /** Steps of the current episode so far. */
  readonly episodeLength: number;
  /** Updates happen at steps after this one. */
  readonly updatesFrom: number;
  /** Every finished training episode. */
  readonly episodes: readonly EpisodeRow[];
  /** Every evaluation on the `evalEvery` grid. */
  readonly evals: readonly EvalRow[];
  /** State of the Ornstein-Uhlenbeck exploration noise (`noiseType: "ou"` only). */
  readonly noise?: readonly number[];
}

/** What a step asks of the shell. */
export interface StepEvents {
  /** The transition to store in the replay buffer (absent when the step stopped before the env step). */
  readonly transition?: Transition;
  /** The training episode that ended at this step. */
  readonly episode?: EpisodeRow;
  /** A quantity that stopped being finite (`action`, `reward`, `critic loss`, …): the run must stop. */
  readonly fault?: string;
  /** Evaluate now: on the `evalEvery` grid, or at the last step. */
  readonly evaluate: boolean;
  /** Keep the evaluation in {@link LoopState.evals} (true on the grid; the last step's extra one is not). */
  readonly keepEvaluation: boolean;
  /** Write the checkpoint now: every `checkpointEvery` steps, and at the last step. */
  readonly checkpoint: boolean;
  /** Rewrite the run's log files now (with an evaluation or a checkpoint). */
  readonly writeLogs: boolean;
  /** This was the run's last step. */
  readonly done: boolean;
}

/** The replay buffer as the step reads it. */
export type ReplayReader = Pick<ReplayBuffer, "size" | "options" | "sampleWith">;

/**
 * The exploration noise a configuration asks for (`--noise-type`, `--exploration-noise`); the value-network
 * SAC has none.
 *
 * @param config the run's configuration
 * @param env the environment's spaces
 * @returns the exploration
 */
export function explorationFor(config: TrainConfig, env: EnvSpec): Exploration {
  const bounds = { actionLow: env.actionLow, actionHigh: env.actionHigh };
  return config.algo === "sac-v"
    ? makeExploration({ kind: "none", sigma: 0, ...bounds })
    : makeExploration({ kind: config.noiseType, sigma: config.explorationNoise, ...bounds });
}

/**
 * The context of a run: its agent and exploration built once from the configuration.
 *
 * @param config the run's configuration
 * @param env the environment
 * @param agent the learner to drive, by default the tfjs agent the configuration asks for
 * @returns the context
 */
export function loopContext(
  config: TrainConfig,
  env: Env<unknown>,
  agent: Learner<unknown> = tfjsLearner(makeAgent(config, env), env.observationSize),
): LoopContext {
  return { config, env, agent, exploration: explorationFor(config, env) };
}

/**
 * The loop before its first step: the first episode is reset from the loop key's first split.
 *
 * @param context the run's context
 * @param loopKey the loop stream's key
 * @param agent the initial agent state
 * @returns the state
 */
export function initialLoop(context: LoopContext, loopKey: Key, agent: unknown): LoopState {
  const [key, firstReset] = split(loopKey);
  const { state, observation } = context.env.reset(firstReset);
  return {
    step: 0,
    key,
    agent,
    envState: state,
    observation,
    episodeReturn: 0,
    episodeLength: 0,
    updatesFrom: context.config.learningStarts,
    noise: context.exploration.init(),
    episodes: [],
    evals: [],
    metrics: {},
  };
}

/**
 * The loop state a checkpoint's record continues from. An episode the record could not save (a
 * session-backed environment) restarts from a fold of the loop key. Without the replay buffer, updates
 * wait for `max(learningStarts, batchSize)` fresh transitions.
 *
 * @param context the run's context
 * @param record the checkpoint's loop record
 * @param agent the checkpoint's agent state
 * @param withReplay whether the replay buffer was restored too
 * @returns the state
 */
export function resumedLoop(
  context: LoopContext,
  record: LoopRecord,
  agent: unknown,
  withReplay: boolean,
): LoopState {
  const { config, env, exploration } = context;
  const saved = record.envState !== undefined && record.envState !== null;
  const episode = saved
    ? {
      envState: record.envState,
      observation: Float32Array.from(record.observation),
      episodeReturn: record.episodeReturn,
      episodeLength: record.episodeLength,
      noise: record.noise ?? exploration.init(),
    }
    : { ...newEpisode(env.reset(foldIn(record.key, 1))), noise: exploration.init() };
  const wait = Math.max(config.learningStarts, config.batchSize);
  return {
    step: record.step,
    key: record.key,
    agent,
    ...episode,
    updatesFrom: withReplay ? record.updatesFrom : Math.max(record.updatesFrom, record.step + wait),
    episodes: record.episodes,
    evals: record.evals,
    metrics: {},
  };
}

/**
 * The checkpoint's record of a loop state.
 *
 * @param state the loop state
 * @returns the record (plain JSON but for `-0`, which the checkpoint format keeps)
 */
export function loopRecord(state: LoopState): LoopRecord {
  return {
    step: state.step,
    key: state.key,
    envState: state.envState,
    observation: [...state.observation],
    episodeReturn: state.episodeReturn,
    episodeLength: state.episodeLength,
    updatesFrom: state.updatesFrom,
    episodes: state.episodes,
    evals: state.evals,
    ...(state.noise === undefined ? {} : { noise: state.noise }),
  };
}

/**
 * Add an evaluation to the state's log (the shell evaluates when {@link StepEvents.evaluate} asks).
 *
 * @param state the loop state
 * @param row the evaluation
 * @returns the new state
 */
export function withEvaluation(state: LoopState, row: EvalRow): LoopState {
  return { ...state, evals: [...state.evals, row] };
}

/**
 * One environment step of training.
 *
 * @param context the run's context
 * @param state where the loop stands (not mutated)
 * @param replay the replay buffer, read only
 * @returns the new state and what the shell must do
 */
export function loopStep(
  context: LoopContext,
  state: LoopState,
  replay: ReplayReader,
): readonly [LoopState, StepEvents] {
  const { config, env } = context;
  const t = state.step + 1;
  const [key, stepKey] = split(state.key);
  const [actKey, sampleKey, resetKey] = split(stepKey, 3);
  const due = schedule(config, t);
  const stopped = (fault: string) => [state, { ...due, fault }] as const;

  const [noise, action] = t <= config.randomSteps
    ? [state.noise, randomAction(actKey, env)] as const
    : behaviour(context, state, actKey);
  if (!allFinite(action)) return stopped("action");
  const result = env.step(state.envState, action);
  if (!allFinite(result.observation)) return stopped("observation");
  if (!Number.isFinite(result.reward)) return stopped("reward");
  const transition: Transition = {
    observation: state.observation,
    action,
    reward: result.reward,
    nextObservation: result.observation,
    terminated: result.terminated,
  };
  const [stepped, episode] = bookkeep(context, { ...state, step: t, key, noise }, result, resetKey);

  const stored = Math.min(replay.size + 1, replay.options.capacity);
  if (t <= state.updatesFrom || stored < config.batchSize) {
    return [stepped, { ...due, transition, episode }];
  }
  const batch = replay.sampleWith(sampleKey, config.batchSize, transition);
  const [agent, metrics] = context.agent.update(state.agent, batch);
  const updated = { ...stepped, agent, metrics };
  const bad = Object.entries(metrics).find(([, v]) => !Number.isFinite(v));
  return [updated, { ...due, transition, episode, ...(bad === undefined ? {} : { fault: words(bad[0]) }) }];
}

/**
 * What is due after step `t`: evaluations on the `evalEvery` grid and at the end, checkpoints every
 * `checkpointEvery` steps (0: never) and at the end, the log files with either.
 *
 * @param config the run's configuration
 * @param t the step just taken
 * @returns the schedule's part of the step's events
 */
export function schedule(
  config: Pick<TrainConfig, "steps" | "evalEvery" | "checkpointEvery">,
  t: number,
): Pick<StepEvents, "evaluate" | "keepEvaluation" | "checkpoint" | "writeLogs" | "done"> {
  const onGrid = t % config.evalEvery === 0;
  const done = t === config.steps;
  const checkpoint = done || (config.checkpointEvery > 0 && t % config.checkpointEvery === 0);
  return {
    evaluate: onGrid || done,
    keepEvaluation: onGrid,
    checkpoint,
    writeLogs: checkpoint || onGrid,
    done,
  };
}

/**
 * A metric's name in words, for messages: `criticLoss` → `critic loss`.
 *
 * @param name a camel-case name
 * @returns its words
 */
export function words(name: string): string {
  return name.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
}

/** The behaviour action: the policy's (its sample when stochastic), then the exploration noise. */
function behaviour(context: LoopContext, state: LoopState, key: Key): readonly [NoiseState, Float32Array] {
  const { agent, exploration } = context;
  const sample = agent.sample;
  // Each random source gets a key of its own; one alone gets the action key itself.
  const [policyKey, noiseKey] = sample !== undefined && exploration.draws ? split(key) : [key, key];
  const action = sample === undefined
    ? agent.act(state.agent, state.observation, 1)
    : sample(state.agent, state.observation, 1, policyKey);
  return exploration.sample(state.noise, action, noiseKey);
}

/** Add the step's reward; at the end of an episode, log it and reset the environment and the noise. */
function bookkeep(
  context: LoopContext,
  state: LoopState,
  result: StepResult<unknown>,
  resetKey: Key,
): readonly [LoopState, EpisodeRow | undefined] {
  const episodeReturn = state.episodeReturn + result.reward;
  const episodeLength = state.episodeLength + 1;
  if (!result.terminated && !result.truncated) {
    return [{
      ...state,
      envState: result.state,
      observation: result.observation,
      episodeReturn,
      episodeLength,
    }, undefined];
  }
  const episode = {
    episode: state.episodes.length + 1,
    totalSteps: state.step,
    ret: episodeReturn,
    length: episodeLength,
  };
  const next = { ...newEpisode(context.env.reset(resetKey)), noise: context.exploration.init() };
  return [{ ...state, ...next, episodes: [...state.episodes, episode] }, episode];
}

/** The episode fields of a freshly reset environment. */
function newEpisode(reset: { readonly state: unknown; readonly observation: Float32Array }) {
  return { envState: reset.state, observation: reset.observation, episodeReturn: 0, episodeLength: 0 };
}

/** A uniformly random action inside the bounds. */
function randomAction(key: Key, env: EnvSpec): Float32Array {
  const u = uniform(key, env.actionSize);
  return u.map((x, i) => env.actionLow[i] + x * (env.actionHigh[i] - env.actionLow[i]));
}

const allFinite = (xs: ArrayLike<number>) => Array.prototype.every.call(xs, Number.isFinite);
