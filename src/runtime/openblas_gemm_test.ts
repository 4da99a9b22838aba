import assert from "node:assert/strict";
import { keyFromSeed, split, uniform } from "../core/rng.ts";
import { type Gemm, referenceGemm } from "../engine/gemm.ts";
import { mlpBackward, mlpForward, mlpLayout, mlpViews, mlpWorkspace } from "../engine/mlp.ts";
import { openBlasGemm } from "./openblas_gemm.ts";

const blas = openBlasGemm();

Deno.test({
  name: "OpenBLAS sgemm equals the reference on views inside arenas, every transpose, β 0 and 1",
  ignore: blas === undefined,
  fn() {
    let key = keyFromSeed(11);
    const draw = (n: number) => {
      const [k, next] = split(key);
      key = next;
      return uniform(k, n, { low: -1, high: 1 });
    };
    for (const [m, n, k] of [[1, 1, 1], [7, 5, 3], [128, 64, 32], [3, 40, 17]]) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          for (const beta of [0, 1]) {
            // Each matrix sits at an offset inside a larger arena, as the engine's do.
            const a = draw(5 + m * k).subarray(5);
            const b = draw(3 + k * n).subarray(3);
            const c0 = draw(m * n + 9).subarray(9);
            const [want, got] = [Float32Array.from(c0), Float32Array.from(c0)];
            const [lda, ldb] = [transA ? m : k, transB ? k : n];
            referenceGemm.sgemm(transA, transB, m, n, k, 0.5, a, lda, b, ldb, beta, want, n);
            blas!.sgemm(transA, transB, m, n, k, 0.5, a, lda, b, ldb, beta, got, n);
            got.forEach((x, i) => assert.ok(Math.abs(x - want[i]) <= 1e-5 * (1 + Math.abs(want[i]))));
          }
        }
      }
    }
    assert.equal(blas!.name, "openblas");
    assert.equal(openBlasGemm(), blas, "loaded once");
  },
});

Deno.test({
  name: "the engine's MLP forward and backward on OpenBLAS equal them on the reference GEMM",
  ignore: blas === undefined,
  fn() {
    const sizes = [5, 32, 32, 2];
    const n = 16;
    const layout = mlpLayout(sizes);
    const [kp, kx, kd] = split(keyFromSeed(4), 3);
    const params = mlpViews(layout, uniform(kp, layout.length, { low: -0.5, high: 0.5 }));
    const x = uniform(kx, n * sizes[0], { low: -1, high: 1 });
    const dOut = uniform(kd, n * sizes.at(-1)!, { low: -1, high: 1 });
    const run = (gemm: Gemm) => {
      const ws = mlpWorkspace(layout, n);
      const grads = mlpViews(layout);
      const dx = new Float32Array(n * sizes[0]);
      const y = Float32Array.from(mlpForward(gemm, layout, params, x, n, ws));
      mlpBackward(gemm, layout, params, ws, dOut, grads, { dx });
      return [y, grads.arena, dx];
    };
    const want = run(referenceGemm);
    run(blas!).forEach((got, j) =>
      got.forEach((v, i) => assert.ok(Math.abs(v - want[j][i]) <= 1e-5 * (1 + Math.abs(want[j][i]))))
    );
  },
});
