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
 * The kernels the loaded OpenBLAS runs (`openblas_get_corename`), e.g. `Haswell` or `SkylakeX`, for the
 * run log.
 *
 * @returns the name, or undefined when OpenBLAS is not loaded or cannot be asked
 */
export function openBlasCoreName(): string | undefined {
  return coreName;
}

let coreName: string | undefined;

/**
 * Load OpenBLAS with `symbols` (which must include `openblas_set_num_threads`) and set it to one thread.
 * OpenBLAS picks its kernels for the processor itself, or as `OPENBLAS_CORETYPE` says; this module does not
 * choose for it. (An earlier version set `SkylakeX` on AMD processors with AVX-512, which OpenBLAS 0.3.21
 * runs on its AVX2 kernels before Zen 4: 5.8 → 3.6 ms per TD3 update on a Zen 5 EPYC. It read
 * `/proc/cpuinfo`, which Deno lets only `--allow-all` read, so `deno task train` and `deno run -A` ran
 * different kernels and gave different bits on one machine. Set `OPENBLAS_CORETYPE=SkylakeX` by hand on
 * such a machine.)
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
      coreName ??= readCoreName(name);
      return library;
    } catch {
      // not this name, or no FFI permission
    }
  }
  return undefined;
}

/** Ask the library for its core name (a second handle on the same loaded library). */
function readCoreName(name: string): string | undefined {
  try {
    const probe = Deno.dlopen(name, { openblas_get_corename: { parameters: [], result: "pointer" } });
    const pointer = probe.symbols.openblas_get_corename();
    const text = pointer === null ? undefined : Deno.UnsafePointerView.getCString(pointer);
    probe.close();
    return text;
  } catch {
    return undefined;
  }
}
