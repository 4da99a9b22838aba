import assert from "node:assert/strict";
import { type Key, keyFromSeed, split, uniform } from "../../core/rng.ts";
import type { EnvSession, SessionStep } from "../session.ts";
import { lunarLanderContinuous, type LunarLanderView } from "./lunar_lander.ts";

type Controller = (observation: Float32Array) => Float32Array;

const clip1 = (x: number) => Math.min(Math.max(x, -1), 1);

/**
 * Gymnasium's `heuristic` for the continuous lander, restated: tilt towards the pad (target angle from the
 * horizontal offset and speed, at most 0.4 rad), hold a height proportional to the horizontal offset, each
 * with a PD term; once a leg touches, only brake the descent. `targetX` and `targetY` move the goal away
 * from the pad (0, 0) for the tests that need the lander to keep flying.
 */
function heuristic(targetX = 0, targetY = 0): Controller {
  return (s) => {
    const x = s[0] - targetX;
    const y = s[1] - targetY;
    const angleTarget = Math.min(Math.max(x * 0.5 + s[2] * 1.0, -0.4), 0.4);
    const hoverTarget = 0.55 * Math.abs(x);
    let angleTodo = (angleTarget - s[4]) * 0.5 - s[5] * 1.0;
    let hoverTodo = (hoverTarget - y) * 0.5 - s[3] * 0.5;
    if (s[6] !== 0 || s[7] !== 0) {
      angleTodo = 0;
      hoverTodo = -s[3] * 0.5;
    }
    return new Float32Array([clip1(hoverTodo * 20 - 1), clip1(-angleTodo * 20)]);
  };
}

/** Actions drawn uniformly from [−1, 1]², one key per step. */
function randomActions(key: Key): Controller {
  let stream = key;
  return () => {
    const [next, sub] = split(stream);
    stream = next;
    return uniform(sub, 2, { low: -1, high: 1 });
  };
}

const constant = (main: number, lateral: number): Controller => () => new Float32Array([main, lateral]);

interface Episode {
  readonly first: Float32Array;
  readonly steps: SessionStep[];
  readonly actions: Float32Array[];
  readonly total: number;
}

function run(session: EnvSession, key: Key, controller: Controller, maxSteps = 2000): Episode {
  const first = session.reset(key);
  const steps: SessionStep[] = [];
  const actions: Float32Array[] = [];
  let observation = first;
  let total = 0;
  while (steps.length < maxSteps) {
    const action = controller(observation);
    const r = session.step(action);
    actions.push(action);
    steps.push(r);
    total += r.reward;
    observation = r.observation;
    if (r.terminated || r.truncated) break;
  }
  return { first, steps, actions, total };
}

/** Gymnasium's shaping potential, recomputed from a (float32) observation. */
function shaping(s: Float32Array): number {
  return -100 * Math.hypot(s[0], s[1]) - 100 * Math.hypot(s[2], s[3]) - 100 * Math.abs(s[4]) + 10 * s[6] +
    10 * s[7];
}

Deno.test("lunar lander: spec of LunarLanderContinuous-v3", () => {
  const source = lunarLanderContinuous();
  assert.equal(source.id, "LunarLanderContinuous-v3");
  assert.equal(source.observationSize, 8);
  assert.equal(source.actionSize, 2);
  assert.deepEqual(source.actionLow, [-1, -1]);
  assert.deepEqual(source.actionHigh, [1, 1]);
  assert.equal(source.maxEpisodeSteps, 1000);
  assert.equal(lunarLanderContinuous({ maxEpisodeSteps: 7 }).maxEpisodeSteps, 7);
  assert.throws(() => lunarLanderContinuous({ maxEpisodeSteps: 0 }), RangeError);
});

