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

/** The CPU flags OpenBLAS's SkylakeX kernels need (AVX-512 Foundation, BW, DQ, VL). */
const AVX512_FLAGS = ["avx512f", "avx512bw", "avx512dq", "avx512vl"] as const;

/**
 * The OpenBLAS core type to ask for on a processor, given its `/proc/cpuinfo` and the `OPENBLAS_CORETYPE`
 * already set: `SkylakeX` for an AMD processor with AVX-512 (Zen 4 and later), which OpenBLAS releases before
 * 0.3.22 do not know and run on their AVX2 (Haswell) kernels; otherwise none. A value the user set is
 * always kept. Measured on a Zen 5 EPYC with OpenBLAS 0.3.21: the SkylakeX kernels make the engine's TD3
 * updates about 1.5× faster than the Haswell ones.
 *
 * @param cpuinfo the text of `/proc/cpuinfo`
 * @param current `OPENBLAS_CORETYPE` as set now, if at all
 * @returns the core type to set, or undefined to leave OpenBLAS's choice
 */
export function coreTypeFor(cpuinfo: string, current: string | undefined): string | undefined {
  if (current !== undefined) return undefined;
  const flags = new Set(/^flags\s*:(.*)$/m.exec(cpuinfo)?.[1].trim().split(/\s+/) ?? []);
  const amd = /^vendor_id\s*:\s*AuthenticAMD$/m.test(cpuinfo);
  return amd && AVX512_FLAGS.every((flag) => flags.has(flag)) ? "SkylakeX" : undefined;
}

/**
 * Before OpenBLAS loads, set `OPENBLAS_CORETYPE` as {@link coreTypeFor} says. Which kernels run decides the
 * products' float32 rounding, so byte-identical reruns need the same choice (the same machine and
 * environment give it).
 */
function chooseCoreType(): void {
  try {
    const chosen = coreTypeFor(Deno.readTextFileSync("/proc/cpuinfo"), Deno.env.get("OPENBLAS_CORETYPE"));
    if (chosen !== undefined) Deno.env.set("OPENBLAS_CORETYPE", chosen);
  } catch {
    // not Linux, or no read or environment permission: OpenBLAS chooses
  }
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
 * On an AMD processor with AVX-512 it is asked for its AVX-512 kernels first (see {@link chooseCoreType}).
 *
 * @param symbols the symbols to bind
 * @returns the library, or `undefined` when it is not installed or FFI is not permitted
 */
export function openBlasLibrary<S extends Deno.ForeignLibraryInterface>(
  symbols: S,
): Deno.DynamicLibrary<S> | undefined {
  chooseCoreType();
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
