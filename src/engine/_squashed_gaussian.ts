/**
 * The squashed Gaussian policy head of the engine's SAC updates (`sac.ts`, `sac_v.ts`): sampling ã and
 * log π(ã|s) from the policy MLP's output, op for op as core `squashed_gaussian.ts`'s `samplePolicy`, and
 * the closed-form backward of both, over buffers allocated once by {@link makeSquashedGaussian}.
 *
 * The policy MLP's output z is `[n, 2·act]`, columns `[mean | log σ]` (the reference's two linear heads as
 * one last layer, see `sac.ts`). The actions are written into, and their gradient read from, rows of the
 * critics' input concat(s, a): `[n, rowLength]` with the action in columns `[actionColumn, actionColumn +
 * act)`.
 *
 * The math, derived. h = (high − low)/2 and center = (high + low)/2 per action dimension. With z = MLP_φ(s):
 *      μ = z[:, :act],  ℓ = clip(z[:, act:], −20, 2) (a hard clip, as `tf.clipByValue`),  σ = exp(ℓ),
 *      u = μ + σ ⊙ ε,   ã = center + h ⊙ tanh(u),
 *      log π_i = Σ_j [ −ε²/2 − ℓ − ½log 2π − ltd(u) ]_ij − Σ_j log h_j,
 *      ltd(u) = log(1 − tanh²u) = 2(log 2 − u − softplus(−2u)).
 *    Backward, given G_i = dL/d log π_i and A_ij = dL/dã_ij:
 *      ltd'(u) = 2(−1 + 2 sigmoid(−2u)) = −2 tanh u, so from log π: ∂/∂u = −G·ltd'(u) = 2G(1 − 2 sigmoid(−2u));
 *      from ã: ∂/∂u = A ⊙ h ⊙ (1 − tanh²u);
 *      dL/du = both summed;  dL/dμ = dL/du;
 *      dL/dℓ = (dL/du ⊙ ε ⊙ σ − G) ⊙ 1[−20 ≤ z_ℓ ≤ 2]   (u through σ = exp ℓ, and −ℓ in the log-density;
 *      the clip passes the gradient on [min, max] inclusive and blocks it outside, as tfjs's clip gradient).
 *
 * Precision. The forward is the reference's float32 ops in its order (`Math.fround` after each), softplus
 * included (tfjs stores its result as float32); the per-row sum over the action dimensions is float64,
 * rounded once. The backward is the closed form above rather than tfjs's op-by-op gradient graph, so it
 * differs from the reference by a few float32 ulps per element.
 *
 * @module
 */
import type { ActionBounds } from "../core/nn/action_bounds.ts";
import { exp, log } from "../core/math.ts";

const f = Math.fround;

// The clamp of log σ, as `LOG_STD_MIN` / `LOG_STD_MAX` in `core/nn/squashed_gaussian.ts` (not imported: that
// module loads tfjs, which the engine must not; the engines' tests check they agree).
/** Lower clamp of log σ (the reference's `LOG_STD_MIN`). */
export const LOG_STD_MIN = -20;
/** Upper clamp of log σ (the reference's `LOG_STD_MAX`). */
export const LOG_STD_MAX = 2;

/**
 * log σ clipped to `[LOG_STD_MIN, LOG_STD_MAX]`, as `tf.clipByValue`.
 *
 * @param raw the policy's log σ output
 * @returns the clipped value
 */
export const clipLogStd = (raw: number): number =>
  raw > LOG_STD_MAX ? LOG_STD_MAX : raw < LOG_STD_MIN ? LOG_STD_MIN : raw;

// tfjs cpu's softplus, which mirrors TensorFlow's: exp(x) below log(ε₃₂) + 2, x above its negation.
const SOFTPLUS_THRESHOLD = log(1.1920928955078125e-7) + 2;

/**
 * softplus(x) = log(1 + eˣ) as tfjs's cpu kernel computes it, rounded to float32 as its tensor stores it.
 *
 * @param x the argument
 * @returns softplus(x), a float32 value
 */
export function softplus(x: number): number {
  if (x < SOFTPLUS_THRESHOLD) return f(exp(x));
  if (x > -SOFTPLUS_THRESHOLD) return f(x);
  return f(log(1 + exp(x)));
}

/** {@link makeSquashedGaussian}'s sizes. */
export interface SquashedGaussianConfig {
  /** The action bounds; `act` is their length. */
  readonly bounds: ActionBounds;
  /** Rows n of every call (the batch size). */
  readonly rows: number;
  /** Length of a row of the action matrices (the critics' input: obs + act). */
  readonly rowLength: number;
  /** Column of a row's first action (the critics' input: obs). */
  readonly actionColumn: number;
}

