import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { makeTd3, type Td3Config, type Td3State, td3Target } from "./td3.ts";
import type { Batch } from "../batch.ts";
import type { MlpParams } from "../nn/mlp.ts";
import { keyFromSeed, split } from "../rng.ts";
import { leaves } from "../tree.ts";

tf.env().set("PROD", true); // silences tfjs's console advice
await tf.setBackend("cpu");

const layer = (w: number[][], b: number[]) => ({ w: tf.tensor2d(w), b: tf.tensor1d(b) });

const tiny: Td3Config = {
  observationSize: 1,
  actionSize: 1,
  bounds: { low: [-2], high: [2] },
  hidden: [1],
  actorLr: 1e-3,
  criticLr: 1e-3,
  gamma: 0.9,
  tau: 0.005,
  policyNoise: 0.2,
  noiseClip: 0.5,
  policyDelay: 2,
};

Deno.test("td3Target on a hand-set example: smoothing, clipping, min of twin critics, terminal mask", () => {
  // μ'(s) = 2·tanh(relu(s)); Q'₁(s, a) = relu(s + a); Q'₂(s, a) = 2·relu(2s + a) + 0.25.
  const actorTarget: MlpParams = [layer([[1]], [0]), layer([[1]], [0])];
  const criticsTarget = {
    q1: [layer([[1], [1]], [0]), layer([[1]], [0])],
    q2: [layer([[2], [1]], [0]), layer([[2]], [0.25])],
  };
  const batch: Batch = {
    size: 4,
    observations: new Float32Array(4),
    actions: new Float32Array(4),
    rewards: new Float32Array([1, -1, 0, 0.5]),
    nextObservations: new Float32Array([0.5, 1, 3, -0.5]),
    terminated: new Float32Array([0, 1, 0, 0]),
  };
  // ε·σ clipped to ±c, times the half-range 2:
  //  #1 ε = 0.3  → 0.06 → +0.12;  a' = 2·tanh(0.5) + 0.12 = 1.04423431
  //     Q'₁ = 1.54423431, Q'₂ = 2·2.04423431 + 0.25 = 4.33846862, y = 1 + 0.9·1.54423431 = 2.38981088
  //  #2 terminated: y = r = −1
  //  #3 ε = 5 → 1.0 → clipped to 0.5 → +1; a' = 2·tanh(3) + 1 = 2.99 → clipped to the bound 2
  //     Q'₁ = 5, Q'₂ = 16.25, y = 0 + 0.9·5 = 4.5
  //  #4 ε = 2.5 → 0.5 → +1; a' = 2·tanh(relu(−0.5)) + 1 = 1; Q'₁ = relu(0.5) = 0.5, Q'₂ = 0.25 (the min)
  //     y = 0.5 + 0.9·0.25 = 0.725
  const noise = new Float32Array([0.3, -5, 5, 2.5]);
  const y = td3Target(tiny, { actorTarget, criticsTarget, batch, noise }).dataSync();
  const expected = [2.38981088, -1, 4.5, 0.725];
  expected.forEach((e, i) => assert.ok(Math.abs(y[i] - e) < 1e-5, `y[${i}] = ${y[i]}, expected ${e}`));
});

function randomBatch(seed: number, n: number): Batch {
  const [a, b, c, d] = split(keyFromSeed(seed), 4);
  const u = (k: typeof a, len: number) =>
    Float32Array.from({ length: len }, (_, i) => Math.sin(k[0] + i * 7.1));
  return {
    size: n,
    observations: u(a, 3 * n),
    actions: u(b, n).map((x) => 2 * x),
    rewards: u(c, n),
    nextObservations: u(d, 3 * n),
    terminated: new Float32Array(n),
  };
}

const pendulumSized: Td3Config = { ...tiny, observationSize: 3, hidden: [16, 16] };

function snapshot(state: Td3State): unknown {
  return JSON.stringify({
    leaves: leaves([
      state.actor,
      state.actorTarget,
      state.critics,
      state.criticsTarget,
      state.actorOpt[0].mu,
      state.actorOpt[0].nu,
      state.criticOpt[0].mu,
      state.criticOpt[0].nu,
    ]).map((t) => Array.from(t.dataSync())),
    key: state.key,
    updates: state.updates,
    counts: [state.actorOpt[0].count, state.criticOpt[0].count],
  });
}

Deno.test("update neither mutates nor disposes its input state, and delays actor and target updates", () => {
  const agent = makeTd3(pendulumSized);
  const s0 = agent.init(keyFromSeed(0));
  const before = snapshot(s0);
  const [s1] = agent.update(s0, randomBatch(1, 8));
  assert.equal(snapshot(s0), before);
  assert.ok(leaves([s0.actor, s0.critics, s0.actorTarget, s0.criticsTarget]).every((t) => !t.isDisposed));
  assert.equal(s1.updates, 1);
  assert.notDeepEqual([...s1.key], [...s0.key]);
  // Update 1 of a delay of 2: critics move, actor and all targets stay the same objects.
  assert.notDeepEqual(s1.critics.q1[0].w.dataSync(), s0.critics.q1[0].w.dataSync());
  assert.equal(s1.actor, s0.actor);
  assert.equal(s1.actorTarget, s0.actorTarget);
  assert.equal(s1.criticsTarget, s0.criticsTarget);
  // Update 2: the actor steps and the targets move by τ toward the online networks.
  const [s2, m2] = agent.update(s1, randomBatch(2, 8));
  assert.ok(m2.actorLoss !== undefined);
  assert.notDeepEqual(s2.actor[0].w.dataSync(), s1.actor[0].w.dataSync());
  const t0 = s1.criticsTarget.q1[0].w.dataSync();
  const on = s2.critics.q1[0].w.dataSync();
  const t2 = s2.criticsTarget.q1[0].w.dataSync();
  t2.forEach((v, i) => assert.ok(Math.abs(v - ((1 - 0.005) * t0[i] + 0.005 * on[i])) < 1e-6));
});

Deno.test("the same key and batch give the same new state; init is a pure function of the key", () => {
  const agent = makeTd3(pendulumSized);
  const a = agent.update(agent.init(keyFromSeed(3)), randomBatch(4, 8))[0];
  const b = agent.update(agent.init(keyFromSeed(3)), randomBatch(4, 8))[0];
  assert.equal(snapshot(a), snapshot(b));
  assert.notEqual(snapshot(agent.init(keyFromSeed(3))), snapshot(agent.init(keyFromSeed(4))));
});
