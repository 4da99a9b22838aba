import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { dense } from "./dense.ts";
import { initMlp, mlp, mlpSizes } from "./mlp.ts";
import { keyFromSeed, normal } from "../rng.ts";

tf.env().set("PROD", true); // silences tfjs's console advice
await tf.setBackend("cpu");

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
}

for (const activation of ["linear", "relu"] as const) {
  Deno.test(`dense(${activation}): the same value and gradients as tfjs's own ops`, () => {
    const [p] = initMlp(keyFromSeed(1), [5, 7]);
    const x = tf.tensor2d(normal(keyFromSeed(3), 20), [4, 5]);
    const reference = (xx: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => {
      const z = tf.add(tf.matMul(xx as tf.Tensor2D, w as tf.Tensor2D), b);
      return activation === "relu" ? tf.relu(z) : z;
    };
    const ours = (xx: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
      dense({ w: w as tf.Tensor2D, b: b as tf.Tensor1D }, xx as tf.Tensor2D, activation);
    // A weighted sum so that every output element has a distinct gradient.
    const weights = tf.tensor2d(normal(keyFromSeed(4), 28), [4, 7]);
    const loss =
      (f: (xx: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor) =>
      (xx: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(xx, w, b), weights));
    assert.ok(maxAbsDiff(ours(x, p.w, p.b), reference(x, p.w, p.b)) < 1e-6);
    const g1 = tf.grads(loss(ours))([x, p.w, p.b]);
    const g2 = tf.grads(loss(reference))([x, p.w, p.b]);
    g1.forEach((g, i) => assert.ok(maxAbsDiff(g, g2[i]) < 1e-5, `gradient ${i}`));
  });

  Deno.test(`dense(${activation}) on cpu: gradients bit for bit those of explicit transposes`, () => {
    // Inner sizes above the cpu kernel's block size (48), so that blocked summation is covered.
    const [p] = initMlp(keyFromSeed(5), [50, 60]);
    const x = tf.tensor2d(normal(keyFromSeed(6), 70 * 50), [70, 50]);
    const weights = tf.tensor2d(normal(keyFromSeed(7), 70 * 60), [70, 60]);
    const loss = (xx: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
      tf.sum(
        tf.mul(dense({ w: w as tf.Tensor2D, b: b as tf.Tensor1D }, xx as tf.Tensor2D, activation), weights),
      );
    const got = tf.grads(loss)([x, p.w, p.b]);
    // The gradient reaching the pre-activation is `weights`, masked by the ReLU's step.
    const g = activation === "relu" ? tf.mul(weights, tf.step(dense(p, x, "relu"))) : weights;
    const expected = [tf.matMul(g, tf.transpose(p.w)), tf.matMul(tf.transpose(x), g), tf.sum(g, 0)];
    got.forEach((t, i) => assert.deepEqual(t.dataSync(), expected[i].dataSync(), `gradient ${i}`));
  });
}

Deno.test("initMlp follows PyTorch's nn.Linear bounds and is a pure function of the key", () => {
  const params = initMlp(keyFromSeed(0), [3, 400, 300, 1]);
  assert.deepEqual(mlpSizes(params), [3, 400, 300, 1]);
  params.forEach((layer, i) => {
    const bound = 1 / Math.sqrt([3, 400, 300][i]);
    const w = layer.w.dataSync() as Float32Array;
    assert.ok(w.every((v) => Math.abs(v) <= bound));
    // Uniform on ±bound: max |w| close to the bound, variance bound²/3.
    const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
    if (w.length > 1000) assert.ok(Math.abs(variance / (bound * bound / 3) - 1) < 0.05);
    assert.ok((layer.b.dataSync() as Float32Array).every((v) => Math.abs(v) <= bound));
  });
  const again = initMlp(keyFromSeed(0), [3, 400, 300, 1]);
  assert.deepEqual(again[1].w.dataSync(), params[1].w.dataSync());
  const xavier = initMlp(keyFromSeed(0), [3, 256, 1], { init: "xavier" });
  assert.ok((xavier[0].b.dataSync() as Float32Array).every((v) => v === 0));
  assert.ok((xavier[0].w.dataSync() as Float32Array).every((v) => Math.abs(v) <= Math.sqrt(6 / 259)));
});

Deno.test("mlp applies ReLU between layers and a linear output", () => {
  const layer = (w: number[][], b: number[]) => ({ w: tf.tensor2d(w), b: tf.tensor1d(b) });
  // x = [1, −2]: hidden = relu([1·1 + −2·1, 1·2 + −2·0] + [0, 1]) = relu([−1, 3]) = [0, 3]; out = 0·5 + 3·−1 + 0.5 = −2.5
  const params = [layer([[1, 2], [1, 0]], [0, 1]), layer([[5], [-1]], [0.5])];
  assert.deepEqual(mlp(params, tf.tensor2d([[1, -2]])).arraySync(), [[-2.5]]);
});
