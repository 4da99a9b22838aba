import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { adam, scaleByAdam } from "./adam.ts";
import { applyUpdates, chain, scale } from "./transform.ts";

tf.env().set("PROD", true); // silences tfjs's console advice
await tf.setBackend("cpu");

Deno.test("adam matches three steps computed by hand (PyTorch semantics)", () => {
  // lr 0.1, β 0.9/0.999, ε 1e-8, p₀ = 1, gradients 0.5, −1, 0.25.
  // t=1: m = 0.05, v = 0.00025, m̂ = 0.5, v̂ = 0.25, p = 1 − 0.1·0.5/(0.5 + 1e-8) = 0.900000002
  // t=2: m = −0.055, v = 0.00124975, m̂ = −0.289473684, v̂ = 0.625187594, p = 0.936610354
  // t=3: m = −0.0245, v = 0.00131100025, m̂ = −0.090405904, v̂ = 0.437437375, p = 0.950279420
  const expected = [0.900000002, 0.9366103542, 0.9502794203];
  const opt = adam({ lr: 0.1 });
  let params = { p: tf.tensor1d([1]) };
  let state = opt.init(params);
  [0.5, -1, 0.25].forEach((g, i) => {
    const [updates, next] = opt.update({ p: tf.tensor1d([g]) }, state);
    params = applyUpdates(params, updates);
    state = next;
    assert.ok(
      Math.abs(params.p.dataSync()[0] - expected[i]) < 1e-6,
      `step ${i + 1}: ${params.p.dataSync()[0]}`,
    );
  });
  assert.equal(state[0].count, 3);
});

Deno.test("adam is chain(scaleByAdam, scale(-lr)) and is pure", () => {
  const grads = { a: tf.tensor2d([[0.1, -0.2], [0.3, 0.4]]), b: [tf.scalar(2)] };
  const params = { a: tf.zeros([2, 2]), b: [tf.scalar(0)] };
  const byName = adam({ lr: 0.01 });
  const composed = chain(scaleByAdam(), scale(-0.01));
  const s0 = byName.init(params);
  const [u1] = byName.update(grads, s0);
  const [u2] = composed.update(grads, composed.init(params));
  assert.deepEqual(u1.a.arraySync(), u2.a.arraySync());
  assert.deepEqual(u1.b[0].arraySync(), u2.b[0].arraySync());
  // The input state is untouched: its moments are still zero and its count still 0.
  assert.equal(s0[0].count, 0);
  assert.deepEqual((s0[0].mu as typeof params).a.arraySync(), [[0, 0], [0, 0]]);
});
