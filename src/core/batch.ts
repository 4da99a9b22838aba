/**
 * A minibatch of transitions as flat, row-major float32 arrays: what replay sampling produces and what the
 * agents' update reducers consume. Plain arrays keep tensor ownership out of the core's signatures.
 *
 * @module
 */

/** `size` transitions (s, a, r, s', terminated), row-major. */
export interface Batch {
  /** Number of transitions. */
  readonly size: number;
  /** `size × observationSize` observations s. */
  readonly observations: Float32Array;
  /** `size × actionSize` actions a. */
  readonly actions: Float32Array;
  /** `size` rewards r. */
  readonly rewards: Float32Array;
  /** `size × observationSize` next observations s'. */
  readonly nextObservations: Float32Array;
  /** `size` flags, 1 where s' is terminal (never set for time-limit truncation), else 0. */
  readonly terminated: Float32Array;
}
