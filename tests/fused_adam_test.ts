import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { adam } from "../src/core/optim/adam.ts";
import { applyUpdates } from "../src/core/optim/transform.ts";
import { keyFromSeed, normal, split } from "../src/core/rng.ts";
import { leaves } from "../src/core/tree.ts";
import { installFusedAdam, uninstallFusedAdam } from "../src/runtime/fused_adam.ts";

tf.env().set("PROD", true);
await tf.setBackend("wasm");

/** Three Adam steps on a small tree, returning the parameters and moments after each. */
function threeSteps(): Float32Array[] {
  const [k0, k1, k2, k3] = split(keyFromSeed(11), 4);
  let params = { w: tf.tensor2d(normal(k0, 12), [3, 4]), b: [tf.tensor1d(normal(k1, 4))] };
  const opt = adam({ lr: 0.01 });
  let state = opt.init(params);
  const out: Float32Array[] = [];
  for (const k of [k2, k3, k0]) {
    const [kw, kb] = split(k);
    const grads = {
      w: tf.tensor2d(normal(kw, 12), [3, 4]),
      b: [tf.tensor1d(normal(kb, 4).map((x) => 100 * x))],
    };
    const [updates, next] = opt.update(grads, state);
    params = applyUpdates(params, updates);
    state = next;
    out.push(...leaves(params).map((t) => t.dataSync() as Float32Array));
    out.push(...leaves(state[0].mu).map((t) => t.dataSync() as Float32Array));
    out.push(...leaves(state[0].nu).map((t) => t.dataSync() as Float32Array));
  }
  return out;
}

Deno.test("the fused Adam kernel computes the same steps and moments as the composed ops (relative 1e-5)", () => {
  uninstallFusedAdam();
  const composed = threeSteps();
  installFusedAdam();
  const fused = threeSteps();
  uninstallFusedAdam();
  assert.equal(fused.length, composed.length);
  composed.forEach((x, i) =>
    x.forEach((v, j) => {
      // The kernel keeps intermediates in float64 and rounds once; the composed ops round every step to float32.
      const err = Math.abs(v - fused[i][j]) / Math.max(1e-3, Math.abs(v));
      assert.ok(err < 1e-5, `array ${i}[${j}]: ${v} vs ${fused[i][j]}`);
    })
  );
});
