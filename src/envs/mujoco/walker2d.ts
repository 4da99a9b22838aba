/**
 * `Walker2d-v5` as Gymnasium 1.3.0 defines it (`walker2d_v5.py`, model `walker2d_v5.xml` by Gymnasium's
 * authors, MIT — not `walker2d.xml`, which earlier versions use): a planar biped, the torso on two slides
 * and a hinge, two legs of thigh, leg and foot capsules, six hinged joints driven by motors with gear 100.
 * In the v5 model both feet have friction 1.9 (the older model gives the right foot 0.9).
 *
 * - four physics steps of 0.002 s (RK4) per environment step (dt 0.008 s);
 * - observation (17): `qpos[1:]` (height, pitch, six joint angles) then `qvel` (9), each velocity clipped
 *   to [−10, 10];
 * - reward: forward velocity of the root slide, `(x' − x) / dt`, plus 1 while healthy, minus
 *   `0.001 · Σ a²` (float32, as NumPy computes it on the float32 action);
 * - healthy while the height `qpos[1]` lies strictly inside (0.8, 2) and the pitch `qpos[2]` strictly
 *   inside (−1, 1), read after the step (unlike the hopper, no bound on the other coordinates); the
 *   episode terminates when it is not; truncated at 1000 steps;
 * - reset: `qpos0 + U(−0.005, 0.005)` and `U(−0.005, 0.005)` velocities, drawn from the reset key.
 *
 * The model below has the same compiler settings, defaults, options, bodies, joints, geoms and actuators as
 * Gymnasium's; what only draws (textures, materials, colours, light, camera) is left out. Lengths are the
 * float64 values Gymnasium's file holds (`0.19999999999999996`, not `0.2`), so the compiled arrays agree to
 * the bit. The conformance test compiles it and compares it with Gymnasium's, array by array.
 *
 * @module
 */
import { float32ControlCost, type MujocoFrame, type MujocoTask, noisyReset } from "./task.ts";

