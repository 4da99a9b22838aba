/**
 * Gradient transformations in the style of optax: an optimizer is a pair of pure functions
 * `{init, update}` with its own state record; named optimizers are compositions via {@link chain}.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type Tree, treeMap } from "../tree.ts";

/** A pure optimizer: `init(params) -> state`, `update(grads, state) -> [updates, state]`. */
export interface GradientTransformation<S> {
  /** The initial state for parameters shaped like `params`. */
  init(params: Tree): S;
  /** Turn gradients into parameter updates; returns the updates and the next state. */
  update<T extends Tree>(grads: T, state: S): readonly [T, S];
}

/**
 * Multiply updates by a constant (with `-lr` this turns a direction into a descent step).
 *
 * @param factor the constant
 * @returns a stateless transformation
 */
export function scale(factor: number): GradientTransformation<null> {
  return {
    init: () => null,
    update: (grads, state) => [treeMap((g) => tf.mul(g, factor), grads), state],
  };
}

/** Apply several transformations in sequence; the state is the tuple of their states. */
export function chain<A, B>(
  first: GradientTransformation<A>,
  second: GradientTransformation<B>,
): GradientTransformation<readonly [A, B]> {
  return {
    init: (params) => [first.init(params), second.init(params)],
    update: (grads, [sa, sb]) => {
      const [u1, na] = first.update(grads, sa);
      const [u2, nb] = second.update(u1, sb);
      return [u2, [na, nb]];
    },
  };
}

/**
 * `params + updates`, leaf-wise.
 *
 * @param params current parameters
 * @param updates updates of the same structure
 * @returns new parameters
 */
export function applyUpdates<T extends Tree>(params: T, updates: Tree): T {
  return treeMap((p, u) => tf.add(p, u), params, updates);
}

/**
 * Polyak averaging of target parameters: `(1 − τ)·target + τ·online`, leaf-wise (optax's
 * `incremental_update`; the soft target update of DDPG, TD3 and SAC).
 *
 * @param target target parameters
 * @param online online parameters of the same structure
 * @param tau step size τ in (0, 1]
 * @returns the new target parameters
 */
export function incrementalUpdate<T extends Tree>(target: T, online: T, tau: number): T {
  return treeMap((t, o) => tf.add(tf.mul(t, 1 - tau), tf.mul(o, tau)), target, online);
}
