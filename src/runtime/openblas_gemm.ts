/**
 * The fused engine's matrix products in OpenBLAS: `cblas_sgemm` (single-threaded) through Deno FFI on the
 * engine's own Float32Array arenas, passed as FFI buffers, so no copy is made and nothing is allocated per
 * product. Loaded only when asked for; without the library or the FFI permission there is no provider and
 * the engine uses another.
 *
 * @module
 */
import type { Gemm } from "../engine/gemm.ts";

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
      "buffer",
      "i32",
      "buffer",
      "i32",
      "f32",
      "buffer",
      "i32",
    ],
    result: "void",
  },
  openblas_set_num_threads: { parameters: ["i32"], result: "void" },
} as const;

let loaded: Gemm | null | undefined;

/**
 * OpenBLAS as a {@link Gemm}, when the library loads (once; later calls return the same provider).
 *
 * @returns the provider, or `undefined` without the library or the FFI permission
 */
export function openBlasGemm(): Gemm | undefined {
  if (loaded !== undefined) return loaded ?? undefined;
  loaded = null;
  for (const name of LIBRARY_NAMES) {
    let library: Deno.DynamicLibrary<typeof SYMBOLS>;
    try {
      library = Deno.dlopen(name, SYMBOLS);
    } catch {
      continue; // not this name, or no FFI permission
    }
    library.symbols.openblas_set_num_threads(1);
    const sgemm = library.symbols.cblas_sgemm;
    loaded = {
      name: "openblas",
      sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
        if (m === 0 || n === 0) return;
        const ta = transA ? CBLAS_TRANS : CBLAS_NO_TRANS;
        const tb = transB ? CBLAS_TRANS : CBLAS_NO_TRANS;
        sgemm(CBLAS_ROW_MAJOR, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
      },
    };
    break;
  }
  return loaded ?? undefined;
}
