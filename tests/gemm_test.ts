import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import type { Agent } from "../src/core/agents/agent.ts";
import { makeSac } from "../src/core/agents/sac.ts";
import { makeSacV } from "../src/core/agents/sac_v.ts";
import { makeTd3, TD3_DEFAULTS } from "../src/core/agents/td3.ts";
import type { Batch } from "../src/core/batch.ts";
import { keyFromSeed, normal, split } from "../src/core/rng.ts";
import { gemmProvider, installGemm, uninstallGemm } from "../src/runtime/gemm.ts";
import { tensorsIn } from "../src/runtime/memory.ts";
import { openBlasGemm } from "../src/runtime/openblas_gemm.ts";
import { loadWasmGemm } from "../src/engine/kernels/wasm_gemm.ts";

tf.env().set("PROD", true);
await tf.setBackend("wasm");
uninstallGemm();
const tfjsKernel = tf.getKernel("BatchMatMul", "wasm");
const available = installGemm() === "openblas";
uninstallGemm();

/**
 * The wasm `BatchMatMul` kernels compared: tfjs's own (transposes as flags, in its slow loop), tfjs's own on
 * operands transposed first (`installGemm({ enabled: false })`, the fallback) and OpenBLAS's.
 */
type Kernel = "tfjs" | "materialized" | "openblas";

/** Run `f` with `kernel` and return its results as arrays (tensors freed, kernel restored afterwards). */
function using(kernel: Kernel, f: () => tf.Tensor[]): Float32Array[] {
  uninstallGemm();
  if (kernel !== "tfjs") {
    const provider = installGemm({ enabled: kernel === "openblas" });
    assert.equal(provider, kernel === "openblas" ? "openblas" : "xnnpack");
  }
  try {
    return tf.tidy(f).map((t) => {
      const values = t.dataSync() as Float32Array;
      t.dispose();
      return values;
    });
  } finally {
    uninstallGemm();
  }
}

/** Largest |a − b| relative to max(1, |a|), over all entries. */
function relError(a: Float32Array[], b: Float32Array[]): number {
  let worst = 0;
  a.forEach((x, i) =>
    x.forEach((v, j) => worst = Math.max(worst, Math.abs(v - b[i][j]) / Math.max(1, Math.abs(v))))
  );
  return worst;
}

const CASES: [number[], number[], boolean, boolean][] = [
  [[3, 4], [4, 5], false, false],
  [[4, 3], [4, 5], true, false],
  [[3, 4], [5, 4], false, true],
  [[4, 3], [5, 4], true, true],
  [[2, 3, 4], [2, 4, 5], false, false],
  [[2, 3, 4], [4, 5], false, false],
  [[4, 5], [2, 5, 3], false, false],
  [[2, 4, 3], [2, 4, 5], true, false],
  [[2, 3, 4], [5, 4], false, true],
  [[4, 3], [2, 5, 4], true, true],
  [[1, 64], [1, 64], true, false],
  [[128, 1], [64, 1], false, true],
  [[128, 404], [404, 300], false, false],
  [[404, 128], [300, 404], true, true],
  [[0, 4], [4, 3], false, false],
  [[4, 0], [4, 3], true, false],
];

/** Operands of case `i`, from fixed keys. */
function operands(i: number): [tf.Tensor, tf.Tensor] {
  const [sa, sb] = CASES[i];
  const [ka, kb] = split(keyFromSeed(i));
  const size = (s: number[]) => s.reduce((x, y) => x * y, 1);
  return [tf.tensor(normal(ka, size(sa)), sa), tf.tensor(normal(kb, size(sb)), sb)];
}

/** The last two axes of `t` swapped, by `tf.transpose`. */
function swapped(t: tf.Tensor): tf.Tensor {
  const perm = t.shape.map((_, i) => i);
  [perm[t.rank - 2], perm[t.rank - 1]] = [perm[t.rank - 1], perm[t.rank - 2]];
  return tf.transpose(t, perm);
}

Deno.test("installGemm replaces the wasm matMul kernel and uninstallGemm restores tfjs's own", () => {
  assert.equal(installGemm({ enabled: false }), "xnnpack");
  assert.equal(gemmProvider(), "xnnpack");
  assert.equal(installGemm(), "xnnpack", "idempotent until uninstalled");
  assert.notEqual(tf.getKernel("BatchMatMul", "wasm"), tfjsKernel);
  uninstallGemm();
  assert.equal(gemmProvider(), undefined);
  assert.equal(tf.getKernel("BatchMatMul", "wasm"), tfjsKernel);
});

Deno.test("transposes materialized: matMul equals explicit transposes and tfjs's kernel, bit for bit", () => {
  CASES.forEach(([, , ta, tb], i) => {
    const explicit = using("tfjs", () => {
      const [a, b] = operands(i);
      return [tf.matMul(ta ? swapped(a) : a, tb ? swapped(b) : b)];
    });
    const idsBefore = tf.engine().backend.numDataIds();
    const materialized = using("materialized", () => {
      const [a, b] = operands(i);
      return [tf.matMul(a, b, ta, tb)];
    });
    assert.equal(tf.engine().backend.numDataIds(), idsBefore, `case ${i}: the transposed copies are freed`);
    assert.deepEqual(materialized, explicit, `case ${i}`);
  });
});

