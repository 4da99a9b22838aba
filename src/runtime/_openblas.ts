/**
 * What both OpenBLAS users share (tfjs's wasm kernel in `gemm.ts`, the engine's provider in
 * `openblas_gemm.ts`): the CBLAS constants, the library's file names, and loading it single-threaded with
 * the symbols a user declares (`cblas_sgemm`'s matrices as wasm-heap pointers for one, as buffers for the
 * other).
 *
 * @module
 */

/** CBLAS's enum values for row-major storage and for (no) transpose. */
export const CBLAS = { ROW_MAJOR: 101, NO_TRANS: 111, TRANS: 112 } as const;

const LIBRARY_NAMES = ["libopenblas.so.0", "libopenblas.so", "libopenblas.dylib"] as const;

/** The integer and scalar parameters of `cblas_sgemm`, around the three matrices of type `M`. */
export function sgemmParameters<M extends "pointer" | "buffer">(matrix: M) {
  return [
    "i32",
    "i32",
    "i32",
    "i32",
    "i32",
    "i32",
    "f32",
    matrix,
    "i32",
    matrix,
    "i32",
    "f32",
    matrix,
    "i32",
  ] as const;
}

/**
 * Load OpenBLAS with `symbols` (which must include `openblas_set_num_threads`) and set it to one thread.
 *
 * @param symbols the symbols to bind
 * @returns the library, or `undefined` when it is not installed or FFI is not permitted
 */
export function openBlasLibrary<S extends Deno.ForeignLibraryInterface>(
  symbols: S,
): Deno.DynamicLibrary<S> | undefined {
  for (const name of LIBRARY_NAMES) {
    try {
      const library = Deno.dlopen(name, symbols);
      (library.symbols as unknown as { openblas_set_num_threads(n: number): void }).openblas_set_num_threads(
        1,
      );
      return library;
    } catch {
      // not this name, or no FFI permission
    }
  }
  return undefined;
}
