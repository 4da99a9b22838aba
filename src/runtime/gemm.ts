/**
 * Matrix products on the wasm backend, transposed operands as fast as plain ones. tfjs-wasm multiplies
 * plain operands with XNNPACK but runs `transposeA`/`transposeB` in a naive loop about 13× slower, and the
 * core asks for flagged products (the gradient of `core/nn/dense.ts`). {@link installGemm} therefore
 * re-registers the wasm `BatchMatMul` kernel as one of two providers:
 *
 * - `openblas`: OpenBLAS's `cblas_sgemm` (single-threaded, through Deno FFI) directly on the wasm heap,
 *   transposes passed as its flags;
 * - `xnnpack`, when the library or the FFI permission is missing or `TD3SAC_BLAS=off`: each flagged operand
 *   is transposed by the wasm backend's own Transpose kernel, then tfjs's XNNPACK kernel multiplies the plain
 *   operands, and the transposed copies are freed. These are the kernels, on the same values, that explicit
 *   `tf.transpose` calls followed by a plain `tf.matMul` would run, so the results are the same bit for bit.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { CBLAS, openBlasLibrary, sgemmParameters } from "./_openblas.ts";

/**
 * Where matrix products run on the wasm backend: `openblas` (`cblas_sgemm`, transposes as flags) or
 * `xnnpack` (tfjs's own kernel, transposed operands materialized first).
 */
export type GemmProvider = "openblas" | "xnnpack";

const SYMBOLS = {
  cblas_sgemm: { parameters: sgemmParameters("pointer"), result: "void" },
  openblas_set_num_threads: { parameters: ["i32"], result: "void" },
} as const;

type Blas = Deno.DynamicLibrary<typeof SYMBOLS>;

interface WasmTensorData {
  memoryOffset: number;
}

/** The parts of tfjs-backend-wasm's BackendWasm these kernels use. */
interface WasmBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): WasmTensorData };
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
  disposeData(dataId: object): boolean;
}

function openBlas(): Blas | undefined {
  return openBlasLibrary(SYMBOLS);
}

function makeKernel(blas: Blas): tf.KernelFunc {
  const sgemm = blas.symbols.cblas_sgemm;
  return ({ inputs, backend, attrs }) => {
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    const wasm = backend as unknown as WasmBackend;
    const ra = a.shape.length;
    const rb = b.shape.length;
    const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
    const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
    const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
    const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
    if (k !== kb) {
      throw new Error(`matMul: inner sizes ${k} and ${kb} of shapes [${a.shape}] and [${b.shape}] differ`);
    }
    const batchA = a.shape.slice(0, -2).reduce((x, y) => x * y, 1);
    const batchB = b.shape.slice(0, -2).reduce((x, y) => x * y, 1);
    if (batchA !== batchB && batchA !== 1 && batchB !== 1) {
      throw new Error(`matMul: batch sizes ${batchA} and ${batchB} do not broadcast`);
    }
    const batch = Math.max(batchA, batchB);
    const outer = (batchA >= batchB ? a : b).shape.slice(0, -2);
    const out = wasm.makeOutput([...outer, m, n], "float32");
    if (batch * m * n === 0) return out;
    // The heap may have grown while allocating the output: take its address only now.
    const heap = Deno.UnsafePointer.of(wasm.wasm.HEAPU8 as Uint8Array<ArrayBuffer>);
    const at = (t: tf.TensorInfo) => wasm.dataIdMap.get(t.dataId).memoryOffset;
    const [offA, offB, offC] = [at(a), at(b), at(out)];
    for (let i = 0; i < batch; i++) {
      const pa = Deno.UnsafePointer.offset(heap!, offA + (batchA === 1 ? 0 : i * m * k * 4));
      const pb = Deno.UnsafePointer.offset(heap!, offB + (batchB === 1 ? 0 : i * k * n * 4));
      const pc = Deno.UnsafePointer.offset(heap!, offC + i * m * n * 4);
      sgemm(
        CBLAS.ROW_MAJOR,
        transposeA ? CBLAS.TRANS : CBLAS.NO_TRANS,
        transposeB ? CBLAS.TRANS : CBLAS.NO_TRANS,
        m,
        n,
        k,
        1,
        pa,
        transposeA ? m : k,
        pb,
        transposeB ? k : n,
        0,
        pc,
        n,
      );
    }
    return out;
  };
}

