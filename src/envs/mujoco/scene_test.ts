import assert from "node:assert/strict";
import { foldIn, keyFromSeed, uniform } from "../../core/rng.ts";
import { loadMujocoEngine } from "./engine.ts";
import { halfCheetah } from "./half_cheetah.ts";
import { mujocoEnv, type MujocoState } from "./mujoco_env.ts";
import { mujocoScene } from "./scene.ts";
import type { MujocoTask } from "./task.ts";
import { MUJOCO_TASKS } from "./tasks.ts";

const mj = await loadMujocoEngine();

/** The states of `steps` steps of random actions in the bounds (fewer if the episode ends), the reset first. */
function episode(task: MujocoTask, steps: number, seed = 0): MujocoState[] {
  const env = mujocoEnv(mj, task);
  try {
    let { state } = env.reset(keyFromSeed(seed));
    const states = [state];
    for (let t = 0; t < steps; t++) {
      const u = uniform(foldIn(keyFromSeed(seed + 1), t), env.actionSize);
      const action = Float32Array.from(
        u,
        (x, i) => env.actionLow[i] + x * (env.actionHigh[i] - env.actionLow[i]),
      );
      const r = env.step(state, action);
      states.push(r.state);
      state = r.state;
      if (r.terminated || r.truncated) break;
    }
    return states;
  } finally {
    env.dispose();
  }
}

Deno.test("mujocoScene: HalfCheetah-v5's geoms, colour groups, plane of motion, followed body and step", () => {
  const scene = mujocoScene(mj, halfCheetah, episode(halfCheetah, 3));
  assert.equal(scene.id, "HalfCheetah-v5");
  assert.equal(scene.dt, 0.05);
  assert.equal(scene.motion, "xz");
  assert.equal(scene.follow, true);
  assert.deepEqual(
    scene.geoms.map((g) => `${g.name}:${g.kind}:${g.part}`),
    [
      "floor:plane:0",
      "torso:capsule:1",
      "head:capsule:1",
      "bthigh:capsule:2",
      "bshin:capsule:2",
      "bfoot:capsule:2",
      "fthigh:capsule:3",
      "fshin:capsule:3",
      "ffoot:capsule:3",
    ],
  );
  assert.deepEqual(scene.geoms[1].size, [0.046, 0.5, 0], "torso: radius and half-length");
  assert.equal(scene.frames.length, 4);
});

Deno.test("mujocoScene: each frame holds the poses of its record's positions (torso at qpos, pitched by rooty)", () => {
  const states = episode(halfCheetah, 25, 7);
  const scene = mujocoScene(mj, halfCheetah, states);
  assert.equal(scene.frames.length, states.length);
  const close = (a: number, b: number, what: string) =>
    assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);
  states.forEach((state, i) => {
    // The integration state is [time, qpos (9), ...]; qpos = rootx, rootz, rooty, six joint angles.
    const [x, z, pitch] = state.physics.slice(1, 4);
    const { pos, mat, focus } = scene.frames[i];
    const [c, s] = [Math.cos(pitch), Math.sin(pitch)];
    assert.equal(pos.length, 27);
    assert.equal(mat.length, 81);
    close(focus[0], x, `frame ${i}: focus x`);
    close(focus[2], 0.7 + z, `frame ${i}: focus z`);
    // The torso capsule sits at the body's origin; its local z axis is along the body's x axis (MuJoCo
    // points it from fromto's end to its start), turned about y.
    close(pos[3], x, `frame ${i}: torso x`);
    close(pos[4], 0, `frame ${i}: torso y`);
    close(pos[5], 0.7 + z, `frame ${i}: torso z`);
    [-c, 0, s].forEach((v, k) => close(mat[9 + 3 * k + 2], v, `frame ${i}: torso axis[${k}]`));
    // The head is 0.6 ahead and 0.1 above the torso's origin, in the torso's frame.
    close(pos[6], x + 0.6 * c + 0.1 * s, `frame ${i}: head x`);
    close(pos[8], 0.7 + z - 0.6 * s + 0.1 * c, `frame ${i}: head z`);
  });
});

Deno.test("mujocoScene: a function of the records alone (same records, same scene; reordered, reordered frames)", () => {
  const states = episode(halfCheetah, 10, 3);
  const scene = mujocoScene(mj, halfCheetah, states);
  const again = mujocoScene(mj, halfCheetah, JSON.parse(JSON.stringify(states)));
  assert.deepEqual(again, scene);
  const reversed = mujocoScene(mj, halfCheetah, [...states].reverse());
  assert.deepEqual(reversed.frames, [...scene.frames].reverse());
  assert.equal(mujocoScene(mj, halfCheetah, []).frames.length, 0);
});

