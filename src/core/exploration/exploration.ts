/**
 * Exploration noise for collecting experience, the same for every algorithm: a pure `{init, sample}` pair
 * chosen once from the run's configuration. `sample(noise, action, key)` perturbs the behaviour policy's
 * action (TD3's μ(s), SAC's sampled action) and returns the noise process's next state with the explored
 * action:
 *
 *   a = clip(ã + h ⊙ d, low, high), stored as float32,
 *
 * with ã the policy's action, h the half-range of each action dimension and d the noise in fractions of it:
 *
 * - `gaussian`: d = σ·ε, ε ~ N(0, I) fresh every step (Fujimoto et al.'s exploration; SB3's
 *   `NormalActionNoise`); h·σ·ε is formed in float32, as the tensors of the original TD3 code do.
 * - `ou`: d = x, the Ornstein-Uhlenbeck process of {@link ouStep} (θ 0.15, dt 0.01), restarted at 0 by
 *   `init` at every episode (SB3's `OrnsteinUhlenbeckActionNoise`).
 * - `none`: the action is returned as it is, and the key is not used.
 *
 * The noise state is `undefined` except for `ou`, where it is the process's value per action dimension.
 *
 * @module
 */
import { type Key, normal } from "../rng.ts";
import { OU_DEFAULTS, ouInit, ouStep } from "./ornstein_uhlenbeck.ts";

/** The kinds of exploration noise. */
export const EXPLORATION_KINDS = ["none", "gaussian", "ou"] as const;

/** One of {@link EXPLORATION_KINDS}. */
export type ExplorationKind = typeof EXPLORATION_KINDS[number];

/** The state a noise process carries from step to step: OU's value per dimension, `undefined` otherwise. */
export type NoiseState = readonly number[] | undefined;

/** Options of {@link makeExploration}. */
export interface ExplorationOptions {
  /** Which noise. */
  readonly kind: ExplorationKind;
  /** σ, as a fraction of the action half-range (ignored by `none`). */
  readonly sigma: number;
  /** Lower action bounds. */
  readonly actionLow: readonly number[];
  /** Upper action bounds. */
  readonly actionHigh: readonly number[];
}

/** Exploration noise as a pair of pure functions over its {@link NoiseState}. */
export interface Exploration {
  /** Which noise this is. */
  readonly kind: ExplorationKind;
  /** Whether {@link Exploration.sample} draws from its key (`none` does not). */
  readonly draws: boolean;
  /** The noise state at the start of an episode. */
  init(): NoiseState;
  /**
   * Perturb one action.
   *
   * @param noise the current noise state
   * @param action the behaviour policy's action (not mutated)
   * @param key this step's noise key
   * @returns the next noise state and the explored action (a new array, unless `none`)
   */
  sample(noise: NoiseState, action: Float32Array, key: Key): readonly [NoiseState, Float32Array];
}

/**
 * Build exploration noise.
 *
 * @param options the kind, σ and the action bounds
 * @returns the `{init, sample}` pair
 * @example
 * ```ts
 * import { keyFromSeed } from "../rng.ts";
 * import { makeExploration } from "./exploration.ts";
 * const noise = makeExploration({ kind: "gaussian", sigma: 0.1, actionLow: [-2], actionHigh: [2] });
 * const [, action] = noise.sample(noise.init(), new Float32Array([1.5]), keyFromSeed(0));
 * // action[0] = 1.5 + 2 · 0.1 · ε (float32), ε the first normal draw of the key, clipped to [−2, 2]
 * ```
 */
export function makeExploration(options: ExplorationOptions): Exploration {
  const { kind, sigma, actionLow: low, actionHigh: high } = options;
  const size = low.length;
  const half = low.map((lo, i) => (high[i] - lo) / 2);
  /** clip(ã + h ⊙ d) per dimension, rounded to float32 on storing. */
  const perturb = (action: Float32Array, displacement: ArrayLike<number>): Float32Array =>
    action.map((a, i) => Math.min(high[i], Math.max(low[i], a + displacement[i])));

  switch (kind) {
    case "none":
      return { kind, draws: false, init: () => undefined, sample: (noise, action) => [noise, action] };
    case "gaussian": {
      const scale = Float32Array.from(half, (h) => h * sigma);
      return {
        kind,
        draws: true,
        init: () => undefined,
        sample: (noise, action, key) => {
          const eps = normal(key, size);
          return [noise, perturb(action, eps.map((e, i) => e * scale[i]))];
        },
      };
    }
    case "ou": {
      const process = { ...OU_DEFAULTS, sigma };
      return {
        kind,
        draws: true,
        init: () => ouInit(size),
        sample: (noise, action, key) => {
          const x = ouStep(noise ?? ouInit(size), key, process);
          return [x, perturb(action, x.map((xi, i) => half[i] * xi))];
        },
      };
    }
  }
}
