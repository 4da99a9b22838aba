/**
 * `Humanoid-v5` as Gymnasium 1.3.0 defines it (`humanoid_v5.py`, model `humanoid.xml` by Gymnasium's
 * authors, MIT): a three-dimensional figure of thirteen bodies (torso with head, lower waist, pelvis, two
 * legs of thigh, shin and foot, two arms of upper and lower arm) on a free joint, seventeen hinges with
 * springs and dampers driven by seventeen motors (gear 100 at the abdomen and hips, 300 at the hip pitch,
 * 200 at the knees, 25 at the shoulders and elbows).
 *
 * - five physics steps of 0.003 s (RK4, PGS solver of 50 iterations) per environment step (dt 0.015 s);
 * - observation (348): `qpos[2:]` (22), `qvel` (23), then of bodies 1 to 13 the inertias `cinert` (130)
 *   and velocities `cvel` (78) in the centre-of-mass frame, the actuator forces `qfrc_actuator[6:]` of the
 *   hinges (17), and the external forces `cfrc_ext` of bodies 1 to 13 (78), none of them clipped;
 * - reward: `1.25 ·` the forward velocity of the mass centre, `(x' − x) / dt` of `Σ mᵦ xᵦ / Σ mᵦ` over the
 *   bodies' centres of mass, plus 5 while healthy, minus `0.1 · Σ u²` over the controls as MuJoCo holds
 *   them (the action in float64, not clamped), minus `min(5e-7 · Σ f², 10)` over every body's external
 *   force `f`, all in float64;
 * - healthy while the height `qpos[2]` lies strictly inside (1.0, 2.0), read after the step; the episode
 *   terminates when it is not; truncated at 1000 steps;
 * - reset: `qpos0 + U(−0.01, 0.01)` (the quaternion too, unnormalised, as Gymnasium does) and
 *   `U(−0.01, 0.01)` velocities, drawn from the reset key.
 *
 * The mass centre that the forward velocity starts from is carried from the frame before the step: the
 * centres of mass of the last forward pass lag the state by one sub-step, as Gymnasium reads them. Contact
 * forces come from `mj_rnePostConstraint` after stepping; the reset's forward pass does not compute them, so
 * the first observation's are the zeros `mj_resetData` leaves, as in Gymnasium.
 *
 * The model below has the same compiler settings, options, sizes, defaults, bodies, joints, geoms (with
 * their user values), tendons and actuators as Gymnasium's; what only draws (textures, materials, colours,
 * fog, light, cameras) is left out. The conformance test compiles it and compares the compiled model with
 * Gymnasium's, array by array.
 *
 * @module
 */
import {
  type MujocoConstants,
  type MujocoFrame,
  type MujocoTask,
  noisyReset,
  pairwiseSum,
  sumOfSquares,
} from "./task.ts";

