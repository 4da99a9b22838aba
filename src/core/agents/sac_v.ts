/**
 * Soft Actor-Critic with a state-value network and fixed temperature, as in the lecture and Haarnoja et al.
 * 2018a ("Soft Actor-Critic: Off-Policy Maximum Entropy Deep RL with a Stochastic Actor"): twin critics Q₁,
 * Q₂, a value network V with a Polyak-averaged target V', and a squashed Gaussian policy. A pure reducer
 * `update(state, batch) -> [state, metrics]`.
 *
 * One update, in order (the lecture's): the critics step on y_q = r + γ(1 − terminated)·V'(s'); the policy
 * steps on mean(α log π(ã|s) − min_j Q_j(s, ã)) (+ an optional penalty on the Gaussian's mean and log σ) with
 * ã ~ π(·|s) reparameterized and the updated critics; V steps on its squared error to
 * y_v = min_j Q_j(s, ã) − α log π(ã|s), from the same fresh sample ã; V' moves by τ.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Agent, AgentSizes } from "./agent.ts";
import { softPolicyLoss } from "./_soft_policy_loss.ts";
import type { Batch } from "../batch.ts";
import { gradientStep } from "../grad.ts";
import { initMlp, type InitScheme, mlp, type MlpParams } from "../nn/mlp.ts";
import {
  gaussianHeads,
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
import type { Scalar, Tensor2D } from "../tensor.ts";

/** Hyperparameters of the value-network SAC. */
export interface SacVConfig extends AgentSizes {
  /** Weight initialization. */
  readonly init: InitScheme;
  /** Adam learning rate of the policy. */
  readonly actorLr: number;
  /** Adam learning rate of the critics. */
  readonly criticLr: number;
  /** Adam learning rate of the value network. */
  readonly valueLr: number;
  /** The fixed temperature α. */
  readonly alpha: number;
  /** Weight of the lecture's optional penalty mean(mean²) + mean(log σ²) on the policy; 0 turns it off. */
  readonly policyReg: number;
  /** Discount γ. */
  readonly gamma: number;
  /** Soft target update rate τ of V'. */
  readonly tau: number;
}

/** Everything the value-network SAC learns and carries between updates. */
export interface SacVState {
  /** The squashed Gaussian policy π_φ. */
  readonly actor: GaussianPolicyParams;
  /** Critics Q_θ₁, Q_θ₂. */
  readonly critics: TwinCritics;
  /** Value network V_ψ. */
  readonly value: MlpParams;
  /** Target value network V_ψ'. */
  readonly valueTarget: MlpParams;
  /** Adam state of the policy. */
  readonly actorOpt: AdamState;
  /** Adam state of both critics. */
  readonly criticOpt: AdamState;
  /** Adam state of V. */
  readonly valueOpt: AdamState;
  /** RNG key for the policy samples of the update. */
  readonly key: Key;
  /** Number of updates done. */
  readonly updates: number;
}

/**
 * The critic target y_q = r + γ(1 − terminated)·V'(s').
 *
 * @param config hyperparameters
 * @param params the target value network and the batch
 * @returns y_q, `[size, 1]`
 */
export function sacVCriticTarget(
  config: SacVConfig,
  params: Pick<SacVState, "valueTarget"> & { readonly batch: Batch },
): Tensor2D {
  const { batch, valueTarget } = params;
  const n = batch.size;
  const next = mlp(valueTarget, tf.tensor2d(batch.nextObservations, [n, config.observationSize]));
  const notDone = tf.sub(1, tf.tensor2d(batch.terminated, [n, 1]));
  return tf.add(tf.tensor2d(batch.rewards, [n, 1]), tf.mul(tf.mul(notDone, config.gamma), next));
}

/**
 * The value target y_v = min_j Q_j(s, ã) − α log π(ã|s) for a policy sample ã.
 *
 * @param critics the critics
 * @param inputs critic inputs (s, ã), log π(ã|s) and α
 * @returns y_v, `[n, 1]`
 */
