import assert from "node:assert/strict";
import {
  arenaError,
  GEMMS,
  metricsError,
  packGaussianPolicy,
  packMlp,
  randomBatch,
} from "./_engine_testing.ts";
import * as tf from "@tensorflow/tfjs";
import { makeSacV, type SacVState } from "../src/core/agents/sac_v.ts";
import type { MlpParams } from "../src/core/nn/mlp.ts";
import { type GaussianPolicyParams, LOG_STD_MAX, LOG_STD_MIN } from "../src/core/nn/squashed_gaussian.ts";
import type { TwinCritics } from "../src/core/nn/twin_critics.ts";
import { keyFromSeed } from "../src/core/rng.ts";
import { disposeTree, step } from "../src/runtime/memory.ts";
import { referenceGemm } from "../src/engine/gemm.ts";
import { sacVFromHost, type SacVHostState, sacVHostState } from "../src/engine/sac_v_state.ts";
import { decodeHostCheckpoint, encodeHostCheckpoint } from "../src/formats/checkpoint.ts";
import { encodeCheckpoint } from "../src/runtime/checkpoint.ts";
import {
  makeSacVEngine,
  SAC_V_ARENAS,
  SAC_V_LOG_STD_BOUNDS,
  type SacVEngine,
  type SacVEngineConfig,
  type SacVEngineState,
} from "../src/engine/sac_v.ts";

tf.env().set("PROD", true); // silences tfjs's console advice
await tf.setBackend("cpu");

// Every test runs with the reference GEMM and, when the library loads, with OpenBLAS.
const gemms = GEMMS;

// Two action dimensions with asymmetric bounds, so that column offsets, center, half-range and the
// log-scale correction all matter. The penalty off (the default) and on, with a weight large enough that
// its gradient is a visible part of the policy's.
const base: SacVEngineConfig = {
  observationSize: 3,
  actionSize: 2,
  bounds: { low: [-2, -1], high: [2, 0.5] },
  hidden: [8, 8],
  init: "torch",
  actorLr: 1e-3,
  criticLr: 1e-3,
  valueLr: 1e-3,
  alpha: 0.2,
  policyReg: 0,
  gamma: 0.99,
  tau: 0.005,
  batchSize: 16,
};
const CONFIGS: readonly SacVEngineConfig[] = [base, { ...base, policyReg: 0.5 }];

/** The tfjs state read into engine arenas; its Adam states are `[{count, mu, nu}, null]`. */
function fromTfjs(e: SacVEngine, s: SacVState): SacVEngineState {
  const [actorOpt] = s.actorOpt;
  const [criticOpt] = s.criticOpt;
  const [valueOpt] = s.valueOpt;
  const a = (p: unknown) => packGaussianPolicy(e.actorLayout, p as GaussianPolicyParams);
  const c = (p: unknown) => packMlp(e.criticLayout, p as MlpParams);
  const v = (p: unknown) => packMlp(e.valueLayout, p as MlpParams);
  const cm = criticOpt.mu as TwinCritics, cv = criticOpt.nu as TwinCritics;
  return {
    actor: a(s.actor),
    q1: c(s.critics.q1),
    q2: c(s.critics.q2),
    value: v(s.value),
    valueTarget: v(s.valueTarget),
    actorM: a(actorOpt.mu),
    actorV: a(actorOpt.nu),
    actorCount: actorOpt.count,
    q1M: c(cm.q1),
    q1V: c(cv.q1),
    q2M: c(cm.q2),
    q2V: c(cv.q2),
    criticCount: criticOpt.count,
    valueM: v(valueOpt.mu),
    valueV: v(valueOpt.nu),
    valueCount: valueOpt.count,
    key: s.key,
    updates: s.updates,
  };
}

/** Every arena's error, the counters compared exactly; returns the worst error and its name. */
function compareStates(got: SacVEngineState, want: SacVEngineState): [number, string] {
  assert.equal(got.updates, want.updates);
  assert.equal(got.actorCount, want.actorCount);
  assert.equal(got.criticCount, want.criticCount);
  assert.equal(got.valueCount, want.valueCount);
  assert.deepEqual([...got.key], [...want.key]);
  let worst = 0, where = "";
  for (const name of SAC_V_ARENAS) {
    const err = arenaError(got[name], want[name]);
    if (err > worst) [worst, where] = [err, name];
  }
  return [worst, where];
}

