/**
 * Twin Q-networks Q₁, Q₂ over concatenated (observation, action) inputs, and their minimum: the clipped
 * double-Q estimate of TD3 (Fujimoto et al. 2018) and SAC (Haarnoja et al. 2018).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { initMlp, type InitScheme, mlp, type MlpParams } from "./mlp.ts";
import { type Key, split } from "../rng.ts";
import type { Scalar, Tensor2D } from "../tensor.ts";

/** The twin critics Q₁ and Q₂. */
export interface TwinCritics {
  /** Q₁, also the critic TD3's actor maximizes. */
  readonly q1: MlpParams;
  /** Q₂. */
  readonly q2: MlpParams;
}

/** Options of {@link initTwinCritics}. */
export interface TwinCriticsInitOptions {
  /** Observation length. */
  readonly observationSize: number;
  /** Action length. */
  readonly actionSize: number;
  /** Hidden widths. */
  readonly hidden: readonly number[];
  /** Weight initialization, default `"torch"`. */
  readonly init?: InitScheme;
}

/**
 * Two independently initialized critics.
 *
 * @param key the key to consume
 * @param options sizes and initialization
 * @returns the critics
 */
export function initTwinCritics(key: Key, options: TwinCriticsInitOptions): TwinCritics {
  const [k1, k2] = split(key);
  const sizes = [options.observationSize + options.actionSize, ...options.hidden, 1];
  return { q1: initMlp(k1, sizes, { init: options.init }), q2: initMlp(k2, sizes, { init: options.init }) };
}

/**
 * Q(s, a) of one critic.
 *
 * @param critic critic parameters
 * @param sa the batch `[n, obs + act]` of concatenated observations and actions
 * @returns `[n, 1]`
 */
export function qValue(critic: MlpParams, sa: Tensor2D): Tensor2D {
  return mlp(critic, sa);
}

/**
 * Concatenate observations and actions into critic inputs.
 *
 * @param observations `[n, obs]`
 * @param actions `[n, act]`
 * @returns `[n, obs + act]`
 */
export function stateAction(observations: Tensor2D, actions: Tensor2D): Tensor2D {
  return tf.concat([observations, actions], 1);
}

/**
 * min(Q₁, Q₂)(s, a): the clipped double-Q estimate.
 *
 * @param critics the twin critics
 * @param sa critic inputs `[n, obs + act]`
 * @returns `[n, 1]`
 */
export function minQ(critics: TwinCritics, sa: Tensor2D): Tensor2D {
  return tf.minimum(qValue(critics.q1, sa), qValue(critics.q2, sa));
}

/**
 * The summed mean squared errors of both critics against a target: MSE(Q₁, y) + MSE(Q₂, y).
 *
 * @param critics the twin critics
 * @param sa critic inputs `[n, obs + act]`
 * @param y targets `[n, 1]`, treated as constants
 * @returns the scalar loss
 */
export function twinCriticLoss(critics: TwinCritics, sa: Tensor2D, y: Tensor2D): Scalar {
  return tf.add(
    tf.losses.meanSquaredError(y, qValue(critics.q1, sa)),
    tf.losses.meanSquaredError(y, qValue(critics.q2, sa)),
  );
}
