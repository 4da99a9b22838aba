/**
 * The one matrix product the fused engine uses, behind an interface so that the provider is the runtime's
 * choice: `C ← α·op(A)·op(B) + β·C` on row-major float32 matrices, `op` an optional transpose (BLAS's
 * `sgemm`). Seeding C with a bias and passing β = 1 adds the bias for free.
 *
 * The reference provider here is plain TypeScript, the readable definition every faster provider is tested
 * against; OpenBLAS over Deno FFI lives in `runtime/openblas_gemm.ts`.
 *
 * @module
 */

/** `C ← α·op(A)·op(B) + β·C`, row-major; `op(A)` is m × k, `op(B)` is k × n, C is m × n. */
export interface Gemm {
  /** Which provider, for the run log: `"openblas"`, `"reference"`, … */
  readonly name: string;
  /**
   * One product. The arrays are read from their first element (pass a `subarray` view, made once, for a
   * matrix inside an arena); `lda`, `ldb`, `ldc` are the row strides as stored.
   *
   * @param transA use Aᵀ (A is stored k × m)
   * @param transB use Bᵀ (B is stored n × k)
   * @param m rows of C
   * @param n columns of C
   * @param k the inner size
   * @param alpha α
   * @param a A
   * @param lda A's row stride as stored
   * @param b B
   * @param ldb B's row stride as stored
   * @param beta β (0: C's old values are ignored, NaNs included)
   * @param c C, written
   * @param ldc C's row stride
   */
  sgemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Float32Array,
    lda: number,
    b: Float32Array,
    ldb: number,
    beta: number,
    c: Float32Array,
    ldc: number,
  ): void;
}

/**
 * The reference provider: the definition written out, one float32 rounding per stored result (sums in
 * float64). Slow; for tests and as the fallback of last resort.
 */
export const referenceGemm: Gemm = {
  name: "reference",
  sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) {
          const aip = transA ? a[p * lda + i] : a[i * lda + p];
          const bpj = transB ? b[j * ldb + p] : b[p * ldb + j];
          sum += aip * bpj;
        }
        const at = i * ldc + j;
        c[at] = beta === 0 ? alpha * sum : alpha * sum + beta * c[at];
      }
    }
  },
};
