/**
 * The random batches the update benchmarks share: Pendulum-shaped (3 observations, 1 action in ±2).
 *
 * @module
 */
import type { Batch } from "../src/core/batch.ts";
import { keyFromSeed, normal, split, uniform } from "../src/core/rng.ts";

/**
 * A Pendulum-shaped random batch of `n` transitions from a seed.
 *
 * @param seed the seed of its draws
 * @param n transitions
 * @returns the batch
 */
export function pendulumBatch(seed: number, n: number): Batch {
  const [a, b, c, d] = split(keyFromSeed(seed), 4);
  return {
    size: n,
    observations: normal(a, 3 * n),
    actions: uniform(b, n, { low: -2, high: 2 }),
    rewards: normal(c, n),
    nextObservations: normal(d, 3 * n),
    terminated: new Float32Array(n),
  };
}
