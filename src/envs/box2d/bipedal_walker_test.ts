import assert from "node:assert/strict";
import { bipedalWalker, type BipedalWalkerView } from "./bipedal_walker.ts";
import type { EnvSession, SessionStep } from "../session.ts";
import { keyFromSeed, split, uniform } from "../../core/rng.ts";

const SCALE = 30;
const TERRAIN_HEIGHT = 400 / SCALE / 4;
const LIDAR_RANGE = 160 / SCALE;
const END_X = (200 - 10) * (14 / SCALE);
/** Gymnasium's observation_space bounds (hull, leg 0, leg 1, lidar). */
const OBS_HIGH = [
  Math.PI,
  5,
  5,
  5,
  ...[Math.PI, 5, Math.PI, 5, 5],
  ...[Math.PI, 5, Math.PI, 5, 5],
  ...Array(10).fill(1),
];
const OBS_LOW = OBS_HIGH.map((h, i) => (i === 8 || i === 13 ? 0 : -h));

function view(session: EnvSession): BipedalWalkerView {
  return session.view() as BipedalWalkerView;
}

interface Episode {
  readonly steps: number;
  readonly ret: number;
  readonly last: SessionStep;
  readonly end: BipedalWalkerView;
}

/** Runs until the episode ends (or `limit` steps) with actions from `policy`. */
function run(
  session: EnvSession,
  seed: number,
  policy: (observation: Float32Array, t: number) => ArrayLike<number>,
  limit = 1600,
): Episode {
  let observation = session.reset(keyFromSeed(seed));
  let ret = 0;
  let steps = 0;
  let last: SessionStep | undefined;
  while (steps < limit) {
    last = session.step(Float32Array.from(policy(observation, steps)));
    steps += 1;
    ret += last.reward;
    observation = last.observation;
    if (last.terminated || last.truncated) break;
  }
  return { steps, ret, last: last!, end: view(session) };
}

/**
 * Gymnasium's demo controller for BipedalWalker (`BipedalWalkerHeuristics`), rewritten: a three-phase gait.
 * The moving leg swings forward (hip to 1.1, knee folded) while the supporting leg stands, until the supporting
 * hip has swept behind; then the moving leg reaches down until its foot touches; then the supporting knee
 * pushes off until it is straight enough or the walker is fast, and the legs swap roles. Hips and knees are
 * driven by PD terms, plus a hull-levelling term on the hips and vertical damping on the knees.
 */
function heuristicController(): (s: Float32Array) => Float32Array {
  const SPEED = 0.29; // faster makes it fall forward
  const SUPPORT_KNEE = 0.1;
  let phase: "swing" | "reach" | "push" = "swing";
  let moving = 0;
  let supportKnee = SUPPORT_KNEE;
  return (s) => {
    const supporting = 1 - moving;
    const mv = 4 + 5 * moving; // base index of the moving leg's five observations
    const sp = 4 + 5 * supporting;
    const hipTarget: (number | undefined)[] = [undefined, undefined];
    const kneeTarget: (number | undefined)[] = [undefined, undefined];
    if (phase === "swing") {
      hipTarget[moving] = 1.1;
      kneeTarget[moving] = -0.6;
      supportKnee += 0.03;
      if (s[2] > SPEED) supportKnee += 0.03; // bend the supporting knee back faster when fast
      supportKnee = Math.min(supportKnee, SUPPORT_KNEE);
      kneeTarget[supporting] = supportKnee;
      if (s[sp] < 0.1) phase = "reach";
    }
    if (phase === "reach") {
      hipTarget[moving] = 0.1;
      kneeTarget[moving] = SUPPORT_KNEE;
      kneeTarget[supporting] = supportKnee;
      if (s[mv + 4] !== 0) {
        phase = "push";
        supportKnee = Math.min(s[mv + 2], SUPPORT_KNEE);
      }
    }
    if (phase === "push") {
      kneeTarget[moving] = supportKnee;
      kneeTarget[supporting] = 1;
      if (s[sp + 2] > 0.88 || s[2] > 1.2 * SPEED) {
        phase = "swing";
        moving = supporting;
      }
    }
    // The original tests targets for truthiness, so a target of exactly 0 counts as none.
    const pd = (target: number | undefined, gain: number, angle: number, speed: number) =>
      target === undefined || target === 0 ? 0 : gain * (target - angle) - 0.25 * speed;
    const level = 0.9 * (0 - s[0]) - 1.5 * s[1];
    const hips = [pd(hipTarget[0], 0.9, s[4], s[5]) - level, pd(hipTarget[1], 0.9, s[9], s[10]) - level];
    const knees = [
      pd(kneeTarget[0], 4, s[6], s[7]) - 15 * s[3],
      pd(kneeTarget[1], 4, s[11], s[12]) - 15 * s[3],
    ];
    return Float32Array.from(
      [hips[0], knees[0], hips[1], knees[1]],
      (u) => Math.min(Math.max(0.5 * u, -1), 1),
    );
  };
}

