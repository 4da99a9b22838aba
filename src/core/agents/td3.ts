/**
 * TD3, Twin Delayed DDPG (Fujimoto, van Hoof & Meger 2018): clipped double-Q learning, delayed policy
 * updates, target policy smoothing and soft target updates, as a pure reducer
 * `update(state, batch) -> [state, metrics]` over an immutable {@link Td3State}.
 *
 * Tensor memory is not managed here: the runtime calls the reducer inside `tf.tidy` and disposes the
 * tensors of the previous state that the new state no longer holds.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Batch } from "../batch.ts";
import { gradientStep } from "../grad.ts";
import type { Agent, AgentSizes } from "./agent.ts";
import { type ActionBounds, clipToBounds, halfRange, rescale } from "../nn/action_bounds.ts";
import { initMlp, mlp, type MlpParams } from "../nn/mlp.ts";
import {
  initTwinCritics,
  minQ,
  qValue,
  stateAction,
  twinCriticLoss,
  type TwinCritics,
} from "../nn/twin_critics.ts";
import { adam, type AdamState } from "../optim/adam.ts";
import { incrementalUpdate } from "../optim/transform.ts";
import { type Key, normal, split } from "../rng.ts";
import { treeMap } from "../tree.ts";
import type { Scalar, Tensor2D } from "../tensor.ts";

/** Hyperparameters of TD3 (validated at the edge; the reducer trusts them). */
export interface Td3Config extends AgentSizes {
  /** Adam learning rate of the actor. */
  readonly actorLr: number;
  /** Adam learning rate of the critics. */
  readonly criticLr: number;
  /** Discount γ. */
  readonly gamma: number;
  /** Soft target update rate τ. */
  readonly tau: number;
  /** Target smoothing noise σ, as a fraction of the action half-range. */
  readonly policyNoise: number;
  /** Target smoothing noise clip c, as a fraction of the action half-range. */
  readonly noiseClip: number;
  /** Critic updates per actor (and target) update, d. */
  readonly policyDelay: number;
}

/**
 * The TD3 paper's hyperparameters (Fujimoto et al. 2018, their reference code): 400-300 nets, Adam 1e-3,
 * γ 0.99, τ 0.005, smoothing σ 0.2 clipped at 0.5 (fractions of the action half-range), delay 2; their
 * exploration (Gaussian, σ 0.1) is `makeExploration`'s. Spread it and add the environment's sizes:
 * `makeTd3({ ...TD3_DEFAULTS, observationSize, actionSize, bounds })`.
 */
export const TD3_DEFAULTS = {
  hidden: [400, 300],
  actorLr: 1e-3,
  criticLr: 1e-3,
  gamma: 0.99,
  tau: 0.005,
  policyNoise: 0.2,
  noiseClip: 0.5,
  policyDelay: 2,
} as const satisfies Partial<Td3Config>;

/** Everything TD3 learns and carries between updates. */
export interface Td3State {
  /** Actor μ_φ. */
  readonly actor: MlpParams;
  /** Target actor μ_φ'. */
  readonly actorTarget: MlpParams;
  /** Critics Q_θ₁, Q_θ₂. */
  readonly critics: TwinCritics;
  /** Target critics Q_θ'₁, Q_θ'₂. */
  readonly criticsTarget: TwinCritics;
  /** Adam state of the actor. */
  readonly actorOpt: AdamState;
  /** Adam state of both critics (one optimizer over both is the same as one each: Adam is per-leaf). */
  readonly criticOpt: AdamState;
  /** RNG key for target smoothing noise. */
  readonly key: Key;
  /** Number of updates done. */
  readonly updates: number;
}

/**
 * The deterministic policy μ(s) = rescale(tanh(MLP(s))).
 *
 * @param actor actor parameters
 * @param observations batch `[n, obs]`
 * @param bounds action bounds
 * @returns actions `[n, act]` inside the bounds
 */
export function policy(actor: MlpParams, observations: Tensor2D, bounds: ActionBounds): Tensor2D {
  return rescale(tf.tanh(mlp(actor, observations)), bounds);
}

/** Options of {@link td3Target}. */
export interface Td3TargetInputs {
  /** The batch. */
  readonly batch: Batch;
  /** Standard-normal draws `[size × actionSize]` for target smoothing. */
  readonly noise: Float32Array;
}

