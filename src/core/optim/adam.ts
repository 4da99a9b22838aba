/**
 * Adam (Kingma & Ba 2015) with PyTorch's semantics: β₁ 0.9, β₂ 0.999, ε 1e-8 added to √v̂, bias correction.
 *
 * One addition: a moment whose magnitude falls below the smallest normal float32, 2⁻¹²⁶ ≈ 1.18·10⁻³⁸, is
 * stored as +0 ({@link flushSubnormal}). A ReLU unit that stops firing gets zero gradients, and its moments
 * then decay geometrically through the subnormal range (v, at β₂ = 0.999, for about 16000 steps); x86
 * processors take a slow microcode path for every subnormal operand, and WebAssembly has no flush-to-zero
 * mode, so on Hopper-v5 a quarter of the actor's moments made each Adam pass several times slower. The step
 * itself is unchanged by the flush: a subnormal m gives an update below 10⁻³⁰·lr, which rounds away against
 * any parameter, and a subnormal v is swamped by ε. JAX on CPU flushes every subnormal (XLA sets the x86
 * FTZ and DAZ modes); PyTorch offers it as `torch.set_flush_denormal`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type Tree, treeMap } from "../tree.ts";
import { chain, type GradientTransformation, scale } from "./transform.ts";

/** The smallest positive normal float32, 2⁻¹²⁶: moments below it in magnitude are flushed to +0. */
export const FLT_MIN = 2 ** -126;

/**
 * `x`, with every element whose magnitude is below {@link FLT_MIN} (the subnormals and −0) replaced by +0;
 * NaN and ±∞ are kept.
 *
 * @param x a float32 tensor
 * @returns the flushed tensor, shaped like `x`
 */
export function flushSubnormal(x: tf.Tensor): tf.Tensor {
  return tf.where(tf.less(tf.abs(x), FLT_MIN), tf.zerosLike(x), x);
}

/** State of {@link scaleByAdam}: step count and first/second moment trees. */
export interface ScaleByAdamState {
  /** Number of updates applied so far. */
  readonly count: number;
  /** First-moment estimates, shaped like the parameters. */
  readonly mu: Tree;
  /** Second-moment estimates, shaped like the parameters. */
  readonly nu: Tree;
}

/** Hyperparameters of Adam's moment estimates. */
export interface AdamMomentOptions {
  /** Decay of the first moment, default 0.9. */
  readonly b1?: number;
  /** Decay of the second moment, default 0.999. */
  readonly b2?: number;
  /** Added to √v̂ for stability, default 1e-8. */
  readonly eps?: number;
}

/**
 * Rescale gradients by Adam's bias-corrected moments: `m̂ / (√v̂ + ε)`, the moments flushed to zero below
 * {@link FLT_MIN}.
 *
 * @param options β₁, β₂, ε
 * @returns the transformation
 */
export function scaleByAdam(options: AdamMomentOptions = {}): GradientTransformation<ScaleByAdamState> {
  const b1 = options.b1 ?? 0.9;
  const b2 = options.b2 ?? 0.999;
  const eps = options.eps ?? 1e-8;
  return {
    init: (params) => ({
      count: 0,
      mu: treeMap((p) => tf.zerosLike(p), params),
      nu: treeMap((p) => tf.zerosLike(p), params),
    }),
    update: (grads, state) => {
      const count = state.count + 1;
      const mu = treeMap((m, g) => flushSubnormal(tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1))), state.mu, grads);
      const nu = treeMap(
        (v, g) => flushSubnormal(tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2))),
        state.nu,
        grads,
      );
      const c1 = 1 - b1 ** count;
      const sqrtC2 = Math.sqrt(1 - b2 ** count);
      const updates = treeMap(
        (m, v) => tf.div(tf.div(m, c1), tf.add(tf.div(tf.sqrt(v), sqrtC2), eps)),
        mu as typeof grads,
        nu,
      );
      return [updates, { count, mu, nu }];
    },
  };
}

/** Options of {@link adam}. */
export interface AdamOptions extends AdamMomentOptions {
  /** Learning rate. */
  readonly lr: number;
}

/** State of {@link adam}: the moment state and the (empty) scaling state. */
export type AdamState = readonly [ScaleByAdamState, null];

/**
 * Adam as `chain(scaleByAdam, scale(−lr))`.
 *
 * @param options learning rate and moment hyperparameters
 * @returns the optimizer
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { adam } from "./adam.ts";
 * const opt = adam({ lr: 0.1 });
 * const state = opt.init(tf.scalar(1));
 * const [step] = opt.update(tf.scalar(3), state); // −0.1: Adam's first step is −lr·sign(g)
 * ```
 */
export function adam(options: AdamOptions): GradientTransformation<AdamState> {
  return chain(scaleByAdam(options), scale(-options.lr));
}