/** The head's forward and backward over preallocated buffers; neither allocates. */
export interface SquashedGaussian {
  /**
   * ã = center + h ⊙ tanh(μ + σ ⊙ ε) into the action columns of `actions` (the other columns untouched),
   * log π(ã|s) into `logProb`; keeps tanh u, sigmoid(−2u) and σ for {@link SquashedGaussian.backward}.
   *
   * @param z the policy MLP's output `[n, 2·act]`
   * @param eps the standard normal noise ε `[n, act]`
   * @param actions `[n, rowLength]`, written in the action columns
   * @param logProb `[n]`, written
   */
  sample(z: Float32Array, eps: Float32Array, actions: Float32Array, logProb: Float32Array): void;
  /**
   * dL/dz of the latest {@link SquashedGaussian.sample}, from dL/dã and dL/d log π (the same for every row).
   *
   * @param z that sample's `z` (unchanged since)
   * @param eps that sample's ε
   * @param dActions `[n, rowLength]`: dL/dã in the action columns
   * @param g dL/d log π_i, a float32 value
   * @param dZ `[n, 2·act]`, written
   */
  backward(z: Float32Array, eps: Float32Array, dActions: Float32Array, g: number, dZ: Float32Array): void;
}

/**
 * The squashed Gaussian head for one batch size and layout of the action rows, its buffers allocated once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeSquashedGaussian } from "./_squashed_gaussian.ts";
 *
 * const bounds = { low: [-2], high: [2] };
 * const head = makeSquashedGaussian({ bounds, rows: 1, rowLength: 1, actionColumn: 0 });
 * const actions = new Float32Array(1), logProb = new Float32Array(1);
 * head.sample(Float32Array.of(0, 0), Float32Array.of(0), actions, logProb); // μ = 0, σ = 1, ε = 0
 * assert.equal(actions[0], 0);
 * assert.equal(logProb[0], Math.fround(Math.fround(-0.5 * Math.log(2 * Math.PI)) - Math.fround(Math.log(2))));
 * ```
 *
 * @param config the bounds, the rows and where the actions sit in a row
 * @returns the head
 */
export function makeSquashedGaussian(config: SquashedGaussianConfig): SquashedGaussian {
  const { bounds, rows: n, rowLength, actionColumn } = config;
  const act = bounds.low.length, out = 2 * act;
  // Constants as tfjs sees them: float32 tensors of the float64 values.
  const half = Float32Array.from(bounds.low, (lo, j) => (bounds.high[j] - lo) / 2);
  const center = Float32Array.from(bounds.low, (lo, j) => (bounds.high[j] + lo) / 2);
  const logScale = f(bounds.low.reduce((acc, lo, j) => acc + log((bounds.high[j] - lo) / 2), 0));
  const halfLog2Pi = f(0.5 * log(2 * Math.PI));
  const ln2 = f(Math.LN2);
  // Kept from the latest sample for the backward.
  const tanhU = new Float32Array(n * act);
  const sigmoidM2u = new Float32Array(n * act); // sigmoid(−2u)
  const std = new Float32Array(n * act);

  const sample = (z: Float32Array, eps: Float32Array, actions: Float32Array, logProb: Float32Array) => {
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j < act; j++) {
        const k = i * act + j;
        const ls = clipLogStd(z[i * out + act + j]);
        const sd = f(exp(ls));
        const e = eps[k];
        const u = f(z[i * out + j] + f(sd * e));
        const gaussian = f(f(f(-0.5 * f(e * e)) - ls) - halfLog2Pi);
        const ltd = f(2 * f(f(ln2 - u) - softplus(f(-2 * u))));
        sum += f(gaussian - ltd);
        const t = f(Math.tanh(u));
        tanhU[k] = t;
        sigmoidM2u[k] = 1 / (1 + exp(2 * u));
        std[k] = sd;
        actions[i * rowLength + actionColumn + j] = f(f(t * half[j]) + center[j]);
      }
      logProb[i] = f(f(sum) - logScale);
    }
  };

  const backward = (
    z: Float32Array,
    eps: Float32Array,
    dActions: Float32Array,
    g: number,
    dZ: Float32Array,
  ) => {
    const twoG = 2 * g;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < act; j++) {
        const k = i * act + j;
        const t = tanhU[k];
        const fromAction = f(f(dActions[i * rowLength + actionColumn + j] * half[j]) * f(1 - f(t * t)));
        const fromLtd = f(twoG - 2 * f(twoG * sigmoidM2u[k])); // 2G(1 − 2 sigmoid(−2u))
        const du = f(fromAction + fromLtd);
        const raw = z[i * out + act + j];
        const inside = raw >= LOG_STD_MIN && raw <= LOG_STD_MAX;
        dZ[i * out + j] = du;
        dZ[i * out + act + j] = inside ? f(f(f(du * eps[k]) * std[k]) - g) : 0; // through σ, and −ℓ
      }
    }
  };

  return { sample, backward };
}
