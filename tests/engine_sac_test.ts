import assert from "node:assert/strict";
import {
  arenaError,
  GEMMS,
  metricsError,
  packGaussianPolicy,
  packMlp,
  randomBatch,
  relDiff,
} from "./_engine_testing.ts";
import * as tf from "@tensorflow/tfjs";
import { makeSac, type SacState } from "../src/core/agents/sac.ts";
import type { MlpParams } from "../src/core/nn/mlp.ts";
import { type GaussianPolicyParams, LOG_STD_MAX, LOG_STD_MIN } from "../src/core/nn/squashed_gaussian.ts";
import type { TwinCritics } from "../src/core/nn/twin_critics.ts";
import { keyFromSeed } from "../src/core/rng.ts";
import { disposeTree, step } from "../src/runtime/memory.ts";
import { referenceGemm } from "../src/engine/gemm.ts";
import { sacFromHost, type SacHostState, sacHostState } from "../src/engine/sac_state.ts";
import { decodeHostCheckpoint, encodeHostCheckpoint } from "../src/formats/checkpoint.ts";
import { encodeCheckpoint, toHostTree } from "../src/runtime/checkpoint.ts";
import {
  makeSacEngine,
  SAC_ARENAS,
  SAC_LOG_STD_BOUNDS,
  type SacEngine,
  type SacEngineConfig,
  type SacEngineState,
} from "../src/engine/sac.ts";

tf.env().set("PROD", true); // silences tfjs's console advice
await tf.setBackend("cpu");

// Every test runs with the reference GEMM and, when the library loads, with OpenBLAS.
const gemms = GEMMS;

// Two action dimensions with asymmetric bounds, so that column offsets, center, half-range and the
// log-scale correction all matter; a temperature learning rate large enough that log α moves visibly.
const config: SacEngineConfig = {
  observationSize: 3,
  actionSize: 2,
  bounds: { low: [-2, -1], high: [2, 0.5] },
  hidden: [8, 8],
  init: "torch",
  actorLr: 1e-3,
  criticLr: 1e-3,
  alphaLr: 3e-3,
  alpha: 0.2,
  targetEntropy: -2,
  gamma: 0.99,
  tau: 0.005,
  batchSize: 16,
};
const reference = makeSac(config);

/** The tfjs state read into engine arenas; its Adam states are `[{count, mu, nu}, null]`. */
function fromTfjs(e: SacEngine, s: SacState): SacEngineState {
  const [actorOpt] = s.actorOpt;
  const [criticOpt] = s.criticOpt;
  const [alphaOpt] = s.alphaOpt;
  const a = (p: unknown) => packGaussianPolicy(e.actorLayout, p as GaussianPolicyParams);
  const c = (p: unknown) => packMlp(e.criticLayout, p as MlpParams);
  const scalar = (t: unknown) => (t as tf.Scalar).dataSync()[0];
  const cm = criticOpt.mu as TwinCritics, cv = criticOpt.nu as TwinCritics;
  return {
    actor: a(s.actor),
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
    logAlpha: scalar(s.logAlpha),
    logAlphaM: scalar(alphaOpt.mu),
    logAlphaV: scalar(alphaOpt.nu),
    alphaCount: alphaOpt.count,
    key: s.key,
    updates: s.updates,
  };
}

const SCALARS = ["logAlpha", "logAlphaM", "logAlphaV"] as const;

/** Every arena's and scalar's error, the counters compared exactly; returns the worst error and its name. */
function compareStates(got: SacEngineState, want: SacEngineState): [number, string] {
  assert.equal(got.updates, want.updates);
  assert.equal(got.actorCount, want.actorCount);
  assert.equal(got.criticCount, want.criticCount);
  assert.equal(got.alphaCount, want.alphaCount);
  assert.deepEqual([...got.key], [...want.key]);
  let worst = 0, where = "";
  for (const name of SAC_ARENAS) {
    const err = arenaError(got[name], want[name]);
    if (err > worst) [worst, where] = [err, name];
  }
  for (const name of SCALARS) {
    const err = relDiff(got[name], want[name]);
    if (err > worst) [worst, where] = [err, name];
  }
  return [worst, where];
}