Deno.test("bipedalWalker: spec matches Gymnasium's BipedalWalker-v3", () => {
  const env = bipedalWalker();
  assert.equal(env.id, "BipedalWalker-v3");
  assert.equal(env.observationSize, 24);
  assert.equal(env.actionSize, 4);
  assert.deepEqual(env.actionLow, [-1, -1, -1, -1]);
  assert.deepEqual(env.actionHigh, [1, 1, 1, 1]);
  assert.equal(env.maxEpisodeSteps, 1600);
});

Deno.test("bipedalWalker: reset observation layout, bounds, lidar geometry and leg contacts", () => {
  for (const seed of [0, 1, 2]) {
    const session = bipedalWalker().open();
    const obs = session.reset(keyFromSeed(seed));
    const v = view(session);
    assert.ok(obs instanceof Float32Array);
    assert.equal(obs.length, 24);
    for (let i = 0; i < 24; i++) {
      assert.ok(obs[i] >= OBS_LOW[i] && obs[i] <= OBS_HIGH[i], `obs[${i}] = ${obs[i]} out of bounds`);
    }
    assert.ok(Math.abs(obs[0]) < 0.02, `hull angle ${obs[0]}`);
    assert.equal(obs[0], Math.fround(v.hull.angle));
    assert.ok(Math.abs(obs[1]) < 0.01 && Math.abs(obs[2]) < 0.05, `hull speeds ${obs.slice(1, 4)}`);
    // Hips start near 0 (the legs are built at ±0.05 rad); knees (angle + 1) inside their limits [-0.6, 0.9].
    for (const base of [4, 9]) {
      assert.ok(Math.abs(obs[base]) < 0.2, `hip ${obs[base]}`);
      assert.ok(obs[base + 2] > -0.61 && obs[base + 2] < 0.91, `knee ${obs[base + 2]}`);
    }
    // The first step pulls the legs onto their hip anchors, so both feet land on the start pad at once.
    assert.equal(obs[8], 1);
    assert.equal(obs[13], 1);
    assert.deepEqual(v.groundContact, [true, true]);
    // The start pad is flat at TERRAIN_HEIGHT: ray i, at 0.15·i rad from straight down, hits it at
    // (hull height)/cos(0.15·i), as a fraction of the range.
    for (let i = 0; i < 7; i++) {
      const expected = (v.hull.y - TERRAIN_HEIGHT) / Math.cos(0.15 * i) / LIDAR_RANGE;
      assert.ok(Math.abs(obs[14 + i] - expected) < 1e-5, `lidar ${i}: ${obs[14 + i]} vs ${expected}`);
      assert.ok(Math.abs(v.lidar[i].y2 - TERRAIN_HEIGHT) < 1e-6);
    }
    for (let i = 14; i < 24; i++) assert.ok(obs[i] > 0 && obs[i] <= 1);
    assert.equal(obs[23], 1, "the most forward ray does not reach the ground");
    session.dispose();
  }
});

