/**
 * `InvertedPendulum-v5` as Gymnasium 1.3.0 defines it (`inverted_pendulum_v5.py`, model
 * `inverted_pendulum.xml` by Gymnasium's authors, MIT): a cart on a rail (a slide limited to ±1) carrying
 * a hinged pole (limited to ±90°), the cart pushed by one motor with gear 100 and control range ±3.
 * Nothing collides: every geom has `contype` 0.
 *
 * - two physics steps of 0.02 s (RK4) per environment step (dt 0.04 s);
 * - observation (4): `qpos` (cart position, pole angle) then `qvel`, unclipped;
 * - reward: 1 for every step that does not terminate, 0 for the one that does;
 * - terminates when the pole angle after the step leaves [−0.2, 0.2] (`|θ| > 0.2`, so 0.2 itself is still
 *   upright) or any observed value is not finite; truncated at 1000 steps;
 * - reset: `qpos0 + U(−0.01, 0.01)` and `U(−0.01, 0.01)` velocities, drawn from the reset key.
 *
 * The model below has the same compiler settings, defaults, options, bodies, joints, geoms and actuators as
 * Gymnasium's; what only draws (colours) is left out, and so is `<size nstack>`, which only sizes the
 * engine's scratch memory. The conformance test compiles it and compares it with Gymnasium's, array by
 * array.
 *
 * @module
 */
import { type MujocoTask, noisyReset } from "./task.ts";

/** The cart-pole's MJCF (values from Gymnasium's `inverted_pendulum.xml`; angles in degrees). */
export const INVERTED_PENDULUM_XML = `
<mujoco model="inverted pendulum">
  <compiler inertiafromgeom="true"/>
  <option gravity="0 0 -9.81" integrator="RK4" timestep="0.02"/>
  <default>
    <joint limited="true" armature="0" damping="1"/>
    <geom contype="0" friction="1 0.1 0.1"/>
    <motor ctrlrange="-3 3"/>
  </default>
  <worldbody>
    <geom name="rail" type="capsule" pos="0 0 0" quat="0.707 0 0.707 0" size="0.02 1"/>
    <body name="cart" pos="0 0 0">
      <joint name="slider" type="slide" axis="1 0 0" pos="0 0 0" limited="true" range="-1 1"/>
      <geom name="cart" type="capsule" pos="0 0 0" quat="0.707 0 0.707 0" size="0.1 0.1"/>
      <body name="pole" pos="0 0 0">
        <joint name="hinge" type="hinge" axis="0 1 0" pos="0 0 0" range="-90 90"/>
        <geom name="cpole" type="capsule" fromto="0 0 0 0.001 0 0.6" size="0.049 0.3"/>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor name="slide" joint="slider" gear="100" ctrllimited="true" ctrlrange="-3 3"/>
  </actuator>
</mujoco>
`;

const FRAME_SKIP = 2;
const RESET_NOISE = 0.01;
/** The pole counts as upright while `|θ| ≤` this. */
const ANGLE_BOUND = 0.2;

/** `InvertedPendulum-v5` with Gymnasium's defaults. */
export const invertedPendulum: MujocoTask = {
  id: "InvertedPendulum-v5",
  xml: INVERTED_PENDULUM_XML,
  frameSkip: FRAME_SKIP,
  maxEpisodeSteps: 1000,
  observationSize: 4,
  actionLow: [-3],
  actionHigh: [3],
  contactForces: false,
  reset: noisyReset(RESET_NOISE, "uniform"),
  observe: (frame) => [...frame.qpos, ...frame.qvel],
  outcome: (_before, after) => {
    const finite = after.qpos.every(Number.isFinite) && after.qvel.every(Number.isFinite);
    const terminated = !finite || Math.abs(after.qpos[1]) > ANGLE_BOUND;
    return { reward: terminated ? 0 : 1, terminated };
  },
};
