import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { makeSac, type SacConfig, sacTarget, temperatureLoss } from "./sac.ts";
import type { Batch } from "../batch.ts";
import { keyFromSeed, normal, split } from "../rng.ts";
import { leaves } from "../tree.ts";

tf.env().set("PROD", true); // silences tfjs's console advice
await tf.setBackend("cpu");

const layer = (w: number[][], b: number[]) => ({ w: tf.tensor2d(w), b: tf.tensor1d(b) });

/** A policy ignoring its observation: u ~ N(mean, e^logStd). */
const fixedPolicy = (mean: number, logStd: number) => ({
  trunk: [layer([[0]], [1])],
  mean: layer([[mean]], [0]),
  logStd: layer([[logStd]], [0]),
});

const tiny: SacConfig = {
  observationSize: 1,
  actionSize: 1,
  bounds: { low: [-2], high: [2] },
  hidden: [1],
  init: "torch",
  actorLr: 1e-3,
  criticLr: 1e-3,
  alphaLr: 0.01,
  alpha: 0.5,
  targetEntropy: -1,
  gamma: 0.9,
  tau: 0.005,
};

Deno.test("sacTarget on a hand-set example: min of twin target critics minus α log π, terminal mask", () => {
  // Policy u ~ N(0.7, e^−0.5), a = 2·tanh(u); Q'₁(s, a) = relu(s + a); Q'₂(s, a) = 2·relu(2s + a) + 0.25.
  const actor = fixedPolicy(0.7, -0.5);
  const criticsTarget = {
    q1: [layer([[1], [1]], [0]), layer([[1]], [0])],
    q2: [layer([[2], [1]], [0]), layer([[2]], [0.25])],
  };
  const batch: Batch = {
    size: 3,
    observations: new Float32Array(3),
    actions: new Float32Array(3),
    rewards: new Float32Array([1, 0.5, -1]),
    nextObservations: new Float32Array([0.5, -0.8, 0.5]),
    terminated: new Float32Array([0, 0, 1]),
  };
  const noise = new Float32Array([0.3, 0, 0.3]);
  const y = sacTarget(tiny, { actor, criticsTarget, batch, noise, alpha: 0.5 }).dataSync();
  // Expected values in float64, term by term.
  const sigma = Math.exp(-0.5);
  const expected = [0, 1, 2].map((i) => {
    const s2 = batch.nextObservations[i];
    const u = 0.7 + sigma * noise[i];
    const a = 2 * Math.tanh(u);
    const logProb = -0.5 * noise[i] ** 2 - Math.log(sigma) - 0.5 * Math.log(2 * Math.PI) -
      Math.log(2 * (1 - Math.tanh(u) ** 2));
    const q1 = Math.max(0, s2 + a);
    const q2 = 2 * Math.max(0, 2 * s2 + a) + 0.25;
    return batch.rewards[i] + 0.9 * (1 - batch.terminated[i]) * (Math.min(q1, q2) - 0.5 * logProb);
  });
  // Transition 0 takes Q'₁ (1.91 < 5.08), transition 1 takes Q'₂ (0.25 < 0.41), transition 2 is terminal.
  expected.forEach((e, i) => assert.ok(Math.abs(y[i] - e) < 1e-5, `y[${i}] = ${y[i]}, expected ${e}`));
  assert.equal(y[2], -1);
});

Deno.test("temperature gradient: α falls when entropy is above target and rises when below", () => {
  const grad = (logProb: number) =>
    tf.grad((la: tf.Tensor) => temperatureLoss(la as tf.Scalar, tf.tensor2d([[logProb]]), -1))(tf.scalar(0))
      .dataSync()[0];
  // Entropy −log π = 3 > −1: the gradient is positive, descent lowers log α.
  assert.ok(grad(-3) > 0);
  // Entropy −log π = −4 < −1: the gradient is negative, descent raises log α.
  assert.ok(grad(4) < 0);
});

Deno.test("one SAC update moves log α by −lr (broad policy) or +lr (narrow policy), as Adam's first step", () => {
  const agent = makeSac(tiny);
  const batch: Batch = {
    size: 64,
    observations: normal(keyFromSeed(1), 64),
    actions: new Float32Array(64),
    rewards: new Float32Array(64),
    nextObservations: normal(keyFromSeed(2), 64),
    terminated: new Float32Array(64),
  };
  const run = (logStd: number) => {
    const state = { ...agent.init(keyFromSeed(0)), actor: fixedPolicy(0, logStd) };
    const [next, metrics] = agent.update(state, batch);
    return {
      delta: next.logAlpha.dataSync()[0] - state.logAlpha.dataSync()[0],
      entropy: metrics.entropy.dataSync()[0],
    };
  };
  const broad = run(0); // tanh of N(0, 1), scaled by 2: entropy ≈ 0.9 > −1
  assert.ok(broad.entropy > -1);
  assert.ok(Math.abs(broad.delta + 0.01) < 1e-4, `broad: Δlog α = ${broad.delta}`);
  const narrow = run(-6); // σ = e^−6: entropy ≈ −4.2 < −1
  assert.ok(narrow.entropy < -1);
  assert.ok(Math.abs(narrow.delta - 0.01) < 1e-4, `narrow: Δlog α = ${narrow.delta}`);
});

Deno.test("SAC update is pure: inputs kept, targets move by τ, the same key gives the same state", () => {
  const agent = makeSac({ ...tiny, observationSize: 3, hidden: [16, 16] });
  const [k1, k2] = split(keyFromSeed(3));
  const batch: Batch = {
    size: 8,
    observations: normal(k1, 24),
    actions: new Float32Array(8).fill(0.5),
    rewards: normal(k2, 8),
    nextObservations: normal(k1, 24).map((x) => -x),
    terminated: new Float32Array(8),
  };
  const s0 = agent.init(keyFromSeed(4));
  const tensors = (s: typeof s0) =>
    leaves([s.actor, s.critics, s.criticsTarget, s.logAlpha, s.actorOpt[0].mu]);
  const before = tensors(s0).map((t) => Array.from(t.dataSync()));
  const [s1] = agent.update(s0, batch);
  assert.deepEqual(tensors(s0).map((t) => Array.from(t.dataSync())), before);
  assert.ok(tensors(s0).every((t) => !t.isDisposed));
  assert.equal(s1.updates, 1);
  const t0 = s0.criticsTarget.q2[1].w.dataSync();
  const on = s1.critics.q2[1].w.dataSync();
  s1.criticsTarget.q2[1].w.dataSync().forEach((v, i) =>
    assert.ok(Math.abs(v - (0.995 * t0[i] + 0.005 * on[i])) < 1e-6)
  );
  const [again] = agent.update(s0, batch);
  assert.deepEqual(
    tensors(again).map((t) => Array.from(t.dataSync())),
    tensors(s1).map((t) => Array.from(t.dataSync())),
  );
});
