/**
 * Soft Actor-Critic with learned temperature (Haarnoja et al. 2018b, "Soft Actor-Critic Algorithms and
 * Applications"): twin critics with twin Polyak-averaged targets, no value network, and α = exp(log α)
 * tuned toward a target entropy of −|A|. A pure reducer `update(state, batch) -> [state, metrics]`.
 *
 * One update, in order (as Stable-Baselines3 and the PyTorch peer do it): with α from the start of the
 * update, the critics step on y = r + γ(1 − terminated)(min_j Q'_j(s', a') − α log π(a'|s')), a' ~ π(·|s');
 * the policy steps on mean(α log π(ã|s) − min_j Q_j(s, ã)) with ã ~ π(·|s) reparameterized and the updated
 * critics; log α steps on −mean(log α · (log π(ã|s) + target entropy)); the targets move by τ.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Agent, AgentSizes } from "./agent.ts";
import { softPolicyLoss } from "./_soft_policy_loss.ts";
import type { Batch } from "../batch.ts";
import { gradientStep } from "../grad.ts";
import type { InitScheme } from "../nn/mlp.ts";
import {
  type GaussianPolicyParams,
  initGaussianPolicy,
  meanAction,
  sampleActions,
  samplePolicy,
} from "../nn/squashed_gaussian.ts";
import { initTwinCritics, minQ, stateAction, twinCriticLoss, type TwinCritics } from "../nn/twin_critics.ts";
import { adam, type AdamState } from "../optim/adam.ts";
import { incrementalUpdate } from "../optim/transform.ts";
import { type Key, normal, split } from "../rng.ts";
import { treeMap } from "../tree.ts";
import type { Scalar, Tensor, Tensor2D } from "../tensor.ts";
import { log } from "../math.ts";

/** Hyperparameters of SAC with learned temperature. */
export interface SacConfig extends AgentSizes {
  /** Weight initialization. */
  readonly init: InitScheme;
  /** Adam learning rate of the policy. */
  readonly actorLr: number;
  /** Adam learning rate of the critics. */
  readonly criticLr: number;
  /** Adam learning rate of log α. */
  readonly alphaLr: number;
  /** Initial temperature α. */
  readonly alpha: number;
  /** Target entropy; −|A| in the paper. */
  readonly targetEntropy: number;
  /** Discount γ. */
  readonly gamma: number;
  /** Soft target update rate τ. */
  readonly tau: number;
}

/** Everything SAC learns and carries between updates. */
export interface SacState {
  /** The squashed Gaussian policy π_φ. */
  readonly actor: GaussianPolicyParams;
  /** Critics Q_θ₁, Q_θ₂. */
  readonly critics: TwinCritics;
  /** Target critics Q_θ'₁, Q_θ'₂. */
  readonly criticsTarget: TwinCritics;
  /** log α, a scalar. */
  readonly logAlpha: Scalar;
  /** Adam state of the policy. */
  readonly actorOpt: AdamState;
  /** Adam state of both critics. */
  readonly criticOpt: AdamState;
  /** Adam state of log α. */
  readonly alphaOpt: AdamState;
  /** RNG key for the policy samples of the update. */
  readonly key: Key;
  /** Number of updates done. */
  readonly updates: number;
}

/** Options of {@link sacTarget}. */
export interface SacTargetInputs {
  /** The batch. */
  readonly batch: Batch;
  /** Standard-normal draws `[size × actionSize]` for a' ~ π(·|s'). */
  readonly noise: Float32Array;
  /** The temperature α. */
  readonly alpha: Scalar | number;
}

/**
 * The SAC critic target y = r + γ(1 − terminated)(min_j Q'_j(s', a') − α log π(a'|s')), a' ~ π(·|s').
 *
 * @param config hyperparameters
 * @param params policy, target critics and the inputs
 * @returns y, `[size, 1]`
 */
export function sacTarget(
  config: SacConfig,
  params: Pick<SacState, "actor" | "criticsTarget"> & SacTargetInputs,
): Tensor2D {
  const { batch, noise, actor, criticsTarget, alpha } = params;
  const n = batch.size;
  const s2 = tf.tensor2d(batch.nextObservations, [n, config.observationSize]);
  const eps = tf.tensor2d(noise, [n, config.actionSize]);
  const next = samplePolicy(actor, s2, { bounds: config.bounds, noise: eps });
  const soft = tf.sub(minQ(criticsTarget, stateAction(s2, next.action)), tf.mul(alpha, next.logProb));
  const notDone = tf.sub(1, tf.tensor2d(batch.terminated, [n, 1]));
  return tf.add(tf.tensor2d(batch.rewards, [n, 1]), tf.mul(tf.mul(notDone, config.gamma), soft));
}

