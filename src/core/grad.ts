/**
 * Differentiation of losses over parameter trees, and the one generic gradient step that every agent
 * uses for every network (Brax's `gradient_update_fn`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { leaves, type Tree, unflatten } from "./tree.ts";
import { applyUpdates, type GradientTransformation } from "./optim/transform.ts";
import type { Scalar, Tensor } from "./tensor.ts";

/**
 * Value and gradient of a scalar loss with respect to every leaf of `params`.
 *
 * @param loss the loss, a function of the parameters
 * @param params where to differentiate
 * @returns the loss value and a gradient tree shaped like `params`
 */
export function valueAndGrad<P extends Tree>(
  loss: (params: P) => Scalar,
  params: P,
): { readonly value: Scalar; readonly grads: P } {
  const flat = leaves(params);
  const f = tf.valueAndGrads((...xs: Tensor[]) => loss(unflatten(params, xs)));
  const { value, grads } = f(flat);
  return { value: value as Scalar, grads: unflatten(params, grads) };
}

/** The result of one {@link gradientStep}. */
export interface GradientStepResult<P extends Tree, S> {
  /** Updated parameters. */
  readonly params: P;
  /** Updated optimizer state. */
  readonly optState: S;
  /** The loss before the step. */
  readonly loss: Scalar;
}

/**
 * One optimizer step on a loss: differentiate, transform the gradients, apply the updates.
 *
 * @param optimizer the gradient transformation
 * @param loss the loss, a function of the parameters
 * @returns a function of (params, optimizer state) giving the new params, state and the loss
 */
export function gradientStep<P extends Tree, S>(
  optimizer: GradientTransformation<S>,
  loss: (params: P) => Scalar,
): (params: P, optState: S) => GradientStepResult<P, S> {
  return (params, optState) => {
    const { value, grads } = valueAndGrad(loss, params);
    const [updates, next] = optimizer.update(grads, optState);
    return { params: applyUpdates(params, updates), optState: next, loss: value };
  };
}