/** A fresh tfjs state from a seed (tensors kept; dispose with `disposeTree`). */
function tfjsInit(seed: number): SacState {
  return tf.tidy(() =>
    reference.init(keyFromSeed(seed)) as unknown as tf.TensorContainer
  ) as unknown as SacState;
}

/**
 * The same state with the log σ head's bias set to `bias`: [3, −25] puts log σ beyond both clip bounds for
 * most rows, so the hard clip and its zero gradient are exercised.
 */
function withLogStdBias(s: SacState, bias: readonly number[]): SacState {
  const logStd = { ...s.actor.logStd, b: tf.tensor1d([...bias]) };
  return { ...s, actor: { ...s.actor, logStd } };
}

// Test 1. Tolerance 1e-5 relative to each arena's scale, on log α and its moments, and on the metrics:
// from the same state and batch both sides do the same float32 ops except for the products' summation order
// (GEMM vs tfjs's matMul), float64 reductions here, and the policy head's backward in closed form (a few
// ulps per element); Adam's division by √v̂ amplifies that a little on the first steps.
const ONE_STEP_TOL = 1e-5;

// Test 2. 200 updates, each implementation on its own state, same batches: rounding differences compound
// through the bootstrapped targets, Adam and log α. Measured, with either GEMM: at most 9e-7 on the state
// (critic moments), 1.2e-6 on the metrics (the policy loss), printed; tolerance 1e-5.
const LONG_RUN_UPDATES = 200;
const LONG_RUN_TOL = 1e-5;

