/**
 * Ornstein-Uhlenbeck action noise, the temporally correlated exploration of DDPG (Lillicrap et al. 2016) that
 * Stable-Baselines3's zoo uses for TD3 on MountainCarContinuous: the Euler-Maruyama step
 * `x ← x + θ(μ − x)·dt + σ·√dt·ε`, ε ~ N(0, I) from a key, with μ = 0, restarted at 0 every episode.
 * Pure: the process state is a plain array threaded by the caller.
 *
 * @module
 */
import { type Key, normal } from "../rng.ts";

/** Parameters of the process (SB3's defaults: θ 0.15, dt 0.01). */
export interface OrnsteinUhlenbeckOptions {
  /** Mean-reversion rate θ. */
  readonly theta: number;
  /** Diffusion σ, in the units of the noise (for actions: fractions of the half-range). */
  readonly sigma: number;
  /** Time step dt. */
  readonly dt: number;
}

/** θ and dt as in Stable-Baselines3's `OrnsteinUhlenbeckActionNoise`. */
export const OU_DEFAULTS = { theta: 0.15, dt: 1e-2 } as const;

/**
 * The process at the start of an episode: zeros.
 *
 * @param size number of action dimensions
 * @returns the initial state
 */
export function ouInit(size: number): number[] {
  return Array.from({ length: size }, () => 0);
}

/**
 * One step of the process.
 *
 * @param x the current state
 * @param key the key of this step's Gaussian draw
 * @param options θ, σ, dt
 * @returns the next state (a new array)
 * @example
 * ```ts
 * import { keyFromSeed } from "../rng.ts";
 * import { ouInit, ouStep } from "./ornstein_uhlenbeck.ts";
 * const x1 = ouStep(ouInit(1), keyFromSeed(0), { theta: 0.15, sigma: 0.5, dt: 0.01 });
 * // x1[0] = 0.5 · √0.01 · ε, ε the first normal draw of the key
 * ```
 */
export function ouStep(x: readonly number[], key: Key, options: OrnsteinUhlenbeckOptions): number[] {
  const { theta, sigma, dt } = options;
  const eps = normal(key, x.length);
  return x.map((xi, i) => xi + theta * (0 - xi) * dt + sigma * Math.sqrt(dt) * eps[i]);
}
