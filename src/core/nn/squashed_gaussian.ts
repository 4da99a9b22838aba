/**
 * The squashed Gaussian policy of SAC (Haarnoja et al. 2018a, appendix C): a trunk of ReLU layers, linear
 * heads for the mean and the log standard deviation (clamped to [−20, 2]), a reparameterized sample
 * u = mean + std·ε with ε given, the squashed action tanh(u) rescaled onto the action bounds, and its
 * log-density with the change-of-variables correction of eq. 21, computed in the stable form
 * log(1 − tanh²u) = 2(log 2 − u − softplus(−2u)) and adjusted for the rescaling.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type ActionBounds, halfRange, rescale } from "./action_bounds.ts";
import { dense, type DenseParams } from "./dense.ts";
import { initMlp, type InitScheme, type MlpParams } from "./mlp.ts";
import { type Key, normal, split } from "../rng.ts";
import type { Tensor, Tensor2D } from "../tensor.ts";
import { log } from "../math.ts";

/** Parameters of a squashed Gaussian policy. */
export interface GaussianPolicyParams {
  /** Hidden layers, each followed by ReLU. */
  readonly trunk: MlpParams;
  /** Linear head for the mean of u. */
  readonly mean: DenseParams;
  /** Linear head for log σ of u (clamped to [−20, 2] when used). */
  readonly logStd: DenseParams;
}

/** Bounds of the clamped log standard deviation. */
export const LOG_STD_MIN: number = -20;
/** Upper bound of the clamped log standard deviation. */
export const LOG_STD_MAX: number = 2;

const HALF_LOG_2PI = 0.5 * log(2 * Math.PI);

/** Options of {@link initGaussianPolicy}. */
export interface GaussianPolicyInitOptions {
  /** Observation length. */
  readonly observationSize: number;
  /** Action length. */
  readonly actionSize: number;
  /** Hidden widths, e.g. `[256, 256]`. */
  readonly hidden: readonly number[];
  /** Weight initialization, default `"torch"`. */
  readonly init?: InitScheme;
}

/**
 * Initialize a policy from a key.
 *
 * @param key the key to consume
 * @param options sizes and initialization
 * @returns the parameters
 */
export function initGaussianPolicy(key: Key, options: GaussianPolicyInitOptions): GaussianPolicyParams {
  const { observationSize, actionSize, hidden, init } = options;
  const [kTrunk, kMean, kLogStd] = split(key, 3);
  const last = hidden[hidden.length - 1];
  return {
    trunk: initMlp(kTrunk, [observationSize, ...hidden], { init }),
    mean: initMlp(kMean, [last, actionSize], { init })[0],
    logStd: initMlp(kLogStd, [last, actionSize], { init })[0],
  };
}

/** The Gaussian's parameters for a batch. */
export interface GaussianHeads {
  /** Mean of u, `[n, act]`. */
  readonly mean: Tensor2D;
  /** Clamped log σ of u, `[n, act]`. */
  readonly logStd: Tensor2D;
}

/**
 * Mean and clamped log standard deviation of u for a batch of observations.
 *
 * @param params the policy
 * @param observations `[n, obs]`
 * @returns the heads
 */
export function gaussianHeads(params: GaussianPolicyParams, observations: Tensor2D): GaussianHeads {
  let h = observations;
  for (const layer of params.trunk) h = dense(layer, h, "relu");
  return {
    mean: dense(params.mean, h),
    logStd: tf.clipByValue(dense(params.logStd, h), LOG_STD_MIN, LOG_STD_MAX),
  };
}

/**
 * log(1 − tanh²(u)), stable for large |u|: 2(log 2 − u − softplus(−2u)).
 *
 * @param u pre-squash values
 * @returns the elementwise log-derivative of tanh
 */
export function logTanhDerivative(u: Tensor): Tensor {
  return tf.mul(2, tf.sub(tf.sub(Math.LN2, u), tf.softplus(tf.mul(-2, u))));
}

/** A reparameterized sample of actions and its log-density. */
export interface PolicySample {
  /** Actions inside the bounds, `[n, act]`. */
  readonly action: Tensor2D;
  /** log π(action | s) of the rescaled action, `[n, 1]`. */
  readonly logProb: Tensor2D;
}

/** Options of {@link samplePolicy}. */
export interface SampleOptions {
  /** Action bounds. */
  readonly bounds: ActionBounds;
  /** Standard-normal draws ε, `[n, act]` (from a key, by the caller). */
  readonly noise: Tensor2D;
}

/**
 * Reparameterized sample a = rescale(tanh(mean + σ·ε)) and log π(a|s): the Gaussian log-density of u,
 * minus Σ log(1 − tanh²u) (eq. 21), minus Σ log h for the rescaling by the half-range h.
 *
 * @param params the policy
 * @param observations `[n, obs]`
 * @param options bounds and noise
 * @returns actions and log-probabilities, differentiable in the parameters
 */
export function samplePolicy(
  params: GaussianPolicyParams,
  observations: Tensor2D,
  options: SampleOptions,
): PolicySample {
  const { mean, logStd } = gaussianHeads(params, observations);
  const eps = options.noise;
  const u: Tensor2D = tf.add(mean, tf.mul(tf.exp(logStd), eps));
  const gaussian = tf.sub(tf.sub(tf.mul(-0.5, tf.square(eps)), logStd), HALF_LOG_2PI);
  const logScale = halfRange(options.bounds).reduce((acc, h) => acc + log(h), 0);
  const logProb = tf.sub(tf.sum(tf.sub(gaussian, logTanhDerivative(u)), 1, true), logScale) as Tensor2D;
  return { action: rescale(tf.tanh(u), options.bounds), logProb };
}

/**
 * The deterministic evaluation action rescale(tanh(mean)).
 *
 * @param params the policy
 * @param observations `[n, obs]`
 * @param bounds action bounds
 * @returns actions `[n, act]`
 */
export function meanAction(
  params: GaussianPolicyParams,
  observations: Tensor2D,
  bounds: ActionBounds,
): Tensor2D {
  return rescale(tf.tanh(gaussianHeads(params, observations).mean), bounds);
}

/**
 * Exploration actions of a squashed Gaussian policy: a reparameterized sample with ε drawn from `key`.
 *
 * @param params the policy
 * @param observations `[n, obs]`
 * @param options bounds and the key to consume
 * @returns actions `[n, act]` inside the bounds
 */
export function sampleActions(
  params: GaussianPolicyParams,
  observations: Tensor2D,
  options: { readonly bounds: ActionBounds; readonly key: Key },
): Tensor2D {
  const [n] = observations.shape;
  const act = options.bounds.low.length;
  const noise = tf.tensor2d(normal(options.key, n * act), [n, act]);
  return samplePolicy(params, observations, { bounds: options.bounds, noise }).action;
}
