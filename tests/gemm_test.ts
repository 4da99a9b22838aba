import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import type { Agent } from "../src/core/agents/agent.ts";
import { makeSac } from "../src/core/agents/sac.ts";
import { makeSacV } from "../src/core/agents/sac_v.ts";
import { makeTd3, TD3_DEFAULTS } from "../src/core/agents/td3.ts";
import type { Batch } from "../src/core/batch.ts";
import { keyFromSeed, normal, split } from "../src/core/rng.ts";
import { installGemm, uninstallGemm } from "../src/runtime/gemm.ts";
import { tensorsIn } from "../src/runtime/memory.ts";

tf.env().set("PROD", true);
await tf.setBackend("wasm");
uninstallGemm();
const available = installGemm() === "openblas";
uninstallGemm();

/** Run `f` with tfjs's own kernel, then with OpenBLAS's, and return both results as arrays. */
function bothWays(f: () => tf.Tensor[]): [Float32Array[], Float32Array[]] {
  const read = () => tf.tidy(f).map((t) => t.dataSync() as Float32Array);
  uninstallGemm();
  const xnnpack = read();
  assert.equal(installGemm(), "openblas");
  const openblas = read();
  uninstallGemm();
  return [xnnpack, openblas];
}

/** Largest |a − b| relative to max(1, |a|), over all entries. */
function relError(a: Float32Array[], b: Float32Array[]): number {
  let worst = 0;
  a.forEach((x, i) =>
    x.forEach((v, j) => worst = Math.max(worst, Math.abs(v - b[i][j]) / Math.max(1, Math.abs(v))))
  );
  return worst;
}

Deno.test({
  name:
    "OpenBLAS matMul equals tfjs's wasm kernel to float32 rounding (relative 1e-4) for all transposes and batches",
  ignore: !available,
  fn: () => {
    const cases: [number[], number[], boolean, boolean][] = [
      [[3, 4], [4, 5], false, false],
      [[4, 3], [4, 5], true, false],
      [[3, 4], [5, 4], false, true],
      [[4, 3], [5, 4], true, true],
      [[2, 3, 4], [2, 4, 5], false, false],
      [[2, 3, 4], [4, 5], false, false],
      [[4, 5], [2, 5, 3], false, false],
      [[128, 404], [404, 300], false, false],
      [[0, 4], [4, 3], false, false],
    ];
    cases.forEach(([sa, sb, ta, tb], i) => {
      const [ka, kb] = split(keyFromSeed(i));
      const size = (s: number[]) => s.reduce((x, y) => x * y, 1);
      const [x, o] = bothWays(() => [
        tf.matMul(tf.tensor(normal(ka, size(sa)), sa), tf.tensor(normal(kb, size(sb)), sb), ta, tb),
      ]);
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

for (const agent of AGENTS) {
  Deno.test({
    name: `${agent.name}: two updates with OpenBLAS equal two with tfjs's kernel (relative 1e-4)`,
    ignore: !available,
    fn: () => {
      const [x, o] = bothWays(() => {
        const s0 = agent.init(keyFromSeed(1));
        const [s1] = agent.update(s0, pendulumBatch(2, 32));
        const [s2] = agent.update(s1, pendulumBatch(3, 32));
        return tensorsIn(s2);
      });
      assert.ok(relError(x, o) < 1e-4, `${relError(x, o)}`);
    },
  });
}
