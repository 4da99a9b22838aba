/**
 * Deterministic evaluation: run the noise-free policy for a set of episodes whose initial states come from
 * fixed keys, all episodes stepped together so that the policy runs once per step on a batch.
 *
 * @module
 */
import type { Key } from "../core/rng.ts";
import type { Env } from "../envs/env.ts";
import { asSource, type EnvSource } from "../envs/session.ts";

/** Mean and (population) standard deviation of the episode returns. */
export interface EvalResult {
  /** Returns of each episode, in key order. */
  readonly returns: readonly number[];
  /** Mean return. */
  readonly mean: number;
  /** Standard deviation of the returns (ddof 0, as numpy's default). */
  readonly std: number;
}

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** The environment: a pure one, or a source of sessions (one is opened per episode). */
  readonly env: Env<unknown> | EnvSource;
  /** One key per episode, for its reset. */
  readonly keys: readonly Key[];
}

/**
 * Run one episode per key with the deterministic policy `act` and report the returns.
 *
 * @param act maps `n` rows of observations (row-major) to `n` rows of actions
 * @param options environment and episode keys
 * @returns the returns and their mean and standard deviation
 */
export function evaluate(
  act: (observations: Float32Array, n: number) => Float32Array,
  options: EvaluateOptions,
): EvalResult {
  const { keys } = options;
  const env = asSource(options.env);
  const o = env.observationSize;
  const a = env.actionSize;
  const sessions = keys.map(() => env.open());
  let observations = sessions.map((s, i) => s.reset(keys[i]));
  let live = keys.map((_, i) => i);
  const returns = keys.map(() => 0);
  try {
    while (live.length > 0) {
      const flat = new Float32Array(live.length * o);
      live.forEach((_, j) => flat.set(observations[j], j * o));
      const actions = act(flat, live.length);
      const nextLive: number[] = [];
      const nextObs: Float32Array[] = [];
      live.forEach((episode, j) => {
        const r = sessions[episode].step(actions.slice(j * a, (j + 1) * a));
        returns[episode] += r.reward;
        if (!r.terminated && !r.truncated) {
          nextLive.push(episode);
          nextObs.push(r.observation);
        }
      });
      live = nextLive;
      observations = nextObs;
    }
  } finally {
    sessions.forEach((s) => s.dispose());
  }
  const mean = returns.reduce((x, y) => x + y, 0) / returns.length;
  const std = Math.sqrt(returns.reduce((x, y) => x + (y - mean) ** 2, 0) / returns.length);
  return { returns, mean, std };
}
