/**
 * `Reacher-v5` as Gymnasium 1.3.0 defines it (`reacher_v5.py`, model `reacher.xml` by Gymnasium's authors,
 * MIT): a two-link planar arm (links of 0.1 m on hinges about z, the second limited to ±3 rad, a fingertip
 * body 0.11 m along the second link) and a target on two slides, in a walled square arena; two motors with
 * gear 200 drive the hinges. Nothing collides (every geom has `contype` 0).
 *
 * - two physics steps of 0.01 s (RK4) per environment step (dt 0.02 s);
 * - observation (10): `cos` of the two hinge angles, `sin` of them, the target's position `qpos[2:]`, the
 *   hinge velocities `qvel[:2]`, and the x and y of fingertip − target (body positions `xpos`);
 * - reward: `−|fingertip − target|` (all three coordinates, float64) minus `Σ a²` (float32, as NumPy
 *   computes it on the float32 action), both read after the step: v5 moved the distance term after the
 *   physics step (v4 and earlier read it before), so there is nothing to carry;
 * - never terminates; truncated at 50 steps;
 * - reset: hinge angles `U(−0.1, 0.1)`, hinge velocities `U(−0.005, 0.005)`, the target at rest at a goal
 *   uniform on the open disc of radius 0.2, all drawn from the reset key.
 *
 * Gymnasium draws the goal by rejection from its generator (pairs from U(−0.2, 0.2)² until one has norm
 * below 0.2). Here the candidates are a fixed sequence of the goal key: the `i`-th pair is
 * `uniform(foldIn(key, i), 2, {low: −0.2, high: 0.2})`, and the first with norm below 0.2 is the goal, so
 * the reset stays a function of its key. Each candidate is accepted with probability π/4; after 64
 * rejections (probability about 10⁻⁴³) the goal is the centre.
 *
 * The model below has the same compiler settings, defaults, options, bodies, joints, geoms and actuators as
 * Gymnasium's (the arena's walls and the base cylinder included: they are geoms of the model, though
 * massless and without contacts); what only draws (colours) is left out. The conformance test compiles it
 * and compares it with Gymnasium's, array by array.
 *
 * @module
 */
import { foldIn, type Key, split, uniform } from "../../core/rng.ts";
import { float32ControlCost, type MujocoFrame, type MujocoTask } from "./task.ts";

/** The reacher's MJCF (values from Gymnasium's `reacher.xml`; angles in radians). */
export const REACHER_XML = `
<mujoco model="reacher">
  <compiler angle="radian" inertiafromgeom="true"/>
  <option gravity="0 0 -9.81" integrator="RK4" timestep="0.01"/>
  <default>
    <joint limited="true" armature="1" damping="1"/>
    <geom contype="0" friction="1 0.1 0.1"/>
  </default>
  <worldbody>
    <geom name="ground" type="plane" pos="0 0 0" size="1 1 10" contype="0" conaffinity="0"/>
    <geom name="sideS" type="capsule" fromto="-.3 -.3 .01 .3 -.3 .01" size=".02" conaffinity="0"/>
    <geom name="sideE" type="capsule" fromto=".3 -.3 .01 .3 .3 .01" size=".02" conaffinity="0"/>
    <geom name="sideN" type="capsule" fromto="-.3 .3 .01 .3 .3 .01" size=".02" conaffinity="0"/>
    <geom name="sideW" type="capsule" fromto="-.3 -.3 .01 -.3 .3 .01" size=".02" conaffinity="0"/>
    <geom name="root" type="cylinder" fromto="0 0 0 0 0 0.02" size=".011" contype="0" conaffinity="0"/>
    <body name="body0" pos="0 0 .01">
      <geom name="link0" type="capsule" fromto="0 0 0 0.1 0 0" size=".01"/>
      <joint name="joint0" type="hinge" axis="0 0 1" pos="0 0 0" limited="false"/>
      <body name="body1" pos="0.1 0 0">
        <joint name="joint1" type="hinge" axis="0 0 1" pos="0 0 0" limited="true" range="-3.0 3.0"/>
        <geom name="link1" type="capsule" fromto="0 0 0 0.1 0 0" size=".01"/>
        <body name="fingertip" pos="0.11 0 0">
          <geom name="fingertip" type="sphere" pos="0 0 0" size=".01" contype="0"/>
        </body>
      </body>
    </body>
    <body name="target" pos=".1 -.1 .01">
      <joint name="target_x" type="slide" axis="1 0 0" pos="0 0 0" ref=".1" limited="true" range="-.27 .27" armature="0" damping="0" stiffness="0"/>
      <joint name="target_y" type="slide" axis="0 1 0" pos="0 0 0" ref="-.1" limited="true" range="-.27 .27" armature="0" damping="0" stiffness="0"/>
      <geom name="target" type="sphere" pos="0 0 0" size=".009" contype="0" conaffinity="0"/>
    </body>
  </worldbody>
  <actuator>
    <motor joint="joint0" gear="200.0" ctrllimited="true" ctrlrange="-1.0 1.0"/>
    <motor joint="joint1" gear="200.0" ctrllimited="true" ctrlrange="-1.0 1.0"/>
  </actuator>
</mujoco>
`;