Deno.test("lunar lander: reset starts at the top centre, legs free, above a flat pad", () => {
  const session = lunarLanderContinuous().open();
  for (let seed = 0; seed < 5; seed++) {
    const s = session.reset(keyFromSeed(seed));
    assert.ok(s instanceof Float32Array);
    assert.equal(s.length, 8);
    assert.ok(Math.abs(s[0]) < 0.01, `x ${s[0]}`); // one frame of the random push from x = 0
    assert.ok(s[1] > 1.35 && s[1] < 1.45, `y ${s[1]}`); // (13.33 − 3.33 − 0.6) / 6.67 ≈ 1.41
    assert.ok(Math.abs(s[2]) < 1 && Math.abs(s[3]) < 1, `velocity ${s[2]}, ${s[3]}`);
    assert.ok(Math.abs(s[4]) < 0.05 && Math.abs(s[5]) < 1, `angle ${s[4]}, ${s[5]}`);
    assert.deepEqual([s[6], s[7]], [0, 0]);

    const view = session.view() as LunarLanderView;
    assert.equal(view.steps, 0);
    assert.ok(Math.abs(view.lander.x - 10) < 0.1 && Math.abs(view.lander.y - 400 / 30) < 0.1);
    assert.equal(view.legs.length, 2);
    // Gymnasium builds the leg with i = −1 first; its joint anchors put it on the right (+x) of the body.
    assert.ok(Math.abs(view.legs[0].x - view.lander.x - 0.87) < 0.05, `leg 0 at ${view.legs[0].x}`);
    assert.ok(Math.abs(view.legs[1].x - view.lander.x + 0.87) < 0.05, `leg 1 at ${view.legs[1].x}`);
    assert.ok(view.legs.every((leg) => !leg.contact));
    assert.deepEqual([view.helipad.x1, view.helipad.x2, view.helipad.y], [8, 12, 400 / 30 / 4]);
    assert.equal(view.terrain.length, 11);
    assert.deepEqual([view.terrain[0][0], view.terrain[10][0]], [0, 20]);
    // Chunks 4..6 carry the pad; Gymnasium's 0.33 smoothing puts it at 0.99 of the helipad height.
    for (const i of [4, 5, 6]) assert.ok(Math.abs(view.terrain[i][1] - 0.99 * view.helipad.y) < 1e-12);
  }
  session.dispose();
});

Deno.test("lunar lander: an episode is a function of the key and the actions", () => {
  const source = lunarLanderContinuous();
  const a = run(source.open(), keyFromSeed(3), randomActions(keyFromSeed(100)), 300);
  const b = run(source.open(), keyFromSeed(3), randomActions(keyFromSeed(100)), 300);
  const c = run(source.open(), keyFromSeed(4), randomActions(keyFromSeed(100)), 300);
  assert.deepEqual(a.first, b.first);
  assert.equal(a.steps.length, b.steps.length);
  a.steps.forEach((r, t) => {
    assert.deepEqual(new Uint8Array(r.observation.buffer), new Uint8Array(b.steps[t].observation.buffer));
    assert.ok(Object.is(r.reward, b.steps[t].reward));
    assert.equal(r.terminated, b.steps[t].terminated);
  });
  assert.notDeepEqual(a.first, c.first);
  // Re-using one session for another reset gives the same episode as a fresh session.
  const session = source.open();
  run(session, keyFromSeed(9), randomActions(keyFromSeed(5)), 50);
  const again = run(session, keyFromSeed(3), randomActions(keyFromSeed(100)), 300);
  assert.deepEqual(again.steps.map((r) => r.observation), a.steps.map((r) => r.observation));
});

Deno.test("lunar lander: doing nothing, the lander falls and crashes with −100", () => {
  const session = lunarLanderContinuous().open();
  for (let seed = 0; seed < 5; seed++) {
    const { steps } = run(session, keyFromSeed(seed), constant(0, 0));
    const last = steps[steps.length - 1];
    assert.ok(last.terminated && !last.truncated);
    assert.ok(steps.length < 120, `crash after ${steps.length} steps`);
    assert.equal(last.reward, -100);
    assert.ok(last.observation[1] < 0.1, `y ${last.observation[1]}`); // on the ground, not off-screen
    assert.ok(Math.abs(last.observation[0]) < 1);
  }
});

Deno.test("lunar lander: the main engine fires only for main > 0, the sides only for |lateral| > 0.5", () => {
  const source = lunarLanderContinuous();
  const idle = run(source.open(), keyFromSeed(1), constant(0, 0), 40);
  const deadZone = run(source.open(), keyFromSeed(1), constant(-0.7, 0.5), 40);
  assert.deepEqual(deadZone.steps, idle.steps);
  // Actions are clipped to [−1, 1].
  const full = run(source.open(), keyFromSeed(1), constant(1, -1), 40);
  const beyond = run(source.open(), keyFromSeed(1), constant(3, -7), 40);
  assert.deepEqual(beyond.steps, full.steps);
  assert.notDeepEqual(full.steps, idle.steps);
  const session = source.open();
  session.reset(keyFromSeed(1));
  session.step(new Float32Array([0.5, -0.8]));
  assert.deepEqual((session.view() as LunarLanderView).engines, { main: 0.75, side: Math.fround(-0.8) });
});