/** The humanoid's MJCF (values from Gymnasium's `humanoid.xml`). */
export const HUMANOID_XML = `
<mujoco model="humanoid">
  <compiler angle="degree" inertiafromgeom="true"/>
  <option integrator="RK4" solver="PGS" iterations="50" timestep="0.003"/>
  <size nkey="5" nuser_geom="1"/>
  <default>
    <joint limited="true" armature="1" damping="1"/>
    <geom contype="1" conaffinity="1" condim="1" margin="0.001"/>
    <motor ctrllimited="true" ctrlrange="-.4 .4"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" pos="0 0 0" size="20 20 .125" condim="3" friction="1 .1 .1"/>
    <body name="torso" pos="0 0 1.4">
      <joint name="root" type="free" pos="0 0 0" limited="false" armature="0" damping="0" stiffness="0"/>
      <geom name="torso1" type="capsule" fromto="0 -.07 0 0 .07 0" size=".07"/>
      <geom name="head" type="sphere" pos="0 0 .19" size=".09" user="258"/>
      <geom name="uwaist" type="capsule" fromto="-.01 -.06 -.12 -.01 .06 -.12" size=".06"/>
      <body name="lwaist" pos="-.01 0 -.26" quat="1 0 -.002 0">
        <geom name="lwaist" type="capsule" fromto="0 -.06 0 0 .06 0" size=".06"/>
        <joint name="abdomen_z" type="hinge" pos="0 0 .065" axis="0 0 1" range="-45 45" stiffness="20" damping="5" armature=".02"/>
        <joint name="abdomen_y" type="hinge" pos="0 0 .065" axis="0 1 0" range="-75 30" stiffness="10" damping="5" armature=".02"/>
        <body name="pelvis" pos="0 0 -.165" quat="1 0 -.002 0">
          <joint name="abdomen_x" type="hinge" pos="0 0 .1" axis="1 0 0" range="-35 35" stiffness="10" damping="5" armature=".02"/>
          <geom name="butt" type="capsule" fromto="-.02 -.07 0 -.02 .07 0" size=".09"/>
          <body name="right_thigh" pos="0 -.1 -.04">
            <joint name="right_hip_x" type="hinge" pos="0 0 0" axis="1 0 0" range="-25 5" stiffness="10" damping="5" armature=".01"/>
            <joint name="right_hip_z" type="hinge" pos="0 0 0" axis="0 0 1" range="-60 35" stiffness="10" damping="5" armature=".01"/>
            <joint name="right_hip_y" type="hinge" pos="0 0 0" axis="0 1 0" range="-110 20" stiffness="20" damping="5" armature=".008"/>
            <geom name="right_thigh1" type="capsule" fromto="0 0 0 0 .01 -.34" size=".06"/>
            <body name="right_shin" pos="0 .01 -.403">
              <joint name="right_knee" type="hinge" pos="0 0 .02" axis="0 -1 0" range="-160 -2" armature=".006"/>
              <geom name="right_shin1" type="capsule" fromto="0 0 0 0 0 -.3" size=".049"/>
              <body name="right_foot" pos="0 0 -.45">
                <geom name="right_foot" type="sphere" pos="0 0 .1" size=".075" user="0"/>
              </body>
            </body>
          </body>
          <body name="left_thigh" pos="0 .1 -.04">
            <joint name="left_hip_x" type="hinge" pos="0 0 0" axis="-1 0 0" range="-25 5" stiffness="10" damping="5" armature=".01"/>
            <joint name="left_hip_z" type="hinge" pos="0 0 0" axis="0 0 -1" range="-60 35" stiffness="10" damping="5" armature=".01"/>
            <joint name="left_hip_y" type="hinge" pos="0 0 0" axis="0 1 0" range="-110 20" stiffness="20" damping="5" armature=".01"/>
            <geom name="left_thigh1" type="capsule" fromto="0 0 0 0 -.01 -.34" size=".06"/>
            <body name="left_shin" pos="0 -.01 -.403">
              <joint name="left_knee" type="hinge" pos="0 0 .02" axis="0 -1 0" range="-160 -2" stiffness="1" armature=".006"/>
              <geom name="left_shin1" type="capsule" fromto="0 0 0 0 0 -.3" size=".049"/>
              <body name="left_foot" pos="0 0 -.45">
                <geom name="left_foot" type="sphere" pos="0 0 .1" size=".075" user="0"/>
              </body>
            </body>
          </body>
        </body>
      </body>
      <body name="right_upper_arm" pos="0 -.17 .06">
        <joint name="right_shoulder1" type="hinge" pos="0 0 0" axis="2 1 1" range="-85 60" stiffness="1" armature=".0068"/>
        <joint name="right_shoulder2" type="hinge" pos="0 0 0" axis="0 -1 1" range="-85 60" stiffness="1" armature=".0051"/>
        <geom name="right_uarm1" type="capsule" fromto="0 0 0 .16 -.16 -.16" size=".04 .16"/>
        <body name="right_lower_arm" pos=".18 -.18 -.18">
          <joint name="right_elbow" type="hinge" pos="0 0 0" axis="0 -1 1" range="-90 50" stiffness="0" armature=".0028"/>
          <geom name="right_larm" type="capsule" fromto=".01 .01 .01 .17 .17 .17" size=".031"/>
          <geom name="right_hand" type="sphere" pos=".18 .18 .18" size=".04"/>
        </body>
      </body>
      <body name="left_upper_arm" pos="0 .17 .06">
        <joint name="left_shoulder1" type="hinge" pos="0 0 0" axis="2 -1 1" range="-60 85" stiffness="1" armature=".0068"/>
        <joint name="left_shoulder2" type="hinge" pos="0 0 0" axis="0 1 1" range="-60 85" stiffness="1" armature=".0051"/>
        <geom name="left_uarm1" type="capsule" fromto="0 0 0 .16 .16 -.16" size=".04 .16"/>
        <body name="left_lower_arm" pos=".18 .18 -.18">
          <joint name="left_elbow" type="hinge" pos="0 0 0" axis="0 -1 -1" range="-90 50" stiffness="0" armature=".0028"/>
          <geom name="left_larm" type="capsule" fromto=".01 -.01 .01 .17 -.17 .17" size=".031"/>
          <geom name="left_hand" type="sphere" pos=".18 -.18 .18" size=".04"/>
        </body>
      </body>
    </body>
  </worldbody>
  <tendon>
    <fixed name="left_hipknee">
      <joint joint="left_hip_y" coef="-1"/>
      <joint joint="left_knee" coef="1"/>
    </fixed>
    <fixed name="right_hipknee">
      <joint joint="right_hip_y" coef="-1"/>
      <joint joint="right_knee" coef="1"/>
    </fixed>
  </tendon>
  <actuator>
    <motor name="abdomen_y" joint="abdomen_y" gear="100"/>
    <motor name="abdomen_z" joint="abdomen_z" gear="100"/>
    <motor name="abdomen_x" joint="abdomen_x" gear="100"/>
    <motor name="right_hip_x" joint="right_hip_x" gear="100"/>
    <motor name="right_hip_z" joint="right_hip_z" gear="100"/>
    <motor name="right_hip_y" joint="right_hip_y" gear="300"/>
    <motor name="right_knee" joint="right_knee" gear="200"/>
    <motor name="left_hip_x" joint="left_hip_x" gear="100"/>
    <motor name="left_hip_z" joint="left_hip_z" gear="100"/>
    <motor name="left_hip_y" joint="left_hip_y" gear="300"/>
    <motor name="left_knee" joint="left_knee" gear="200"/>
    <motor name="right_shoulder1" joint="right_shoulder1" gear="25"/>
    <motor name="right_shoulder2" joint="right_shoulder2" gear="25"/>
    <motor name="right_elbow" joint="right_elbow" gear="25"/>
    <motor name="left_shoulder1" joint="left_shoulder1" gear="25"/>
    <motor name="left_shoulder2" joint="left_shoulder2" gear="25"/>
    <motor name="left_elbow" joint="left_elbow" gear="25"/>
  </actuator>
</mujoco>
`;