/** The walker's MJCF (values from Gymnasium's `walker2d_v5.xml`). */
export const WALKER2D_XML = `
<mujoco model="walker2d">
  <compiler angle="degree" inertiafromgeom="true"/>
  <option integrator="RK4" timestep="0.002"/>
  <default>
    <joint limited="true" armature="0.01" damping=".1"/>
    <geom contype="1" conaffinity="0" condim="3" density="1000" friction=".7 .1 .1"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" pos="0 0 0" size="40 40 40" conaffinity="1" condim="3"/>
    <body name="torso" pos="0 0 1.25">
      <joint name="rootx" type="slide" axis="1 0 0" pos="0 0 -1.25" limited="false" armature="0" damping="0" stiffness="0"/>
      <joint name="rootz" type="slide" axis="0 0 1" pos="0 0 -1.25" ref="1.25" limited="false" armature="0" damping="0" stiffness="0"/>
      <joint name="rooty" type="hinge" axis="0 1 0" pos="0 0 0" limited="false" armature="0" damping="0" stiffness="0"/>
      <geom name="torso_geom" type="capsule" size="0.05 0.19999999999999996" friction="0.9"/>
      <body name="thigh" pos="0 0 -0.19999999999999996">
        <joint name="thigh_joint" type="hinge" axis="0 -1 0" pos="0 0 0" range="-150 0"/>
        <geom name="thigh_geom" type="capsule" pos="0 0 -0.2250000000000001" size="0.05 0.22500000000000003" friction="0.9"/>
        <body name="leg" pos="0 0 -0.7000000000000001">
          <joint name="leg_joint" type="hinge" axis="0 -1 0" pos="0 0 0.25" range="-150 0"/>
          <geom name="leg_geom" type="capsule" size="0.04 0.25" friction="0.9"/>
          <body name="foot" pos="0.2 0 -0.35">
            <joint name="foot_joint" type="hinge" axis="0 -1 0" pos="-0.2 0 0.1" range="-45 45"/>
            <geom name="foot_geom" type="capsule" pos="-0.1 0 0.1" quat="0.7071067811865476 0 -0.7071067811865475 0" size="0.06 0.1" friction="1.9"/>
          </body>
        </body>
      </body>
      <body name="thigh_left" pos="0 0 -0.19999999999999996">
        <joint name="thigh_left_joint" type="hinge" axis="0 -1 0" pos="0 0 0" range="-150 0"/>
        <geom name="thigh_left_geom" type="capsule" pos="0 0 -0.2250000000000001" size="0.05 0.22500000000000003" friction="0.9"/>
        <body name="leg_left" pos="0 0 -0.7000000000000001">
          <joint name="leg_left_joint" type="hinge" axis="0 -1 0" pos="0 0 0.25" range="-150 0"/>
          <geom name="leg_left_geom" type="capsule" size="0.04 0.25" friction="0.9"/>
          <body name="foot_left" pos="0.2 0 -0.35">
            <joint name="foot_left_joint" type="hinge" axis="0 -1 0" pos="-0.2 0 0.1" range="-45 45"/>
            <geom name="foot_left_geom" type="capsule" pos="-0.1 0 0.1" quat="0.7071067811865476 0 -0.7071067811865475 0" size="0.06 0.1" friction="1.9"/>
          </body>
        </body>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor joint="thigh_joint" gear="100" ctrllimited="true" ctrlrange="-1.0 1.0"/>
    <motor joint="leg_joint" gear="100" ctrllimited="true" ctrlrange="-1.0 1.0"/>
    <motor joint="foot_joint" gear="100" ctrllimited="true" ctrlrange="-1.0 1.0"/>
    <motor joint="thigh_left_joint" gear="100" ctrllimited="true" ctrlrange="-1.0 1.0"/>
    <motor joint="leg_left_joint" gear="100" ctrllimited="true" ctrlrange="-1.0 1.0"/>
    <motor joint="foot_left_joint" gear="100" ctrllimited="true" ctrlrange="-1.0 1.0"/>
  </actuator>
</mujoco>
`;

const FRAME_SKIP = 4;
const DT = 0.002 * FRAME_SKIP;
const CTRL_COST = 1e-3;
const HEALTHY_REWARD = 1;
const RESET_NOISE = 5e-3;
const MIN_HEIGHT = 0.8;
const MAX_HEIGHT = 2;
const PITCH_BOUND = 1;
const VELOCITY_CLIP = 10;

/** Whether the walker is upright, with every bound strict (a NaN is never healthy). */
function healthy(frame: MujocoFrame): boolean {
  const [height, pitch] = [frame.qpos[1], frame.qpos[2]];
  return MIN_HEIGHT < height && height < MAX_HEIGHT && -PITCH_BOUND < pitch && pitch < PITCH_BOUND;
}

/** `Walker2d-v5` with Gymnasium's defaults. */
export const walker2d: MujocoTask = {
  id: "Walker2d-v5",
  xml: WALKER2D_XML,
  frameSkip: FRAME_SKIP,
  maxEpisodeSteps: 1000,
  observationSize: 17,
  actionLow: [-1, -1, -1, -1, -1, -1],
  actionHigh: [1, 1, 1, 1, 1, 1],
  contactForces: false,
  reset: noisyReset(RESET_NOISE, "uniform"),
  observe: (frame) => [
    ...frame.qpos.subarray(1),
    ...Array.from(frame.qvel, (v) => Math.min(VELOCITY_CLIP, Math.max(-VELOCITY_CLIP, v))),
  ],
  outcome: (before, after, action) => {
    const alive = healthy(after);
    const forward = (after.qpos[0] - before.qpos[0]) / DT;
    return {
      reward: forward + (alive ? HEALTHY_REWARD : 0) - float32ControlCost(CTRL_COST, action),
      terminated: !alive,
    };
  },
};