Deno.test("bipedalWalker: terrain is a flat start pad, then a bounded random walk, 14/30 apart", () => {
  const session = bipedalWalker().open();
  session.reset(keyFromSeed(3));
  const { terrain } = view(session);
  assert.equal(terrain.x.length, 200);
  assert.equal(terrain.y.length, 200);
  for (let i = 0; i < 200; i++) assert.ok(Math.abs(terrain.x[i] - (i * 14) / SCALE) < 1e-12);
  for (let i = 0; i <= 20; i++) assert.equal(terrain.y[i], TERRAIN_HEIGHT);
  assert.notEqual(terrain.y[21], TERRAIN_HEIGHT);
  for (const y of terrain.y) assert.ok(Math.abs(y - TERRAIN_HEIGHT) < 3, `terrain height ${y}`);
  session.reset(keyFromSeed(4));
  assert.notDeepEqual(view(session).terrain.y, terrain.y);
});

Deno.test("bipedalWalker: the same key and actions give identical episodes; other keys differ", () => {
  const actions = uniform(keyFromSeed(99), 4 * 200, { low: -1, high: 1 });
  const record = (session: EnvSession, seed: number) => {
    const out: number[] = [...session.reset(keyFromSeed(seed))];
    for (let t = 0; t < 200; t++) {
      const r = session.step(actions.subarray(4 * t, 4 * t + 4));
      out.push(...r.observation, r.reward, r.terminated ? 1 : 0);
      if (r.terminated) break;
    }
    return new Float64Array(out);
  };
  const a = bipedalWalker().open();
  const first = record(a, 5);
  // A second reset of the same session forgets the first world entirely.
  const again = record(a, 5);
  const fresh = record(bipedalWalker().open(), 5);
  assert.deepEqual(new Uint8Array(again.buffer), new Uint8Array(first.buffer));
  assert.deepEqual(new Uint8Array(fresh.buffer), new Uint8Array(first.buffer));
  const other = record(bipedalWalker().open(), 6);
  assert.notDeepEqual(other.slice(0, 24), first.slice(0, 24));
});

Deno.test("bipedalWalker: with zero actions the walker kneels and falls on its hull (−100)", () => {
  for (const seed of [0, 1, 2]) {
    let kneeled = false;
    const ep = run(bipedalWalker().open(), seed, (s) => {
      if (s[6] < -0.55 && s[11] < -0.55) kneeled = true; // knees at their limit −1.6
      return [0, 0, 0, 0];
    });
    assert.ok(kneeled, "the motors give no torque, so the knees fold to their limit");
    assert.ok(ep.last.terminated && !ep.last.truncated);
    assert.equal(ep.last.reward, -100);
    assert.ok(ep.end.gameOver);
    assert.ok(ep.steps > 80 && ep.steps < 200, `fell after ${ep.steps} steps`);
  }
});

Deno.test("bipedalWalker: a strongly asymmetric constant action makes it fall with −100", () => {
  for (const seed of [0, 1]) {
    // Leg 0 swings forward and straightens, leg 1 swings back and folds: the walker topples backwards.
    const ep = run(bipedalWalker().open(), seed, () => [1, 1, -1, -1]);
    assert.ok(ep.last.terminated && !ep.last.truncated);
    assert.equal(ep.last.reward, -100);
    assert.ok(ep.end.gameOver);
    assert.ok(ep.steps < 100, `fell after ${ep.steps} steps`);
    assert.ok(Math.abs(ep.end.hull.angle) > 1, `hull angle ${ep.end.hull.angle}`);
  }
});

