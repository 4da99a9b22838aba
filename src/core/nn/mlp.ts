/**
 * Multi-layer perceptrons as readonly parameter records, with initializers drawn from RNG keys.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type Key, split, uniform } from "../rng.ts";
import { dense, type DenseParams } from "./dense.ts";
import type { Tensor1D, Tensor2D } from "../tensor.ts";

/** An MLP: one {@link DenseParams} per layer, input to output. */
export type MlpParams = readonly DenseParams[];

/**
 * Weight initialization scheme.
 * - `"torch"`: PyTorch's `nn.Linear` default, W and b ~ U(±1/√fan_in).
 * - `"xavier"`: Glorot-uniform W ~ U(±√(6/(fan_in+fan_out))) and zero biases (the SAC lecture's `weights_init_`).
 */
export type InitScheme = "torch" | "xavier";

/** Options of {@link initMlp}. */
export interface MlpInitOptions {
  /** Weight initialization, default `"torch"`. */
  readonly init?: InitScheme;
}

/**
 * Initialize an MLP with layer sizes `sizes` (input, hidden…, output) from a key.
 *
 * @param key the key to consume
 * @param sizes layer widths, at least two
 * @param options initialization scheme
 * @returns the parameters
 */
export function initMlp(key: Key, sizes: readonly number[], options: MlpInitOptions = {}): MlpParams {
  if (sizes.length < 2) throw new RangeError("an MLP needs at least input and output sizes");
  const keys = split(key, sizes.length - 1);
  return keys.map((k, i) => {
    const fanIn = sizes[i];
    const fanOut = sizes[i + 1];
    const [kw, kb] = split(k);
    if (options.init === "xavier") {
      const bound = Math.sqrt(6 / (fanIn + fanOut));
      return {
        w: tf.tensor2d(uniform(kw, fanIn * fanOut, { low: -bound, high: bound }), [fanIn, fanOut]),
        b: tf.zeros([fanOut]) as Tensor1D,
      };
    }
    const bound = 1 / Math.sqrt(fanIn);
    return {
      w: tf.tensor2d(uniform(kw, fanIn * fanOut, { low: -bound, high: bound }), [fanIn, fanOut]),
      b: tf.tensor1d(uniform(kb, fanOut, { low: -bound, high: bound })),
    };
  });
}

/**
 * Apply an MLP: ReLU after every layer but the last, which is linear.
 *
 * @param params the layers
 * @param x input batch `[n, in]`
 * @returns output batch `[n, out]`
 */
export function mlp(params: MlpParams, x: Tensor2D): Tensor2D {
  let h = x;
  params.forEach((layer, i) => {
    h = dense(layer, h, i < params.length - 1 ? "relu" : "linear");
  });
  return h;
}

/**
 * Layer widths of an MLP, input first.
 *
 * @param params the layers
 * @returns `[in, hidden…, out]`
 */
export function mlpSizes(params: MlpParams): number[] {
  return [params[0].w.shape[0], ...params.map((l) => l.w.shape[1])];
}
