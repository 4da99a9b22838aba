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

Deno.test("a disposed MuJoCo environment refuses to step", () => {
  const env = mujocoEnv(mj, MUJOCO_TASKS[0]);
  const { state } = env.reset(keyFromSeed(0));
  env.dispose();
  assert.throws(() => env.step(state, actionAt(env, 0)), /was disposed/);
});
