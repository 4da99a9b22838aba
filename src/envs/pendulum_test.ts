import assert from "node:assert/strict";
import { keyFromSeed, split } from "../core/rng.ts";
import { angleNormalize, pendulum, type PendulumState } from "./pendulum.ts";

const env = pendulum();

function close(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: expected ${expected} ± ${tol}, got ${actual}`);
}

function stepFrom(theta: number, thetaDot: number, action: number, steps = 0) {
  return env.step({ theta, thetaDot, steps }, Float32Array.of(action));
}

/** The observation must be exactly the float32 rounding of [cos θ, sin θ, θ̇] of the new state. */
function assertObservation(obs: Float32Array, state: PendulumState): void {
  assert.ok(obs instanceof Float32Array);
  assert.equal(obs.length, 3);
  assert.equal(obs[0], Math.fround(Math.cos(state.theta)));
  assert.equal(obs[1], Math.fround(Math.sin(state.theta)));
  assert.equal(obs[2], Math.fround(state.thetaDot));
}

Deno.test("pendulum: spaces and id match Gymnasium's Pendulum-v1", () => {
  assert.equal(env.id, "Pendulum-v1");
  assert.equal(env.observationSize, 3);
  assert.equal(env.actionSize, 1);
  assert.deepEqual(env.actionLow, [-2]);
  assert.deepEqual(env.actionHigh, [2]);
  assert.equal(env.maxEpisodeSteps, 200);
});

Deno.test("angleNormalize wraps into [−π, π) with floor-modulo semantics", () => {
  // ((x + π) mod 2π) − π; for negative x + π the floor modulo adds 2π where JS `%` would stay negative.
  close(angleNormalize(1), 1, 1e-15, "1");
  close(angleNormalize(-1), -1, 1e-15, "-1");
  close(angleNormalize(-4), -4 + 2 * Math.PI, 1e-15, "-4"); // ≈ 2.2831853
  close(angleNormalize(7), 7 - 2 * Math.PI, 1e-15, "7"); // ≈ 0.7168147
  close(angleNormalize(-7), -7 + 2 * Math.PI, 1e-15, "-7"); // ≈ -0.7168147
  close(angleNormalize(-20), -20 + 6 * Math.PI, 1e-14, "-20"); // ≈ -1.1504440
  assert.equal(angleNormalize(Math.PI), -Math.PI); // (2π mod 2π) − π = −π: the interval is half-open
  assert.equal(angleNormalize(-Math.PI), -Math.PI);
  assert.ok(Object.is(angleNormalize(0), 0));
  // Python's float `%` rounds −4.4e-16 + 2π up to 2π here, so Gymnasium returns +π; so do we.
  assert.equal(angleNormalize(-Math.PI - 2 ** -51), Math.PI);
  for (let x = -50; x <= 50; x += 0.37) {
    const y = angleNormalize(x);
    assert.ok(y >= -Math.PI && y < Math.PI, `angleNormalize(${x}) = ${y}`);
    const turns = (x - y) / (2 * Math.PI);
    close(turns, Math.round(turns), 1e-12, `whole turns for ${x}`);
  }
});

Deno.test("step: a generic state, derived by hand", () => {
  // θ = 1, θ̇ = 0.5, u = 1.
  // cost = 1² + 0.1·0.5² + 0.001·1² = 1 + 0.025 + 0.001 = 1.026  →  reward = −1.026
  // θ̇' = 0.5 + (3·10/2 · sin 1 + 3·1)·0.05 = 0.5 + (15·0.8414709848 + 3)·0.05
  //    = 0.5 + (12.6220647721 + 3)·0.05 = 0.5 + 0.7811032386 = 1.2811032386   (|θ̇'| < 8, no clip)
  // θ'  = 1 + 1.2811032386·0.05 = 1.0640551619
  // obs = [cos 1.0640551619, sin 1.0640551619, 1.2811032386] ≈ [0.4853305, 0.8743308, 1.2811032]
  const r = stepFrom(1, 0.5, 1);
  close(r.reward, -1.026, 1e-6, "reward");
  close(r.state.thetaDot, 1.2811032386, 1e-9, "thetaDot");
  close(r.state.theta, 1.0640551619, 1e-9, "theta");
  close(r.observation[0], 0.4853305, 1e-6, "cos");
  close(r.observation[1], 0.8743308, 1e-6, "sin");
  close(r.observation[2], 1.2811032, 1e-6, "thetaDot obs");
  assert.equal(r.state.steps, 1);
  assert.equal(r.terminated, false);
  assert.equal(r.truncated, false);
  assertObservation(r.observation, r.state);
});

Deno.test("step: negative θ beyond −π is wrapped in the reward but not in the state", () => {
  // θ = −4, θ̇ = −1, u = 0.5.
  // angleNormalize(−4) = ((−4 + π) mod 2π) − π = (−0.8584073464 + 6.2831853072) − π = 2.2831853072
  // cost = 2.2831853072² + 0.1·(−1)² + 0.001·0.5² = 5.2129351469 + 0.1 + 0.00025 = 5.3131851469
  // reward = −5.3131851469 (without the wrap, (−4)² would give −16.10025)
  // θ̇' = −1 + (15·sin(−4) + 3·0.5)·0.05 = −1 + (15·0.7568024953 + 1.5)·0.05
  //    = −1 + (11.3520374296 + 1.5)·0.05 = −1 + 0.6426018715 = −0.3573981285
  // θ'  = −4 + (−0.3573981285)·0.05 = −4.0178699064   (stays below −π: the state is not wrapped)
  const r = stepFrom(-4, -1, 0.5);
  close(r.reward, -5.3131851469, 1e-6, "reward");
  close(r.state.thetaDot, -0.3573981285, 1e-9, "thetaDot");
  close(r.state.theta, -4.0178699064, 1e-9, "theta");
  assertObservation(r.observation, r.state);
  close(r.observation[0], -0.64001599, 1e-6, "cos");
  close(r.observation[1], 0.76836157, 1e-6, "sin");

  // θ = 7 > π, θ̇ = 2, u = −1: angleNormalize(7) = 7 − 2π = 0.7168146928
  // cost = 0.7168146928² + 0.1·4 + 0.001·1 = 0.5138233038 + 0.4 + 0.001 = 0.9148233038
  // θ̇' = 2 + (15·sin 7 − 3)·0.05 = 2 + (15·0.6569865987 − 3)·0.05 = 2 + 6.8547989810·0.05 = 2.3427399490
  // θ'  = 7 + 2.3427399490·0.05 = 7.1171369975
  const s = stepFrom(7, 2, -1);
  close(s.reward, -0.9148233038, 1e-6, "reward θ=7");
  close(s.state.thetaDot, 2.342739949, 1e-9, "thetaDot θ=7");
  close(s.state.theta, 7.1171369975, 1e-9, "theta θ=7");
  assertObservation(s.observation, s.state);
});

Deno.test("step: actions outside ±2 act as ±2 in the dynamics and in the reward", () => {
  // θ = 0.5, θ̇ = 0, action 5 → u = 2.
  // cost = 0.25 + 0 + 0.001·2² = 0.254 (not 0.001·25 = 0.025 more)
  // θ̇' = 0 + (15·sin 0.5 + 3·2)·0.05 = (15·0.4794255386 + 6)·0.05 = (7.1913830790 + 6)·0.05 = 0.6595691540
  // θ'  = 0.5 + 0.6595691540·0.05 = 0.5329784577
  const high = stepFrom(0.5, 0, 5);
  const two = stepFrom(0.5, 0, 2);
  close(high.reward, -0.254, 1e-6, "reward at 5");
  close(high.state.thetaDot, 0.659569154, 1e-9, "thetaDot at 5");
  close(high.state.theta, 0.5329784577, 1e-9, "theta at 5");
  assert.deepEqual(high, two);

  // Mirror image: θ = −0.5, action −7 → u = −2, cost = 0.254, θ̇' = −0.6595691540, θ' = −0.5329784577.
  const low = stepFrom(-0.5, 0, -7);
  close(low.reward, -0.254, 1e-6, "reward at -7");
  close(low.state.thetaDot, -0.659569154, 1e-9, "thetaDot at -7");
  close(low.state.theta, -0.5329784577, 1e-9, "theta at -7");
  assert.deepEqual(low, stepFrom(-0.5, 0, -2));

  // ±∞ clip as well.
  assert.deepEqual(stepFrom(0.5, 0, Infinity), two);
});

Deno.test("step: the speed clip at ±8 binds", () => {
  // θ = π/2, θ̇ = 7.9, u = 2.
  // cost = (π/2)² + 0.1·7.9² + 0.001·4 = 2.4674011003 + 6.241 + 0.004 = 8.7124011003
  // θ̇' = 7.9 + (15·1 + 6)·0.05 = 7.9 + 1.05 = 8.95 → clipped to 8
  // θ'  = π/2 + 8·0.05 = 1.5707963268 + 0.4 = 1.9707963268   (the clipped speed is used)
  const up = stepFrom(Math.PI / 2, 7.9, 2);
  close(up.reward, -8.7124011003, 1e-6, "reward");
  assert.equal(up.state.thetaDot, 8);
  close(up.state.theta, Math.PI / 2 + 0.4, 1e-12, "theta");
  assert.equal(up.observation[2], 8);
  // Mirror image: θ̇' = −7.9 − 1.05 = −8.95 → −8, θ' = −π/2 − 0.4.
  const down = stepFrom(-Math.PI / 2, -7.9, -2);
  close(down.reward, -8.7124011003, 1e-6, "reward mirrored");
  assert.equal(down.state.thetaDot, -8);
  close(down.state.theta, -Math.PI / 2 - 0.4, 1e-12, "theta mirrored");
});

Deno.test("step: gravity is configurable", () => {
  // g = 9.81, θ = −4, θ̇ = −1, u = 0.5: θ̇' = −1 + (3·9.81/2·0.7568024953 + 1.5)·0.05
  //   = −1 + (14.715·0.7568024953 + 1.5)·0.05 = −1 + 12.6363487·0.05 = −0.3681825641
  const r = pendulum({ g: 9.81 }).step({ theta: -4, thetaDot: -1, steps: 0 }, Float32Array.of(0.5));
  close(r.state.thetaDot, -0.3681825641, 1e-9, "thetaDot");
  close(r.reward, -5.3131851469, 1e-6, "reward does not depend on g");
  assert.throws(() => pendulum({ g: NaN }), RangeError);
});

Deno.test("step: truncates exactly at the 200th step and never terminates", () => {
  assert.equal(stepFrom(0.1, 0, 0, 198).truncated, false);
  const last = stepFrom(0.1, 0, 0, 199);
  assert.equal(last.truncated, true);
  assert.equal(last.state.steps, 200);
  assert.equal(last.terminated, false);

  // A full episode from reset: only the 200th transition is truncated.
  let state = env.reset(keyFromSeed(3)).state;
  const truncatedAt: number[] = [];
  for (let t = 1; t <= 200; t++) {
    const r = env.step(state, Float32Array.of(t % 2 === 0 ? 2 : -2));
    assert.equal(r.terminated, false);
    if (r.truncated) truncatedAt.push(t);
    state = r.state;
  }
  assert.deepEqual(truncatedAt, [200]);
  assert.equal(state.steps, 200);
});

Deno.test("step: does not mutate its inputs", () => {
  const state = { theta: -4, thetaDot: 7.9, steps: 12 };
  const action = Float32Array.of(5);
  const r = env.step(state, action);
  assert.deepEqual(state, { theta: -4, thetaDot: 7.9, steps: 12 });
  assert.deepEqual([...action], [5]);
  assert.notEqual(r.state, state);
  // Stepping the same state twice gives the same result.
  assert.deepEqual(env.step(state, action), r);
});

Deno.test("step: rejects NaN and wrong-length actions", () => {
  const state = { theta: 0, thetaDot: 0, steps: 0 };
  assert.throws(() => env.step(state, Float32Array.of(NaN)), { name: "RangeError", message: /NaN/ });
  assert.throws(() => env.step(state, new Float32Array(0)), { name: "RangeError", message: /length 1/ });
  assert.throws(() => env.step(state, Float32Array.of(1, 2)), { name: "RangeError", message: /length 2/ });
});

Deno.test("reset: a pure function of the key", () => {
  const [k1, k2] = split(keyFromSeed(42));
  const a = env.reset(k1);
  const b = env.reset(k1);
  assert.deepEqual(a, b);
  assert.equal(a.state.steps, 0);
  assertObservation(a.observation, a.state);
  const c = env.reset(k2);
  assert.notEqual(c.state.theta, a.state.theta);
  assert.notEqual(c.state.thetaDot, a.state.thetaDot);
});

Deno.test("reset: θ ~ U[−π, π) and θ̇ ~ U[−1, 1) over 2000 keys", () => {
  const n = 2000;
  const thetas: number[] = [];
  const speeds: number[] = [];
  for (const key of split(keyFromSeed(0), n)) {
    const { state } = env.reset(key);
    assert.ok(state.theta >= -Math.PI && state.theta < Math.PI, `theta ${state.theta}`);
    assert.ok(state.thetaDot >= -1 && state.thetaDot < 1, `thetaDot ${state.thetaDot}`);
    thetas.push(state.theta);
    speeds.push(state.thetaDot);
  }
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const variance = (xs: number[]) => {
    const m = mean(xs);
    return xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
  };
  // U[−a, a): mean 0 with standard error a/√(3n); variance a²/3 with standard error ≈ a²·√(4/(45n)).
  for (const [xs, a, what] of [[thetas, Math.PI, "theta"], [speeds, 1, "thetaDot"]] as const) {
    close(mean(xs), 0, 5 * a / Math.sqrt(3 * n), `${what} mean`);
    close(variance(xs), a * a / 3, 5 * a * a * Math.sqrt(4 / (45 * n)), `${what} variance`);
  }
});
