/**
 * Gymnasium's `MountainCarContinuous-v0` (classic control, Gymnasium 1.x) as a pure environment: drive an
 * underpowered car out of a valley, rocking back and forth to reach the flag on the right hill. The dynamics,
 * reward and reset distribution follow `gymnasium/envs/classic_control/continuous_mountain_car.py`; the
 * 999-step limit is Gymnasium's `TimeLimit` wrapper, folded into {@link MountainCarState.steps}.
 *
 * Gymnasium computes with numpy scalars whose dtype changes along an episode, and {@link mountainCar}
 * reproduces that arithmetic so that observations agree to the float32 bit, not only approximately:
 *
 * - its state array is float64 after `reset` (a Python float draw) and float32 after every `step`
 *   (`np.array([position, velocity], dtype=np.float32)`);
 * - numpy (≥ 2, NEP 50) casts a Python float to float32 before combining it with a float32 scalar, in
 *   arithmetic and in comparisons alike, so a float32 state is stepped in float32 against the float32
 *   roundings of 0.07, 0.6, −1.2 and 0.45 (a car landing exactly on float32(0.45) = 0.449999988 has reached
 *   the goal; one landing exactly on float32(−1.2) without being clipped is on the wall and stops);
 * - an action inside [−1, 1] stays a float32 scalar, so `force · 0.0015 − 0.0025·cos 3x` is rounded to
 *   float32 even for a float64 state; an action outside is replaced by the Python float ±1.0, and the same
 *   expression is then a float64 one.
 *
 * @module
 */
import type { Env, ResetResult, StepResult } from "./env.ts";
import { bits, type Key } from "../core/rng.ts";
import { cos } from "../core/math.ts";

/** The full state of a mountain-car episode: a plain readonly record of numbers. */
export interface MountainCarState {
  /** Position on the x axis, in [−1.2, 0.6]; the valley bottom is near −0.52, the goal at 0.45. */
  readonly position: number;
  /** Velocity, in [−0.07, 0.07]. */
  readonly velocity: number;
  /** Steps taken in the episode so far (0 after `reset`). */
  readonly steps: number;
}

/** Options of {@link mountainCar}. */
export interface MountainCarOptions {
  /** Gymnasium's `goal_velocity`: the least velocity at the goal that ends the episode, default 0. */
  readonly goalVelocity?: number;
}

const MIN_ACTION = -1;
const MAX_ACTION = 1;
const MIN_POSITION = -1.2;
const MAX_POSITION = 0.6;
const MAX_SPEED = 0.07;
const GOAL_POSITION = 0.45;
const POWER = 0.0015;
const GRAVITY = 0.0025;
const RESET_LOW = -0.6;
const RESET_HIGH = -0.4;
const GOAL_REWARD = 100;
const MAX_EPISODE_STEPS = 999;

const f32 = Math.fround;
const POWER_F32 = f32(POWER);
const asIs = (x: number): number => x;

/** A float64 in [0, 1) with 53 random bits from two words of the key, as numpy's `random()` builds it. */
function unitDouble(key: Key): number {
  const [a, b] = bits(key, 2);
  return ((a >>> 5) * 67108864 + (b >>> 6)) / 9007199254740992;
}

function observe(position: number, velocity: number): Float32Array {
  return Float32Array.of(position, velocity);
}