const FRAME_SKIP = 5;
const DT = 0.003 * FRAME_SKIP;
const FORWARD_WEIGHT = 1.25;
const CTRL_COST = 0.1;
const CONTACT_COST = 5e-7;
const MAX_CONTACT_COST = 10;
const HEALTHY_REWARD = 5;
const MIN_HEIGHT = 1;
const MAX_HEIGHT = 2;
const RESET_NOISE = 1e-2;
const NBODY = 14;
const NQ = 24;
const NV = 23;
/** The observation's parts, in order: where each starts. */
const CINERT_AT = (NQ - 2) + NV;
const CVEL_AT = CINERT_AT + 10 * (NBODY - 1);
const QFRC_AT = CVEL_AT + 6 * (NBODY - 1);
const CFRC_AT = QFRC_AT + (NV - 6);
const OBSERVATION_SIZE = CFRC_AT + 6 * (NBODY - 1);

/**
 * The horizontal position of the mass centre, `Σ mᵦ xᵦ / Σ mᵦ` over the bodies' centres of mass (the
 * world's mass is zero), as Gymnasium's `mass_center` computes it.
 */
function massCentre(frame: Pick<MujocoFrame, "xipos">, model: MujocoConstants): [number, number] {
  const { xipos } = frame;
  const mass = model.body_mass;
  // NumPy's einsum adds body by body; the total is np.sum's, pairwise.
  let x = 0;
  let y = 0;
  for (let b = 0; b < mass.length; b++) {
    x += mass[b] * xipos[3 * b];
    y += mass[b] * xipos[3 * b + 1];
  }
  const total = pairwiseSum(mass);
  return [x / total, y / total];
}

/** `Humanoid-v5` with Gymnasium's defaults. */
export const humanoid: MujocoTask = {
  id: "Humanoid-v5",
  xml: HUMANOID_XML,
  frameSkip: FRAME_SKIP,
  maxEpisodeSteps: 1000,
  observationSize: OBSERVATION_SIZE,
  actionLow: Array(17).fill(-0.4),
  actionHigh: Array(17).fill(0.4),
  contactForces: true,
  reset: noisyReset(RESET_NOISE, "uniform"),
  carry: (frame, model) => massCentre(frame, model),
  observe: (frame) => {
    const out = new Float64Array(OBSERVATION_SIZE);
    out.set(frame.qpos.subarray(2));
    out.set(frame.qvel, NQ - 2);
    out.set(frame.cinert.subarray(10), CINERT_AT);
    out.set(frame.cvel.subarray(6), CVEL_AT);
    out.set(frame.qfrc_actuator.subarray(6), QFRC_AT);
    out.set(frame.cfrc_ext.subarray(6), CFRC_AT);
    return out;
  },
  outcome: (before, after, action, model) => {
    const height = after.qpos[2];
    const alive = MIN_HEIGHT < height && height < MAX_HEIGHT;
    const forward = FORWARD_WEIGHT * ((massCentre(after, model)[0] - before.carry[0]) / DT);
    // The controls as MuJoCo holds them: the float32 action widened to float64, not clamped.
    const control = CTRL_COST * sumOfSquares(action);
    const contact = Math.min(CONTACT_COST * sumOfSquares(after.cfrc_ext), MAX_CONTACT_COST);
    return { reward: (forward + (alive ? HEALTHY_REWARD : 0)) - (control + contact), terminated: !alive };
  },
};