/** A fresh tfjs state from a seed (tensors kept; dispose with `disposeTree`). */
function tfjsInit(config: SacVEngineConfig, seed: number): SacVState {
  return tf.tidy(() =>
    makeSacV(config).init(keyFromSeed(seed)) as unknown as tf.TensorContainer
  ) as unknown as SacVState;
}

/**
 * The state with V' set to another network (V of the state of `seed + 100`): at init V' = V, so a target
 * computed with V instead of V' would go unnoticed for the first update.
 */
function withOtherValueTarget(config: SacVEngineConfig, s: SacVState, seed: number): SacVState {
  const other = tfjsInit(config, seed + 100);
  const { value, ...rest } = other;
  disposeTree([rest, s.valueTarget]);
  return { ...s, valueTarget: value };
}

/**
 * The same state with the log σ head's bias set to `bias`: [3, −25] puts log σ beyond both clip bounds for
 * most rows, so the hard clip and its zero gradient (the penalty's included) are exercised.
 */
function withLogStdBias(s: SacVState, bias: readonly number[]): SacVState {
  const logStd = { ...s.actor.logStd, b: tf.tensor1d([...bias]) };
  s.actor.logStd.b.dispose();
  return { ...s, actor: { ...s.actor, logStd } };
}

// Test 1. Tolerance 1e-5 relative to each arena's scale, and on the metrics: from the same state and batch
// both sides do the same float32 ops except for the products' summation order (GEMM vs tfjs's matMul),
// float64 reductions here, and the policy head's backward in closed form, with the penalty's gradient summed
// at the heads' output rather than at their parameters (a few ulps per element); Adam's division by √v̂
// amplifies that a little on the first steps. Measured, with either GEMM and policyReg 0 or 0.5: at most
// 2.5e-7 on the state, 1.5e-7 on the metrics (printed).
const ONE_STEP_TOL = 1e-5;

// Test 2. 200 updates, each implementation on its own state, same batches: rounding differences compound
// through the bootstrapped targets and Adam. Measured, with either GEMM and policyReg 0 or 0.5: at most
// 7.9e-7 on the state (Adam moments), 1.5e-6 on the metrics (the policy loss); tolerance 1e-5.
const LONG_RUN_UPDATES = 200;
const LONG_RUN_TOL = 1e-5;