/**
 * Build `MountainCarContinuous-v0`. Observations are `[position, velocity]` (float32); the action is one
 * force, clipped to [−1, 1] in the dynamics. One step: `v ← clip(v + force·0.0015 − 0.0025·cos 3x, ±0.07)`,
 * then `x ← clip(x + v, −1.2, 0.6)`, and `v ← 0` when `x` rests on the left wall with `v < 0` (the right
 * wall keeps the velocity). The episode terminates when `x ≥ 0.45` and `v ≥ goalVelocity`; the reward is
 * `100·[terminated] − 0.1·a²` with the action `a` as given, not clipped. Episodes are truncated at step 999.
 * `reset` draws x ~ U[−0.6, −0.4) from the key with v = 0; like Gymnasium's (numpy's) draw, x is a float64 built
 * from 53 random bits, practically never a float32 number, so the first step runs in float64 as Gymnasium's does.
 *
 * A state whose position and velocity are both float32 numbers (every state `step` returns) is stepped in
 * float32 arithmetic, as Gymnasium steps its float32 state; any other state (as after `reset`) is stepped in
 * float64, as Gymnasium steps its float64 state. The state `step` returns holds the float32 values that
 * Gymnasium keeps, so it equals the observation.
 *
 * @param options `goalVelocity` (default 0)
 * @returns the environment
 * @example
 * ```ts
 * import { mountainCar } from "./mountain_car.ts";
 * const env = mountainCar();
 * const { observation, reward } = env.step({ position: -0.5, velocity: 0, steps: 0 }, Float32Array.of(1));
 * // v' = 0.0015 − 0.0025·cos(−1.5) ≈ 0.0013231570, x' = −0.5 + v' ≈ −0.4986768
 * // observation ≈ Float32Array [−0.4986768, 0.0013231570]; reward = −0.1
 * ```
 */
export function mountainCar(options: MountainCarOptions = {}): Env<MountainCarState> {
  const goalVelocity = options.goalVelocity ?? 0;
  if (!Number.isFinite(goalVelocity)) {
    throw new RangeError(`mountainCar: goalVelocity must be a finite number, got ${goalVelocity}`);
  }

  function reset(key: Key): ResetResult<MountainCarState> {
    // numpy's uniform(low, high) = low + (high − low)·u with a 53-bit u: a float64 position, as in Gymnasium.
    const position = RESET_LOW + (RESET_HIGH - RESET_LOW) * unitDouble(key);
    const state: MountainCarState = Object.freeze({ position, velocity: 0, steps: 0 });
    return { state, observation: observe(position, 0) };
  }

  function step(state: MountainCarState, action: Float32Array): StepResult<MountainCarState> {
    if (action.length !== 1) {
      throw new RangeError(
        `MountainCarContinuous-v0: action must have length 1, got length ${action.length}`,
      );
    }
    const a = action[0];
    if (Number.isNaN(a)) throw new RangeError("MountainCarContinuous-v0: action is NaN");
    const { position, velocity, steps } = state;
    // `round` is the rounding of the state's dtype: float32 after any step, float64 after reset.
    const round = f32(position) === position && f32(velocity) === velocity ? f32 : asIs;

    const gravity = GRAVITY * cos(round(3 * position)); // math.cos: always float64
    const inRange = a >= MIN_ACTION && a <= MAX_ACTION;
    // In range: float32 force·power, minus gravity cast to float32, in float32. Outside: Python floats.
    const dv = inRange ? f32(f32(a * POWER_F32) - f32(gravity)) : (a > 0 ? POWER : -POWER) - gravity;
    let v = round(velocity + round(dv));
    const maxSpeed = round(MAX_SPEED);
    if (v > maxSpeed) v = maxSpeed;
    if (v < -maxSpeed) v = -maxSpeed;
    let x = round(position + v);
    const minPosition = round(MIN_POSITION);
    const maxPosition = round(MAX_POSITION);
    if (x > maxPosition) x = maxPosition;
    if (x < minPosition) x = minPosition;
    if (x === minPosition && v < 0) v = 0;

    const terminated = x >= round(GOAL_POSITION) && v >= round(goalVelocity);
    const reward = (terminated ? GOAL_REWARD : 0) - a * a * 0.1;
    const next: MountainCarState = Object.freeze({ position: f32(x), velocity: f32(v), steps: steps + 1 });
    return {
      state: next,
      observation: observe(x, v),
      reward,
      terminated,
      truncated: steps + 1 >= MAX_EPISODE_STEPS,
    };
  }

  return Object.freeze({
    id: "MountainCarContinuous-v0",
    observationSize: 2,
    actionSize: 1,
    actionLow: Object.freeze([MIN_ACTION]),
    actionHigh: Object.freeze([MAX_ACTION]),
    maxEpisodeSteps: MAX_EPISODE_STEPS,
    reset,
    step,
  });
}
