import assert from "node:assert/strict";
import { type Key, keyFromSeed, split, uniform } from "../core/rng.ts";
import { mountainCar, type MountainCarState } from "./mountain_car.ts";
import gymnasium from "./testdata/mountain_car_gymnasium.json" with { type: "json" };

const env = mountainCar();
const f32 = Math.fround;

/** One recorded Gymnasium transition: the state and action before, what `env.step` returned after. */
type GymCase = [
  label: string,
  position: number,
  velocity: number,
  steps: number,
  action: number,
  obsPosition: number,
  obsVelocity: number,
  reward: number,
  terminated: boolean,
  truncated: boolean,
];

const float32Cases = gymnasium.float32StateCases as unknown as GymCase[];
const float64Cases = gymnasium.float64StateCases as unknown as GymCase[];

function close(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: expected ${expected} ± ${tol}, got ${actual}`);
}

function stepFrom(position: number, velocity: number, action: number, steps = 0) {
  return env.step({ position, velocity, steps }, Float32Array.of(action));
}

/** The observation is `[position, velocity]` of the returned state, which holds float32 values. */
function assertObservation(obs: Float32Array, state: MountainCarState): void {
  assert.ok(obs instanceof Float32Array);
  assert.equal(obs.length, 2);
  assert.equal(state.position, f32(state.position));
  assert.equal(state.velocity, f32(state.velocity));
  assert.deepEqual([...obs], [state.position, state.velocity]);
}

/** Step `count` times from `state`, the action chosen from the state; returns every result. */
function rollout(
  state: MountainCarState,
  count: number,
  policy: (s: MountainCarState, t: number) => number,
) {
  const results = [];
  for (let t = 0; t < count; t++) {
    const r = env.step(state, Float32Array.of(policy(state, t)));
    results.push(r);
    state = r.state;
  }
  return results;
}

Deno.test("mountainCar: spaces and id match Gymnasium's MountainCarContinuous-v0", () => {
  assert.equal(env.id, "MountainCarContinuous-v0");
  assert.equal(env.observationSize, 2);
  assert.equal(env.actionSize, 1);
  assert.deepEqual(env.actionLow, [-1]);
  assert.deepEqual(env.actionHigh, [1]);
  assert.equal(env.maxEpisodeSteps, 999);
});

Deno.test("step: a float32 state, derived by hand", () => {
  // x = −0.5, v = 0 (both float32 numbers: stepped in float32, as Gymnasium's state after any step), a = 1.
  // gravity = 0.0025·cos(3·(−0.5)) = 0.0025·0.0707372017 = 0.0001768430
  // v' = 0 + 1·0.0015 − 0.0001768430 = 0.0013231570   (|v'| < 0.07, no clip)
  // x' = −0.5 + 0.0013231570 = −0.4986768430          (inside [−1.2, 0.6])
  // reward = −0.1·1² = −0.1; x' < 0.45, not terminated
  const r = stepFrom(-0.5, 0, 1);
  close(r.state.velocity, 0.001323157, 1e-10, "velocity");
  close(r.state.position, -0.498676843, 3e-8, "position (float32 rounding)");
  assert.equal(r.reward, -0.1);
  assert.equal(r.terminated, false);
  assert.equal(r.truncated, false);
  assert.equal(r.state.steps, 1);
  assertObservation(r.observation, r.state);
  // Gymnasium's float32 arithmetic: v' = f32(f32(1·f32(0.0015)) − f32(gravity)), x' = f32(x + v').
  assert.equal(r.state.velocity, f32(f32(f32(0.0015)) - f32(0.0025 * Math.cos(-1.5))));
  assert.equal(r.state.position, f32(-0.5 + r.state.velocity));
});

Deno.test("step: an action beyond ±1 acts as ±1 in the dynamics but is penalised as given", () => {
  // x = −0.5, v = 0.01: v' = 0.01 ± 0.0015 − 0.0001768430, x' = −0.5 + v'.
  // a = 3 → force 1: v' = 0.0113231570, x' = −0.4886768430; reward = −0.1·3² = −0.9 (not −0.1)
  const high = stepFrom(-0.5, 0.01, 3);
  close(high.state.velocity, 0.011323157, 1e-9, "velocity at 3");
  close(high.state.position, -0.488676843, 3e-8, "position at 3");
  close(high.reward, -0.9, 1e-7, "reward at 3");
  const one = stepFrom(-0.5, 0.01, 1);
  assert.deepEqual(high.observation, one.observation);
  assert.deepEqual(high.state, one.state);
  assert.equal(one.reward, -0.1);
  // a = −3 → force −1: v' = 0.01 − 0.0015 − 0.0001768430 = 0.0083231570, x' = −0.4916768430; reward −0.9
  const low = stepFrom(-0.5, 0.01, -3);
  close(low.state.velocity, 0.008323157, 1e-9, "velocity at -3");
  close(low.state.position, -0.491676843, 3e-8, "position at -3");
  close(low.reward, -0.9, 1e-7, "reward at -3");
  assert.deepEqual(low.state, stepFrom(-0.5, 0.01, -1).state);
  // ±∞ clip too; the reward is −∞, as in Gymnasium.
  const inf = stepFrom(-0.5, 0.01, Infinity);
  assert.deepEqual(inf.state, one.state);
  assert.equal(inf.reward, -Infinity);
});

Deno.test("step: a float64 state is stepped in float64, a float32 state in float32, as in Gymnasium", () => {
  // Gymnasium's state is float64 after reset. An in-range action stays a float32 scalar, so the increment
  // force·0.0015 − gravity is rounded to float32; an action beyond ±1 becomes the Python float ±1.0 and the
  // increment stays float64. Gymnasium 1.3.0 returns different float32 velocities for a = 1 and a = 3 here:
  const x = -0.5234567890123; // not a float32 number: a float64 state
  const one = stepFrom(x, 0, 1);
  const three = stepFrom(x, 0, 3);
  assert.equal(one.observation[1], f32(0.0014989352)); // Gymnasium: 0.0014989352
  assert.equal(three.observation[1], f32(0.001498935)); // Gymnasium: 0.001498935
  assert.notEqual(one.observation[1], three.observation[1]);
  assert.equal(one.observation[0], f32(-0.5219579));
  assert.equal(three.observation[0], f32(-0.5219579));
  // From a float32 state the two agree: the float32 sum absorbs the difference.
  assert.deepEqual(stepFrom(-0.5, 0, 1).state, stepFrom(-0.5, 0, 3).state);
});

Deno.test("step: the left wall stops the car, the right wall does not", () => {
  // Left: x = −1.19, v = −0.05, a = −1: gravity = 0.0025·cos(−3.57) = −0.0022740713
  // v' = −0.05 − 0.0015 + 0.0022740713 = −0.0492259287; x' = −1.19 − 0.0492259287 = −1.2392259 → −1.2,
  // and as x' is on the left wall with v' < 0, v' → 0. reward = −0.1
  const left = stepFrom(-1.19, -0.05, -1);
  assert.equal(left.state.position, f32(-1.2));
  assert.equal(left.state.velocity, 0);
  assert.equal(left.reward, -0.1);
  assert.equal(left.terminated, false);
  assertObservation(left.observation, left.state);
  // On the wall, moving away: the velocity is kept. x = −1.2, v = 0.01, a = −1: gravity = 0.0025·cos(−3.6)
  // = −0.0022418960, v' = 0.01 − 0.0015 + 0.0022418960 = 0.0107418960, x' = −1.2 + 0.0107418960 = −1.1892581040
  const away = stepFrom(f32(-1.2), 0.01, -1);
  close(away.state.velocity, 0.010741896, 1e-9, "velocity leaving the wall");
  close(away.state.position, -1.189258104, 1e-7, "position leaving the wall");

  // Right: x = 0.59, v = 0.05, a = 1: gravity = 0.0025·cos(1.77) = −0.0004947220
  // v' = 0.05 + 0.0015 + 0.0004947220 = 0.0519947220; x' = 0.6419947 → 0.6, velocity kept;
  // x' ≥ 0.45 and v' ≥ 0: terminated, reward = 100 − 0.1 = 99.9
  const right = stepFrom(0.59, 0.05, 1);
  assert.equal(right.state.position, f32(0.6));
  close(right.state.velocity, 0.051994722, 1e-9, "velocity at the right wall");
  assert.equal(right.terminated, true);
  close(right.reward, 99.9, 1e-12, "reward at the goal");
});

Deno.test("step: the speed clip at ±0.07 binds before the position update", () => {
  // x = −0.8, v = 0.0695, a = 1: gravity = 0.0025·cos(−2.4) = −0.0018434843
  // v' = 0.0695 + 0.0015 + 0.0018434843 = 0.0728434843 → 0.07 (float32: 0.0700000003)
  // x' = −0.8 + 0.07 = −0.73 (the clipped speed is used)
  const up = stepFrom(-0.8, 0.0695, 1);
  assert.equal(up.state.velocity, f32(0.07));
  assert.equal(up.state.position, f32(f32(-0.8) + f32(0.07)));
  close(up.state.position, -0.73, 1e-7, "position");
  // Mirror: x = 0.2, v = −0.0695, a = −1: gravity = 0.0025·cos(0.6) = 0.0020633838
  // v' = −0.0695 − 0.0015 − 0.0020633838 = −0.0730633838 → −0.07, x' = 0.13
  const down = stepFrom(0.2, -0.0695, -1);
  assert.equal(down.state.velocity, f32(-0.07));
  close(down.state.position, 0.13, 1e-7, "position mirrored");
});

Deno.test("step: terminates when x ≥ 0.45 and v ≥ 0, comparing in float32 as numpy does", () => {
  // x = 0.5, v = −0.01, a = −1: past the goal but moving back: not terminated.
  const back = stepFrom(0.5, -0.01, -1);
  assert.ok(back.state.position >= 0.45 && back.state.velocity < 0);
  assert.equal(back.terminated, false);
  close(back.reward, -0.1, 1e-12, "reward without the goal bonus");
  // Landing exactly on float32(0.45) = 0.449999988 with v' = 0 (v = −increment, values from Gymnasium):
  // numpy compares the float32 position with 0.45 cast to float32, so the episode ends although
  // 0.449999988 < 0.45 in float64.
  const x = f32(0.45);
  const onGoal = stepFrom(x, f32(0.000547517), 0);
  assert.equal(onGoal.state.position, x);
  assert.equal(onGoal.state.velocity, 0);
  assert.equal(onGoal.terminated, true);
  assert.equal(onGoal.reward, 100);
  // One float32 ulp less velocity: v' = −5.8e-11 < 0, not terminated.
  const slower = stepFrom(x, f32(0.0005475169), 0);
  assert.ok(slower.state.velocity < 0);
  assert.equal(slower.terminated, false);
  assert.equal(slower.reward, 0);
  // One float32 below 0.45: never terminated.
  assert.equal(stepFrom(f32(0.44999996), f32(0.000547517), 0).terminated, false);
});

Deno.test("step: goalVelocity raises the velocity needed at the goal", () => {
  const picky = mountainCar({ goalVelocity: 0.06 });
  // v' = 0.0519947 < 0.06 at x' = 0.6: not terminated with goalVelocity 0.06 (terminated with the default).
  const r = picky.step({ position: 0.59, velocity: 0.05, steps: 0 }, Float32Array.of(1));
  assert.equal(r.terminated, false);
  close(r.reward, -0.1, 1e-12, "reward");
  assert.equal(
    picky.step({ position: 0.59, velocity: 0.069, steps: 0 }, Float32Array.of(1)).terminated,
    true,
  );
  assert.throws(() => mountainCar({ goalVelocity: NaN }), RangeError);
});

Deno.test("step: truncates exactly at the 999th step", () => {
  assert.equal(stepFrom(-0.5, 0, 0.5, 997).truncated, false);
  const last = stepFrom(-0.5, 0, 0.5, 998);
  assert.equal(last.truncated, true);
  assert.equal(last.terminated, false);
  assert.equal(last.state.steps, 999);
  // Reaching the goal on the 999th step: terminated and truncated at once, as Gymnasium's TimeLimit.
  const both = stepFrom(0.59, 0.05, 1, 998);
  assert.equal(both.terminated, true);
  assert.equal(both.truncated, true);
});

Deno.test("step: a constant action from reset runs 999 steps and is truncated at the 999th only", () => {
  const { state } = env.reset(keyFromSeed(7));
  const results = rollout(state, 999, () => 0.5);
  const truncatedAt = results.flatMap((r, t) => (r.truncated ? [t + 1] : []));
  assert.deepEqual(truncatedAt, [999]);
  assert.ok(results.every((r) => !r.terminated), "0.5 of the force never climbs the hill");
  assert.equal(results[998].state.steps, 999);
  for (const r of results) close(r.reward, -0.025, 1e-9, "reward −0.1·0.5²");
});

Deno.test("step: pumping energy (a = sign v) reaches the goal and terminates", () => {
  const { state } = env.reset(keyFromSeed(1));
  const results = rollout(state, 999, (s) => (s.velocity < 0 ? -1 : 1));
  const end = results.findIndex((r) => r.terminated);
  assert.ok(end > 0 && end < 200, `terminated at step ${end + 1}`);
  assert.ok(results[end].state.position >= f32(0.45) && results[end].state.velocity >= 0);
  close(results[end].reward, 99.9, 1e-12, "goal reward");
  assert.ok(results.slice(0, end).every((r) => r.reward === -0.1 && !r.terminated));
});

Deno.test("step: observations stay in the box over random rollouts", () => {
  // Actions uniform in [−3, 3] from the key; the box is Gymnasium's float32 observation space.
  for (const key of split(keyFromSeed(11), 8)) {
    const [keyReset, keyActions] = split(key);
    const actions = uniform(keyActions, 999, { low: -3, high: 3 });
    const results = rollout(env.reset(keyReset).state, 999, (_, t) => actions[t]);
    for (const { observation: [x, v], state } of results) {
      assert.ok(x >= f32(-1.2) && x <= f32(0.6), `position ${x}`);
      assert.ok(v >= f32(-0.07) && v <= f32(0.07), `velocity ${v}`);
      assert.ok(!(x === f32(-1.2) && v < 0), "no leftward velocity on the left wall");
      assertObservation(Float32Array.of(x, v), state);
    }
  }
});

Deno.test("step: does not mutate its inputs", () => {
  const state = { position: -1.19, velocity: -0.05, steps: 12 };
  const action = Float32Array.of(-5);
  const r = env.step(state, action);
  assert.deepEqual(state, { position: -1.19, velocity: -0.05, steps: 12 });
  assert.deepEqual([...action], [-5]);
  assert.notEqual(r.state, state);
  assert.ok(Object.isFrozen(r.state));
  assert.deepEqual(env.step(state, action), r);
});

Deno.test("step: rejects NaN and wrong-length actions", () => {
  const state = { position: -0.5, velocity: 0, steps: 0 };
  assert.throws(() => env.step(state, Float32Array.of(NaN)), { name: "RangeError", message: /NaN/ });
  assert.throws(() => env.step(state, new Float32Array(0)), { name: "RangeError", message: /length 0/ });
  assert.throws(() => env.step(state, Float32Array.of(1, 2)), { name: "RangeError", message: /length 2/ });
});

Deno.test("reset: a pure function of the key", () => {
  const [k1, k2] = split(keyFromSeed(42));
  const a = env.reset(k1);
  assert.deepEqual(env.reset(k1), a);
  assert.equal(a.state.velocity, 0);
  assert.equal(a.state.steps, 0);
  assert.ok(Object.isFrozen(a.state));
  assert.deepEqual([...a.observation], [f32(a.state.position), 0]);
  assert.notEqual(env.reset(k2).state.position, a.state.position);
});

Deno.test("reset: x ~ U[−0.6, −0.4) and v = 0 over 2000 keys", () => {
  const n = 2000;
  const xs: number[] = [];
  for (const key of split(keyFromSeed(0), n)) {
    const { state } = env.reset(key);
    assert.ok(state.position >= -0.6 && state.position < -0.4, `position ${state.position}`);
    assert.equal(state.velocity, 0);
    xs.push(state.position);
  }
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
  // U[−0.6, −0.4): mean −0.5 with standard error 0.2/√(12n); variance 0.04/12 with standard error ≈ 0.04·√(1/(180n)).
  close(mean, -0.5, 5 * 0.2 / Math.sqrt(12 * n), "mean");
  close(variance, 0.04 / 12, 5 * 0.04 * Math.sqrt(1 / (180 * n)), "variance");
  // Like Gymnasium's float64 reset state, the positions are float64 numbers (53 random bits), not float32 ones,
  // so the first step runs in float64 arithmetic.
  assert.ok(xs.every((x) => f32(x) !== x));
});

Deno.test("rollouts from the same key are identical, bit for bit", () => {
  const run = (key: Key) => {
    const [keyReset, keyActions] = split(key);
    const actions = uniform(keyActions, 999, { low: -2, high: 2 });
    const start = env.reset(keyReset);
    const results = rollout(start.state, 999, (_, t) => actions[t]);
    const observations = [start.observation, ...results.map((r) => r.observation)];
    return {
      observations: observations.map((o) => [...new Uint8Array(o.buffer)]),
      rewards: [...new Uint8Array(Float64Array.from(results, (r) => r.reward).buffer)],
      flags: results.map((r) => [r.terminated, r.truncated]),
    };
  };
  const a = run(keyFromSeed(5));
  assert.deepEqual(run(keyFromSeed(5)), a);
  assert.notDeepEqual(run(keyFromSeed(6)), a);
});

function checkCase(c: GymCase, dtype: "float32" | "float64"): void {
  const [label, position, velocity, steps, action, ...expected] = c;
  const [obsPosition, obsVelocity, reward, terminated, truncated] = expected;
  // A float32 case holds Gymnasium's float32 state, written in shortest form: round it back to float32.
  const state = dtype === "float32"
    ? { position: f32(position), velocity: f32(velocity), steps }
    : { position, velocity, steps };
  const what = `${label}: ${dtype} state (${position}, ${velocity}), steps ${steps}, action ${action}`;
  const r = env.step(state, Float32Array.of(action));
  close(r.observation[0], f32(obsPosition), 1e-5, `${what}: position`);
  close(r.observation[1], f32(obsVelocity), 1e-5, `${what}: velocity`);
  close(r.reward, reward, 1e-5, `${what}: reward`);
  assert.equal(r.terminated, terminated, `${what}: terminated`);
  assert.equal(r.truncated, truncated, `${what}: truncated`);
}

Deno.test("Gymnasium 1.3.0: every recorded transition matches (observation and reward to 1e-5, flags exactly)", () => {
  assert.ok(float32Cases.length + float64Cases.length >= 250);
  const labels = [...new Set([...float32Cases, ...float64Cases].map((c) => c[0]))].sort();
  assert.equal(
    labels.join(" "),
    "action at-goal at-wall full goal rand rand64 reset right-wall speed-clip time-limit wall",
  );
  for (const c of float32Cases) checkCase(c, "float32");
  for (const c of float64Cases) {
    // Not a float32 pair, so `step` uses float64 arithmetic, as Gymnasium does for its float64 state.
    assert.notEqual(f32(c[1]), c[1], `${c[0]}: a float64 case whose position is a float32 number`);
    checkCase(c, "float64");
  }
});

Deno.test("Gymnasium 1.3.0: a 999-step rollout from a float64 reset state matches step by step", () => {
  const recorded = gymnasium.rollout;
  const words = (s: string) => s.split(" ").map(Number);
  const actions = words(recorded.actionHundredths).map((k) => k / 100);
  const positions = words(recorded.positions);
  const velocities = words(recorded.velocities);
  const rewards = words(recorded.rewards);
  for (const list of [actions, positions, velocities, rewards]) assert.equal(list.length, 999);
  assert.notEqual(f32(recorded.position), recorded.position); // float64, as after Gymnasium's reset

  let state: MountainCarState = { position: recorded.position, velocity: recorded.velocity, steps: 0 };
  const terminatedAt: number[] = [];
  const truncatedAt: number[] = [];
  let wallHits = 0;
  for (let t = 0; t < 999; t++) {
    const r = env.step(state, Float32Array.of(actions[t]));
    close(r.observation[0], positions[t], 1e-5, `step ${t + 1}: position`);
    close(r.observation[1], velocities[t], 1e-5, `step ${t + 1}: velocity`);
    close(r.reward, rewards[t], 1e-5, `step ${t + 1}: reward`);
    if (r.terminated) terminatedAt.push(t + 1);
    if (r.truncated) truncatedAt.push(t + 1);
    if (r.state.position === f32(-1.2)) wallHits++;
    state = r.state;
  }
  assert.deepEqual(terminatedAt, recorded.terminatedAt);
  assert.deepEqual(truncatedAt, recorded.truncatedAt);
  assert.ok(wallHits >= 1, "the rollout visits the left wall");
});
