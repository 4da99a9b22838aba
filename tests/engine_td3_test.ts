import assert from "node:assert/strict";
import { arenaError, GEMMS, packMlp, randomBatch, relDiff } from "./_engine_testing.ts";
import * as tf from "@tensorflow/tfjs";
import { makeTd3, policy, type Td3State } from "../src/core/agents/td3.ts";
import type { MlpParams } from "../src/core/nn/mlp.ts";
import type { TwinCritics } from "../src/core/nn/twin_critics.ts";
import { keyFromSeed, uniform } from "../src/core/rng.ts";
import { disposeTree, step } from "../src/runtime/memory.ts";
import { referenceGemm } from "../src/engine/gemm.ts";
import { makeEnginePolicy } from "../src/engine/policy.ts";
import { td3FromHost, type Td3HostState, td3HostState } from "../src/engine/td3_state.ts";
import { decodeHostCheckpoint, encodeHostCheckpoint } from "../src/formats/checkpoint.ts";
import { encodeCheckpoint } from "../src/runtime/checkpoint.ts";
import {
  makeTd3Engine,
  TD3_ARENAS,
  type Td3Engine,
  type Td3EngineConfig,
  type Td3EngineState,
} from "../src/engine/td3.ts";

tf.env().set("PROD", true); // silences tfjs's console advice
await tf.setBackend("cpu");

// Every test runs with the reference GEMM and, when the library loads, with OpenBLAS.
const gemms = GEMMS;

// Two action dimensions with asymmetric bounds, so that column offsets, center and half-range all matter;
// smoothing noise larger than the paper's (σ 0.2, c 0.5) so that both the noise clip and the clip of the
// smoothed target action to the bounds are hit in every batch.
const config: Td3EngineConfig = {
  observationSize: 3,
  actionSize: 2,
  bounds: { low: [-2, -1], high: [2, 0.5] },
  hidden: [8, 8],
  actorLr: 1e-3,
  criticLr: 1e-3,
  gamma: 0.99,
  tau: 0.005,
  policyNoise: 0.6,
  noiseClip: 1.2,
  policyDelay: 2,
  batchSize: 16,
};
const reference = makeTd3(config);

/** The tfjs state read into engine arenas; its Adam states are `[{count, mu, nu}, null]`. */
function fromTfjs(e: Td3Engine, s: Td3State): Td3EngineState {
  const [actorOpt] = s.actorOpt;
  const [criticOpt] = s.criticOpt;
  const a = (p: unknown) => packMlp(e.actorLayout, p as MlpParams);
  const c = (p: unknown) => packMlp(e.criticLayout, p as MlpParams);
  const cm = criticOpt.mu as TwinCritics, cv = criticOpt.nu as TwinCritics;
  return {
    actor: a(s.actor),
    actorTarget: a(s.actorTarget),
    q1: c(s.critics.q1),
    q2: c(s.critics.q2),
    q1Target: c(s.criticsTarget.q1),
    q2Target: c(s.criticsTarget.q2),
    actorM: a(actorOpt.mu),
    actorV: a(actorOpt.nu),
    actorCount: actorOpt.count,
    q1M: c(cm.q1),
    q1V: c(cv.q1),
    q2M: c(cm.q2),
    q2V: c(cv.q2),
    criticCount: criticOpt.count,
    key: s.key,
    updates: s.updates,
  };
}

/** Every arena's error, the counters compared exactly; returns the worst arena error and its name. */
function compareStates(got: Td3EngineState, want: Td3EngineState): [number, string] {
  assert.equal(got.updates, want.updates);
  assert.equal(got.actorCount, want.actorCount);
  assert.equal(got.criticCount, want.criticCount);
  assert.deepEqual([...got.key], [...want.key]);
  let worst = 0, where = "";
  for (const name of TD3_ARENAS) {
    const err = arenaError(got[name], want[name]);
    if (err > worst) [worst, where] = [err, name];
  }
  return [worst, where];
}

/** A fresh tfjs state from a seed (tensors kept; dispose with `disposeTree`). */
function tfjsInit(seed: number): Td3State {
  return tf.tidy(() =>
    reference.init(keyFromSeed(seed)) as unknown as tf.TensorContainer
  ) as unknown as Td3State;
}