for (const gemm of gemms) {
  const engine = makeSacEngine(config, gemm);

  for (const [label, bias] of [["", undefined], [", log σ clipped", [3, -25]]] as const) {
    Deno.test(`sac engine (${gemm.name}${label}): one update from the same state equals tfjs's`, () => {
      // Seed 4: at init Q₁ ≤ Q₂ on some rows and not on others, so the min's gradient routing is exercised
      // (with seed 0, Q₁ < Q₂ on every row and "Q₁ only" would pass).
      const init = tfjsInit(4);
      let tfState = bias === undefined ? init : withLogStdBias(init, bias);
      let worstOverall = 0, metricOverall = 0;
      for (let u = 0; u < 4; u++) {
        const batch = randomBatch(config, 100 + u);
        const before = fromTfjs(engine, tfState);
        const [got, gotMetrics] = engine.update(before, batch);
        const [next, metrics] = step(reference.update, tfState, batch);
        tfState = next;
        const [worst, where] = compareStates(got, fromTfjs(engine, tfState));
        assert.ok(worst < ONE_STEP_TOL, `update ${u + 1}: ${where} off by ${worst}`);
        const [metricErr, metric] = metricsError(gotMetrics, metrics);
        assert.ok(metricErr < ONE_STEP_TOL, `update ${u + 1}: ${metric} off by ${metricErr}`);
        worstOverall = Math.max(worstOverall, worst);
        metricOverall = Math.max(metricOverall, metricErr);
      }
      disposeTree(tfState);
      console.log(
        `max one-update error: state ${worstOverall.toExponential(2)}, metrics ${
          metricOverall.toExponential(2)
        }`,
      );
    });
  }

  Deno.test(`sac engine (${gemm.name}): ${LONG_RUN_UPDATES} updates stay within ${LONG_RUN_TOL} of tfjs's`, () => {
    let tfState = tfjsInit(1);
    let state = fromTfjs(engine, tfState);
    let worst = 0, where = "", metricWorst = 0, metricWhere = "";
    for (let u = 0; u < LONG_RUN_UPDATES; u++) {
      const batch = randomBatch(config, 1000 + u);
      const [nextState, gotMetrics] = engine.update(state, batch);
      state = nextState;
      const [next, metrics] = step(reference.update, tfState, batch);
      tfState = next;
      const [metricErr, metric] = metricsError(gotMetrics, metrics);
      if (metricErr > metricWorst) [metricWorst, metricWhere] = [metricErr, `${metric} at update ${u + 1}`];
      if ((u + 1) % 50 === 0) {
        const [err, name] = compareStates(state, fromTfjs(engine, tfState));
        if (err > worst) [worst, where] = [err, `${name} at update ${u + 1}`];
      }
    }
    disposeTree(tfState);
    console.log(
      `max error over ${LONG_RUN_UPDATES} updates: state ${worst.toExponential(2)} (${where}); ` +
        `metrics ${metricWorst.toExponential(2)} (${metricWhere}); gemm ${gemm.name}`,
    );
    assert.ok(worst < LONG_RUN_TOL, `${where}: ${worst}`);
    assert.ok(metricWorst < LONG_RUN_TOL, `${metricWhere}: ${metricWorst}`);
  });

  Deno.test(`sac engine (${gemm.name}): update does not mutate its input state`, () => {
    const tfState = tfjsInit(2);
    let state = fromTfjs(engine, tfState);
    disposeTree(tfState);
    for (let u = 0; u < 4; u++) {
      const snapshot = structuredClone(state);
      const batch = randomBatch(config, 200 + u);
      const batchSnapshot = structuredClone(batch);
      const [next] = engine.update(state, batch);
      assert.deepEqual(state, snapshot, `update ${u + 1} changed its input state`);
      assert.deepEqual(batch, batchSnapshot, `update ${u + 1} changed its batch`);
      assert.notEqual(next.actor, state.actor);
      state = next;
    }
  });

  Deno.test(`sac engine (${gemm.name}): double buffering gives the same states as fresh arenas, and no sharing`, () => {
    const tfState = tfjsInit(5);
    const start = fromTfjs(engine, tfState);
    disposeTree(tfState);
    let fresh = start;
    // Two buffers: each update writes into the state of two updates ago (the first into a blank one).
    let [current, spare] = [start, engine.blank()];
    for (let u = 0; u < 10; u++) {
      const batch = randomBatch(config, 300 + u);
      const [freshNext, freshMetrics] = engine.update(fresh, batch);
      fresh = freshNext;
      const snapshot = structuredClone(current);
      const [next, metrics] = engine.update(current, batch, spare);
      assert.deepEqual(current, snapshot, `update ${u + 1} changed its input state`);
      for (const name of SAC_ARENAS) {
        assert.equal(next[name], spare[name], `the new ${name} lives in the arena it was given`);
      }
      assert.deepEqual(structuredClone(next), structuredClone(fresh), `update ${u + 1}`);
      assert.deepEqual(metrics, freshMetrics, `update ${u + 1}'s metrics`);
      [current, spare] = [next, current];
    }
    assert.throws(() => engine.update(current, randomBatch(config, 0), current), RangeError);
    assert.throws(
      () => engine.update(current, randomBatch(config, 0), { ...engine.blank(), q2M: current.q1 }),
      /shares an arena/,
    );
  });

  Deno.test(`sac engine (${gemm.name}): clamps log σ to the reference's bounds`, () => {
    assert.deepEqual(SAC_LOG_STD_BOUNDS, [LOG_STD_MIN, LOG_STD_MAX]);
  });

  Deno.test(`sac engine (${gemm.name}): rejects a batch of the wrong size`, () => {
    const tfState = tfjsInit(3);
    const state = fromTfjs(engine, tfState);
    disposeTree(tfState);
    assert.throws(() => engine.update(state, { ...randomBatch(config, 0), size: 8 }), RangeError);
  });
}

/** A tfjs state after a few reference updates, so that every moment, count and log α is nonzero. */
function tfjsTrained(seed: number, updates: number): SacState {
  let tfState = tfjsInit(seed);
  for (let u = 0; u < updates; u++) {
    const [next, metrics] = step(reference.update, tfState, randomBatch(config, 400 + u));
    disposeTree(metrics);
    tfState = next;
  }
  return tfState;
}

