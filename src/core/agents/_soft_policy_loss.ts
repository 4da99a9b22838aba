/**
 * The maximum-entropy policy loss both SAC forms share (Haarnoja et al. 2018a, eq. 12 with the
 * reparameterization of eq. 11): mean over the batch of α log π(ã|s) − min_j Q_j(s, ã), ã = f(ε; s).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ActionBounds } from "../nn/action_bounds.ts";
import { type GaussianPolicyParams, samplePolicy } from "../nn/squashed_gaussian.ts";
import { minQ, stateAction, type TwinCritics } from "../nn/twin_critics.ts";

/** What the soft policy loss holds fixed while the policy is differentiated. */
export interface SoftPolicyLossInputs {
  /** The critics (constants here). */
  readonly critics: TwinCritics;
  /** Observations s, `[n, obs]`. */
  readonly observations: tf.Tensor2D;
  /** Standard-normal draws ε, `[n, act]`. */
  readonly noise: tf.Tensor2D;
  /** The temperature α. */
  readonly alpha: tf.Scalar | number;
  /** Action bounds. */
  readonly bounds: ActionBounds;
}

/**
 * mean(α log π(ã|s) − min_j Q_j(s, ã)) for the reparameterized sample ã.
 *
 * @param actor the policy being differentiated
 * @param inputs critics, batch, noise, α and bounds
 * @returns the scalar loss
 */
export function softPolicyLoss(actor: GaussianPolicyParams, inputs: SoftPolicyLossInputs): tf.Scalar {
  const { critics, observations: s, noise, alpha, bounds } = inputs;
  const pi = samplePolicy(actor, s, { bounds, noise });
  return tf.mean(tf.sub(tf.mul(alpha, pi.logProb), minQ(critics, stateAction(s, pi.action))));
}
