/**
 * The engine's element-wise passes in WebAssembly SIMD (f32x4; source in `assembly/elementwise.ts`,
 * AssemblyScript, built by `deno task build:kernels` into the committed `elementwise.wasm` and its base64
 * copy `_elementwise_wasm.ts`). They equal `referenceElementwise` of `../elementwise.ts` bit for bit.
 *
 * The module can only read its own memory, so each call copies its operands in (`TypedArray.set`, a
 * memcpy), runs in place there, and copies the results out. That still pays by far: measured on Adam over
 * one 400×300 critic (122 601 floats), the scalar loop takes about 10 ns per element, the kernel on data
 * already in its memory 1.0 ns and the kernel with the copies 1.5 ns; the ReLU loops are slow in
 * JavaScript because their branches follow the random signs of the activations, which the kernels do
 * without.
 *
 * The module is a few kilobytes and is compiled synchronously when this file loads, from the base64 copy,
 * so nothing is fetched and no permission is needed; where WebAssembly SIMD is missing,
 * {@link wasmElementwise} is `undefined` and the engine uses the reference. Nothing here uses Deno APIs.
 *
 * @module
 */
import type { AdamScalars, Elementwise } from "../elementwise.ts";
import { ELEMENTWISE_WASM_BASE64 } from "./_elementwise_wasm.ts";

/** The module's exports, as compiled from `assembly/elementwise.ts`; pointers are byte offsets. */
interface Exports {
  memory: WebAssembly.Memory;
  base(): number;
  reserve(bytes: number): number;
  adam(
    n: number,
    p: number,
    m: number,
    v: number,
    g: number,
    beta1: number,
    oneMinusBeta1: number,
    beta2: number,
    oneMinusBeta2: number,
    c1: number,
    sqrtC2: number,
    eps: number,
    negLr: number,
  ): void;
  softUpdate(n: number, t: number, o: number, keep: number, take: number): void;
  relu(n: number, z: number): void;
  maskColumnSums(
    rows: number,
    cols: number,
    dh: number,
    z: number,
    db: number,
    acc: number,
    accumulate: number,
  ): void;
}

/** How many heap views the copies out keep before starting afresh. */
const MAX_VIEWS = 256;

/** Rounds a float count up to a 16-float (64-byte) boundary. */
function align16(floats: number): number {
  return (floats + 15) & ~15;
}

/**
 * The provider from a compiled `elementwise.wasm` (synchronous; each call makes its own instance and memory).
 *
 * @param module the compiled module
 * @returns the provider
 */
export function wasmElementwiseFromModule(module: WebAssembly.Module): Elementwise {
  const x = new WebAssembly.Instance(module, {}).exports as unknown as Exports;
  const base = x.base() / 4; // in floats
  let heap = new Float32Array(x.memory.buffer);
  // Views of the heap for the copies out, cut once per (offset, length), so that a steady run allocates
  // none; a growth of the memory detaches them, and the next reserve() starts afresh (so does a cache that
  // has seen more than MAX_VIEWS shapes).
  let views = new Map<number, Map<number, Float32Array>>();
  let viewCount = 0;
  const reserve = (floats: number) => {
    if (x.reserve(floats * 4) === 0) {
      throw new RangeError(`wasm-simd elementwise: cannot grow the memory to ${floats * 4} bytes`);
    }
    if (heap.buffer !== x.memory.buffer || viewCount > MAX_VIEWS) {
      heap = new Float32Array(x.memory.buffer);
      views = new Map();
      viewCount = 0;
    }
  };
  const view = (at: number, length: number): Float32Array => {
    let byLength = views.get(at);
    if (byLength === undefined) views.set(at, byLength = new Map());
    let v = byLength.get(length);
    if (v === undefined) {
      byLength.set(length, v = heap.subarray(at, at + length));
      viewCount++;
    }
    return v;
  };
  return {
    name: "wasm-simd",
    adam(from, g, s: AdamScalars, out) {
      const n = from.p.length;
      const stride = align16(n);
      const p = base, m = base + stride, v = base + 2 * stride, gAt = base + 3 * stride;
      reserve(4 * stride);
      heap.set(from.p, p);
      heap.set(from.m, m);
      heap.set(from.v, v);
      heap.set(g, gAt);
      const { beta1, oneMinusBeta1, beta2, oneMinusBeta2, c1, sqrtC2, eps, negLr } = s;
      x.adam(
        n,
        p * 4,
        m * 4,
        v * 4,
        gAt * 4,
        beta1,
        oneMinusBeta1,
        beta2,
        oneMinusBeta2,
        c1,
        sqrtC2,
        eps,
        negLr,
      );
      out.p.set(view(p, n));
      out.m.set(view(m, n));
      out.v.set(view(v, n));
    },
    softUpdate(target, online, keep, take, out) {
      const n = target.length;
      const t = base, o = base + align16(n);
      reserve(2 * align16(n));
      heap.set(target, t);
      heap.set(online, o);
      x.softUpdate(n, t * 4, o * 4, keep, take);
      out.set(view(t, n));
    },
    relu(z, h) {
      const n = z.length;
      reserve(align16(n));
      heap.set(z, base);
      x.relu(n, base * 4);
      h.set(view(base, n));
    },
    reluBackward(dh, z, rows, cols, db, accumulate) {
      const n = rows * cols;
      const stride = align16(n);
      const dhAt = base, zAt = base + stride, dbAt = base + 2 * stride;
      const accAt = dbAt + align16(cols); // float64 sums, 2 floats each
      reserve(accAt - base + align16(2 * cols));
      heap.set(dh.length === n ? dh : dh.subarray(0, n), dhAt);
      heap.set(z.length === n ? z : z.subarray(0, n), zAt);
      if (accumulate) heap.set(db.length === cols ? db : db.subarray(0, cols), dbAt);
      x.maskColumnSums(rows, cols, dhAt * 4, zAt * 4, dbAt * 4, accAt * 4, +accumulate);
      dh.set(view(dhAt, n));
      db.set(view(dbAt, cols));
    },
  };
}

/** `elementwise.wasm`'s bytes, from the base64 copy. */
function wasmBytes(): Uint8Array<ArrayBuffer> {
  const text = atob(ELEMENTWISE_WASM_BASE64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * The provider, compiled once when this module loads; `undefined` where WebAssembly (with SIMD) is not
 * available.
 */
export const wasmElementwise: Elementwise | undefined = (() => {
  try {
    return wasmElementwiseFromModule(new WebAssembly.Module(wasmBytes()));
  } catch {
    return undefined;
  }
})();
