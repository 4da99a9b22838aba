/**
 * The engine's element-wise passes behind one interface, as its matrix products are behind `Gemm`: Adam and
 * the soft target update over whole arenas (`adam.ts`), a hidden layer's ReLU and, in its backward, the ReLU
 * mask fused with the bias gradient's column sums (`mlp.ts`).
 *
 * {@link referenceElementwise} is the definition, plain loops with a `Math.fround` after each float32 op;
 * the WebAssembly SIMD provider of `kernels/wasm_elementwise.ts` equals it bit for bit (tested), four lanes
 * at a time and without the branches that make the ReLU loops slow on random signs. {@link elementwise},
 * what `adam.ts` and `mlp.ts` call, is the WebAssembly provider wherever it instantiates, else the
 * reference.
 *
 * @module
 */
import type { AdamArenas } from "./adam.ts";
import { wasmElementwise } from "./kernels/wasm_elementwise.ts";

/** Adam's scalars for one step, each already a float32 value (computed by `adam.ts`). */
export interface AdamScalars {
  /** β₁. */
  readonly beta1: number;
  /** 1 − β₁. */
  readonly oneMinusBeta1: number;
  /** β₂. */
  readonly beta2: number;
  /** 1 − β₂. */
  readonly oneMinusBeta2: number;
  /** The first moment's bias correction c₁ = 1 − β₁^t. */
  readonly c1: number;
  /** The square root of the second moment's, √c₂ = √(1 − β₂^t). */
  readonly sqrtC2: number;
  /** ε. */
  readonly eps: number;
  /** −lr. */
  readonly negLr: number;
}

/** The element-wise passes; every array is read from its first element. */
export interface Elementwise {
  /** Which provider: `"wasm-simd"` or `"reference"`. */
  readonly name: string;
  /**
   * One Adam step on every element (the formulas are in `adam.ts`): reads `from` and `g`, writes `out`,
   * which may be `from` or share some of its arrays; all arrays have the same length.
   */
  adam(from: AdamArenas, g: Float32Array, s: AdamScalars, out: AdamArenas): void;
  /** `out[i] = f(f(target[i]·keep) + f(online[i]·take))`; `out` may be `target`; same lengths. */
  softUpdate(target: Float32Array, online: Float32Array, keep: number, take: number, out: Float32Array): void;
  /** `h[i] = z[i] > 0 ? z[i] : 0` for every element of `z` (NaN and −0 give +0); `h` as long as `z`. */
  relu(z: Float32Array, h: Float32Array): void;
  /**
   * The backward of a ReLU layer for a `rows × cols` row-major batch, in one pass: `dh[i] = 0` wherever
   * `!(z[i] > 0)` (in place), then `db[j] = (accumulate ? db[j] : 0) + Σ_r dh[r·cols + j]`, summed in float64
   * in row order and rounded once.
   */
  reluBackward(
    dh: Float32Array,
    z: Float32Array,
    rows: number,
    cols: number,
    db: Float32Array,
    accumulate: boolean,
  ): void;
}

const f = Math.fround;

/** The smallest positive normal float32, 2⁻¹²⁶ (as `core/optim/adam.ts`'s `FLT_MIN`). */
const FLT_MIN = 2 ** -126;

/** A moment flushed as the reference's `flushSubnormal`: +0 when its magnitude is below 2⁻¹²⁶, else itself. */
const flush = (x: number): number => (Math.abs(x) < FLT_MIN ? 0 : x);

/** The definitions, as plain loops; each store into a Float32Array is the last `fround` of its expression. */
export const referenceElementwise: Elementwise = {
  name: "reference",
  adam({ p, m, v }, g, s, { p: pOut, m: mOut, v: vOut }) {
    const { beta1, oneMinusBeta1, beta2, oneMinusBeta2, c1, sqrtC2, eps, negLr } = s;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i];
      const mi = flush(f(f(m[i] * beta1) + f(gi * oneMinusBeta1)));
      const vi = flush(f(f(v[i] * beta2) + f(f(gi * gi) * oneMinusBeta2)));
      const u = f(f(mi / c1) / f(f(f(Math.sqrt(vi)) / sqrtC2) + eps));
      pOut[i] = p[i] + f(u * negLr);
      mOut[i] = mi;
      vOut[i] = vi;
    }
  },
  softUpdate(target, online, keep, take, out) {
    for (let i = 0; i < target.length; i++) out[i] = f(target[i] * keep) + f(online[i] * take);
  },
  relu(z, h) {
    for (let i = 0; i < z.length; i++) h[i] = z[i] > 0 ? z[i] : 0;
  },
  reluBackward(dh, z, rows, cols, db, accumulate) {
    for (let i = 0; i < rows * cols; i++) if (!(z[i] > 0)) dh[i] = 0;
    for (let j = 0; j < cols; j++) {
      let sum = accumulate ? db[j] : 0;
      for (let r = 0; r < rows; r++) sum += dh[r * cols + j];
      db[j] = sum;
    }
  },
};

/** What the engine uses: the WebAssembly SIMD kernels where they instantiate, else the reference. */
export const elementwise: Elementwise = wasmElementwise ?? referenceElementwise;
