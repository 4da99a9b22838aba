/**
 * What a MuJoCo locomotion task is, as data and functions over the engine's arrays: its model (MJCF), how
 * many physics steps one environment step takes, its spaces, how an episode starts, what is observed, the
 * reward and when the episode ends. `mujoco_env.ts` turns a task into a pure environment.
 *
 * The numbers of each task are Gymnasium 1.3.0's v5 defaults; the functions read the same arrays of
 * MuJoCo's data that Gymnasium reads, after the same engine calls.
 *
 * @module
 */
import { type Key, normal, split, uniform } from "../../core/rng.ts";

/**
 * The arrays of MuJoCo's data a task reads, after a forward pass (as `mj_step` leaves them: the positions
 * and forces of its last sub-step's forward pass; `cfrc_ext` only after `mj_rnePostConstraint`).
 */
export interface MujocoFrame {
  /** Generalised positions `[nq]`. */
  readonly qpos: Float64Array;
  /** Generalised velocities `[nv]`. */
  readonly qvel: Float64Array;
  /** Body frame positions `[nbody × 3]`. */
  readonly xpos: Float64Array;
  /** Body centres of mass `[nbody × 3]`. */
  readonly xipos: Float64Array;
  /** Site positions `[nsite × 3]`. */
  readonly site_xpos: Float64Array;
  /** Body inertias in the centre-of-mass frame `[nbody × 10]`. */
  readonly cinert: Float64Array;
  /** Body velocities in the centre-of-mass frame `[nbody × 6]`. */
  readonly cvel: Float64Array;
  /** Actuator forces in joint space `[nv]`. */
  readonly qfrc_actuator: Float64Array;
  /** Constraint forces in joint space `[nv]`. */
  readonly qfrc_constraint: Float64Array;
  /** External (contact) forces on bodies `[nbody × 6]`. */
  readonly cfrc_ext: Float64Array;
}

/** The compiled model's constants a task reads. */
export interface MujocoConstants {
  /** Body masses `[nbody]`. */
  readonly body_mass: Float64Array;
}

/** Positions and velocities to start an episode from (set into the data before a forward pass). */
export interface InitialState {
  /** Generalised positions `[nq]`. */
  readonly qpos: ArrayLike<number>;
  /** Generalised velocities `[nv]`. */
  readonly qvel: ArrayLike<number>;
}

/** What a step earns and whether it ends the episode (the time limit is the environment's). */
export interface StepOutcome {
  /** Reward of the transition. */
  readonly reward: number;
  /** The episode reached a terminal state (fell, left the healthy range). */
  readonly terminated: boolean;
}

/** What a task's reward sees of the state before the step. */
export interface Before {
  /** Generalised positions before the step. */
  readonly qpos: Float64Array;
  /** The task's carried values from the frame before the step ({@link MujocoTask.carry}). */
  readonly carry: readonly number[];
}

/** A MuJoCo task: model, timing, spaces, reset, observation, reward and termination. */
export interface MujocoTask {
  /** Gymnasium's id, e.g. `"HalfCheetah-v5"`. */
  readonly id: string;
  /** The MJCF model. */
  readonly xml: string;
  /** Physics steps per environment step (Gymnasium's `frame_skip`). */
  readonly frameSkip: number;
  /** Steps after which an episode is truncated (Gymnasium's TimeLimit). */
  readonly maxEpisodeSteps: number;
  /** Length of the observation. */
  readonly observationSize: number;
  /** Lower action bounds (the actuators' control ranges). */
  readonly actionLow: readonly number[];
  /** Upper action bounds. */
  readonly actionHigh: readonly number[];
  /** Whether the observation or reward reads contact forces: `mj_rnePostConstraint` after stepping. */
  readonly contactForces: boolean;
  /**
   * The positions and velocities an episode starts from: the model's initial ones with noise from `key`.
   *
   * @param key the reset key
   * @param init the model's initial positions (`qpos0`) and velocities (zero)
   * @returns the starting positions and velocities
   */
  reset(key: Key, init: { readonly qpos: Float64Array; readonly qvel: Float64Array }): InitialState;
  /**
   * Values of a frame that the next step's reward needs and the integration state does not hold (the
   * positions of a forward pass lag one sub-step behind the state): none for most tasks.
   */
  carry?(frame: MujocoFrame, model: MujocoConstants): number[];
  /**
   * The observation of a frame.
   *
   * @param frame the data after the step (or after the reset's forward pass)
   * @param model the model's constants
   * @returns the observation, float64 values
   */
  observe(frame: MujocoFrame, model: MujocoConstants): ArrayLike<number>;
  /**
   * Reward and termination of a step.
   *
   * @param before the positions and carried values before the step
   * @param after the data after the step
   * @param action the action as given (the engine clamps the control; costs use the action itself)
   * @param model the model's constants
   * @returns the outcome
   */
  outcome(
    before: Before,
    after: MujocoFrame,
    action: Float32Array,
    model: MujocoConstants,
  ): StepOutcome;
}

