/**
 * A fused Adam moment kernel for the wasm backend: one pass over the wasm heap computes the new first and
 * second moments and the step m̂/(√v̂ + ε), instead of about a dozen elementwise tfjs kernels per tensor.
 * `scaleByAdam` in the core uses it whenever the kernel is registered for the active backend, and its own
 * composed ops otherwise; both compute the same function (tested to float32 rounding).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { ADAM_KERNEL, type AdamKernelAttrs } from "../core/optim/adam.ts";

interface WasmBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
}

const adamKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { grad, mu, nu } = inputs as { grad: tf.TensorInfo; mu: tf.TensorInfo; nu: tf.TensorInfo };
  const { b1, b2, eps, count } = attrs as unknown as AdamKernelAttrs;
  const wasm = backend as unknown as WasmBackend;
  const shape = grad.shape;
  const size = shape.reduce((x, y) => x * y, 1);
  const outputs = [
    wasm.makeOutput(shape, "float32"),
    wasm.makeOutput(shape, "float32"),
    wasm.makeOutput(shape, "float32"),
  ];
  // Views only after allocating: the heap may have grown.
  const buffer = wasm.wasm.HEAPU8.buffer;
  const view = (t: tf.TensorInfo) =>
    new Float32Array(buffer, wasm.dataIdMap.get(t.dataId).memoryOffset, size);
  const [g, m, v] = [view(grad), view(mu), view(nu)];
  const [update, m2, v2] = outputs.map(view);
  const c1 = 1 - b1 ** count;
  const sqrtC2 = Math.sqrt(1 - b2 ** count);
  for (let i = 0; i < size; i++) {
    const gi = g[i];
    const mi = Math.fround(b1 * m[i] + (1 - b1) * gi);
    const vi = Math.fround(b2 * v[i] + (1 - b2) * gi * gi);
    m2[i] = mi;
    v2[i] = vi;
    update[i] = (mi / c1) / (Math.sqrt(vi) / sqrtC2 + eps);
  }
  return outputs;
};

/**
 * Register the fused Adam kernel for the wasm backend (idempotent).
 *
 * @returns whether it is registered now
 */
export function installFusedAdam(): boolean {
  if (tf.getKernel(ADAM_KERNEL, "wasm") === undefined) {
    tf.registerKernel({ kernelName: ADAM_KERNEL, backendName: "wasm", kernelFunc: adamKernel });
  }
  return true;
}

/** Remove the fused kernel again (for equivalence tests). */
export function uninstallFusedAdam(): void {
  if (tf.getKernel(ADAM_KERNEL, "wasm") !== undefined) tf.unregisterKernel(ADAM_KERNEL, "wasm");
}
