import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { keyFromSeed, normal, split, uniform } from "../rng.ts";
import { makeExploration } from "./exploration.ts";
import { OU_DEFAULTS, ouInit, ouStep } from "./ornstein_uhlenbeck.ts";

const bounds = { actionLow: [-2, -1], actionHigh: [2, 3] };

Deno.test("gaussian: clip(ã + h·σ·ε) with ε from the key, equal bit for bit to the float32 tensor formula", async () => {
  await tf.setBackend("cpu");
  const noise = makeExploration({ kind: "gaussian", sigma: 0.3, ...bounds });
  let key = keyFromSeed(5);
  for (let i = 0; i < 200; i++) {
    const [k1, k2, next] = split(key, 3);
    key = next;
    // Policy actions from slightly below to slightly above the bounds.
    const action = uniform(k1, 2).map((u, d) => bounds.actionLow[d] - 0.5 + u * 5);
    const [state, explored] = noise.sample(noise.init(), action, k2);
    assert.equal(state, undefined);
    const expected = tf.tidy(() => {
      const eps = tf.tensor2d(normal(k2, 2), [1, 2]);
      const scaled = tf.mul(eps, tf.tensor1d([2 * 0.3, 2 * 0.3]));
      const sum = tf.add(tf.tensor2d(action, [1, 2]), scaled);
      return tf.minimum(tf.maximum(sum, tf.tensor1d([-2, -1])), tf.tensor1d([2, 3])).dataSync();
    });
    assert.deepEqual(explored, expected);
  }
  assert.deepEqual(noise.init(), undefined);
});

Deno.test("gaussian: a huge σ puts every action on the bounds; the key decides, the input stays", () => {
  const noise = makeExploration({ kind: "gaussian", sigma: 1000, ...bounds });
  const action = new Float32Array([0.5, 0.5]);
  const [, a] = noise.sample(undefined, action, keyFromSeed(1));
  assert.ok(a.every((x, d) => x === bounds.actionLow[d] || x === bounds.actionHigh[d]));
  assert.deepEqual(action, new Float32Array([0.5, 0.5]), "the input is not mutated");
  const small = makeExploration({ kind: "gaussian", sigma: 0.1, ...bounds });
  assert.deepEqual(
    small.sample(undefined, action, keyFromSeed(1)),
    small.sample(undefined, action, keyFromSeed(1)),
  );
  assert.notDeepEqual(
    small.sample(undefined, action, keyFromSeed(1))[1],
    small.sample(undefined, action, keyFromSeed(2))[1],
  );
});

Deno.test("ou: the process advances by ouStep from the key and the half-range scales it; init restarts at 0", () => {
  const noise = makeExploration({ kind: "ou", sigma: 0.75, ...bounds });
  assert.deepEqual(noise.init(), [0, 0]);
  const action = new Float32Array([0.25, 2.5]);
  let state = noise.init();
  let reference = ouInit(2);
  let key = keyFromSeed(3);
  for (let t = 0; t < 50; t++) {
    const [k, next] = split(key);
    key = next;
    const [s, a] = noise.sample(state, action, k);
    reference = ouStep(reference, k, { ...OU_DEFAULTS, sigma: 0.75 });
    assert.deepEqual(s, reference);
    const half = [2, 2];
    const clip = (v: number, d: number) => Math.min(bounds.actionHigh[d], Math.max(bounds.actionLow[d], v));
    assert.deepEqual(a, Float32Array.from(action, (m, d) => clip(m + half[d] * reference[d], d)));
    state = s;
  }
  assert.notDeepEqual(state, [0, 0]);
});

Deno.test("none: the action is returned unchanged and no key is drawn from", () => {
  const noise = makeExploration({ kind: "none", sigma: 0, ...bounds });
  const action = new Float32Array([0.1, 0.2]);
  assert.equal(noise.draws, false);
  assert.deepEqual(noise.sample(noise.init(), action, keyFromSeed(0)), [undefined, action]);
});