const FRAME_SKIP = 2;
const ANGLE_NOISE = 0.1;
const VELOCITY_NOISE = 0.005;
const GOAL_RADIUS = 0.2;
const GOAL_CANDIDATES = 64;
const CTRL_COST = 1;
/** Body indices in the compiled model: world, body0, body1, fingertip, target. */
const FINGERTIP = 3;
const TARGET = 4;

/** Fingertip − target, from the body frame positions. */
function offset(frame: MujocoFrame): [number, number, number] {
  const p = frame.xpos;
  return [0, 1, 2].map((k) => p[3 * FINGERTIP + k] - p[3 * TARGET + k]) as [number, number, number];
}

/** The goal: the first candidate of the key inside the disc (see the module doc). */
function goal(key: Key): [number, number] {
  for (let i = 0; i < GOAL_CANDIDATES; i++) {
    const [x, y] = uniform(foldIn(key, i), 2, { low: -GOAL_RADIUS, high: GOAL_RADIUS });
    if (Math.sqrt(x * x + y * y) < GOAL_RADIUS) return [x, y];
  }
  return [0, 0];
}

/** `Reacher-v5` with Gymnasium's defaults. */
export const reacher: MujocoTask = {
  id: "Reacher-v5",
  xml: REACHER_XML,
  frameSkip: FRAME_SKIP,
  maxEpisodeSteps: 50,
  observationSize: 10,
  actionLow: [-1, -1],
  actionHigh: [1, 1],
  contactForces: false,
  reset: (key, init) => {
    const [kq, kgoal, kv] = split(key, 3);
    const angles = uniform(kq, 2, { low: -ANGLE_NOISE, high: ANGLE_NOISE });
    const speeds = uniform(kv, 2, { low: -VELOCITY_NOISE, high: VELOCITY_NOISE });
    return {
      qpos: [init.qpos[0] + angles[0], init.qpos[1] + angles[1], ...goal(kgoal)],
      qvel: [init.qvel[0] + speeds[0], init.qvel[1] + speeds[1], 0, 0],
    };
  },
  observe: (frame) => {
    const { qpos, qvel } = frame;
    const [dx, dy] = offset(frame);
    const [a0, a1] = [qpos[0], qpos[1]];
    return [
      Math.cos(a0),
      Math.cos(a1),
      Math.sin(a0),
      Math.sin(a1),
      qpos[2],
      qpos[3],
      qvel[0],
      qvel[1],
      dx,
      dy,
    ];
  },
  outcome: (_before, after, action) => {
    const [dx, dy, dz] = offset(after);
    return {
      reward: -Math.sqrt(dx * dx + dy * dy + dz * dz) - float32ControlCost(CTRL_COST, action),
      terminated: false,
    };
  },
};
