import assert from "node:assert/strict";
import { referenceGemm } from "../gemm.ts";
import { loadWasmGemm } from "./wasm_gemm.ts";

const wasm = await loadWasmGemm();

/** A small deterministic generator (xorshift32), uniform in [-1, 1). */
function filler(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 31 - 1;
  };
}

function random(length: number, next: () => number): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = next();
  return out;
}

interface Case {
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
  alpha: number;
  beta: number;
  /** extra floats on each stored row stride */
  pad?: number;
  /** old C holds NaN (β = 0 must ignore it) */
  nanC?: boolean;
}

/**
 * Runs one case on both providers. Each element is compared to `1e-5 · (|α|·Σ|a||b| + |β|·|c₀|)`, the scale
 * of its terms, so that cancellation in the sum does not make the relative test meaningless; the
 * reference sums in float64, the kernel in float32.
 */
function check(t: Case, seed: number): void {
  const { transA, transB, m, n, k, alpha, beta } = t;
  const pad = t.pad ?? 0;
  const next = filler(seed);
  const lda = (transA ? m : k) + pad;
  const ldb = (transB ? k : n) + pad;
  const ldc = n + pad;
  const a = random((transA ? k : m) * lda, next);
  const b = random((transB ? n : k) * ldb, next);
  const c0 = random(m * ldc, next);
  if (t.nanC) c0.fill(NaN);
  const want = c0.slice();
  const got = c0.slice();
  referenceGemm.sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, want, ldc);
  wasm.sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, got, ldc);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < ldc; j++) {
      const at = i * ldc + j;
      if (j >= n) {
        // the gaps between rows are left alone
        if (!Object.is(got[at], c0[at])) throw new Error(`${JSON.stringify(t)}: gap (${i}, ${j}) written`);
        continue;
      }
      let scale = beta === 0 ? 0 : Math.abs(beta * c0[at]);
      for (let p = 0; p < k; p++) {
        const aip = transA ? a[p * lda + i] : a[i * lda + p];
        const bpj = transB ? b[j * ldb + p] : b[p * ldb + j];
        scale += Math.abs(alpha * aip * bpj);
      }
      const error = Math.abs(got[at] - want[at]);
      if (!(error <= 1e-5 * scale + 1e-30)) {
        throw new Error(
          `${JSON.stringify(t)}: C(${i}, ${j}) = ${got[at]}, want ${want[at]} (scale ${scale})`,
        );
      }
    }
  }
}

const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 8, 1],
  [4, 8, 1],
  [3, 5, 7],
  [4, 8, 16],
  [5, 9, 17],
  [7, 13, 3],
  [17, 1, 33],
  [1, 31, 2],
  [63, 65, 31],
  [65, 7, 257],
  [33, 520, 19],
  [128, 64, 32],
  [100, 30, 300],
];

Deno.test("wasm-simd sgemm equals the reference on many shapes × transposes × α × β", () => {
  let seed = 1;
  for (const [m, n, k] of SHAPES) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        for (const beta of [0, 1, -0.75]) {
          for (const alpha of [1, -1.5]) {
            check({ transA, transB, m, n, k, alpha, beta }, seed++);
          }
        }
      }
    }
  }
});

Deno.test("wasm-simd sgemm: padded strides leave the row gaps alone; β = 0 ignores NaN in C", () => {
  let seed = 1000;
  for (const [m, n, k] of [[5, 9, 17], [64, 24, 40], [3, 1, 2]] as [number, number, number][]) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        for (const beta of [0, 1]) {
          check({ transA, transB, m, n, k, alpha: 0.5, beta, pad: 3 }, seed++);
        }
        check({ transA, transB, m, n, k, alpha: 1, beta: 0, nanC: true }, seed++);
        check({ transA, transB, m, n, k, alpha: 1, beta: 0, nanC: true, pad: 2 }, seed++);
      }
    }
  }
});

Deno.test("wasm-simd sgemm: k = 0 scales C by β; m or n = 0 does nothing", () => {
  const c = new Float32Array([1, 2, 3, 4]);
  wasm.sgemm(false, false, 2, 2, 0, 1, new Float32Array(0), 1, new Float32Array(0), 2, 0.5, c, 2);
  assert.deepEqual([...c], [0.5, 1, 1.5, 2]);
  c.fill(NaN);
  wasm.sgemm(false, false, 2, 2, 0, 1, new Float32Array(0), 1, new Float32Array(0), 2, 0, c, 2);
  assert.deepEqual([...c], [0, 0, 0, 0]);
  wasm.sgemm(false, false, 0, 2, 3, 1, new Float32Array(0), 3, new Float32Array(6), 2, 0, c, 2);
  assert.deepEqual([...c], [0, 0, 0, 0]);
});

Deno.test("wasm-simd sgemm equals the reference at 256 × 256 × 256", () => {
  check({ transA: false, transB: false, m: 256, n: 256, k: 256, alpha: 1, beta: 1 }, 77);
  check({ transA: true, transB: true, m: 256, n: 256, k: 256, alpha: 1, beta: 0 }, 78);
});

Deno.test("wasm-simd sgemmAt works in place on matrices inside the wasm memory", () => {
  const { kernel } = wasm;
  const [m, n, k] = [6, 10, 12];
  const base = kernel.reserve((m * k + k * n + m * n) * 4);
  assert(base >= kernel.userBase && base % 64 === 0);
  const next = filler(5);
  const view = new Float32Array(kernel.memory.buffer, base, m * k + k * n + m * n);
  const a = view.subarray(0, m * k);
  const b = view.subarray(m * k, m * k + k * n);
  const c = view.subarray(m * k + k * n);
  a.set(random(m * k, next));
  b.set(random(k * n, next));
  const want = new Float32Array(m * n);
  referenceGemm.sgemm(false, false, m, n, k, 1, a, k, b, n, 0, want, n);
  kernel.sgemmAt(false, false, m, n, k, 1, base, k, base + m * k * 4, n, 0, base + (m * k + k * n) * 4, n);
  for (let i = 0; i < m * n; i++) assert(Math.abs(c[i] - want[i]) <= 1e-5 * (1 + Math.abs(want[i])));
});