Deno.test("sac engine: a checkpoint of an engine state has the bytes of the tfjs state's, and decodes back", () => {
  const engine = makeSacEngine(config, referenceGemm);
  const tfState = tfjsTrained(6, 3);
  const state = fromTfjs(engine, tfState);
  assert.notEqual(state.logAlphaM, 0, "log α's moments have moved");
  const runConfig = { algo: "sac", seed: 6 };
  const extras = { loop: { step: 3, observation: [-0, 1] } };
  const fromTf = encodeCheckpoint(tfState, runConfig, extras);
  const host = sacHostState(engine, state);
  // The tree itself first (for a readable failure), then the bytes.
  assert.deepEqual(toHostTree(host), toHostTree(tfState), "the tfjs state's tree");
  const fromEngine = encodeHostCheckpoint(host, runConfig, extras);
  disposeTree(tfState);
  assert.deepEqual(fromEngine, fromTf, "the same bytes from either implementation");
  const decoded = sacFromHost(engine, decodeHostCheckpoint(fromTf).state as SacHostState);
  assert.deepEqual(decoded, state);
  const batch = randomBatch(config, 410);
  assert.deepEqual(engine.update(decoded, batch), engine.update(state, batch), "it resumes exactly");
});

Deno.test("sac engine: sacFromHost(sacHostState(s)) is s, and reads the tfjs state's tree as the test's packing does", () => {
  const engine = makeSacEngine(config, referenceGemm);
  const tfState = tfjsTrained(7, 2);
  const state = fromTfjs(engine, tfState);
  assert.deepEqual(sacFromHost(engine, toHostTree(tfState) as SacHostState), state);
  disposeTree(tfState);
  const back = sacFromHost(engine, sacHostState(engine, state));
  assert.deepEqual(back, state);
  for (const name of SAC_ARENAS) assert.notEqual(back[name], state[name], `${name} is a copy`);
  // The trunk and critics are views: the tree sees the arena, no copy.
  const host = sacHostState(engine, state);
  assert.equal(host.critics.q1[0].w.data.buffer, state.q1.buffer);
  assert.equal(host.actor.trunk[1].b.data.buffer, state.actor.buffer);
});

Deno.test("sac engine: sacFromHost refuses a tree of other sizes with a RangeError naming the tensor", () => {
  const engine = makeSacEngine(config, referenceGemm);
  const host = sacHostState(engine, engine.blank());
  const wider = makeSacEngine({ ...config, hidden: [8, 4] }, referenceGemm);
  assert.throws(() => sacFromHost(wider, host), /actor\.trunk\.1\.w has shape \[8,8\], expected \[8,4\]/);
  const oneAction = makeSacEngine(
    { ...config, actionSize: 1, bounds: { low: [-1], high: [1] } },
    referenceGemm,
  );
  assert.throws(() => sacFromHost(oneAction, host), /actor\.mean\.w has shape \[8,2\], expected \[8,1\]/);
  const deeper = makeSacEngine({ ...config, hidden: [8, 8, 8] }, referenceGemm);
  assert.throws(() => sacFromHost(deeper, host), /actor\.trunk has 2 layers, expected 3/);
  const mean = { ...host.actor.mean, w: { shape: [8, 2], data: new Float32Array(8) } };
  assert.throws(
    () => sacFromHost(engine, { ...host, actor: { ...host.actor, mean } }),
    /actor\.mean\.w has 8 values, its shape \[8,2\] needs 16/,
  );
  const logAlpha = { shape: [1], data: new Float32Array(1) };
  assert.throws(() => sacFromHost(engine, { ...host, logAlpha }), /logAlpha has shape \[1\], expected \[\]/);
  const [alphaOpt] = host.alphaOpt;
  const nu = { shape: [], data: new Float32Array(2) };
  assert.throws(
    () => sacFromHost(engine, { ...host, alphaOpt: [{ ...alphaOpt, nu }, null] }),
    /alphaOpt\.0\.nu has 2 values, its shape \[\] needs 1/,
  );
  const critics = { ...host.critics, q2: host.critics.q2.slice(1) };
  assert.throws(() => sacFromHost(engine, { ...host, critics }), /critics\.q2 has 2 layers, expected 3/);
});