Deno.test("mujocoScene: a record of the wrong length is refused, and no engine memory is left behind", () => {
  const states = episode(halfCheetah, 2);
  const broken = { ...states[1], physics: states[1].physics.slice(1) };
  assert.throws(
    () => mujocoScene(mj, halfCheetah, [states[0], broken]),
    /HalfCheetah-v5: a state of \d+ values/,
  );
  // Every model and data is freed: the engine's heap does not grow over many scenes (each leaked pair would
  // take megabytes).
  const heap = () => {
    const model = mj.MjModel.from_xml_string(halfCheetah.xml);
    const bytes = (model.geom_size as Float64Array).buffer.byteLength;
    model.delete();
    return bytes;
  };
  mujocoScene(mj, halfCheetah, states);
  const before = heap();
  for (let i = 0; i < 60; i++) {
    mujocoScene(mj, halfCheetah, states);
    assert.throws(() => mujocoScene(mj, halfCheetah, [broken]));
  }
  assert.equal(heap(), before);
});

/** A task of a model without actuators, to look at its scene. */
function toy(id: string, bodies: string): MujocoTask {
  const xml = `<mujoco><worldbody><geom type="plane" size="5 5 1"/>${bodies}</worldbody></mujoco>`;
  return {
    id,
    xml,
    frameSkip: 2,
    maxEpisodeSteps: 10,
    observationSize: 0,
    actionLow: [],
    actionHigh: [],
    contactForces: false,
    reset: (_key, init) => init,
    observe: () => [],
    outcome: () => ({ reward: 0, terminated: false }),
  };
}

Deno.test("mujocoScene: the plane of motion and the followed body come from the joints' types and axes", () => {
  const capsule = '<geom type="capsule" size="0.05 0.2"/>';
  const cases: [string, string, string, boolean][] = [
    ["nothing moves", "", "xz", false],
    [
      "a cart with a pole",
      `<body><joint type="slide" axis="1 0 0"/>${capsule}<body><joint axis="0 1 0"/>${capsule}</body></body>`,
      "xz",
      false,
    ],
    [
      "a walker",
      `<body><joint type="slide" axis="1 0 0"/><joint type="slide" axis="0 0 1"/><joint axis="0 -1 0"/>${capsule}</body>`,
      "xz",
      true,
    ],
    [
      "an arm and a target",
      `<body><joint axis="0 0 1"/>${capsule}</body><body><joint type="slide" axis="1 0 0"/><joint type="slide" axis="0 1 0"/>${capsule}</body>`,
      "xy",
      false,
    ],
    [
      "a turntable on a lift",
      `<body><joint axis="0 0 1"/><joint type="slide" axis="0 0 1"/>${capsule}</body>`,
      "3d",
      false,
    ],
    ["a free body", `<body><freejoint/>${capsule}</body>`, "3d", true],
    ["a ball joint", `<body><joint type="ball"/>${capsule}</body>`, "3d", false],
    [
      "hinges about x and y",
      `<body><joint axis="1 0 0"/>${capsule}<body><joint axis="0 1 0"/>${capsule}</body></body>`,
      "3d",
      false,
    ],
  ];
  for (const [what, bodies, motion, follow] of cases) {
    const task = toy(what, bodies);
    const env = mujocoEnv(mj, task);
    const { state } = env.reset(keyFromSeed(0));
    env.dispose();
    const scene = mujocoScene(mj, task, [state]);
    assert.deepEqual({ motion: scene.motion, follow: scene.follow }, { motion, follow }, what);
    assert.equal(scene.dt, 0.004, `${what}: MuJoCo's default timestep 0.002, twice`);
  }
});

/** The views Gymnasium's tasks should get, where known (tasks added later are checked where listed here). */
const EXPECTED: Readonly<Record<string, { motion: string; follow: boolean }>> = {
  "HalfCheetah-v5": { motion: "xz", follow: true },
  "Hopper-v5": { motion: "xz", follow: true },
  "Walker2d-v5": { motion: "xz", follow: true },
  "Ant-v5": { motion: "3d", follow: true },
  "Humanoid-v5": { motion: "3d", follow: true },
  "InvertedPendulum-v5": { motion: "xz", follow: false },
  "InvertedDoublePendulum-v5": { motion: "xz", follow: false },
  "Reacher-v5": { motion: "xy", follow: false },
};

for (const task of MUJOCO_TASKS) {
  Deno.test(`mujocoScene: ${task.id} has its plane of motion, its followed body and finite poses`, () => {
    const states = episode(task, 20);
    const scene = mujocoScene(mj, task, states);
    const expected = EXPECTED[task.id];
    if (expected !== undefined) assert.deepEqual({ motion: scene.motion, follow: scene.follow }, expected);
    assert.equal(scene.frames.length, states.length);
    assert.ok(scene.geoms.some((g) => g.kind !== "plane" && g.kind !== "other"), "something to draw");
    for (const frame of scene.frames) {
      assert.ok([...Array.from(frame.pos), ...Array.from(frame.mat), ...frame.focus].every(Number.isFinite));
    }
  });
}
