/**
 * Conformance with Gymnasium 1.3.0 on MuJoCo 3.14.0, from the transitions `tools/record_mujoco.py`
 * recorded: this repository's model compiles to the same model as Gymnasium's (array by array), and one step
 * from each recorded state and action gives Gymnasium's observation and reward (within 1e-5, relative where
 * values are large) and its termination and truncation flags exactly.
 */
import assert from "node:assert/strict";
import { loadMujocoEngine } from "./engine.ts";
import { mujocoEnv, type MujocoState } from "./mujoco_env.ts";
import type { MujocoFrame, MujocoTask } from "./task.ts";
import { MUJOCO_TASKS } from "./tasks.ts";

interface Transition {
  readonly episode: number;
  readonly steps: number;
  readonly state: number[];
  readonly before: { readonly xpos: number[]; readonly xipos: number[] };
  readonly action: number[];
  readonly observation: number[];
  readonly reward: number;
  readonly terminated: boolean;
  readonly truncated: boolean;
}

interface Fixture {
  readonly versions: { readonly gymnasium: string; readonly mujoco: string };
  readonly max_episode_steps: number;
  readonly model: Record<string, unknown>;
  readonly transitions: readonly Transition[];
}

const mj = await loadMujocoEngine();

async function fixture(task: MujocoTask): Promise<Fixture> {
  return JSON.parse(await Deno.readTextFile(new URL(`./testdata/${task.id}.json`, import.meta.url)));
}

/** Whether `a` is within `tolerance` of `b`, relative to |b| where |b| > 1. */
const close = (a: number, b: number, tolerance: number) =>
  Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(b));

/** The recorded names, compared as lists. */
const NAMES = ["body_names", "geom_names"];
/**
 * Flags the JavaScript binding cannot read (its getters of byte arrays throw a BindingError): their effect
 * (joint limits, clamped controls) shows in the transitions, which push joints to their limits and send
 * controls outside their range.
 */
const UNREADABLE = ["jnt_limited", "actuator_ctrllimited"];

for (const task of MUJOCO_TASKS) {
  Deno.test(`${task.id}: the model compiles to Gymnasium's (sizes, bodies, joints, geoms, actuators, options)`, async () => {
    const recorded = (await fixture(task)).model;
    assert.equal(mj.mj_versionString(), "3.14.0");
    const model = mj.MjModel.from_xml_string(task.xml);
    try {
      const ours = model as unknown as Record<string, unknown>;
      for (const [name, value] of Object.entries(recorded)) {
        if (name === "opt") {
          const opt = model.opt as unknown as Record<string, unknown>;
          for (const [field, v] of Object.entries(value as Record<string, unknown>)) {
            const got = opt[field];
            const values = typeof got === "number" ? [got] : Array.from(got as ArrayLike<number>);
            assert.deepEqual(values, [v].flat(), `opt.${field}`);
          }
          continue;
        }
        if (UNREADABLE.includes(name)) continue;
        if (NAMES.includes(name)) {
          const type = (name === "body_names" ? mj.mjtObj.mjOBJ_BODY : mj.mjtObj.mjOBJ_GEOM).value;
          // The binding's mj_id2name answers an unnamed object with a stray string, not null: a name
          // counts only when it maps back to its own id.
          const names = (value as (string | null)[]).map((_, i) => {
            const name = mj.mj_id2name(model, type, i);
            return name !== null && mj.mj_name2id(model, type, name) === i ? name : null;
          });
          assert.deepEqual(names, value, name);
          continue;
        }
        if (typeof value === "number") {
          assert.equal(ours[name], value, name);
          continue;
        }
        const expected = (value as unknown[]).flat(2) as number[];
        const got = Array.from(ours[name] as ArrayLike<number>);
        assert.equal(
          got.length,
          expected.length,
          `${name}: ${got.length} values, expected ${expected.length}`,
        );
        const bad = got.findIndex((g, i) => !close(g, expected[i], 1e-12));
        assert.equal(bad, -1, `${name}[${bad}] = ${got[bad]}, Gymnasium's ${expected[bad]}`);
      }
    } finally {
      model.delete();
    }
  });

  Deno.test(`${task.id}: one step from each recorded state and action gives Gymnasium's observation, reward and flags`, async () => {
    const recorded = await fixture(task);
    assert.deepEqual(recorded.versions, { gymnasium: "1.3.0", mujoco: "3.14.0" });
    assert.equal(task.maxEpisodeSteps, recorded.max_episode_steps);
    const env = mujocoEnv(mj, task);
    const model = mj.MjModel.from_xml_string(task.xml);
    const constants = { body_mass: Float64Array.from(model.body_mass as Float64Array) };
    model.delete();
    try {
      let worst = 0;
      for (const [n, t] of recorded.transitions.entries()) {
        const before = { xpos: Float64Array.from(t.before.xpos), xipos: Float64Array.from(t.before.xipos) };
        const carry = task.carry?.(before as unknown as MujocoFrame, constants) ?? [];
        const state: MujocoState = { physics: t.state, carry, steps: t.steps };
        const r = env.step(state, Float32Array.from(t.action));
        const where = `transition ${n} (episode ${t.episode}, step ${t.steps})`;
        assert.equal(r.observation.length, t.observation.length, where);
        for (const [i, o] of t.observation.entries()) {
          assert.ok(
            close(r.observation[i], o, 1e-5),
            `${where}: observation[${i}] ${r.observation[i]}, Gymnasium's ${o}`,
          );
          worst = Math.max(worst, Math.abs(r.observation[i] - o) / Math.max(1, Math.abs(o)));
        }
        assert.ok(close(r.reward, t.reward, 1e-5), `${where}: reward ${r.reward}, Gymnasium's ${t.reward}`);
        assert.equal(r.terminated, t.terminated, `${where}: terminated`);
        assert.equal(r.truncated, t.truncated, `${where}: truncated`);
      }
      assert.ok(recorded.transitions.some((t) => t.terminated || t.truncated), "the fixture ends episodes");
    } finally {
      env.dispose();
    }
  });
}
