/**
 * A dense layer `y = act(x·W + b)` whose gradient never asks tfjs for a transposed matMul: it transposes
 * explicitly and then multiplies. The default tfjs gradient of matMul uses `transposeA/transposeB`, which
 * the wasm backend runs in a naive loop about 13× slower than a plain matMul.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Parameters of one dense layer: `w` is `[in, out]`, `b` is `[out]`. */
export interface DenseParams {
  /** Weight matrix, `[inputs, outputs]`. */
  readonly w: tf.Tensor2D;
  /** Bias vector, `[outputs]`. */
  readonly b: tf.Tensor1D;
}

/** Activation applied after the affine map. */
export type Activation = "linear" | "relu";

type Args = (tf.Tensor | tf.GradSaveFunc)[];

function affine(args: Args): { x: tf.Tensor2D; w: tf.Tensor2D; z: tf.Tensor2D; save: tf.GradSaveFunc } {
  const [x, w, b] = args as tf.Tensor2D[];
  return { x, w, z: tf.add(tf.matMul(x, w), b), save: args[3] as tf.GradSaveFunc };
}

/**
 * A tfjs environment flag: true when the active backend multiplies transposed operands as fast as plain
 * ones (set by the runtime when it routes matrix products to BLAS). The gradient then passes transposes
 * as matMul flags instead of materializing them.
 */
export const TRANSPOSE_FREE_FLAG = "TD3SAC_TRANSPOSE_FREE_MATMUL";
if (!(TRANSPOSE_FREE_FLAG in tf.env().getFlags())) tf.env().registerFlag(TRANSPOSE_FREE_FLAG, () => false);

/** dL/dx, dL/dW, dL/db from the gradient `g` of the pre-activation. */
function affineGrads(g: tf.Tensor2D, x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor[] {
  if (tf.env().getBool(TRANSPOSE_FREE_FLAG)) {
    return [tf.matMul(g, w, false, true), tf.matMul(x, g, true, false), tf.sum(g, 0)];
  }
  return [tf.matMul(g, tf.transpose(w)), tf.matMul(tf.transpose(x), g), tf.sum(g, 0)];
}

const linear = tf.customGrad((...args: Args) => {
  const { x, w, z, save } = affine(args);
  save([x, w]);
  return {
    value: z,
    gradFunc: (dy, saved) => affineGrads(dy as tf.Tensor2D, saved[0] as tf.Tensor2D, saved[1] as tf.Tensor2D),
  };
});

const relu = tf.customGrad((...args: Args) => {
  const { x, w, z, save } = affine(args);
  const y = tf.relu(z);
  save([x, w, y]);
  return {
    value: y,
    gradFunc: (dy, saved) => {
      const [xs, ws, ys] = saved as tf.Tensor2D[];
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
export function dense(params: DenseParams, x: tf.Tensor2D, activation: Activation = "linear"): tf.Tensor2D {
  const f = activation === "relu" ? relu : linear;
  return f(x, params.w, params.b) as tf.Tensor2D;
}
