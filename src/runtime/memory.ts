/**
 * Tensor ownership. The core's reducers are pure and allocate freely; this module is where their tensors
 * are kept or freed: a reducer runs inside `tf.tidy`, and the tensors of the previous state that the new
 * state no longer holds are disposed.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { walk } from "../core/tree.ts";
import type { Tensor } from "../core/tensor.ts";

function isTensor(x: unknown): x is Tensor {
  return x instanceof tf.Tensor;
}

/**
 * Every tensor reachable from a value (records, arrays), in {@link walk} order (sorted keys, then
 * indices), without duplicates. Typed arrays and other non-tensor leaves are skipped.
 *
 * @param value any value
 * @returns the tensors it holds
 */
export function tensorsIn(value: unknown): Tensor[] {
  const found = new Set<Tensor>();
  for (const [, leaf] of walk(value, { isLeaf: isTensor })) if (isTensor(leaf)) found.add(leaf);
  return [...found];
}

/**
 * Dispose every tensor a value holds (records, arrays), skipping those already disposed, so that a value
 * sharing tensors with one freed before is safe to free too.
 *
 * @param value any value; it must not be used afterwards
 */
export function disposeTree(value: unknown): void {
  for (const t of tensorsIn(value)) if (!t.isDisposed) t.dispose();
}

/**
 * Dispose every tensor of `previous` that `next` does not hold.
 *
 * @param previous the value being replaced
 * @param next its replacement (tensors shared with `previous` survive)
 */
export function disposeReplaced(previous: unknown, next: unknown): void {
  const keep = new Set(tensorsIn(next));
  for (const t of tensorsIn(previous)) if (!keep.has(t) && !t.isDisposed) t.dispose();
}

/**
 * Run a pure reducer `(state, input) -> [state, extra]` with tensor bookkeeping: intermediates are freed,
 * the returned state and extra are kept, and the tensors of `state` not carried over are disposed.
 * `state` must not be used afterwards.
 *
 * @param reducer the pure function
 * @param state the current state (consumed)
 * @param input the reducer's second argument (not disposed)
 * @returns the new state and extra output
 */
export function step<S, I, X>(
  reducer: (state: S, input: I) => readonly [S, X],
  state: S,
  input: I,
): readonly [S, X] {
  const result = tf.tidy(() =>
    reducer(state, input) as unknown as tf.TensorContainer
  ) as unknown as readonly [S, X];
  disposeReplaced(state, result[0]);
  return result;
}

/**
 * {@link step} for a reducer whose state keeps its tensors in one part (the training loop's state keeps
 * them in `agent`, beside logs that grow): the reducer runs in a tensor scope that keeps the tensors of
 * `owned(newState)` and of the extra output, and frees everything else it allocated; the tensors of
 * `owned(state)` the new state no longer holds are disposed. Only the owned parts are walked.
 *
 * @param reducer the pure function
 * @param state the current state (its owned part is consumed)
 * @param input the reducer's second argument (not disposed)
 * @param owned the part of a state that holds its tensors
 * @returns the new state and extra output
 */
export function stepOwned<S, I, X>(
  reducer: (state: S, input: I) => readonly [S, X],
  state: S,
  input: I,
  owned: (state: S) => unknown,
): readonly [S, X] {
  const engine = tf.engine();
  engine.startScope();
  let result: readonly [S, X];
  try {
    result = reducer(state, input);
  } catch (e) {
    engine.endScope();
    throw e;
  }
  engine.endScope([...tensorsIn(owned(result[0])), ...tensorsIn(result[1])]);
  disposeReplaced(owned(state), owned(result[0]));
  return result;
}

/**
 * Run a pure function that allocates tensors and read its single tensor result back as a Float32Array;
 * all tensors it made are freed.
 *
 * @param f the function
 * @returns the values of its result
 */
export function readTensor(f: () => Tensor): Float32Array {
  const t = tf.tidy(f);
  try {
    return t.dataSync() as Float32Array;
  } finally {
    t.dispose();
  }
}