Deno.test("transposes materialized: matMul equals tfjs's flagged kernel to float32 rounding", () => {
  CASES.forEach(([, , ta, tb], i) => {
    const [t, m] = (["tfjs", "materialized"] as const).map((kernel) =>
      using(kernel, () => {
        const [a, b] = operands(i);
        return [tf.matMul(a, b, ta, tb)];
      })
    );
    assert.ok(relError(t, m) < 1e-4, `case ${i}: ${relError(t, m)}`);
  });
});

Deno.test({
  name:
    "OpenBLAS matMul equals tfjs's wasm kernel to float32 rounding (relative 1e-4) for all transposes and batches",
  ignore: !available,
  fn: () => {
    CASES.forEach(([, , ta, tb], i) => {
      const [x, o] = (["tfjs", "openblas"] as const).map((kernel) =>
        using(kernel, () => {
          const [a, b] = operands(i);
          return [tf.matMul(a, b, ta, tb)];
        })
      );
      assert.deepEqual(x[0].length, o[0].length);
      // Summation order differs: a K-term float32 sum carries errors of order √K·ε relative to its terms.
      assert.ok(relError(x, o) < 1e-4, `case ${i}: ${relError(x, o)}`);
    });
  },
});

function pendulumBatch(seed: number, n: number): Batch {
  const [a, b, c, d] = split(keyFromSeed(seed), 4);
  return {
    size: n,
    observations: normal(a, 3 * n),
    actions: normal(b, n).map((v) => Math.max(-2, Math.min(2, v))),
    rewards: normal(c, n),
    nextObservations: normal(d, 3 * n),
    terminated: new Float32Array(n),
  };
}

const sizes = { observationSize: 3, actionSize: 1, bounds: { low: [-2], high: [2] }, hidden: [64, 64] };
const sac = { ...sizes, init: "torch", actorLr: 1e-3, criticLr: 1e-3, gamma: 0.99, tau: 0.005 } as const;
const AGENTS: Agent<unknown>[] = [
  makeTd3({ ...TD3_DEFAULTS, ...sizes }) as Agent<unknown>,
  makeSac({ ...sac, alpha: 1, alphaLr: 1e-3, targetEntropy: -1 }) as Agent<unknown>,
  makeSacV({ ...sac, alpha: 0.2, valueLr: 1e-3, policyReg: 0 }) as Agent<unknown>,
];

/** Two updates of `agent` from a fixed key on fixed batches: every tensor of the resulting state. */
function twoUpdates(agent: Agent<unknown>): () => tf.Tensor[] {
  return () => {
    const s0 = agent.init(keyFromSeed(1));
    const [s1] = agent.update(s0, pendulumBatch(2, 32));
    const [s2] = agent.update(s1, pendulumBatch(3, 32));
    return tensorsIn(s2);
  };
}

for (const agent of AGENTS) {
  Deno.test({
    name:
      `${agent.name}: two updates, transposes materialized, equal tfjs's flagged kernel's (relative 1e-4)`,
    fn: () => {
      const t = using("tfjs", twoUpdates(agent));
      const m = using("materialized", twoUpdates(agent));
      assert.ok(relError(t, m) < 1e-4, `${relError(t, m)}`);
    },
  });

  Deno.test({
    name: `${agent.name}: two updates with OpenBLAS equal two with transposes materialized (relative 1e-4)`,
    ignore: !available,
    fn: () => {
      const m = using("materialized", twoUpdates(agent));
      const o = using("openblas", twoUpdates(agent));
      assert.ok(relError(m, o) < 1e-4, `${relError(m, o)}`);
    },
  });
}

Deno.test({
  name: "the engine's WASM SIMD GEMM equals OpenBLAS's sgemm to float32 rounding, every transpose, β 0 and 1",
  ignore: openBlasGemm() === undefined,
  fn: async () => {
    const blas = openBlasGemm()!, wasm = await loadWasmGemm();
    const [m, n, k] = [37, 70, 129]; // odd sizes: every SIMD remainder path
    let key = keyFromSeed(11);
    const draw = (length: number) => {
      const [next, sub] = split(key);
      key = next;
      return normal(sub, length);
    };
    for (
      const [transA, transB, beta] of [[false, false, 0], [true, false, 1], [false, true, 1], [
        true,
        true,
        0,
      ]] as const
    ) {
      const a = draw(m * k), b = draw(k * n), c0 = draw(m * n);
      const [lda, ldb] = [transA ? m : k, transB ? k : n];
      const got = c0.slice(), want = c0.slice();
      wasm.sgemm(transA, transB, m, n, k, 0.75, a, lda, b, ldb, beta, got, n);
      blas.sgemm(transA, transB, m, n, k, 0.75, a, lda, b, ldb, beta, want, n);
      let worst = 0;
      for (let i = 0; i < got.length; i++) {
        worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
      }
      assert.ok(worst < 1e-5, `transA ${transA}, transB ${transB}, β ${beta}: ${worst}`);
    }
  },
});
