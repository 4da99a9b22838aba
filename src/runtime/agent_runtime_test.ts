import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import type { Batch } from "../core/batch.ts";
import { keyFromSeed, normal, uniform } from "../core/rng.ts";
import { DEFAULTS, presetFor } from "../config/presets.ts";
import type { TrainConfig } from "../config/train_config.ts";
import { referenceGemm } from "../engine/gemm.ts";
import { makeEngineLearner } from "../engine/learners.ts";
import { engineRuntime, tfjsRuntime } from "./agent_runtime.ts";

tf.env().set("PROD", true);
await tf.setBackend("cpu");

const spaces = { observationSize: 3, actionSize: 1, actionLow: [-2], actionHigh: [2] };

function config(algo: TrainConfig["algo"]): TrainConfig {
  return { ...DEFAULTS, ...presetFor(algo, "tuned"), algo, hidden: [8, 8], batchSize: 4 } as TrainConfig;
}

/** A batch of 4 Pendulum-sized transitions from a seed. */
function batch(seed: number): Batch {
  const key = keyFromSeed(seed);
  return {
    size: 4,
    observations: normal(key, 12),
    actions: uniform(key, 4, { low: -2, high: 2 }),
    rewards: normal(keyFromSeed(seed + 1000), 4),
    nextObservations: normal(keyFromSeed(seed + 2000), 12),
    terminated: new Float32Array([0, 0, 1, 0]),
  };
}

/** A loop-like state holding the agent state beside other fields, as the training loop's does. */
interface Holder {
  readonly agent: unknown;
  readonly updates: number;
}

const reducer =
  (runtime: { learner: { update(s: unknown, b: Batch): readonly [unknown, unknown] } }) =>
  (state: Holder, b: Batch): readonly [Holder, null] => [
    { agent: runtime.learner.update(state.agent, b)[0], updates: state.updates + 1 },
    null,
  ];

for (const algo of ["td3", "sac", "sac-v"] as const) {
  Deno.test(`engine runtime (${algo}): two sets of arenas in turn, the same states as fresh arenas`, () => {
    const learner = makeEngineLearner(config(algo), spaces, 4, referenceGemm);
    const runtime = engineRuntime(learner, config(algo), spaces, referenceGemm.name);
    const first = runtime.init(keyFromSeed(3));
    let held: Holder = { agent: first, updates: 0 };
    let fresh = learner.fromHost(learner.toHost(first)); // the pure path: new arenas on every update
    const seen = new Set<Float32Array>();
    for (let i = 0; i < 12; i++) {
      [held] = runtime.step(reducer(runtime), held, batch(i), (s) => s.agent);
      fresh = learner.update(fresh, batch(i))[0];
      learner.arenas(held.agent).forEach((arena) => seen.add(arena));
      assert.deepEqual(learner.toHost(held.agent), learner.toHost(fresh), `update ${i + 1}`);
    }
    const perState = learner.arenas(first).length;
    assert.equal(seen.size, 2 * perState, "the arenas of the initial state and of the first update, reused");
    runtime.dispose(held.agent);
  });
}

Deno.test("engine runtime: a step that does not update keeps the spare arenas for the next one", () => {
  const learner = makeEngineLearner(config("td3"), spaces, 4, referenceGemm);
  const runtime = engineRuntime(learner, config("td3"), spaces, referenceGemm.name);
  let held: Holder = { agent: runtime.init(keyFromSeed(3)), updates: 0 };
  const idle = (s: Holder, _b: Batch) => [{ ...s, updates: s.updates + 1 }, null] as const;
  const seen = new Set<Float32Array>();
  for (let i = 0; i < 6; i++) {
    const step = i % 2 === 0 ? reducer(runtime) : idle;
    [held] = runtime.step(step, held, batch(i), (s) => s.agent);
    seen.add(learner.arenas(held.agent)[0]);
  }
  assert.equal(seen.size, 2);
});

Deno.test("tfjs runtime: the live tensor count stays flat over steps, and dispose frees the state", async () => {
  const runtime = await tfjsRuntime(config("sac"), spaces);
  assert.match(runtime.description, /^tfjs cpu backend$/);
  const before = tf.memory().numTensors;
  let held: Holder = { agent: runtime.init(keyFromSeed(3)), updates: 0 };
  [held] = runtime.step(reducer(runtime), held, batch(0), (s) => s.agent);
  const live = tf.memory().numTensors;
  for (let i = 1; i < 6; i++) [held] = runtime.step(reducer(runtime), held, batch(i), (s) => s.agent);
  assert.equal(tf.memory().numTensors, live);
  runtime.dispose(held.agent);
  assert.equal(tf.memory().numTensors, before);
});