// Test 1. Tolerance 1e-5 relative to each arena's scale, and 1e-5 on the losses: from the same state and
// batch both sides do the same float32 ops, except that products are summed in a different order (GEMM vs
// tfjs's matMul) and reductions in float64 here; that leaves a few ulps per value, amplified a little by
// Adam's division by √v̂ on the first steps.
const ONE_STEP_TOL = 1e-5;

// Test 2. 200 updates, each implementation on its own state, same batches. Float32 rounding differences
// compound through the bootstrapped targets and Adam; tolerance 1e-5 relative to each arena's scale.
const LONG_RUN_UPDATES = 200;
const LONG_RUN_TOL = 1e-5;

for (const gemm of gemms) {
  const engine = makeTd3Engine(config, gemm);

  Deno.test(`td3 engine (${gemm.name}): one update from the same state equals tfjs's (critic step, then actor step)`, () => {
    let tfState = tfjsInit(0);
    let worstOverall = 0;
    for (let u = 0; u < 4; u++) {
      const batch = randomBatch(config, 100 + u);
      const before = fromTfjs(engine, tfState);
      const [got, gotMetrics] = engine.update(before, batch);
      const [next, metrics] = step(reference.update, tfState, batch);
      tfState = next;
      const [worst, where] = compareStates(got, fromTfjs(engine, tfState));
      assert.ok(worst < ONE_STEP_TOL, `update ${u + 1}: ${where} off by ${worst}`);
      worstOverall = Math.max(worstOverall, worst);
      const criticLoss = metrics.criticLoss.dataSync()[0];
      assert.ok(
        relDiff(gotMetrics.criticLoss, criticLoss) < ONE_STEP_TOL,
        `criticLoss ${gotMetrics.criticLoss}`,
      );
      const isActorStep = (u + 1) % config.policyDelay === 0;
      assert.equal(gotMetrics.actorLoss !== undefined, isActorStep);
      assert.equal(metrics.actorLoss !== undefined, isActorStep);
      if (isActorStep) {
        const actorLoss = metrics.actorLoss.dataSync()[0];
        assert.ok(
          relDiff(gotMetrics.actorLoss!, actorLoss) < ONE_STEP_TOL,
          `actorLoss ${gotMetrics.actorLoss}`,
        );
      }
      disposeTree(metrics);
    }
    disposeTree(tfState);
    console.log(`max one-update arena error: ${worstOverall.toExponential(2)}`);
  });

  Deno.test(`td3 engine (${gemm.name}): ${LONG_RUN_UPDATES} updates stay within ${LONG_RUN_TOL} of tfjs's`, () => {
    let tfState = tfjsInit(1);
    let state = fromTfjs(engine, tfState);
    let worst = 0, where = "", lossErr = 0;
    for (let u = 0; u < LONG_RUN_UPDATES; u++) {
      const batch = randomBatch(config, 1000 + u);
      const [nextState, gotMetrics] = engine.update(state, batch);
      state = nextState;
      const [next, metrics] = step(reference.update, tfState, batch);
      tfState = next;
      lossErr = Math.max(lossErr, relDiff(gotMetrics.criticLoss, metrics.criticLoss.dataSync()[0]));
      disposeTree(metrics);
      if ((u + 1) % 50 === 0) {
        const [err, name] = compareStates(state, fromTfjs(engine, tfState));
        if (err > worst) [worst, where] = [err, `${name} at update ${u + 1}`];
      }
    }
    disposeTree(tfState);
    console.log(
      `max arena error over ${LONG_RUN_UPDATES} updates: ${worst.toExponential(2)} (${where}); ` +
        `max critic-loss rel. error ${lossErr.toExponential(2)}; gemm ${gemm.name}`,
    );
    assert.ok(worst < LONG_RUN_TOL, `${where}: ${worst}`);
    assert.ok(lossErr < LONG_RUN_TOL, `criticLoss: ${lossErr}`);
  });

  Deno.test(`td3 engine (${gemm.name}): update does not mutate its input state`, () => {
    const tfState = tfjsInit(2);
    let state = fromTfjs(engine, tfState);
    disposeTree(tfState);
    for (let u = 0; u < 4; u++) {
      const snapshot = structuredClone(state);
      const [next] = engine.update(state, randomBatch(config, 200 + u));
      assert.deepEqual(state, snapshot, `update ${u + 1} changed its input`);
      assert.notEqual(next.q1, state.q1);
      state = next;
    }
  });

  Deno.test(`td3 engine (${gemm.name}): double buffering gives the same states as fresh arenas, and no sharing`, () => {
    const tfState = tfjsInit(4);
    const start = fromTfjs(engine, tfState);
    disposeTree(tfState);
    let fresh = start;
    // Two buffers: each update writes into the state of two updates ago (the first into a blank one).
    let [current, spare] = [start, engine.blank()];
    for (let u = 0; u < 9; u++) {
      const batch = randomBatch(config, 300 + u);
      fresh = engine.update(fresh, batch)[0];
      const [next] = engine.update(current, batch, spare);
      assert.equal(next.q1, spare.q1, "the new state lives in the arenas it was given");
      assert.equal(next.actor, spare.actor);
      assert.deepEqual(structuredClone(next), structuredClone(fresh), `update ${u + 1}`);
      [current, spare] = [next, current];
    }
    assert.throws(() => engine.update(current, randomBatch(config, 0), current), RangeError);
    assert.throws(
      () => engine.update(current, randomBatch(config, 0), { ...engine.blank(), q2M: current.q1 }),
      RangeError,
    );
  });

  Deno.test(`td3 engine (${gemm.name}): rejects a batch of the wrong size`, () => {
    const tfState = tfjsInit(3);
    const state = fromTfjs(engine, tfState);
    disposeTree(tfState);
    assert.throws(() => engine.update(state, { ...randomBatch(config, 0), size: 8 }), RangeError);
  });
}