/**
 * `weight · Σ aᵢ²` as Gymnasium computes a control cost on its float32 action: squares and their sum in
 * float32 (NumPy's pairwise summation: in order below 8 terms, else eight running sums combined pairwise,
 * then the rest), times the weight in float32 (NumPy 2 casts the Python float to the array's type).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { float32ControlCost } from "./task.ts";
 *
 * assert.equal(float32ControlCost(0.1, Float32Array.of(1, 2)), Math.fround(Math.fround(0.1) * 5));
 * ```
 *
 * @param weight the cost weight
 * @param action the action (float32 values)
 * @returns the cost, a float32 value
 */
export function float32ControlCost(weight: number, action: ArrayLike<number>): number {
  const f = Math.fround;
  const n = action.length;
  if (n > 128) throw new RangeError(`control costs of more than 128 actions are not implemented (${n})`);
  const square = (i: number) => f(action[i] * action[i]);
  let sum = 0;
  if (n < 8) {
    for (let i = 0; i < n; i++) sum = f(sum + square(i));
  } else {
    const r = Array.from({ length: 8 }, (_, j) => square(j));
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] = f(r[j] + square(i + j));
    }
    sum = f(f(f(r[0] + r[1]) + f(r[2] + r[3])) + f(f(r[4] + r[5]) + f(r[6] + r[7])));
    for (; i < n; i++) sum = f(sum + square(i));
  }
  return f(f(weight) * sum);
}

/**
 * `Σ xᵢ` in float64, added in NumPy's pairwise order (`np.sum` of a contiguous float64 array: in order
 * below 8 terms, else eight running sums combined pairwise, then the rest; blocks above 128 terms halved
 * recursively), so that sums of many terms (costs over all bodies' forces, the total mass) agree with
 * Gymnasium's to the bit.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pairwiseSum } from "./task.ts";
 *
 * assert.equal(pairwiseSum([1, 4, 9]), 14);
 * ```
 *
 * @param x the values
 * @param start the first index (default 0)
 * @param n how many values from `start` (default: to the end)
 * @returns their sum
 */
export function pairwiseSum(x: ArrayLike<number>, start = 0, n = x.length - start): number {
  if (n < 8) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += x[start + i];
    return sum;
  }
  if (n > 128) {
    const half = Math.floor(n / 2);
    const head = half - (half % 8);
    return pairwiseSum(x, start, head) + pairwiseSum(x, start + head, n - head);
  }
  const r = Array.from({ length: 8 }, (_, j) => x[start + j]);
  let i = 8;
  for (; i < n - (n % 8); i += 8) {
    for (let j = 0; j < 8; j++) r[j] += x[start + i + j];
  }
  let sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
  for (; i < n; i++) sum += x[start + i];
  return sum;
}

/**
 * `Σ xᵢ²` in float64 as NumPy's `np.sum(np.square(x))` computes it: squares, then {@link pairwiseSum}.
 *
 * @param x the values
 * @returns the sum of their squares
 */
export function sumOfSquares(x: ArrayLike<number>): number {
  return pairwiseSum(Array.from(x, (v) => v * v));
}

/**
 * The reset of most of Gymnasium's v5 tasks: positions `qpos0 + U(−scale, scale)`, velocities
 * `U(−scale, scale)` or `scale · N(0, 1)`, from the reset key split in two (positions, velocities).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { keyFromSeed } from "../../core/rng.ts";
 * import { noisyReset } from "./task.ts";
 *
 * const reset = noisyReset(0.1, "normal");
 * const start = reset(keyFromSeed(0), { qpos: new Float64Array(2), qvel: new Float64Array(2) });
 * assert.ok(Array.from(start.qpos).every((q) => Math.abs(q) <= 0.1));
 * ```
 *
 * @param scale the noise scale (Gymnasium's `reset_noise_scale`)
 * @param velocities how velocities are drawn: uniform like the positions, or normal with σ = scale
 * @returns the task's `reset`
 */
export function noisyReset(scale: number, velocities: "uniform" | "normal"): MujocoTask["reset"] {
  return (key, init) => {
    const [kq, kv] = split(key, 2);
    const bounds = { low: -scale, high: scale };
    const qpos = uniform(kq, init.qpos.length, bounds);
    const qvel = velocities === "uniform"
      ? uniform(kv, init.qvel.length, bounds)
      : normal(kv, init.qvel.length);
    const weight = velocities === "uniform" ? 1 : scale;
    return {
      qpos: init.qpos.map((q, i) => q + qpos[i]),
      qvel: init.qvel.map((v, i) => v + weight * qvel[i]),
    };
  };
}