/**
 * The temperature loss −mean(log α · (log π + target entropy)), log π treated as a constant: its gradient
 * raises α when the policy's entropy (−log π) is below the target and lowers it when above.
 *
 * @param logAlpha log α
 * @param logProb log π(ã|s), `[n, 1]`
 * @param targetEntropy the target entropy
 * @returns the scalar loss
 */
export function temperatureLoss(logAlpha: Scalar, logProb: Tensor, targetEntropy: number): Scalar {
  return tf.neg(tf.mean(tf.mul(logAlpha, tf.add(logProb, targetEntropy))));
}

/** A SAC agent: the generic {@link Agent} plus its config. */
export interface SacAgent extends Agent<SacState> {
  /** The hyperparameters. */
  readonly config: SacConfig;
}

/**
 * Build a SAC agent from its hyperparameters.
 *
 * @param config hyperparameters
 * @returns the agent
 */
export function makeSac(config: SacConfig): SacAgent {
  const { observationSize: obs, actionSize: act, hidden, bounds } = config;
  const actorOptimizer = adam({ lr: config.actorLr });
  const criticOptimizer = adam({ lr: config.criticLr });
  const alphaOptimizer = adam({ lr: config.alphaLr });

  const init = (key: Key): SacState => {
    const [kActor, kCritics, kState] = split(key, 3);
    const sizes = { observationSize: obs, actionSize: act, hidden, init: config.init };
    const actor = initGaussianPolicy(kActor, sizes);
    const critics = initTwinCritics(kCritics, sizes);
    const logAlpha = tf.scalar(log(config.alpha));
    return {
      actor,
      critics,
      criticsTarget: treeMap((p) => tf.clone(p), critics),
      logAlpha,
      actorOpt: actorOptimizer.init(actor),
      criticOpt: criticOptimizer.init(critics),
      alphaOpt: alphaOptimizer.init(logAlpha),
      key: kState,
      updates: 0,
    };
  };

  const update = (state: SacState, batch: Batch): readonly [SacState, Record<string, Scalar>] => {
    const [key, nextKey, piKey] = split(state.key, 3);
    const n = batch.size;
    const alpha = tf.exp(state.logAlpha) as Scalar;
    const y = sacTarget(config, { ...state, batch, alpha, noise: normal(nextKey, n * act) });
    const s = tf.tensor2d(batch.observations, [n, obs]);
    const sa = stateAction(s, tf.tensor2d(batch.actions, [n, act]));
    const criticStep = gradientStep(criticOptimizer, (c: TwinCritics) => twinCriticLoss(c, sa, y))(
      state.critics,
      state.criticOpt,
    );

    const eps = tf.tensor2d(normal(piKey, n * act), [n, act]);
    const actorLoss = (actor: GaussianPolicyParams): Scalar =>
      softPolicyLoss(actor, { critics: criticStep.params, observations: s, noise: eps, alpha, bounds });
    const actorStep = gradientStep(actorOptimizer, actorLoss)(state.actor, state.actorOpt);
    // log π(ã|s) of the same sample under the policy the actor step started from, as a constant.
    const logProb = samplePolicy(state.actor, s, { bounds, noise: eps }).logProb;
    const alphaStep = gradientStep(
      alphaOptimizer,
      (logAlpha: Scalar) => temperatureLoss(logAlpha, logProb, config.targetEntropy),
    )(state.logAlpha, state.alphaOpt);

    return [{
      actor: actorStep.params,
      critics: criticStep.params,
      criticsTarget: incrementalUpdate(state.criticsTarget, criticStep.params, config.tau),
      logAlpha: alphaStep.params,
      actorOpt: actorStep.optState,
      criticOpt: criticStep.optState,
      alphaOpt: alphaStep.optState,
      key,
      updates: state.updates + 1,
    }, {
      criticLoss: criticStep.loss,
      actorLoss: actorStep.loss,
      alphaLoss: alphaStep.loss,
      alpha,
      entropy: tf.neg(tf.mean(logProb)) as Scalar,
    }];
  };

  return {
    name: "sac",
    config,
    init,
    update,
    act: (state, o) => meanAction(state.actor, o, bounds),
    sample: (state, o, key) => sampleActions(state.actor, o, { bounds, key }),
  };
}