Deno.test("bipedalWalker: reward is the shaping difference minus 0.028·clip(|a|, 0, 1) per motor", () => {
  const session = bipedalWalker().open();
  session.reset(keyFromSeed(8));
  const shaping = (v: BipedalWalkerView) => (130 * v.hull.x) / SCALE - 5 * Math.abs(v.hull.angle);
  const actions = [[0, 0, 0, 0], [0.5, -2, 0.25, 1], [-1, 1, -0.3, 0], [0.1, 0.2, 0.3, 0.4]];
  for (const a of actions) {
    const before = shaping(view(session));
    const r = session.step(Float32Array.from(a));
    const cost = a.reduce((c, x) => c + 0.00035 * 80 * Math.min(Math.abs(Math.fround(x)), 1), 0);
    const expected = shaping(view(session)) - before - cost;
    assert.ok(!r.terminated);
    assert.ok(Math.abs(r.reward - expected) < 1e-9, `reward ${r.reward} vs ${expected}`);
  }
});

Deno.test("bipedalWalker: an episode that never falls is truncated at step 1600", () => {
  // Pushing only the first hip forward props the walker on one leg; it stays up the whole episode.
  const ep = run(bipedalWalker().open(), 0, () => [1, 0, 0, 0], 2000);
  assert.equal(ep.steps, 1600);
  assert.ok(ep.last.truncated && !ep.last.terminated);
  assert.equal(ep.end.steps, 1600);
});

Deno.test("bipedalWalker: Gymnasium's heuristic controller walks to the end of the track", () => {
  // Gymnasium's demo gait; its author measured ≈315 for successful episodes on Box2D.
  for (const seed of [0, 1]) {
    const control = heuristicController();
    let action: ArrayLike<number> = [0, 0, 0, 0]; // the demo's first action, before it has seen a state
    let maxTilt = 0;
    const ep = run(bipedalWalker().open(), seed, (s, t) => {
      if (t > 0) action = control(s);
      maxTilt = Math.max(maxTilt, Math.abs(s[0]));
      return action;
    });
    const x = ep.end.hull.x.toFixed(2);
    const summary = `seed ${seed}: ${ep.steps} steps, return ${ep.ret.toFixed(1)}, x ${x}`;
    assert.ok(!ep.end.gameOver, `fell: ${summary}`);
    assert.ok(ep.last.terminated && ep.end.hull.x > END_X, `did not reach the end: ${summary}`);
    assert.ok(ep.steps > 1300 && ep.steps < 1600, summary);
    assert.ok(ep.ret > 300 && ep.ret < 330, summary);
    assert.ok(maxTilt < 0.5, `hull tilted by ${maxTilt}`);
  }
});

Deno.test("bipedalWalker: save/load, view and dispose", () => {
  const session = bipedalWalker().open();
  assert.throws(() => session.step(new Float32Array(4)), /before reset/);
  session.reset(keyFromSeed(0));
  assert.equal(session.save(), undefined);
  assert.throws(() => session.load({}), /cannot be/);
  assert.throws(() => session.step(new Float32Array(3)), RangeError);
  session.step(Float32Array.of(0.3, -0.3, 0.3, -0.3));
  const v = view(session);
  assert.equal(v.scale, 30);
  assert.equal(v.legs.length, 4);
  assert.equal(v.lidar.length, 10);
  assert.equal(v.hull.vertices.length, 5);
  assert.equal(v.steps, 1);
  assert.ok(Math.abs(v.hull.x - (14 / SCALE) * 10) < 0.5);
  assert.deepEqual(JSON.parse(JSON.stringify(v)), v, "the view is plain JSON data");
  session.dispose();
  assert.throws(() => session.view(), /before reset/);
});

Deno.test("bipedalWalker: all randomness comes from the key (terrain and the initial push)", () => {
  // Two different keys on the flat start pad: the same terrain there, but different pushes move the hull apart.
  const [k1, k2] = split(keyFromSeed(11));
  const a = bipedalWalker().open();
  const b = bipedalWalker().open();
  a.reset(k1);
  b.reset(k2);
  assert.deepEqual(view(a).terrain.y.slice(0, 21), view(b).terrain.y.slice(0, 21));
  assert.notEqual(view(a).hull.x, view(b).hull.x);
});