for (const gemm of gemms) {
  for (const config of CONFIGS) {
    const engine = makeSacVEngine(config, gemm);
    const reference = makeSacV(config);
    const tag = `${gemm.name}, policyReg ${config.policyReg}`;

    for (const [label, bias] of [["", undefined], [", log σ clipped", [3, -25]]] as const) {
      Deno.test(`sac-v engine (${tag}${label}): one update from the same state equals tfjs's`, () => {
        // Seed 4: the critics' minimum picks Q₁ on some rows and Q₂ on others, so its routing is exercised.
        const init = withOtherValueTarget(config, tfjsInit(config, 4), 4);
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

    Deno.test(`sac-v engine (${tag}): ${LONG_RUN_UPDATES} updates stay within ${LONG_RUN_TOL} of tfjs's`, () => {
      let tfState = tfjsInit(config, 1);
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
          `metrics ${metricWorst.toExponential(2)} (${metricWhere})`,
      );
      assert.ok(worst < LONG_RUN_TOL, `${where}: ${worst}`);
      assert.ok(metricWorst < LONG_RUN_TOL, `${metricWhere}: ${metricWorst}`);
    });
  }

  const engine = makeSacVEngine(CONFIGS[1], gemm);
  const config = engine.config;

  Deno.test(`sac-v engine (${gemm.name}): update does not mutate its input state or batch`, () => {
    const tfState = tfjsInit(config, 2);
    let state = fromTfjs(engine, tfState);
    disposeTree(tfState);
    for (let u = 0; u < 4; u++) {
      const snapshot = structuredClone(state);
      const batch = randomBatch(config, 200 + u);
      const batchSnapshot = structuredClone(batch);
      const [next] = engine.update(state, batch);
      assert.deepEqual(state, snapshot, `update ${u + 1} changed its input state`);
      assert.deepEqual(batch, batchSnapshot, `update ${u + 1} changed its batch`);
      for (const name of SAC_V_ARENAS) assert.notEqual(next[name], state[name]);
      state = next;
    }
  });

  Deno.test(`sac-v engine (${gemm.name}): double buffering gives the same states as fresh arenas, and no sharing`, () => {
    const tfState = tfjsInit(config, 4);
    const start = fromTfjs(engine, tfState);
    disposeTree(tfState);
    let fresh = start;
    // Two buffers: each update writes into the state of two updates ago (the first into a blank one).
    let [current, spare] = [start, engine.blank()];
    for (let u = 0; u < 9; u++) {
      const batch = randomBatch(config, 300 + u);
      fresh = engine.update(fresh, batch)[0];
      const [next] = engine.update(current, batch, spare);
      for (const name of SAC_V_ARENAS) {
        assert.equal(next[name], spare[name], `the new ${name} lives in the arena it was given`);
      }
      assert.deepEqual(structuredClone(next), structuredClone(fresh), `update ${u + 1}`);
      [current, spare] = [next, current];
    }
    assert.throws(() => engine.update(current, randomBatch(config, 0), current), RangeError);
    assert.throws(
      () =>
        engine.update(current, randomBatch(config, 0), { ...engine.blank(), valueV: current.valueTarget }),
      RangeError,
    );
  });

  Deno.test(`sac-v engine (${gemm.name}): rejects a batch of the wrong size`, () => {
    const tfState = tfjsInit(config, 3);
    const state = fromTfjs(engine, tfState);
    disposeTree(tfState);
    assert.throws(() => engine.update(state, { ...randomBatch(config, 0), size: 8 }), RangeError);
  });
}

Deno.test("sac-v engine: clamps log σ to the reference's bounds", () => {
  assert.deepEqual(SAC_V_LOG_STD_BOUNDS, [LOG_STD_MIN, LOG_STD_MAX]);
});

Deno.test("sac-v engine: a checkpoint of an engine state has the bytes of the tfjs state's, and decodes back", () => {
  const config = CONFIGS[1];
  const engine = makeSacVEngine(config, referenceGemm);
  const reference = makeSacV(config);
  let tfState = tfjsInit(config, 5);
  for (let u = 0; u < 3; u++) {
    const [next, metrics] = step(reference.update, tfState, randomBatch(config, 400 + u));
    disposeTree(metrics);
    tfState = next;
  }
  const state = fromTfjs(engine, tfState);
  const runConfig = { algo: "sac-v", seed: 5 };
  const extras = { loop: { step: 3, observation: [-0, 1] } };
  const fromTf = encodeCheckpoint(tfState, runConfig, extras);
  const fromEngine = encodeHostCheckpoint(sacVHostState(engine, state), runConfig, extras);
  disposeTree(tfState);
  assert.deepEqual(fromEngine, fromTf, "the same bytes from either implementation");
  const decoded = sacVFromHost(engine, decodeHostCheckpoint(fromTf).state as SacVHostState);
  assert.deepEqual(decoded, state);
  const batch = randomBatch(config, 410);
  assert.deepEqual(engine.update(decoded, batch), engine.update(state, batch), "it resumes exactly");
});

Deno.test("sac-v engine: the host tree round-trips, and a wrong shape is refused", () => {
  const config = CONFIGS[1];
  const engine = makeSacVEngine(config, referenceGemm);
  const tfState = tfjsInit(config, 6);
  const state = engine.update(fromTfjs(engine, tfState), randomBatch(config, 500))[0];
  disposeTree(tfState);
  const host = sacVHostState(engine, state);
  assert.deepEqual(sacVFromHost(engine, host), state, "host tree → state");
  assert.deepEqual(sacVHostState(engine, sacVFromHost(engine, host)), host, "state → host tree");
  // Another hidden width: every network's shapes differ.
  const wrong = makeSacVEngine({ ...config, hidden: [8, 4] }, referenceGemm);
  assert.throws(() => sacVFromHost(wrong, host), RangeError);
  // A head of the wrong width alone.
  const { mean } = host.actor;
  const narrow = {
    w: { shape: [8, 1], data: mean.w.data.slice(0, 8) },
    b: { shape: [1], data: mean.b.data },
  };
  assert.throws(
    () => sacVFromHost(engine, { ...host, actor: { ...host.actor, mean: narrow } }),
    /actor\.mean\.w has shape \[8,1\], expected \[8,2\]/,
  );
  // A missing trunk layer.
  const short = { ...host.actor, trunk: host.actor.trunk.slice(1) };
  assert.throws(() => sacVFromHost(engine, { ...host, actor: short }), /actor\.trunk has 1 layers/);
});
