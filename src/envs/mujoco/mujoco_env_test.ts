import assert from "node:assert/strict";
import { foldIn, keyFromSeed, uniform } from "../../core/rng.ts";
import { loadMujocoEngine } from "./engine.ts";
import { mujocoEnv, type MujocoState } from "./mujoco_env.ts";
import { MUJOCO_TASKS } from "./tasks.ts";

const mj = await loadMujocoEngine();

/** Actions in the bounds, from a key: the `t`-th of an episode. */
function actionAt(env: { actionLow: readonly number[]; actionHigh: readonly number[] }, t: number) {
  const u = uniform(foldIn(keyFromSeed(99), t), env.actionLow.length);
  return Float32Array.from(u, (x, i) => env.actionLow[i] + x * (env.actionHigh[i] - env.actionLow[i]));
}

/** `steps` steps from `state` (stopping at the end of the episode), every result kept. */
function rollout(env: ReturnType<typeof mujocoEnv>, state: MujocoState, steps: number, from = 0) {
  const out = [];
  for (let t = 0; t < steps; t++) {
    const r = env.step(state, actionAt(env, from + t));
    out.push(r);
    state = r.state;
    if (r.terminated || r.truncated) break;
  }
  return out;
}

for (const task of MUJOCO_TASKS) {
  Deno.test(`${task.id}: the reset comes from the key alone, near the model's initial pose`, () => {
    const env = mujocoEnv(mj, task);
    try {
      const a = env.reset(keyFromSeed(1));
      const again = env.reset(keyFromSeed(1));
      const other = env.reset(keyFromSeed(2));
      assert.deepEqual(again.state, a.state);
      assert.deepEqual(again.observation, a.observation);
      assert.notDeepEqual(other.state.physics, a.state.physics);
      assert.equal(a.state.steps, 0);
      assert.equal(a.state.physics[0], 0, "time starts at 0");
      assert.equal(a.observation.length, task.observationSize);
      assert.ok(a.observation.every(Number.isFinite));
      // qpos follows time in the integration state; every coordinate is within a small distance of qpos0.
      const model = mj.MjModel.from_xml_string(task.xml);
      const qpos0 = Array.from(model.qpos0 as Float64Array);
      model.delete();
      const qpos = a.state.physics.slice(1, 1 + qpos0.length);
      const far = qpos.findIndex((q, i) => Math.abs(q - qpos0[i]) > 0.25);
      assert.equal(far, -1, `qpos[${far}] = ${qpos[far]} starts far from ${qpos0[far]}`);
    } finally {
      env.dispose();
    }
  });

  Deno.test(`${task.id}: the action bounds are the actuators' control ranges`, () => {
    const model = mj.MjModel.from_xml_string(task.xml);
    const range = Array.from(model.actuator_ctrlrange as Float64Array);
    model.delete();
    assert.deepEqual(task.actionLow, range.filter((_, i) => i % 2 === 0));
    assert.deepEqual(task.actionHigh, range.filter((_, i) => i % 2 === 1));
  });

  Deno.test(`${task.id}: truncated at the time limit (${task.maxEpisodeSteps} steps), not before`, () => {
    const env = mujocoEnv(mj, task);
    try {
      const { state } = env.reset(keyFromSeed(3));
      const late = { ...state, steps: task.maxEpisodeSteps - 2 };
      const first = env.step(late, actionAt(env, 0));
      assert.equal(first.truncated, false);
      assert.equal(env.step(first.state, actionAt(env, 1)).truncated, true);
    } finally {
      env.dispose();
    }
  });

  Deno.test(`${task.id}: a state sent through JSON (as checkpoints store it) continues bit for bit in a new environment`, () => {
    const env = mujocoEnv(mj, task);
    const fresh = mujocoEnv(mj, task);
    try {
      const start = env.reset(keyFromSeed(4)).state;
      const straight = rollout(env, start, 40);
      const cut = Math.min(15, straight.length - 1);
      const saved = JSON.parse(JSON.stringify(straight[cut - 1].state)) as MujocoState;
      const resumed = rollout(fresh, saved, straight.length - cut, cut);
      assert.deepEqual(resumed, straight.slice(cut));
      // The same record stepped again, after another one, gives the same result: step is a function of it.
      const again = env.step(straight[cut - 1].state, actionAt(env, cut));
      assert.deepEqual(again, straight[cut]);
    } finally {
      env.dispose();
      fresh.dispose();
    }
  });
}

/** A reset distribution of Gymnasium's v5 defaults: uniform on ±scale, or normal with σ = scale. */
type Noise = { readonly kind: "uniform" | "normal"; readonly scale: number };
const U = (scale: number): Noise => ({ kind: "uniform", scale });
const N = (scale: number): Noise => ({ kind: "normal", scale });

