/**
 * The agent as the training loop drives it: host arrays in and out, metrics as numbers. Two
 * implementations stand behind it: the tfjs reference agents of this folder, wrapped by
 * {@link tfjsLearner}, and the fused CPU engine (`src/engine/learners.ts`). The loop needs nothing else, so
 * it runs the same on either, and in a Web Worker.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Agent } from "./agent.ts";
import type { Batch } from "../batch.ts";
import type { Key } from "../rng.ts";

/** Scalar diagnostics of one update, by name, as numbers. */
export type MetricValues = Readonly<Record<string, number>>;

/** A learner over its state type `S`: the pure update and the policy, on host arrays. */
export interface Learner<S> {
  /** Algorithm name, e.g. `"td3"`. */
  readonly name: string;
  /** One update on a batch; pure: a new state, the input state neither mutated nor freed. */
  update(state: S, batch: Batch): readonly [S, MetricValues];
  /**
   * Deterministic actions for evaluation.
   *
   * @param state the learner's state
   * @param observations `n` rows of the observation size, row-major
   * @param n how many rows
   * @returns `n` rows of the action size (a new array)
   */
  act(state: S, observations: Float32Array, n: number): Float32Array;
  /**
   * Actions drawn from a stochastic policy (SAC's squashed Gaussian), random through `key` only; absent for
   * a deterministic policy (TD3), whose behaviour action is {@link Learner.act}'s.
   */
  sample?(state: S, observations: Float32Array, n: number, key: Key): Float32Array;
}

/**
 * A tfjs agent as a {@link Learner}. The tensors it makes (the new state, the metric scalars, the
 * temporaries of acting) are the caller's to keep or free, as for the agent itself: the training shell runs
 * each step in a tensor scope that keeps the new state.
 *
 * @param agent the agent
 * @param observationSize its observation length (to shape the input rows)
 * @returns the learner
 */
export function tfjsLearner<S>(agent: Agent<S>, observationSize: number): Learner<S> {
  const rows = (observations: Float32Array, n: number) => tf.tensor2d(observations, [n, observationSize]);
  const read = (f: () => tf.Tensor): Float32Array => {
    const t = tf.tidy(f);
    const values = t.dataSync() as Float32Array;
    t.dispose();
    return values;
  };
  const sample = agent.sample;
  return {
    name: agent.name,
    update(state, batch) {
      const [next, metrics] = agent.update(state, batch);
      const values = Object.fromEntries(
        Object.entries(metrics).map(([name, scalar]) => [name, scalar.dataSync()[0]]),
      );
      return [next, values];
    },
    act: (state, observations, n) => read(() => agent.act(state, rows(observations, n))),
    ...(sample === undefined ? {} : {
      sample: (state: S, observations: Float32Array, n: number, key: Key) =>
        read(() => sample(state, rows(observations, n), key)),
    }),
  };
}
