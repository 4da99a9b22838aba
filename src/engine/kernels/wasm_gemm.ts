/**
 * The engine's own matrix product: a WebAssembly SIMD `sgemm` (f32x4, a packed 4 × 8 micro-kernel; source
 * in `assembly/gemm.ts`, AssemblyScript, built by `deno task build:kernels` into the committed
 * `gemm.wasm`), so the fused engine has a fast provider on every machine, with or without OpenBLAS, and
 * later in a browser. Nothing here uses Deno APIs.
 *
 * Two ways in:
 *
 * - {@link WasmGemm.sgemm}, the {@link Gemm} contract on JS Float32Arrays. The module can only read its own
 *   memory, so each call **copies** A and B (the spans their strides cover) into the wasm memory, C too
 *   when β ≠ 0 (or when C's rows have gaps), runs, and copies C back out: O(mk + kn + mn) extra traffic on
 *   an O(mnk) product, which is noticeable for small or skinny products (the engine's layer sizes).
 * - {@link WasmGemmKernel.sgemmAt}, the same product on byte offsets into {@link WasmGemmKernel.memory},
 *   with no copy. An engine that places its parameter, gradient and workspace arenas inside that memory
 *   (Float32Array views over `memory.buffer` from {@link WasmGemmKernel.reserve}) calls this instead.
 *
 * Loading: {@link loadWasmGemm} reads the bytes with `fetch(new URL("./gemm.wasm", import.meta.url))`.
 * Under Deno a `file:` URL fetch needs only `--allow-read` (which the engine's tasks already grant) and in
 * a browser the same line fetches it over http, so one loader serves both without a generated base64
 * copy of the binary to keep in sync. Hosts that have the bytes or a compiled module already (a bundler,
 * a worker) pass them to {@link loadWasmGemm} or, synchronously, {@link wasmGemmFromModule}.
 *
 * @module
 */
import type { Gemm } from "../gemm.ts";

/** The module's exports, as compiled from `assembly/gemm.ts`. */
interface Exports {
  memory: WebAssembly.Memory;
  userBase(): number;
  reserve(bytes: number): number;
  sgemm(
    transA: number,
    transB: number,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: number,
    lda: number,
    b: number,
    ldb: number,
    beta: number,
    c: number,
    ldc: number,
  ): number;
}

/** The kernel itself, on its own memory: for callers that keep their matrices there and copy nothing. */
export interface WasmGemmKernel {
  /** The module's memory; it grows (detaching old `buffer` views) only in {@link reserve}. */
  readonly memory: WebAssembly.Memory;
  /** The first byte offset free for the host (64-byte aligned); below it is the kernel's packing scratch. */
  readonly userBase: number;
  /**
   * Makes `bytes` bytes available from {@link userBase}, growing the memory if needed; views over the old
   * `memory.buffer` are detached by a growth and must be made again.
   *
   * @returns {@link userBase}
   */
  reserve(bytes: number): number;
  /**
   * `C ← α·op(A)·op(B) + β·C` as {@link Gemm.sgemm}, with `a`, `b`, `c` byte offsets into
   * {@link memory} (4-byte aligned) and the strides in floats. The kernel's scratch is below
   * {@link userBase}: the matrices must not be.
   */
  sgemmAt(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: number,
    lda: number,
    b: number,
    ldb: number,
    beta: number,
    c: number,
    ldc: number,
  ): void;
}

/** The wasm provider: a {@link Gemm} on JS arrays (copying), plus the copy-free kernel. */
export interface WasmGemm extends Gemm {
  readonly name: "wasm-simd";
  readonly kernel: WasmGemmKernel;
}

/** Floats a stored matrix spans: `rows` rows of `cols` used values, `ld` apart. */
function span(rows: number, cols: number, ld: number): number {
  return rows === 0 || cols === 0 ? 0 : (rows - 1) * ld + cols;
}

/** Rounds a float count up to a 16-float (64-byte) boundary. */
function align16(floats: number): number {
  return (floats + 15) & ~15;
}

/**
 * The provider from a compiled module (synchronous).
 *
 * @param module `gemm.wasm`, compiled
 * @returns the provider
 */
export function wasmGemmFromModule(module: WebAssembly.Module): WasmGemm {
  const x = new WebAssembly.Instance(module, {}).exports as unknown as Exports;
  const userBase = x.userBase();
  const kernel: WasmGemmKernel = {
    memory: x.memory,
    userBase,
    reserve(bytes) {
      const at = x.reserve(bytes);
      if (at === 0) throw new RangeError(`wasm-simd gemm: cannot grow the memory to ${bytes} bytes`);
      return at;
    },
    sgemmAt(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
      if (x.sgemm(+transA, +transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) !== 0) {
        throw new RangeError("wasm-simd gemm: cannot grow the memory for the packing scratch");
      }
    },
  };
  let view: Float32Array<ArrayBufferLike> = new Float32Array(0);
  return {
    name: "wasm-simd",
    kernel,
    sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
      if (m <= 0 || n <= 0) return;
      const aLen = transA ? span(k, m, lda) : span(m, k, lda);
      const bLen = transB ? span(n, k, ldb) : span(k, n, ldb);
      const cLen = span(m, n, ldc);
      const aAt = 0;
      const bAt = aAt + align16(aLen);
      const cAt = bAt + align16(bLen);
      const base = kernel.reserve((cAt + cLen) * 4) / 4;
      if (view.buffer !== x.memory.buffer) view = new Float32Array(x.memory.buffer);
      view.set(a.subarray(0, aLen), base + aAt);
      view.set(b.subarray(0, bLen), base + bAt);
      // C goes in when its old values count (β ≠ 0), or when its rows have gaps that the copy back of the
      // whole span would otherwise overwrite.
      if (beta !== 0 || ldc !== n) view.set(c.subarray(0, cLen), base + cAt);
      kernel.sgemmAt(
        transA,
        transB,
        m,
        n,
        k,
        alpha,
        (base + aAt) * 4,
        lda,
        (base + bAt) * 4,
        ldb,
        beta,
        (base + cAt) * 4,
        ldc,
      );
      c.set(view.subarray(base + cAt, base + cAt + cLen));
    },
  };
}

/**
 * Loads `gemm.wasm` (beside this file, unless given) and makes the provider.
 *
 * @param source the module's bytes or the compiled module, when the host has them
 * @returns the provider
 */
export async function loadWasmGemm(source?: BufferSource | WebAssembly.Module): Promise<WasmGemm> {
  if (source instanceof WebAssembly.Module) return wasmGemmFromModule(source);
  const bytes = source ?? await (await fetch(new URL("./gemm.wasm", import.meta.url))).arrayBuffer();
  return wasmGemmFromModule(await WebAssembly.compile(bytes));
}
