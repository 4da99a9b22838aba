/**
 * A dense layer `y = act(x·W + b)` with a hand-written gradient (`tf.customGrad`): from the gradient `g` of
 * the pre-activation, dL/dx = g·Wᵀ and dL/dW = xᵀ·g are `matMul`s with transpose flags, dL/db = Σ g. The
 * core states the products only; how a backend runs a transposed product is the runtime's choice, and no
 * global flag carries it here.
 *
 * tfjs's wasm kernel would run a flagged product in a naive loop about 13× slower than a plain XNNPACK
 * product, so the runtime's `installGemm` (`src/runtime/gemm.ts`, called by `useBackend("wasm")`) replaces
 * that kernel: with OpenBLAS, `cblas_sgemm` takes the flags itself; without it, the operands are transposed
 * by the wasm backend's own Transpose kernel and multiplied by XNNPACK, the same kernels on the same values
 * as explicit `tf.transpose` calls followed by a plain `matMul`. Code that selects the wasm backend itself
 * (`tf.setBackend("wasm")`) should call `installGemm` too. The cpu backend reads flagged operands through
 * strides in an unchanged summation order, so its results equal explicit transposes bit for bit.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Tensor, Tensor1D, Tensor2D } from "../tensor.ts";

/** Parameters of one dense layer: `w` is `[in, out]`, `b` is `[out]`. */
export interface DenseParams {
  /** Weight matrix, `[inputs, outputs]`. */
  readonly w: Tensor2D;
  /** Bias vector, `[outputs]`. */
  readonly b: Tensor1D;
}

/** Activation applied after the affine map. */
export type Activation = "linear" | "relu";

type Args = (Tensor | tf.GradSaveFunc)[];

function affine(args: Args): { x: Tensor2D; w: Tensor2D; z: Tensor2D; save: tf.GradSaveFunc } {
  const [x, w, b] = args as Tensor2D[];
  return { x, w, z: tf.add(tf.matMul(x, w), b), save: args[3] as tf.GradSaveFunc };
}

/** dL/dx = g·Wᵀ, dL/dW = xᵀ·g and dL/db = Σ g from the gradient `g` of the pre-activation. */
function affineGrads(g: Tensor2D, x: Tensor2D, w: Tensor2D): Tensor[] {
  return [tf.matMul(g, w, false, true), tf.matMul(x, g, true, false), tf.sum(g, 0)];
}

const linear = tf.customGrad((...args: Args) => {
  const { x, w, z, save } = affine(args);
  save([x, w]);
  return {
    value: z,
    gradFunc: (dy, saved) => affineGrads(dy as Tensor2D, saved[0] as Tensor2D, saved[1] as Tensor2D),
  };
});

const relu = tf.customGrad((...args: Args) => {
  const { x, w, z, save } = affine(args);
  const y = tf.relu(z);
  save([x, w, y]);
  return {
    value: y,
    gradFunc: (dy, saved) => {
      const [xs, ws, ys] = saved as Tensor2D[];
      return affineGrads(tf.mul(dy, tf.step(ys)), xs, ws);
    },
  };
});

/**
 * Apply a dense layer to a batch.
 *
 * @param params the layer's weights and bias
 * @param x input batch `[n, in]`
 * @param activation `"relu"` or `"linear"` (default)
 * @returns output batch `[n, out]`
 */
export function dense(params: DenseParams, x: Tensor2D, activation: Activation = "linear"): Tensor2D {
  const f = activation === "relu" ? relu : linear;
  return f(x, params.w, params.b) as Tensor2D;
}
