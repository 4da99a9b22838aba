/**
 * Optional fast GEMM for the wasm backend: re-registers its `BatchMatMul` kernel to call OpenBLAS's
 * `cblas_sgemm` (single-threaded, through Deno FFI) directly on the wasm heap, transposes as flags. Falls
 * back to tfjs's own XNNPACK kernel when the library or the FFI permission is missing, or when
 * `TD3SAC_BLAS=off`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { TRANSPOSE_FREE_FLAG } from "../core/nn/dense.ts";

/** Where matrix products run on the wasm backend. */
export type GemmProvider = "openblas" | "xnnpack";

const CBLAS_ROW_MAJOR = 101;
const CBLAS_NO_TRANS = 111;
const CBLAS_TRANS = 112;

const LIBRARY_NAMES = ["libopenblas.so.0", "libopenblas.so", "libopenblas.dylib"] as const;

const SYMBOLS = {
  cblas_sgemm: {
    parameters: [
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "f32",
      "pointer",
      "i32",
      "pointer",
      "i32",
      "f32",
      "pointer",
      "i32",
    ],
    result: "void",
  },
  openblas_set_num_threads: { parameters: ["i32"], result: "void" },
} as const;

type Blas = Deno.DynamicLibrary<typeof SYMBOLS>;

interface WasmTensorData {
  memoryOffset: number;
}

/** The parts of tfjs-backend-wasm's BackendWasm this kernel uses. */
interface WasmBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): WasmTensorData };
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
}

function openBlas(): Blas | undefined {
  for (const name of LIBRARY_NAMES) {
    try {
      return Deno.dlopen(name, SYMBOLS);
    } catch {
      // not this name, or no FFI permission
    }
  }
  return undefined;
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
        CBLAS_ROW_MAJOR,
        transposeA ? CBLAS_TRANS : CBLAS_NO_TRANS,
        transposeB ? CBLAS_TRANS : CBLAS_NO_TRANS,
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

let active: GemmProvider | undefined;
let original: tf.KernelConfig | undefined;

/**
 * Route the wasm backend's matrix products to OpenBLAS when it can be loaded. Call after the wasm backend
 * is registered; idempotent.
 *
 * @param options `enabled: false` keeps tfjs's own kernel
 * @returns the provider now in use
 */
export function installGemm(options: { readonly enabled?: boolean } = {}): GemmProvider {
  if (active !== undefined) return active;
  const blas = options.enabled === false ? undefined : openBlas();
  if (blas === undefined) return (active = "xnnpack");
  blas.symbols.openblas_set_num_threads(1);
  original = tf.getKernel("BatchMatMul", "wasm");
  tf.unregisterKernel("BatchMatMul", "wasm");
  tf.registerKernel({ kernelName: "BatchMatMul", backendName: "wasm", kernelFunc: makeKernel(blas) });
  tf.env().set(TRANSPOSE_FREE_FLAG, true);
  return (active = "openblas");
}

/**
 * Which GEMM the wasm backend uses, once {@link installGemm} has run.
 *
 * @returns the provider, or `undefined` before installation
 */
export function gemmProvider(): GemmProvider | undefined {
  return active;
}

/** Restore tfjs's own wasm `BatchMatMul` kernel (for equivalence tests); a later {@link installGemm} reinstalls. */
export function uninstallGemm(): void {
  if (active === "openblas" && original !== undefined) {
    tf.unregisterKernel("BatchMatMul", "wasm");
    tf.registerKernel(original);
  }
  tf.env().set(TRANSPOSE_FREE_FLAG, false);
  active = undefined;
}
