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

Deno.test("scaleByAdam: moments below 2^-126 are stored as +0, NaN is kept, and the step is what it was", () => {
  // One step with zero gradients: m ← 0.9·m and v ← 0.999·v. 1.2e-38 and −1.2e-38 fall below 2⁻¹²⁶ ≈ 1.1755e-38
  // (0.9·1.2e-38 = 1.08e-38), as do the subnormal 5e-39 and −0; 1e-30 stays; NaN stays NaN.
  const mu0 = [1.2e-38, -1.2e-38, 5e-39, -0, 1e-30, NaN];
  const nu0 = [1.2e-38, 1.1e-38, 5e-39, 0, 1e-30, 1];
  const opt = scaleByAdam();
  const params = { p: tf.fill([6], 0.5) };
  const state = { count: 10, mu: { p: tf.tensor1d(mu0) }, nu: { p: tf.tensor1d(nu0) } };
  const [updates, next] = opt.update({ p: tf.zeros([6]) }, state);
  const mu = Array.from((next.mu as typeof params).p.dataSync());
  const nu = Array.from((next.nu as typeof params).p.dataSync());
  assert.deepEqual(mu.slice(0, 4).map((x) => Object.is(x, 0)), [true, true, true, true]);
  assert.ok(mu[4] > 0 && Number.isNaN(mu[5]));
  assert.equal(nu[0], Math.fround(Math.fround(1.2e-38) * Math.fround(0.999))); // 1.1988e-38: still normal
  assert.deepEqual(nu.slice(1, 4).map((x) => Object.is(x, 0)), [true, true, true]);
  // Applied with lr 3e-4, the flushed moments leave p = 0.5 exactly, as the unflushed ones would have.
  const stepped = applyUpdates(params, { p: tf.mul(updates.p, -3e-4) });
  assert.deepEqual(Array.from(stepped.p.dataSync()).slice(0, 5), [0.5, 0.5, 0.5, 0.5, 0.5]);
});
