/**
 * `Ant-v5` as Gymnasium 1.3.0 defines it (`ant_v5.py`, model `ant.xml` by Gymnasium's authors, MIT): a
 * spherical torso on a free joint with four legs, each a fixed hip link, a thigh turning about the
 * vertical (±30°) and a shin on an ankle hinge (30° to 70° of bend), driven by eight motors with gear 150.
 *
 * - five physics steps of 0.01 s (RK4) per environment step (dt 0.05 s);
 * - observation (105): `qpos[2:]` (height, orientation quaternion, eight joint angles; 13), `qvel` (14),
 *   then the external forces `cfrc_ext` of bodies 1 to 13 (78), each value clipped to [−1, 1];
 * - reward: the torso's forward velocity, `(x' − x) / dt` of its body frame, plus 1 while healthy, minus
 *   `0.5 · Σ a²` (float32, as NumPy computes it on the float32 action), minus `5e-4 · Σ c²` over every
 *   body's clipped external force `c` (float64);
 * - healthy while every position and velocity is finite and the height `qpos[2]` lies in [0.2, 1.0]
 *   (both bounds inclusive), read after the step; the episode terminates when it is not; truncated at 1000
 *   steps;
 * - reset: `qpos0 + U(−0.1, 0.1)` (the quaternion too, unnormalised, as Gymnasium does) and
 *   `0.1 · N(0, 1)` velocities, drawn from the reset key.
 *
 * The torso position that the forward velocity starts from is carried from the frame before the step: the
 * body frames of the last forward pass lag the state by one sub-step, as Gymnasium reads them. Contact forces
 * come from `mj_rnePostConstraint` after stepping; the reset's forward pass does not compute them, so the
 * first observation's are the zeros `mj_resetData` leaves, as in Gymnasium.
 *
 * The model below has the same compiler settings, options, defaults, bodies, joints, geoms and actuators as
 * Gymnasium's; what only draws (textures, materials, colours, light, camera) is left out, and so is the
 * `init_qpos` custom numeric, which nothing reads. The conformance test compiles it and compares the
 * compiled model with Gymnasium's, array by array.
 *
 * @module
 */
import { float32ControlCost, type MujocoFrame, type MujocoTask, noisyReset, sumOfSquares } from "./task.ts";

/** The ant's MJCF (values from Gymnasium's `ant.xml`). */
export const ANT_XML = `
<mujoco model="ant">
  <compiler angle="degree" coordinate="local" inertiafromgeom="true"/>
  <option integrator="RK4" timestep="0.01"/>
  <default>
    <joint limited="true" armature="1" damping="1"/>
    <geom conaffinity="0" condim="3" density="5" friction="1 .5 .5" margin=".01"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" pos="0 0 0" size="40 40 40" conaffinity="1" condim="3"/>
    <body name="torso" pos="0 0 .75">
      <geom name="torso_geom" type="sphere" pos="0 0 0" size=".25"/>
      <joint name="root" type="free" pos="0 0 0" limited="false" armature="0" damping="0" margin=".01"/>
      <body name="front_left_leg" pos="0 0 0">
        <geom name="aux_1_geom" type="capsule" fromto="0 0 0 .2 .2 0" size=".08"/>
        <body name="aux_1" pos=".2 .2 0">
          <joint name="hip_1" type="hinge" pos="0 0 0" axis="0 0 1" range="-30 30"/>
          <geom name="left_leg_geom" type="capsule" fromto="0 0 0 .2 .2 0" size=".08"/>
          <body pos=".2 .2 0">
            <joint name="ankle_1" type="hinge" pos="0 0 0" axis="-1 1 0" range="30 70"/>
            <geom name="left_ankle_geom" type="capsule" fromto="0 0 0 .4 .4 0" size=".08"/>
          </body>
        </body>
      </body>
      <body name="front_right_leg" pos="0 0 0">
        <geom name="aux_2_geom" type="capsule" fromto="0 0 0 -.2 .2 0" size=".08"/>
        <body name="aux_2" pos="-.2 .2 0">
          <joint name="hip_2" type="hinge" pos="0 0 0" axis="0 0 1" range="-30 30"/>
          <geom name="right_leg_geom" type="capsule" fromto="0 0 0 -.2 .2 0" size=".08"/>
          <body pos="-.2 .2 0">
            <joint name="ankle_2" type="hinge" pos="0 0 0" axis="1 1 0" range="-70 -30"/>
            <geom name="right_ankle_geom" type="capsule" fromto="0 0 0 -.4 .4 0" size=".08"/>
          </body>
        </body>
      </body>
      <body name="back_leg" pos="0 0 0">
        <geom name="aux_3_geom" type="capsule" fromto="0 0 0 -.2 -.2 0" size=".08"/>
        <body name="aux_3" pos="-.2 -.2 0">
          <joint name="hip_3" type="hinge" pos="0 0 0" axis="0 0 1" range="-30 30"/>
          <geom name="back_leg_geom" type="capsule" fromto="0 0 0 -.2 -.2 0" size=".08"/>
          <body pos="-.2 -.2 0">
            <joint name="ankle_3" type="hinge" pos="0 0 0" axis="-1 1 0" range="-70 -30"/>
            <geom name="third_ankle_geom" type="capsule" fromto="0 0 0 -.4 -.4 0" size=".08"/>
          </body>
        </body>
      </body>
      <body name="right_back_leg" pos="0 0 0">
        <geom name="aux_4_geom" type="capsule" fromto="0 0 0 .2 -.2 0" size=".08"/>
        <body name="aux_4" pos=".2 -.2 0">
          <joint name="hip_4" type="hinge" pos="0 0 0" axis="0 0 1" range="-30 30"/>
          <geom name="rightback_leg_geom" type="capsule" fromto="0 0 0 .2 -.2 0" size=".08"/>
          <body pos=".2 -.2 0">
            <joint name="ankle_4" type="hinge" pos="0 0 0" axis="1 1 0" range="30 70"/>
            <geom name="fourth_ankle_geom" type="capsule" fromto="0 0 0 .4 -.4 0" size=".08"/>
          </body>
        </body>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor joint="hip_4" gear="150" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="ankle_4" gear="150" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="hip_1" gear="150" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="ankle_1" gear="150" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="hip_2" gear="150" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="ankle_2" gear="150" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="hip_3" gear="150" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="ankle_3" gear="150" ctrllimited="true" ctrlrange="-1 1"/>
  </actuator>
</mujoco>
`;

