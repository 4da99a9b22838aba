import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import type { Agent } from "../src/core/agents/agent.ts";
import { makeSac } from "../src/core/agents/sac.ts";
import { makeSacV } from "../src/core/agents/sac_v.ts";
import { makeTd3, TD3_DEFAULTS } from "../src/core/agents/td3.ts";
import type { Batch } from "../src/core/batch.ts";
import { keyFromSeed, normal, split } from "../src/core/rng.ts";
import { disposeReplaced, disposeTree, step, stepOwned, tensorsIn } from "../src/runtime/memory.ts";

tf.env().set("PROD", true); // silences tfjs's console advice
await tf.setBackend("cpu");

function batch(seed: number, n: number): Batch {
  const [a, b, c, d] = split(keyFromSeed(seed), 4);
  return {
    size: n,
    observations: normal(a, 3 * n),
    actions: normal(b, n),
    rewards: normal(c, n),
    nextObservations: normal(d, 3 * n),
    terminated: new Float32Array(n),
  };
}

const sizes = { observationSize: 3, actionSize: 1, bounds: { low: [-2], high: [2] }, hidden: [16, 16] };
const sacCommon = {
  ...sizes,
  init: "torch",
  actorLr: 1e-3,
  criticLr: 1e-3,
  gamma: 0.99,
  tau: 0.005,
} as const;
const agents: Agent<unknown>[] = [
  makeTd3({ ...TD3_DEFAULTS, ...sizes }) as Agent<unknown>,
  makeSac({ ...sacCommon, alpha: 1, alphaLr: 1e-3, targetEntropy: -1 }) as Agent<unknown>,
  makeSacV({ ...sacCommon, alpha: 0.2, valueLr: 1e-3, policyReg: 0.001 }) as Agent<unknown>,
];

for (const agent of agents) {
  Deno.test(`${agent.name}: the live tensor count stays flat across many updates run by the runtime`, () => {
    const start = tf.memory().numTensors;
    let state: unknown = tf.tidy(() => agent.init(keyFromSeed(0)) as unknown as tf.TensorContainer);
    const counts: number[] = [];
    for (let i = 0; i < 40; i++) {
      const [next, metrics] = step(agent.update, state, batch(i, 8));
      disposeTree(metrics);
      state = next;
      if (i >= 10 && i % 10 === 0) counts.push(tf.memory().numTensors);
    }
    assert.ok(counts.every((c) => c === counts[0]), `tensor counts drift: ${counts}`);
    disposeTree(state);
    assert.equal(tf.memory().numTensors, start);
  });
}

Deno.test("tensorsIn lists each tensor once in sorted path order; disposeTree frees them, twice is harmless", () => {
  const start = tf.memory().numTensors;
  const [a, b, c] = [tf.scalar(1), tf.scalar(2), tf.scalar(3)];
  const value = { z: [c, a], a: { y: b, x: a }, data: new Float32Array([4]), n: 5 };
  assert.deepEqual(tensorsIn(value), [a, b, c]); // a.x, a.y, z.0, z.1 (a again)
  const next = { kept: b };
  disposeReplaced(value, next);
  assert.deepEqual([a.isDisposed, b.isDisposed, c.isDisposed], [true, false, true]);
  disposeTree(value); // a and c are disposed already: skipped
  assert.ok(b.isDisposed);
  disposeTree(next);
  assert.equal(tf.memory().numTensors, start);
});

Deno.test("stepOwned keeps the owned part's new tensors, frees the temporaries and what the new state dropped", () => {
  type State = { readonly agent: { readonly w: tf.Tensor; readonly b: tf.Tensor }; readonly log: number[] };
  const reducer = (s: State, x: number): readonly [State, { readonly seen: number }] => {
    const scratch = tf.mul(s.agent.w, 3); // a temporary
    const w = tf.add(scratch, x);
    return [{ agent: { w, b: s.agent.b }, log: [...s.log, x] }, { seen: x }];
  };
  let state: State = { agent: { w: tf.scalar(1), b: tf.scalar(2) }, log: [] };
  const before = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) {
    const old = state.agent;
    [state] = stepOwned(reducer, state, i, (s) => s.agent);
    assert.ok(old.w.isDisposed, "the replaced tensor is freed");
    assert.ok(!state.agent.b.isDisposed, "the tensor both states hold survives");
  }
  assert.equal(tf.memory().numTensors, before, "no tensor is left behind");
  assert.deepEqual(state.log, [0, 1, 2, 3, 4]);
  assert.equal(state.agent.w.dataSync()[0], ((((1 * 3 + 0) * 3 + 1) * 3 + 2) * 3 + 3) * 3 + 4);
  disposeTree(state.agent);
});
