import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { gaussianHeads, logTanhDerivative, meanAction, samplePolicy } from "./squashed_gaussian.ts";
import type { ActionBounds } from "./action_bounds.ts";
import { keyFromSeed, normal } from "../rng.ts";

tf.env().set("PROD", true); // silences tfjs's console advice
await tf.setBackend("cpu");

// A one-observation policy with mean μ = 0.7 and log σ = −0.5 whatever the observation:
// trunk relu(0·s + 1) = 1, mean 0.7·1, log σ −0.5·1.
const policy = {
  trunk: [{ w: tf.tensor2d([[0]]), b: tf.tensor1d([1]) }],
  mean: { w: tf.tensor2d([[0.7]]), b: tf.tensor1d([0]) },
  logStd: { w: tf.tensor2d([[-0.5]]), b: tf.tensor1d([0]) },
};
const MU = 0.7;
const SIGMA = Math.exp(-0.5);

/** Numerical log-density of a = c + h·tanh(u), u ~ N(μ, σ): Gaussian density over a finite-difference Jacobian. */
function numericLogDensity(u: number, bounds: ActionBounds): number {
  const c = (bounds.high[0] + bounds.low[0]) / 2;
  const h = (bounds.high[0] - bounds.low[0]) / 2;
  const g = (x: number) => c + h * Math.tanh(x);
  const delta = 1e-5;
  const jacobian = (g(u + delta) - g(u - delta)) / (2 * delta);
  const z = (u - MU) / SIGMA;
  return -0.5 * z * z - Math.log(SIGMA) - 0.5 * Math.log(2 * Math.PI) - Math.log(jacobian);
}

function sampleAt(eps: number[], bounds: ActionBounds) {
  const obs = tf.zeros([eps.length, 1]) as tf.Tensor2D;
  const s = samplePolicy(policy, obs, { bounds, noise: tf.tensor2d(eps, [eps.length, 1]) });
  return { action: s.action.dataSync() as Float32Array, logProb: s.logProb.dataSync() as Float32Array };
}

for (const bounds of [{ low: [-2], high: [2] }, { low: [0], high: [3] }, { low: [-1], high: [1] }]) {
  Deno.test(`log π matches the numerical density of the squashed Gaussian on [${bounds.low}, ${bounds.high}]`, () => {
    const eps = [-3, -1.5, -0.2, 0, 0.4, 1, 2.5];
    const { action, logProb } = sampleAt(eps, bounds);
    eps.forEach((e, i) => {
      const u = MU + SIGMA * e;
      const c = (bounds.high[0] + bounds.low[0]) / 2;
      const h = (bounds.high[0] - bounds.low[0]) / 2;
      assert.ok(Math.abs(action[i] - (c + h * Math.tanh(u))) < 1e-5, `action ${i}`);
      const expected = numericLogDensity(u, bounds);
      assert.ok(
        Math.abs(logProb[i] - expected) < 2e-4,
        `ε=${e}: log π ${logProb[i]} vs numerical ${expected}`,
      );
    });
  });

  Deno.test(`exp(log π) integrates to 1 over [${bounds.low}, ${bounds.high}]`, () => {
    // Midpoint rule on a grid of actions; each action a is reached by ε = (atanh((a − c)/h) − μ)/σ.
    const n = 4000;
    const lo = bounds.low[0];
    const width = bounds.high[0] - lo;
    const c = lo + width / 2;
    const eps = Array.from({ length: n }, (_, i) => {
      const a = lo + ((i + 0.5) / n) * width;
      return (Math.atanh((a - c) / (width / 2)) - MU) / SIGMA;
    });
    const { logProb } = sampleAt(eps, bounds);
    const integral = logProb.reduce((acc, lp) => acc + Math.exp(lp) * (width / n), 0);
    assert.ok(Math.abs(integral - 1) < 2e-3, `integral ${integral}`);
  });
}

Deno.test("the tanh correction stays accurate where tanh(u) rounds to ±1 in float32", () => {
  // u = 12: 1 − tanh²(u) ≈ 1.5e-10, far below float32 resolution near 1. log(1 − tanh²u) = 2(log 2 − u − softplus(−2u)).
  const exact = 2 * (Math.log(2) - 12 - Math.log1p(Math.exp(-24)));
  const ours = logTanhDerivative(tf.tensor1d([12, -12])).dataSync();
  assert.ok(Math.abs(ours[0] - exact) < 1e-4 && Math.abs(ours[1] - exact) < 1e-4, `${ours[0]} vs ${exact}`);
});

Deno.test("log σ is clamped to [−20, 2]; the evaluation action is rescale(tanh(mean))", () => {
  const wide = { ...policy, logStd: { w: tf.tensor2d([[50]]), b: tf.tensor1d([0]) } };
  assert.equal(gaussianHeads(wide, tf.zeros([1, 1]) as tf.Tensor2D).logStd.dataSync()[0], 2);
  const narrow = { ...policy, logStd: { w: tf.tensor2d([[-50]]), b: tf.tensor1d([0]) } };
  assert.equal(gaussianHeads(narrow, tf.zeros([1, 1]) as tf.Tensor2D).logStd.dataSync()[0], -20);
  const a = meanAction(policy, tf.zeros([1, 1]) as tf.Tensor2D, { low: [0], high: [3] }).dataSync()[0];
  assert.ok(Math.abs(a - (1.5 + 1.5 * Math.tanh(MU))) < 1e-6);
});

Deno.test("reparameterized sampling is a pure function of the key", () => {
  const obs = tf.zeros([5, 1]) as tf.Tensor2D;
  const bounds = { low: [-2], high: [2] };
  const draw = (seed: number) =>
    samplePolicy(policy, obs, { bounds, noise: tf.tensor2d(normal(keyFromSeed(seed), 5), [5, 1]) }).action
      .dataSync();
  assert.deepEqual(draw(1), draw(1));
  assert.notDeepEqual(draw(1), draw(2));
});