Deno.test("lunar lander: rewards are the shaping difference minus 0.3 × main and 0.03 × side power", () => {
  const session = lunarLanderContinuous().open();
  const { first, steps, actions } = run(session, keyFromSeed(2), randomActions(keyFromSeed(7)), 200);
  let previous = first;
  let fired = 0;
  steps.forEach((r, t) => {
    if (r.terminated) return;
    const [main, lateral] = Array.from(actions[t], clip1);
    const mainPower = main > 0 ? (main + 1) / 2 : 0;
    const sidePower = Math.abs(lateral) > 0.5 ? Math.abs(lateral) : 0;
    if (mainPower > 0 || sidePower > 0) fired++;
    const expected = shaping(r.observation) - shaping(previous) - 0.3 * mainPower - 0.03 * sidePower;
    assert.ok(Math.abs(r.reward - expected) < 1e-3, `step ${t}: ${r.reward} vs ${expected}`);
    previous = r.observation;
  });
  assert.ok(fired > 50);
});

Deno.test("lunar lander: leaving the screen sideways (|x| ≥ 1) ends the episode with −100", () => {
  const session = lunarLanderContinuous().open();
  const { steps } = run(session, keyFromSeed(0), heuristic(3, 0));
  const last = steps[steps.length - 1];
  assert.ok(last.terminated);
  assert.equal(last.reward, -100);
  assert.ok(last.observation[0] >= 1, `x ${last.observation[0]}`);
  assert.ok(last.observation[1] > 0.5, `y ${last.observation[1]}`); // still flying, not a crash
  assert.ok(steps.slice(0, -1).every((r) => !r.terminated && Math.abs(r.observation[0]) < 1));
});

Deno.test("lunar lander: a hovering lander is truncated at exactly 1000 steps", () => {
  const session = lunarLanderContinuous().open();
  const { steps } = run(session, keyFromSeed(5), heuristic(0, 0.5));
  assert.equal(steps.length, 1000);
  assert.ok(steps.every((r) => !r.terminated));
  assert.ok(steps.slice(0, -1).every((r) => !r.truncated));
  assert.ok(steps[999].truncated);
  const short = run(lunarLanderContinuous({ maxEpisodeSteps: 25 }).open(), keyFromSeed(5), heuristic(0, 0.5));
  assert.equal(short.steps.length, 25);
  assert.ok(short.steps[24].truncated && !short.steps[24].terminated);
});

Deno.test("lunar lander: Gymnasium's heuristic lands with a return ≥ 200 (physics fidelity)", () => {
  const session = lunarLanderContinuous().open();
  const returns: number[] = [];
  for (let seed = 0; seed < 5; seed++) {
    const { steps, total } = run(session, keyFromSeed(seed), heuristic());
    const last = steps[steps.length - 1];
    assert.ok(last.terminated, `seed ${seed} did not terminate`);
    returns.push(total);
    if (total >= 200) {
      // A landing ends with both legs down and the lander asleep near the pad.
      assert.equal(last.reward, 100);
      assert.deepEqual([last.observation[6], last.observation[7]], [1, 1]);
      assert.ok(Math.abs(last.observation[0]) < 0.2);
    }
  }
  console.log(`heuristic returns: ${returns.map((r) => r.toFixed(2)).join(", ")}`);
  assert.ok(returns.filter((r) => r >= 200).length >= 4, `returns ${returns}`);
});

Deno.test("lunar lander: save, load and dispose", () => {
  const session = lunarLanderContinuous().open();
  assert.throws(() => session.step(new Float32Array(2)), /step before reset/);
  session.reset(keyFromSeed(0));
  assert.equal(session.save(), undefined);
  assert.throws(() => session.load({}), /cannot be saved/);
  session.dispose();
  assert.throws(() => session.step(new Float32Array(2)), /disposed/);
  assert.throws(() => session.reset(keyFromSeed(0)), /disposed/);
});

Deno.test("lunar lander: steps per second with random actions", () => {
  const session = lunarLanderContinuous().open();
  let [key, actionKey] = split(keyFromSeed(11));
  const act = randomActions(actionKey);
  let n = 0;
  let observation = session.reset(key);
  const start = performance.now();
  while (n < 5000) {
    const r = session.step(act(observation));
    observation = r.observation;
    n++;
    if (r.terminated || r.truncated) {
      const [next, sub] = split(key);
      key = next;
      observation = session.reset(sub);
    }
  }
  const seconds = (performance.now() - start) / 1000;
  console.log(
    `LunarLanderContinuous-v3: ${(n / seconds).toFixed(0)} steps/s (random actions, resets included)`,
  );
  assert.ok(n / seconds > 100);
});