/**
 * Each task's reset noise as Gymnasium 1.3.0's `reset_model` draws it (`reset_noise_scale` defaults), written
 * out here from Gymnasium's sources so that a task file's own constants are not what the test compares with.
 * Reacher's goal and its velocity are checked apart.
 */
const RESET_NOISE: Readonly<Record<string, { qpos: Noise; qvel: Noise; arm?: number }>> = {
  "HalfCheetah-v5": { qpos: U(0.1), qvel: N(0.1) },
  "Hopper-v5": { qpos: U(5e-3), qvel: U(5e-3) },
  "Walker2d-v5": { qpos: U(5e-3), qvel: U(5e-3) },
  "Ant-v5": { qpos: U(0.1), qvel: N(0.1) },
  "Humanoid-v5": { qpos: U(1e-2), qvel: U(1e-2) },
  "InvertedPendulum-v5": { qpos: U(0.01), qvel: U(0.01) },
  "InvertedDoublePendulum-v5": { qpos: U(0.1), qvel: N(0.1) },
  "Reacher-v5": { qpos: U(0.1), qvel: U(5e-3), arm: 2 },
};

/** Whether the pooled deviations look like `noise`: bounds, variance and kurtosis (1.8 uniform, 3 normal). */
function assertNoise(deviations: readonly number[], noise: Noise, what: string) {
  const n = deviations.length;
  const mean = deviations.reduce((a, d) => a + d, 0) / n;
  const variance = deviations.reduce((a, d) => a + (d - mean) ** 2, 0) / n;
  const kurtosis = deviations.reduce((a, d) => a + (d - mean) ** 4, 0) / n / variance ** 2;
  const largest = Math.max(...deviations.map(Math.abs));
  const s = noise.scale;
  assert.ok(Math.abs(mean) < 0.1 * s, `${what}: mean ${mean}`);
  if (noise.kind === "uniform") {
    assert.ok(largest <= s && largest > 0.95 * s, `${what}: largest |deviation| ${largest}, bound ${s}`);
    assert.ok(
      Math.abs(variance / (s * s / 3) - 1) < 0.15,
      `${what}: variance ${variance}, U(±${s}) ${s * s / 3}`,
    );
    assert.ok(kurtosis < 2.2, `${what}: kurtosis ${kurtosis}, uniform's 1.8`);
  } else {
    assert.ok(Math.abs(variance / (s * s) - 1) < 0.15, `${what}: variance ${variance}, N(0, ${s}²) ${s * s}`);
    assert.ok(kurtosis > 2.5, `${what}: kurtosis ${kurtosis}, normal's 3`);
  }
}

for (const task of MUJOCO_TASKS) {
  Deno.test(`${task.id}: reset noise has Gymnasium's distributions, drawn from the key`, () => {
    const expected = RESET_NOISE[task.id];
    assert.ok(expected !== undefined, "every task has its expected noise");
    const env = mujocoEnv(mj, task);
    const model = mj.MjModel.from_xml_string(task.xml);
    const qpos0 = Array.from(model.qpos0 as Float64Array);
    const nv = model.nv;
    model.delete();
    try {
      const arm = expected.arm ?? qpos0.length;
      const dq: number[] = [];
      const dv: number[] = [];
      const goals: number[][] = [];
      for (let i = 0; i < 300; i++) {
        const physics = env.reset(foldIn(keyFromSeed(7), i)).state.physics;
        const qpos = physics.slice(1, 1 + qpos0.length);
        const qvel = physics.slice(1 + qpos0.length, 1 + qpos0.length + nv);
        for (let j = 0; j < arm; j++) dq.push(qpos[j] - qpos0[j]);
        for (let j = 0; j < (expected.arm ?? nv); j++) dv.push(qvel[j]);
        if (expected.arm !== undefined) {
          goals.push(qpos.slice(arm));
          assert.deepEqual(qvel.slice(arm), [0, 0], "the target starts at rest");
        }
      }
      assertNoise(dq, expected.qpos, "qpos − qpos0");
      assertNoise(dv, expected.qvel, "qvel");
      if (goals.length > 0) {
        // Uniform on the open disc of radius 0.2: every norm below 0.2, E[r²] = 0.2² / 2.
        const r2 = goals.map(([x, y]) => x * x + y * y);
        assert.ok(r2.every((r) => r < 0.04), "goals inside the disc");
        const mean = r2.reduce((a, r) => a + r, 0) / r2.length;
        assert.ok(Math.abs(mean / 0.02 - 1) < 0.15, `goal E[r²] ${mean}, the disc's 0.02`);
        assert.ok(Math.max(...r2) > 0.036, "goals reach the rim");
      }
    } finally {
      env.dispose();
    }
  });
}

Deno.test("a disposed MuJoCo environment refuses to step", () => {
  const env = mujocoEnv(mj, MUJOCO_TASKS[0]);
  const { state } = env.reset(keyFromSeed(0));
  env.dispose();
  assert.throws(() => env.step(state, actionAt(env, 0)), /was disposed/);
});
