/**
 * `HalfCheetah-v5` as Gymnasium 1.3.0 defines it (`half_cheetah_v5.py`, model `half_cheetah.xml` by
 * Gymnasium's authors, MIT): a planar cat of seven capsule links, the torso on two slides and a hinge, six
 * hinged leg joints with springs and dampers, driven by six motors with gears 120, 90, 60, 120, 60, 30.
 *
 * - five physics steps of 0.01 s per environment step (dt 0.05 s);
 * - observation (17): `qpos[1:]` (height, pitch and the six joint angles) then `qvel` (9);
 * - reward: forward velocity of the root slide, `(x' − x) / dt`, minus `0.1 · Σ a²`;
 * - never terminates; truncated at 1000 steps;
 * - reset: `qpos0 + U(−0.1, 0.1)` and `0.1 · N(0, 1)` velocities, drawn from the reset key.
 *
 * The model below has the same compiler settings, defaults, options, bodies, joints, geoms and actuators as
 * Gymnasium's; what only draws (textures, materials, colours, light, camera) is left out. The conformance
 * test compiles it and compares the compiled model with Gymnasium's, array by array.
 *
 * @module
 */
import { float32ControlCost, type MujocoTask, noisyReset } from "./task.ts";

/** The half cheetah's MJCF (values from Gymnasium's `half_cheetah.xml`). */
export const HALF_CHEETAH_XML = `
<mujoco model="cheetah">
  <compiler angle="radian" coordinate="local" inertiafromgeom="true" settotalmass="14"/>
  <option gravity="0 0 -9.81" timestep="0.01"/>
  <default>
    <joint limited="true" armature=".1" damping=".01" stiffness="8" solimplimit="0 .8 .03" solreflimit=".02 1"/>
    <geom contype="1" conaffinity="0" condim="3" friction=".4 .1 .1" solimp="0.0 0.8 0.01" solref="0.02 1"/>
    <motor ctrllimited="true" ctrlrange="-1 1"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" pos="0 0 0" size="40 40 40" conaffinity="1" condim="3"/>
    <body name="torso" pos="0 0 .7">
      <joint name="rootx" type="slide" axis="1 0 0" pos="0 0 0" limited="false" armature="0" damping="0" stiffness="0"/>
      <joint name="rootz" type="slide" axis="0 0 1" pos="0 0 0" limited="false" armature="0" damping="0" stiffness="0"/>
      <joint name="rooty" type="hinge" axis="0 1 0" pos="0 0 0" limited="false" armature="0" damping="0" stiffness="0"/>
      <geom name="torso" type="capsule" fromto="-.5 0 0 .5 0 0" size="0.046"/>
      <geom name="head" type="capsule" pos=".6 0 .1" axisangle="0 1 0 .87" size="0.046 .15"/>
      <body name="bthigh" pos="-.5 0 0">
        <joint name="bthigh" type="hinge" axis="0 1 0" pos="0 0 0" range="-.52 1.05" stiffness="240" damping="6"/>
        <geom name="bthigh" type="capsule" pos=".1 0 -.13" axisangle="0 1 0 -3.8" size="0.046 .145"/>
        <body name="bshin" pos=".16 0 -.25">
          <joint name="bshin" type="hinge" axis="0 1 0" pos="0 0 0" range="-.785 .785" stiffness="180" damping="4.5"/>
          <geom name="bshin" type="capsule" pos="-.14 0 -.07" axisangle="0 1 0 -2.03" size="0.046 .15"/>
          <body name="bfoot" pos="-.28 0 -.14">
            <joint name="bfoot" type="hinge" axis="0 1 0" pos="0 0 0" range="-.4 .785" stiffness="120" damping="3"/>
            <geom name="bfoot" type="capsule" pos=".03 0 -.097" axisangle="0 1 0 -.27" size="0.046 .094"/>
          </body>
        </body>
      </body>
      <body name="fthigh" pos=".5 0 0">
        <joint name="fthigh" type="hinge" axis="0 1 0" pos="0 0 0" range="-1 .7" stiffness="180" damping="4.5"/>
        <geom name="fthigh" type="capsule" pos="-.07 0 -.12" axisangle="0 1 0 .52" size="0.046 .133"/>
        <body name="fshin" pos="-.14 0 -.24">
          <joint name="fshin" type="hinge" axis="0 1 0" pos="0 0 0" range="-1.2 .87" stiffness="120" damping="3"/>
          <geom name="fshin" type="capsule" pos=".065 0 -.09" axisangle="0 1 0 -.6" size="0.046 .106"/>
          <body name="ffoot" pos=".13 0 -.18">
            <joint name="ffoot" type="hinge" axis="0 1 0" pos="0 0 0" range="-.5 .5" stiffness="60" damping="1.5"/>
            <geom name="ffoot" type="capsule" pos=".045 0 -.07" axisangle="0 1 0 -.6" size="0.046 .07"/>
          </body>
        </body>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor name="bthigh" joint="bthigh" gear="120"/>
    <motor name="bshin" joint="bshin" gear="90"/>
    <motor name="bfoot" joint="bfoot" gear="60"/>
    <motor name="fthigh" joint="fthigh" gear="120"/>
    <motor name="fshin" joint="fshin" gear="60"/>
    <motor name="ffoot" joint="ffoot" gear="30"/>
  </actuator>
</mujoco>
`;

const FRAME_SKIP = 5;
const DT = 0.01 * FRAME_SKIP;
const CTRL_COST = 0.1;
const RESET_NOISE = 0.1;

/** `HalfCheetah-v5` with Gymnasium's defaults. */
export const halfCheetah: MujocoTask = {
  id: "HalfCheetah-v5",
  xml: HALF_CHEETAH_XML,
  frameSkip: FRAME_SKIP,
  maxEpisodeSteps: 1000,
  observationSize: 17,
  actionLow: [-1, -1, -1, -1, -1, -1],
  actionHigh: [1, 1, 1, 1, 1, 1],
  contactForces: false,
  reset: noisyReset(RESET_NOISE, "normal"),
  observe: (frame) => [...frame.qpos.subarray(1), ...frame.qvel],
  outcome: (before, after, action) => ({
    reward: (after.qpos[0] - before.qpos[0]) / DT - float32ControlCost(CTRL_COST, action),
    terminated: false,
  }),
};
