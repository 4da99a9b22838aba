/**
 * Gymnasium's `Pendulum-v1` (classic control, Gymnasium 1.x) as a pure environment: swing a frictionless
 * pendulum up and hold it upright with a bounded torque. The dynamics, cost and reset distribution follow
 * `gymnasium/envs/classic_control/pendulum.py`; the 200-step limit is Gymnasium's `TimeLimit` wrapper,
 * folded into {@link PendulumState.steps}.
 *
 * @module
 */
import type { Env, ResetResult, StepResult } from "./env.ts";
import { type Key, split, uniform } from "../core/rng.ts";
import { cos, sin } from "../core/math.ts";

/** The full state of a pendulum episode: a plain readonly record of float64 numbers. */
export interface PendulumState {
  /** Angle in radians, 0 = upright; not wrapped, it may leave [−π, π). */
  readonly theta: number;
  /** Angular velocity in rad/s, kept within [−8, 8] by `step`. */
  readonly thetaDot: number;
  /** Steps taken in the episode so far (0 after `reset`). */
  readonly steps: number;
}

/** Options of {@link pendulum}. */
export interface PendulumOptions {
  /** Gravitational acceleration, default 10 (Gymnasium's `g`). */
  readonly g?: number;
}

const MASS = 1;
const LENGTH = 1;
const DT = 0.05;
const MAX_SPEED = 8;
const MAX_TORQUE = 2;
const MAX_EPISODE_STEPS = 200;
const TWO_PI = 2 * Math.PI;

/**
 * Wrap an angle as Gymnasium's `angle_normalize`: `((x + π) mod 2π) − π` with Python's floor modulo, so the
 * result lies in [−π, π) for negative `x` too. As in Python, rounding can give exactly π when `x + π` is a
 * tiny negative number (e.g. for the float just below −π).
 *
 * @param x an angle in radians
 * @returns the equivalent angle in [−π, π)
 * @example
 * ```ts
 * import { angleNormalize } from "./pendulum.ts";
 * angleNormalize(-4); // -4 + 2π ≈ 2.2831853
 * angleNormalize(Math.PI); // -π
 * ```
 */
export function angleNormalize(x: number): number {
  // JS `%` is C's fmod (exact, sign of the dividend); shift negative remainders as Python's float `%` does.
  let r = (x + Math.PI) % TWO_PI;
  if (r < 0) r += TWO_PI;
  else if (r === 0) r = 0; // Python returns +0 for a zero remainder
  return r - Math.PI;
}

function clip(x: number, low: number, high: number): number {
  return Math.min(Math.max(x, low), high);
}

function observe(theta: number, thetaDot: number): Float32Array {
  return Float32Array.of(cos(theta), sin(theta), thetaDot);
}

/**
 * Build `Pendulum-v1`. Observations are `[cos θ, sin θ, θ̇]` (float32); the action is one torque, clipped to
 * [−2, 2]. The reward is `−(angleNormalize(θ)² + 0.1·θ̇² + 0.001·u²)` of the state before the step; the
 * dynamics are semi-implicit Euler with dt = 0.05, θ̇ clipped to [−8, 8]. Episodes never terminate and are
 * truncated at step 200. `reset` draws θ ~ U[−π, π) and θ̇ ~ U[−1, 1) from the key (in float64, from float32
 * unit draws, so the bounds hold exactly).
 *
 * @param options gravity `g` (default 10)
 * @returns the environment
 * @example
 * ```ts
 * import { pendulum } from "./pendulum.ts";
 * const env = pendulum();
 * const { reward, state } = env.step({ theta: 1, thetaDot: 0.5, steps: 0 }, Float32Array.of(1));
 * // reward = -(1 + 0.1·0.25 + 0.001) = -1.026; state.thetaDot ≈ 1.2811032, state.theta ≈ 1.0640552
 * ```
 */
export function pendulum(options: PendulumOptions = {}): Env<PendulumState> {
  const g = options.g ?? 10;
  if (!Number.isFinite(g)) throw new RangeError(`pendulum: g must be a finite number, got ${g}`);

  function reset(key: Key): ResetResult<PendulumState> {
    const [keyTheta, keyThetaDot] = split(key, 2);
    const theta = -Math.PI + TWO_PI * uniform(keyTheta, 1)[0];
    const thetaDot = -1 + 2 * uniform(keyThetaDot, 1)[0];
    const state: PendulumState = Object.freeze({ theta, thetaDot, steps: 0 });
    return { state, observation: observe(theta, thetaDot) };
  }

  function step(state: PendulumState, action: Float32Array): StepResult<PendulumState> {
    if (action.length !== 1) {
      throw new RangeError(`Pendulum-v1: action must have length 1, got length ${action.length}`);
    }
    if (Number.isNaN(action[0])) throw new RangeError("Pendulum-v1: action is NaN");
    const { theta, thetaDot, steps } = state;
    const u = clip(action[0], -MAX_TORQUE, MAX_TORQUE);
    const cost = angleNormalize(theta) ** 2 + 0.1 * thetaDot ** 2 + 0.001 * u ** 2;
    const acceleration = (3 * g) / (2 * LENGTH) * sin(theta) + 3 / (MASS * LENGTH ** 2) * u;
    const newThetaDot = clip(thetaDot + acceleration * DT, -MAX_SPEED, MAX_SPEED);
    const newTheta = theta + newThetaDot * DT;
    const next: PendulumState = Object.freeze({ theta: newTheta, thetaDot: newThetaDot, steps: steps + 1 });
    return {
      state: next,
      observation: observe(newTheta, newThetaDot),
      reward: -cost,
      terminated: false,
      truncated: steps + 1 >= MAX_EPISODE_STEPS,
    };
  }

  return Object.freeze({
    id: "Pendulum-v1",
    observationSize: 3,
    actionSize: 1,
    actionLow: Object.freeze([-MAX_TORQUE]),
    actionHigh: Object.freeze([MAX_TORQUE]),
    maxEpisodeSteps: MAX_EPISODE_STEPS,
    reset,
    step,
  });
}