/** The permutation a `transposeA`/`transposeB` flag stands for: the last two axes swapped. */
function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return perm;
}

/**
 * tfjs's own kernel `matMul` on plain operands: a flagged operand is first transposed by `transpose` (the
 * backend's Transpose kernel), as `tf.transpose` would, and the copy is freed after the product.
 */
function materializingKernel(matMul: tf.KernelFunc, transpose: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    const ra = a.shape.length;
    const rb = b.shape.length;
    // Nothing to transpose, or operands tfjs's kernel rejects: it runs (or reports) them itself.
    if ((!transposeA && !transposeB) || ra < 2 || rb < 2) return matMul(args);
    if (a.shape[transposeA ? ra - 2 : ra - 1] !== b.shape[transposeB ? rb - 1 : rb - 2]) return matMul(args);
    const copies: tf.TensorInfo[] = [];
    const plain = (t: tf.TensorInfo, flagged: boolean): tf.TensorInfo => {
      if (!flagged) return t;
      const perm = swapLastTwo(t.shape.length);
      const copy = transpose({ inputs: { x: t }, backend, attrs: { perm } }) as tf.TensorInfo;
      copies.push(copy);
      return copy;
    };
    try {
      return matMul({
        inputs: { a: plain(a, transposeA), b: plain(b, transposeB) },
        backend,
        attrs: { ...attrs, transposeA: false, transposeB: false },
      });
    } finally {
      for (const copy of copies) (backend as WasmBackend).disposeData(copy.dataId);
    }
  };
}

let active: GemmProvider | undefined;
let original: tf.KernelConfig | undefined;

/**
 * Replace the wasm backend's `BatchMatMul` kernel: by OpenBLAS's when it can be loaded, by tfjs's own with
 * transposes materialized otherwise (see the module doc). Call after `@tensorflow/tfjs-backend-wasm` is
 * imported, before or after the backend is set; idempotent. Code that selects the wasm backend without
 * `useBackend` should call this too, or flagged products run in tfjs's slow loop.
 *
 * @param options `enabled: false` skips OpenBLAS
 * @returns the provider now in use
 * @throws when the wasm backend's kernels are not registered
 */
export function installGemm(options: { readonly enabled?: boolean } = {}): GemmProvider {
  if (active !== undefined) return active;
  const matMul = tf.getKernel("BatchMatMul", "wasm");
  const transpose = tf.getKernel("Transpose", "wasm");
  if (matMul === undefined || transpose === undefined) {
    throw new Error(
      "installGemm: the wasm backend is not registered (import @tensorflow/tfjs-backend-wasm first)",
    );
  }
  const blas = options.enabled === false ? undefined : openBlas();

  const kernelFunc = blas === undefined
    ? materializingKernel(matMul.kernelFunc, transpose.kernelFunc)
    : makeKernel(blas);
  tf.unregisterKernel("BatchMatMul", "wasm");
  // The original's setup still runs when the backend initializes, so that restoring it later works.
  tf.registerKernel({ ...matMul, kernelFunc });
  original = matMul;
  return (active = blas === undefined ? "xnnpack" : "openblas");
}

/**
 * Which GEMM the wasm backend uses, once {@link installGemm} has run.
 *
 * @returns the provider, or `undefined` before installation
 */
export function gemmProvider(): GemmProvider | undefined {
  return active;
}

/**
 * Restore tfjs's own wasm `BatchMatMul` kernel, which runs flagged products in its slow loop (for
 * equivalence tests); a later {@link installGemm} reinstalls.
 */
export function uninstallGemm(): void {
  if (original !== undefined) {
    tf.unregisterKernel("BatchMatMul", "wasm");
    tf.registerKernel(original);
    original = undefined;
  }
  active = undefined;
}