const FRAME_SKIP = 5;
const DT = 0.01 * FRAME_SKIP;
const FORWARD_WEIGHT = 1;
const CTRL_COST = 0.5;
const CONTACT_COST = 5e-4;
const HEALTHY_REWARD = 1;
const MIN_HEIGHT = 0.2;
const MAX_HEIGHT = 1;
const CONTACT_FORCE_CLIP = 1;
const RESET_NOISE = 0.1;
/** The torso, whose body frame the forward velocity follows (Gymnasium's `main_body`). */
const TORSO = 1;

const clip = (x: number) => Math.min(CONTACT_FORCE_CLIP, Math.max(-CONTACT_FORCE_CLIP, x));

/** Whether the ant stands: every coordinate finite and the height in [0.2, 1.0], bounds inclusive. */
function healthy(frame: MujocoFrame): boolean {
  const { qpos, qvel } = frame;
  return qpos.every(Number.isFinite) && qvel.every(Number.isFinite) &&
    MIN_HEIGHT <= qpos[2] && qpos[2] <= MAX_HEIGHT;
}

/** `Ant-v5` with Gymnasium's defaults. */
export const ant: MujocoTask = {
  id: "Ant-v5",
  xml: ANT_XML,
  frameSkip: FRAME_SKIP,
  maxEpisodeSteps: 1000,
  observationSize: 105,
  actionLow: [-1, -1, -1, -1, -1, -1, -1, -1],
  actionHigh: [1, 1, 1, 1, 1, 1, 1, 1],
  contactForces: true,
  reset: noisyReset(RESET_NOISE, "normal"),
  carry: (frame) => [frame.xpos[3 * TORSO], frame.xpos[3 * TORSO + 1]],
  observe: (frame) => {
    const { qpos, qvel, cfrc_ext } = frame;
    const out = new Float64Array(105);
    out.set(qpos.subarray(2));
    out.set(qvel, qpos.length - 2);
    const forces = cfrc_ext.subarray(6);
    for (let i = 0; i < forces.length; i++) out[qpos.length - 2 + qvel.length + i] = clip(forces[i]);
    return out;
  },
  outcome: (before, after, action) => {
    const alive = healthy(after);
    const forward = FORWARD_WEIGHT * ((after.xpos[3 * TORSO] - before.carry[0]) / DT);
    const contact = CONTACT_COST * sumOfSquares(Array.from(after.cfrc_ext, clip));
    const costs = float32ControlCost(CTRL_COST, action) + contact;
    return { reward: (forward + (alive ? HEALTHY_REWARD : 0)) - costs, terminated: !alive };
  },
};