export function sacVValueTarget(
  critics: TwinCritics,
  inputs: { readonly sa: Tensor2D; readonly logProb: Tensor2D; readonly alpha: number },
): Tensor2D {
  return tf.sub(minQ(critics, inputs.sa), tf.mul(inputs.alpha, inputs.logProb));
}

/** A value-network SAC agent: the generic {@link Agent} plus its config. */
export interface SacVAgent extends Agent<SacVState> {
  /** The hyperparameters. */
  readonly config: SacVConfig;
}

/**
 * Build a value-network SAC agent from its hyperparameters.
 *
 * @param config hyperparameters
 * @returns the agent
 */
export function makeSacV(config: SacVConfig): SacVAgent {
  const { observationSize: obs, actionSize: act, hidden, bounds, alpha } = config;
  const actorOptimizer = adam({ lr: config.actorLr });
  const criticOptimizer = adam({ lr: config.criticLr });
  const valueOptimizer = adam({ lr: config.valueLr });

  const init = (key: Key): SacVState => {
    const [kActor, kCritics, kValue, kState] = split(key, 4);
    const sizes = { observationSize: obs, actionSize: act, hidden, init: config.init };
    const actor = initGaussianPolicy(kActor, sizes);
    const critics = initTwinCritics(kCritics, sizes);
    const value = initMlp(kValue, [obs, ...hidden, 1], { init: config.init });
    return {
      actor,
      critics,
      value,
      valueTarget: treeMap((p) => tf.clone(p), value),
      actorOpt: actorOptimizer.init(actor),
      criticOpt: criticOptimizer.init(critics),
      valueOpt: valueOptimizer.init(value),
      key: kState,
      updates: 0,
    };
  };

  const update = (state: SacVState, batch: Batch): readonly [SacVState, Record<string, Scalar>] => {
    const [key, piKey] = split(state.key);
    const n = batch.size;
    const yq = sacVCriticTarget(config, { ...state, batch });
    const s = tf.tensor2d(batch.observations, [n, obs]);
    const sa = stateAction(s, tf.tensor2d(batch.actions, [n, act]));
    const criticStep = gradientStep(criticOptimizer, (c: TwinCritics) => twinCriticLoss(c, sa, yq))(
      state.critics,
      state.criticOpt,
    );
    const critics = criticStep.params;

    const eps = tf.tensor2d(normal(piKey, n * act), [n, act]);
    const actorLoss = (actor: GaussianPolicyParams): Scalar => {
      const loss = softPolicyLoss(actor, { critics, observations: s, noise: eps, alpha, bounds });
      if (config.policyReg === 0) return loss as Scalar;
      const { mean, logStd } = gaussianHeads(actor, s);
      return tf.add(
        loss,
        tf.mul(config.policyReg, tf.add(tf.mean(tf.square(mean)), tf.mean(tf.square(logStd)))),
      );
    };
    const actorStep = gradientStep(actorOptimizer, actorLoss)(state.actor, state.actorOpt);

    // The value target uses the same fresh sample ã, under the policy the actor step started from.
    const pi = samplePolicy(state.actor, s, { bounds, noise: eps });
    const yv = sacVValueTarget(critics, { sa: stateAction(s, pi.action), logProb: pi.logProb, alpha });
    const valueStep = gradientStep(
      valueOptimizer,
      (v: MlpParams) => tf.losses.meanSquaredError(yv, mlp(v, s)) as Scalar,
    )(state.value, state.valueOpt);

    return [{
      actor: actorStep.params,
      critics,
      value: valueStep.params,
      valueTarget: incrementalUpdate(state.valueTarget, valueStep.params, config.tau),
      actorOpt: actorStep.optState,
      criticOpt: criticStep.optState,
      valueOpt: valueStep.optState,
      key,
      updates: state.updates + 1,
    }, {
      criticLoss: criticStep.loss,
      actorLoss: actorStep.loss,
      valueLoss: valueStep.loss,
      entropy: tf.neg(tf.mean(pi.logProb)) as Scalar,
    }];
  };

  return {
    name: "sac-v",
    config,
    init,
    update,
    act: (state, o) => meanAction(state.actor, o, bounds),
    sample: (state, o, key) => sampleActions(state.actor, o, { bounds, key }),
  };
}
