/**
 * Box action bounds and the affine map from the tanh range [−1, 1] onto them.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Tensor2D } from "../tensor.ts";

/** Per-dimension lower and upper action bounds. */
export interface ActionBounds {
  /** Lower bounds. */
  readonly low: readonly number[];
  /** Upper bounds. */
  readonly high: readonly number[];
}

/**
 * Half the width of each action dimension (Fujimoto's `max_action` for symmetric bounds).
 *
 * @param bounds the bounds
 * @returns `(high − low) / 2` per dimension
 */
export function halfRange(bounds: ActionBounds): number[] {
  return bounds.low.map((lo, i) => (bounds.high[i] - lo) / 2);
}

/**
 * Map `x ∈ [−1, 1]` onto the bounds: `center + half·x`.
 *
 * @param x a batch `[n, actions]` in [−1, 1]
 * @param bounds the bounds
 * @returns the batch in the bounds
 */
export function rescale(x: Tensor2D, bounds: ActionBounds): Tensor2D {
  const center = bounds.low.map((lo, i) => (bounds.high[i] + lo) / 2);
  return tf.add(tf.mul(x, tf.tensor1d(halfRange(bounds))), tf.tensor1d(center));
}

/**
 * Clip a batch of actions to the bounds, per dimension.
 *
 * @param a a batch `[n, actions]`
 * @param bounds the bounds
 * @returns the clipped batch
 */
export function clipToBounds(a: Tensor2D, bounds: ActionBounds): Tensor2D {
  return tf.minimum(tf.maximum(a, tf.tensor1d([...bounds.low])), tf.tensor1d([...bounds.high]));
}
