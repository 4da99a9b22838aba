/**
 * `InvertedDoublePendulum-v5` as Gymnasium 1.3.0 defines it (`inverted_double_pendulum_v5.py`, model
 * `inverted_double_pendulum.xml` by Gymnasium's authors, MIT): a cart on a rail (a slide limited to ±1
 * with limit margin 0.01) carrying two hinged poles of 0.6 m in a chain (unlimited hinges), a site `tip` at
 * the top of the second, the cart pushed by one motor with gear 500. Gravity has a tiny sideways part
 * (1e−5 along x), so the upright pose is not an exact equilibrium. Nothing collides (every geom has
 * `contype` 0).
 *
 * - five physics steps of 0.01 s (RK4) per environment step (dt 0.05 s; the model's `<custom>` entry
 *   `frame_skip` says 2, Gymnasium's v5 passes 5, which is what counts);
 * - observation (9): cart position `qpos[0]`, `sin` of the two hinge angles, `cos` of them, `qvel` (3)
 *   clipped to [−10, 10], and the slide's constraint force `qfrc_constraint[0]` clipped to [−10, 10];
 * - reward, with `(x, ·, y)` the tip's position after the step (`site_xpos`, float64):
 *   `10 · [not terminated] − (0.01 x² + (y − 2)²) − (0.001 ω₁² + 0.005 ω₂²)`, `ω` the hinge velocities;
 * - terminates when `y ≤ 1` (non-strict); truncated at 1000 steps;
 * - reset: `qpos0 + U(−0.1, 0.1)` and `0.1 · N(0, 1)` velocities, drawn from the reset key.
 *
 * The model below has the same compiler settings, defaults, options, bodies, joints, geoms, site and
 * actuator as Gymnasium's; what only draws (colours) is left out, and so are `<size nstack>` (scratch
 * memory) and the `<custom>` number (read by nothing). The conformance test compiles it and compares it
 * with Gymnasium's, array by array.
 *
 * @module
 */
import { type MujocoTask, noisyReset } from "./task.ts";

/** The double cart-pole's MJCF (values from Gymnasium's `inverted_double_pendulum.xml`). */
export const INVERTED_DOUBLE_PENDULUM_XML = `
<mujoco model="cartpole">
  <compiler coordinate="local" inertiafromgeom="true"/>
  <option gravity="1e-5 0 -9.81" integrator="RK4" timestep="0.01"/>
  <default>
    <joint damping="0.05"/>
    <geom contype="0" friction="1 0.1 0.1"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" pos="0 0 -3.0" size="40 40 40"/>
    <geom name="rail" type="capsule" pos="0 0 0" quat="0.707 0 0.707 0" size="0.02 1"/>
    <body name="cart" pos="0 0 0">
      <joint name="slider" type="slide" axis="1 0 0" pos="0 0 0" limited="true" range="-1 1" margin="0.01"/>
      <geom name="cart" type="capsule" pos="0 0 0" quat="0.707 0 0.707 0" size="0.1 0.1"/>
      <body name="pole" pos="0 0 0">
        <joint name="hinge" type="hinge" axis="0 1 0" pos="0 0 0"/>
        <geom name="cpole" type="capsule" fromto="0 0 0 0 0 0.6" size="0.045 0.3"/>
        <body name="pole2" pos="0 0 0.6">
          <joint name="hinge2" type="hinge" axis="0 1 0" pos="0 0 0"/>
          <geom name="cpole2" type="capsule" fromto="0 0 0 0 0 0.6" size="0.045 0.3"/>
          <site name="tip" pos="0 0 .6" size="0.01 0.01"/>
        </body>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor name="slide" joint="slider" gear="500" ctrllimited="true" ctrlrange="-1 1"/>
  </actuator>
</mujoco>
`;

const FRAME_SKIP = 5;
const RESET_NOISE = 0.1;
const HEALTHY_REWARD = 10;
/** The episode ends once the tip is at or below this height. */
const MIN_TIP_HEIGHT = 1;
const TARGET_TIP_HEIGHT = 2;
const CLIP = 10;

const clip = (x: number) => Math.min(CLIP, Math.max(-CLIP, x));

/** `InvertedDoublePendulum-v5` with Gymnasium's defaults. */
export const invertedDoublePendulum: MujocoTask = {
  id: "InvertedDoublePendulum-v5",
  xml: INVERTED_DOUBLE_PENDULUM_XML,
  frameSkip: FRAME_SKIP,
  maxEpisodeSteps: 1000,
  observationSize: 9,
  actionLow: [-1],
  actionHigh: [1],
  contactForces: false,
  reset: noisyReset(RESET_NOISE, "normal"),
  observe: ({ qpos, qvel, qfrc_constraint }) => [
    qpos[0],
    Math.sin(qpos[1]),
    Math.sin(qpos[2]),
    Math.cos(qpos[1]),
    Math.cos(qpos[2]),
    ...Array.from(qvel, clip),
    clip(qfrc_constraint[0]),
  ],
  outcome: (_before, after) => {
    // The tip is the model's only site.
    const [x, y] = [after.site_xpos[0], after.site_xpos[2]];
    const terminated = y <= MIN_TIP_HEIGHT;
    const [w1, w2] = [after.qvel[1], after.qvel[2]];
    const dy = y - TARGET_TIP_HEIGHT;
    const distance = 0.01 * (x * x) + dy * dy;
    const velocity = 1e-3 * (w1 * w1) + 5e-3 * (w2 * w2);
    return { reward: (terminated ? 0 : HEALTHY_REWARD) - distance - velocity, terminated };
  },
};
