/**
 * What every agent offers the training loop: initialization from a key, the pure update reducer, the
 * deterministic policy for evaluation and, for a stochastic policy, its sampled actions (randomness from a
 * key). Exploration noise on top of either is not the agent's: see `core/exploration/exploration.ts`.
 *
 * @module
 */
import type { Batch } from "../batch.ts";
import type { ActionBounds } from "../nn/action_bounds.ts";
import type { Key } from "../rng.ts";
import type { Scalar, Tensor2D } from "../tensor.ts";

/** The sizes every agent config has: the environment's spaces and the hidden widths of its networks. */
export interface AgentSizes {
  /** Observation length. */
  readonly observationSize: number;
  /** Action length. */
  readonly actionSize: number;
  /** Action bounds of the environment. */
  readonly bounds: ActionBounds;
  /** Hidden layer widths of every network, e.g. `[256, 256]`. */
  readonly hidden: readonly number[];
}

/** Scalar diagnostics of one update, by name (tensors owned by the caller). */
export type Metrics = Readonly<Record<string, Scalar>>;

/** An agent over its state type `S`. */
export interface Agent<S> {
  /** Algorithm name, e.g. `"td3"`. */
  readonly name: string;
  /** A fresh agent state from a key. */
  init(key: Key): S;
  /** One update on a batch; pure: a new state, inputs neither mutated nor disposed. */
  update(state: S, batch: Batch): readonly [S, Metrics];
  /** Deterministic actions for evaluation, `[n, obs] → [n, act]`. */
  act(state: S, observations: Tensor2D): Tensor2D;
  /**
   * Actions drawn from a stochastic policy (SAC's squashed Gaussian), random through `key` only; absent
   * for a deterministic policy (TD3), whose behaviour action is {@link Agent.act}'s.
   */
  sample?(state: S, observations: Tensor2D, key: Key): Tensor2D;
}
