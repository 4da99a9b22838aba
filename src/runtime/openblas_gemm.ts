/**
 * The fused engine's matrix products in OpenBLAS: `cblas_sgemm` (single-threaded) through Deno FFI on the
 * engine's own Float32Array arenas, passed as FFI buffers, so no copy is made and nothing is allocated per
 * product. Loaded only when asked for; without the library or the FFI permission there is no provider and
 * the engine uses another.
 *
 * @module
 */
import type { Gemm } from "../engine/gemm.ts";
import { CBLAS, openBlasLibrary, sgemmParameters } from "./_openblas.ts";

const SYMBOLS = {
  cblas_sgemm: { parameters: sgemmParameters("buffer"), result: "void" },
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
  const library = openBlasLibrary(SYMBOLS);
  if (library === undefined) return undefined;
  const sgemm = library.symbols.cblas_sgemm;
  loaded = {
    name: "openblas",
    sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
      if (m === 0 || n === 0) return;
      const ta = transA ? CBLAS.TRANS : CBLAS.NO_TRANS;
      const tb = transB ? CBLAS.TRANS : CBLAS.NO_TRANS;
      sgemm(CBLAS.ROW_MAJOR, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    },
  };
  return loaded ?? undefined;
}
