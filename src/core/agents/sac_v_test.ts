import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { makeSacV, type SacVConfig, sacVCriticTarget, sacVValueTarget } from "./sac_v.ts";
import type { Batch } from "../batch.ts";
import { keyFromSeed, normal, split } from "../rng.ts";
import { leaves } from "../tree.ts";

tf.env().set("PROD", true); // silences tfjs's console advice
await tf.setBackend("cpu");

const layer = (w: number[][], b: number[]) => ({ w: tf.tensor2d(w), b: tf.tensor1d(b) });

const tiny: SacVConfig = {
  observationSize: 1,
  actionSize: 1,
  bounds: { low: [-2], high: [2] },
  hidden: [1],
  init: "torch",
  actorLr: 1e-3,
  criticLr: 1e-3,
  valueLr: 1e-3,
  alpha: 0.2,
  policyReg: 0,
  gamma: 0.9,
  tau: 0.005,
};

Deno.test("sacVCriticTarget on a hand-set example: y = r + γ(1 − terminated)·V'(s')", () => {
  // V'(s) = 2·relu(s) + 0.5.
  const valueTarget = [layer([[1]], [0]), layer([[2]], [0.5])];
  const batch: Batch = {
    size: 3,
    observations: new Float32Array(3),
    actions: new Float32Array(3),
    rewards: new Float32Array([1, -2, 3]),
    nextObservations: new Float32Array([0.5, -1, 4]),
    terminated: new Float32Array([0, 0, 1]),
  };
  // #0: 1 + 0.9·(2·0.5 + 0.5) = 2.35; #1: −2 + 0.9·0.5 = −1.55; #2 terminal: 3.
  assert.deepEqual(
    Array.from(sacVCriticTarget(tiny, { valueTarget, batch }).dataSync()).map((v) => Number(v.toFixed(5))),
    [2.35, -1.55, 3],
  );
});

Deno.test("sacVValueTarget on a hand-set example: min of the twin critics minus α log π", () => {
  // Q₁(s, a) = relu(s + a); Q₂(s, a) = 2·relu(2s + a) + 0.25.
  const critics = {
    q1: [layer([[1], [1]], [0]), layer([[1]], [0])],
    q2: [layer([[2], [1]], [0]), layer([[2]], [0.25])],
  };
  const sa = tf.tensor2d([[0.5, 1], [-0.8, 1.2]]);
  const logProb = tf.tensor2d([[-1], [0.5]]);
  // #0: min(1.5, 2·2 + 0.25) − 0.2·(−1) = 1.7; #1: min(0.4, 0.25) − 0.2·0.5 = 0.15.
  const yv = sacVValueTarget(critics, { sa, logProb, alpha: 0.2 }).dataSync();
  assert.ok(Math.abs(yv[0] - 1.7) < 1e-6 && Math.abs(yv[1] - 0.15) < 1e-6, `${yv}`);
});

Deno.test("SAC-V update is pure; V' moves by τ toward V; the policy penalty changes only the actor", () => {
  const config = { ...tiny, observationSize: 3, hidden: [16, 16] };
  const agent = makeSacV(config);
  const [k1, k2] = split(keyFromSeed(3));
  const batch: Batch = {
    size: 8,
    observations: normal(k1, 24),
    actions: new Float32Array(8).fill(-0.5),
    rewards: normal(k2, 8),
    nextObservations: normal(k1, 24).map((x) => 2 * x),
    terminated: new Float32Array(8),
  };
  const s0 = agent.init(keyFromSeed(4));
  const tensors = (s: typeof s0) => leaves([s.actor, s.critics, s.value, s.valueTarget, s.valueOpt[0].nu]);
  const before = tensors(s0).map((t) => Array.from(t.dataSync()));
  const [s1, metrics] = agent.update(s0, batch);
  assert.deepEqual(tensors(s0).map((t) => Array.from(t.dataSync())), before);
  assert.deepEqual(Object.keys(metrics).sort(), ["actorLoss", "criticLoss", "entropy", "valueLoss"]);
  const v0 = s0.valueTarget[0].w.dataSync();
  const v1 = s1.value[0].w.dataSync();
  s1.valueTarget[0].w.dataSync().forEach((x, i) =>
    assert.ok(Math.abs(x - (0.995 * v0[i] + 0.005 * v1[i])) < 1e-6)
  );
  const [withReg] = makeSacV({ ...config, policyReg: 1 }).update(s0, batch);
  assert.notDeepEqual(withReg.actor.mean.w.dataSync(), s1.actor.mean.w.dataSync());
  assert.deepEqual(withReg.critics.q1[0].w.dataSync(), s1.critics.q1[0].w.dataSync());
});