/**
 * The TD3 critic target
 * y = r + γ(1 − terminated)·min_j Q'_j(s', clip(μ'(s') + clip(σ·h·ε, ±c·h), bounds)), with h the action
 * half-range and ε ~ N(0, 1) given.
 *
 * @param config hyperparameters
 * @param params target networks and the inputs
 * @returns y, `[size, 1]`
 */
export function td3Target(
  config: Td3Config,
  params: Pick<Td3State, "actorTarget" | "criticsTarget"> & Td3TargetInputs,
): Tensor2D {
  const { batch, noise, actorTarget, criticsTarget } = params;
  const n = batch.size;
  const s2 = tf.tensor2d(batch.nextObservations, [n, config.observationSize]);
  const eps = tf.tensor2d(noise, [n, config.actionSize]);
  const smoothing = tf.mul(
    tf.clipByValue(tf.mul(eps, config.policyNoise), -config.noiseClip, config.noiseClip),
    tf.tensor1d(halfRange(config.bounds)),
  );
  const a2 = clipToBounds(tf.add(policy(actorTarget, s2, config.bounds), smoothing), config.bounds);
  const next = minQ(criticsTarget, stateAction(s2, a2));
  const r = tf.tensor2d(batch.rewards, [n, 1]);
  const notDone = tf.sub(1, tf.tensor2d(batch.terminated, [n, 1]));
  return tf.add(r, tf.mul(tf.mul(notDone, config.gamma), next));
}

/** A TD3 agent: the generic {@link Agent} plus its config. */
export interface Td3Agent extends Agent<Td3State> {
  /** The hyperparameters. */
  readonly config: Td3Config;
}

/**
 * Build a TD3 agent from its hyperparameters.
 *
 * @param config hyperparameters
 * @returns the agent
 */
export function makeTd3(config: Td3Config): Td3Agent {
  const { observationSize: obs, actionSize: act, hidden, bounds } = config;
  const actorOptimizer = adam({ lr: config.actorLr });
  const criticOptimizer = adam({ lr: config.criticLr });

  const init = (key: Key): Td3State => {
    const [kActor, kCritics, kState] = split(key, 3);
    const actor = initMlp(kActor, [obs, ...hidden, act]);
    const critics = initTwinCritics(kCritics, { observationSize: obs, actionSize: act, hidden });
    return {
      actor,
      actorTarget: treeMap((p) => tf.clone(p), actor),
      critics,
      criticsTarget: treeMap((p) => tf.clone(p), critics),
      actorOpt: actorOptimizer.init(actor),
      criticOpt: criticOptimizer.init(critics),
      key: kState,
      updates: 0,
    };
  };

  const update = (state: Td3State, batch: Batch): readonly [Td3State, Record<string, Scalar>] => {
    const [key, noiseKey] = split(state.key);
    const n = batch.size;
    const y = td3Target(config, { ...state, batch, noise: normal(noiseKey, n * act) });
    const s = tf.tensor2d(batch.observations, [n, obs]);
    const sa = stateAction(s, tf.tensor2d(batch.actions, [n, act]));
    const criticStep = gradientStep(criticOptimizer, (c: TwinCritics) => twinCriticLoss(c, sa, y))(
      state.critics,
      state.criticOpt,
    );
    const updates = state.updates + 1;
    const afterCritic: Td3State = {
      ...state,
      critics: criticStep.params,
      criticOpt: criticStep.optState,
      key,
      updates,
    };
    if (updates % config.policyDelay !== 0) return [afterCritic, { criticLoss: criticStep.loss }];

    const actorLoss = (actor: MlpParams): Scalar =>
      tf.neg(tf.mean(qValue(afterCritic.critics.q1, stateAction(s, policy(actor, s, bounds)))));
    const actorStep = gradientStep(actorOptimizer, actorLoss)(state.actor, state.actorOpt);
    return [{
      ...afterCritic,
      actor: actorStep.params,
      actorOpt: actorStep.optState,
      actorTarget: incrementalUpdate(state.actorTarget, actorStep.params, config.tau),
      criticsTarget: incrementalUpdate(state.criticsTarget, afterCritic.critics, config.tau),
    }, { criticLoss: criticStep.loss, actorLoss: actorStep.loss }];
  };

  return {
    name: "td3",
    config,
    init,
    update,
    act: (state, o) => policy(state.actor, o, bounds),
  };
}