Deno.test("td3 engine: a checkpoint of an engine state has the bytes of the tfjs state's, and decodes back", () => {
  const engine = makeTd3Engine(config, referenceGemm);
  let tfState = tfjsInit(5);
  for (let u = 0; u < 3; u++) {
    const [next, metrics] = step(reference.update, tfState, randomBatch(config, 400 + u));
    disposeTree(metrics);
    tfState = next;
  }
  const state = fromTfjs(engine, tfState);
  const runConfig = { algo: "td3", seed: 5 };
  const extras = { loop: { step: 3, observation: [-0, 1] } };
  const fromTf = encodeCheckpoint(tfState, runConfig, extras);
  const fromEngine = encodeHostCheckpoint(td3HostState(engine, state), runConfig, extras);
  disposeTree(tfState);
  assert.deepEqual(fromEngine, fromTf, "the same bytes from either implementation");
  const decoded = td3FromHost(engine, decodeHostCheckpoint(fromTf).state as Td3HostState);
  assert.deepEqual(decoded, state);
  const batch = randomBatch(config, 410);
  assert.deepEqual(engine.update(decoded, batch), engine.update(state, batch), "it resumes exactly");
  const wrong = makeTd3Engine({ ...config, hidden: [8, 4] }, referenceGemm);
  assert.throws(() => td3FromHost(wrong, decodeHostCheckpoint(fromTf).state as Td3HostState), RangeError);
});

Deno.test("engine policy: μ(s) equals the tfjs policy's actions for a batch and for one observation", () => {
  const engine = makeTd3Engine(config, referenceGemm);
  const tfState = tfjsInit(6);
  const state = fromTfjs(engine, tfState);
  const policyOf = makeEnginePolicy(engine.actorLayout, config.bounds, referenceGemm);
  for (const n of [1, 10]) {
    const observations = uniform(keyFromSeed(n), n * config.observationSize, { low: -3, high: 3 });
    const want = tf.tidy(() =>
      policy(tfState.actor, tf.tensor2d(observations, [n, config.observationSize]), config.bounds).dataSync()
    );
    const got = policyOf.act(state.actor, observations, n);
    got.forEach((a, i) =>
      assert.ok(Math.abs(a - want[i]) <= 1e-6 * (1 + Math.abs(want[i])), `${a} ${want[i]}`)
    );
  }
  disposeTree(tfState);
});
