/**
 * The pure environment interface. An environment is a pair of pure functions over an immutable state:
 * `reset(key)` draws an initial state from a key, `step(state, action)` returns the next state and what the
 * agent sees. Nothing is mutated, so a state can be stored, compared, or stepped twice.
 *
 * @module
 */
import type { Key } from "../core/rng.ts";

/** What `reset` returns: the initial state and its observation. */
export interface ResetResult<S> {
  /** The environment's full state (a plain readonly record). */
  readonly state: S;
  /** The observation the agent sees, float32. */
  readonly observation: Float32Array;
}

/** What `step` returns, as Gymnasium's `(obs, reward, terminated, truncated)`. */
export interface StepResult<S> extends ResetResult<S> {
  /** Reward of the transition. */
  readonly reward: number;
  /** The episode reached a terminal state: do not bootstrap from it. */
  readonly terminated: boolean;
  /** The episode was cut by the time limit: the next state is not terminal, bootstrap from it. */
  readonly truncated: boolean;
}

/** What every environment declares: its name and spaces (box observations and actions). */
export interface EnvSpec {
  /** Registered name, e.g. `"Pendulum-v1"`. */
  readonly id: string;
  /** Length of the observation vector. */
  readonly observationSize: number;
  /** Length of the action vector. */
  readonly actionSize: number;
  /** Lower action bounds, one per action dimension. */
  readonly actionLow: readonly number[];
  /** Upper action bounds, one per action dimension. */
  readonly actionHigh: readonly number[];
  /** Steps after which `step` reports `truncated` (Gymnasium's TimeLimit). */
  readonly maxEpisodeSteps: number;
}

/** A continuous-control environment as a pair of pure functions over its state `S`. */
export interface Env<S> extends EnvSpec {
  /** Draw an initial state from a key. */
  reset(key: Key): ResetResult<S>;
  /** Advance one step; never mutates `state` or `action`. */
  step(state: S, action: Float32Array): StepResult<S>;
}
