import assert from "node:assert/strict";
import * as E from "fp-ts/lib/Either.js";
import { foldIn, keyFromSeed, uniform } from "../core/rng.ts";
import { loadMujocoEngine } from "../envs/mujoco/engine.ts";
import { halfCheetah } from "../envs/mujoco/half_cheetah.ts";
import { mujocoEnv, type MujocoState } from "../envs/mujoco/mujoco_env.ts";
import type { MujocoScene, SceneFrame, SceneGeom } from "../envs/mujoco/scene.ts";
import { MUJOCO_TASKS } from "../envs/mujoco/tasks.ts";
import type { MujocoTask } from "../envs/mujoco/task.ts";
import { mujocoSvg } from "./render_mujoco.ts";
import { hasRenderer, renderedEnvs, renderEpisode, type Rollout, rollout } from "./render.ts";
import {
  assertWellFormed,
  attr,
  frameGroups,
  numbers,
  parseLabel,
  tagAfter,
  textOf,
} from "./_svg_testing.ts";

const mj = await loadMujocoEngine();

type Vec = [number, number, number];
/** Row-major rotation about y by `a` radians (x toward −z), as MuJoCo's xmat holds it. */
const aboutY = (a: number) => [Math.cos(a), 0, Math.sin(a), 0, 1, 0, -Math.sin(a), 0, Math.cos(a)];
const IDENTITY = [1, 0, 0, 0, 1, 0, 0, 0, 1];

/** A scene of hand-made geoms, each with its pose per frame. */
function scene(
  geoms: readonly (SceneGeom & { readonly poses: readonly { pos: Vec; mat: number[] }[] })[],
  settings: Partial<Pick<MujocoScene, "motion" | "follow">> & { focus?: readonly Vec[] } = {},
): MujocoScene {
  const n = geoms[0].poses.length;
  const frames: SceneFrame[] = Array.from({ length: n }, (_, k) => ({
    pos: geoms.flatMap((g) => g.poses[k].pos),
    mat: geoms.flatMap((g) => g.poses[k].mat),
    focus: settings.focus?.[k] ?? [0, 0, 0],
  }));
  return {
    id: "Hand-v0",
    dt: 0.04,
    motion: settings.motion ?? "xz",
    follow: settings.follow ?? false,
    geoms: geoms.map(({ poses: _, ...g }) => g),
    frames,
  };
}

const still = (pos: Vec, mat = IDENTITY) => [{ pos, mat }];

/** The opening tag of the element of geom `name`. */
function geomTag(svg: string, name: string): string {
  const m = new RegExp(`<[a-z]+ class="geom [a-z]+" data-geom="${name}"[^>]*>`).exec(svg);
  assert.ok(m, `no element for ${name}`);
  return m[0];
}

/** Numbers of a path's data, in order. */
const pathNumbers = (d: string) => [...d.matchAll(/-?\d+(?:\.\d+)?/g)].map((m) => Number(m[0]));

/** The world group's translation in each frame. */
function cameraMoves(svg: string): [number, number][] {
  const group = /<g class="world" transform="translate\(([^)]*)\)">\n(<animateTransform[^>]*>)?/.exec(svg);
  assert.ok(group, "no world group");
  const values = group[2] === undefined ? [group[1]] : attr(group[2], "values").split(";");
  return values.map((v) => v.split(" ").map(Number) as [number, number]);
}

Deno.test("mujocoSvg: a capsule, sphere, box, cylinder and ellipsoid of hand-made poses, at scale 100", () => {
  const svg = mujocoSvg(
    scene([
      { name: "floor", kind: "plane", size: [10, 10, 1], part: 0, poses: still([0, 0, 0]) },
      // Local z along world x (turned a quarter about y): a horizontal rod 1 m long at height 1.
      {
        name: "rod",
        kind: "capsule",
        size: [0.05, 0.5, 0],
        part: 1,
        poses: still([0, 0, 1], aboutY(Math.PI / 2)),
      },
      { name: "ball", kind: "sphere", size: [0.1, 0, 0], part: 1, poses: still([1, 0.3, 0.5]) },
      { name: "crate", kind: "box", size: [0.2, 0.1, 0.3], part: 2, poses: still([-1, 0, 0.3]) },
      {
        name: "tilted",
        kind: "box",
        size: [0.2, 0.1, 0.1],
        part: 2,
        poses: still([-2, 0, 1], aboutY(Math.PI / 6)),
      },
      { name: "post", kind: "cylinder", size: [0.1, 0.25, 0], part: 3, poses: still([2, 0, 0.25]) },
      { name: "egg", kind: "ellipsoid", size: [0.3, 0.2, 0.1], part: 3, poses: still([0, 0, 2]) },
    ]),
    [0],
    { scale: 100 },
  );
  assertWellFormed(svg);
  // Coordinates inside the world group are world metres times 100, y flipped.
  const rod = geomTag(svg, "rod");
  assert.equal(attr(rod, "d"), "M-50 -100L50 -100");
  assert.equal(attr(rod, "stroke-width"), "10", "twice the radius");
  assert.equal(attr(rod, "stroke-linecap"), "round");
  assert.equal(attr(rod, "fill"), "none");
  const ball = geomTag(svg, "ball");
  assert.ok(ball.startsWith("<circle "));
  assert.equal(attr(ball, "transform"), "translate(100 -50)", "y is depth in a side view: not drawn");
  assert.equal(attr(ball, "r"), "10");
  assert.equal(attr(geomTag(svg, "crate"), "d"), "M-120 0L-80 0L-80 -60L-120 -60Z");
  // A box turned by 30° about y: the rectangle of its x–z half-sizes, turned on screen.
  const corners = pathNumbers(attr(geomTag(svg, "tilted"), "d"));
  const [c, s] = [Math.cos(Math.PI / 6), Math.sin(Math.PI / 6)];
  const expected = [[-1, -1], [1, -1], [1, 1], [-1, 1]].map(([i, k]) => {
    const [dx, dz] = [0.2 * i, 0.1 * k];
    return [(-2 + c * dx + s * dz) * 100, -(1 - s * dx + c * dz) * 100];
  });
  assert.equal(corners.length, 8);
  const found = (x: number, y: number) =>
    [0, 2, 4, 6].some((j) => Math.abs(corners[j] - x) <= 0.051 && Math.abs(corners[j + 1] - y) <= 0.051);
  for (const [x, y] of expected) assert.ok(found(x, y), `corner ${x} ${y} in ${corners}`);
  // A cylinder standing on its axis is a rectangle from the side; an ellipsoid an ellipse.
  assert.equal(attr(geomTag(svg, "post"), "d"), "M190 0L210 0L210 -50L190 -50Z");
  assert.equal(attr(geomTag(svg, "egg"), "d"), "M30 -200A30 10 0 0 1 -30 -200A30 10 0 0 1 30 -200Z");
  // The plane is a ground line at its height with ticks, over a filled strip.
  const ground = tagAfter(svg, '<g class="world"', "line");
  assert.equal(attr(ground, "class"), "ground");
  assert.equal(attr(ground, "y1"), "0");
  assert.equal(attr(ground, "y2"), "0");
  assert.ok(!svg.includes('data-geom="floor"'), "the plane is not drawn as a geom");
  // Colours: the world's geoms grey, each part its own.
  const fill = (name: string) => attr(geomTag(svg, name), name === "rod" ? "stroke" : "fill");
  assert.equal(fill("rod"), fill("ball"));
  assert.equal(fill("crate"), fill("tilted"));
  assert.notEqual(fill("rod"), fill("crate"));
  assert.notEqual(fill("crate"), fill("post"));
  // Nothing moves: no animation but the labels'.
  assert.doesNotMatch(svg.slice(0, svg.indexOf('<g class="labels"')), /<animate/);
});

Deno.test("mujocoSvg: a top view draws x–y and the floor; the elevated view paints far geoms first", () => {
  const top = mujocoSvg(
    scene([
      { name: "ground", kind: "plane", size: [1, 1, 10], part: 0, poses: still([0, 0, 0]) },
      {
        name: "arm",
        kind: "capsule",
        size: [0.01, 0.05, 0],
        part: 1,
        poses: still([0.05, 0, 0.01], aboutY(Math.PI / 2)),
      },
      { name: "base", kind: "cylinder", size: [0.02, 0.01, 0], part: 0, poses: still([0, 0, 0.01]) },
      { name: "tip", kind: "sphere", size: [0.01, 0, 0], part: 1, poses: still([0.1, 0.1, 0.01]) },
    ], { motion: "xy" }),
    [0],
    { scale: 1000 },
  );
  assertWellFormed(top);
  assert.equal(attr(geomTag(top, "arm"), "d"), "M0 0L100 0");
  assert.equal(attr(geomTag(top, "tip"), "transform"), "translate(100 -100)", "y up on screen");
  // A cylinder seen along its axis: its rim, a 16-gon of radius 20 px.
  const rim = pathNumbers(attr(geomTag(top, "base"), "d"));
  assert.equal(rim.length, 32);
  for (let j = 0; j < 32; j += 2) assert.ok(Math.abs(Math.hypot(rim[j], rim[j + 1]) - 20) <= 0.08);
  assert.match(top, /<rect class="floor"/);
  assert.doesNotMatch(top, /class="ground"|class="ticks"/);

  // Looking along +y from 20° above: the leg at y = +0.3 is behind the body, the one at −0.3 in front.
  const elevated = mujocoSvg(
    scene([
      { name: "floor", kind: "plane", size: [10, 10, 1], part: 0, poses: still([0, 0, 0]) },
      { name: "near", kind: "capsule", size: [0.05, 0.2, 0], part: 2, poses: still([0, -0.3, 0.5]) },
      { name: "body", kind: "sphere", size: [0.2, 0, 0], part: 1, poses: still([0, 0, 0.5]) },
      { name: "far", kind: "capsule", size: [0.05, 0.2, 0], part: 3, poses: still([0, 0.3, 0.5]) },
    ], { motion: "3d" }),
    [0],
    { scale: 100 },
  );
  assertWellFormed(elevated);
  const order = ["far", "body", "near"].map((name) => elevated.indexOf(`data-geom="${name}"`));
  assert.deepEqual([...order].sort((a, b) => a - b), order, "far, body, near");
  const e = (20 * Math.PI) / 180;
  const body = attr(geomTag(elevated, "body"), "transform");
  assert.equal(body, `translate(0 ${-(0.5 * Math.cos(e) * 100).toFixed(1)})`);
  // A capsule along z is foreshortened by cos 20°, and y = 0.3 raises it by 0.3 · sin 20°.
  const far = pathNumbers(attr(geomTag(elevated, "far"), "d"));
  const v = (z: number) => Number((-(0.3 * Math.sin(e) + z * Math.cos(e)) * 100).toFixed(1));
  assert.deepEqual(far, [0, v(0.3), 0, v(0.7)], "from pos − half-length · z to pos + half-length · z");
  assert.match(elevated, /<rect class="floor"/, "the floor is a strip");
});

/** A rod sliding along x, tilting a little each frame, followed or not. */
function sliding(n: number, follow: boolean): MujocoScene {
  const xs = Array.from({ length: n }, (_, k) => 0.25 * k * k);
  return scene([
    {
      name: "floor",
      kind: "plane",
      size: [40, 40, 40],
      part: 0,
      poses: xs.map(() => ({ pos: [0, 0, 0], mat: IDENTITY })),
    },
    {
      name: "rail",
      kind: "capsule",
      size: [0.02, 1, 0],
      part: 0,
      poses: xs.map(() => ({ pos: [0, 0, 0.1], mat: aboutY(Math.PI / 2) })),
    },
    {
      name: "rod",
      kind: "capsule",
      size: [0.05, 0.5, 0],
      part: 1,
      poses: xs.map((x, k) => ({ pos: [x, 0, 1], mat: aboutY(Math.PI / 2 + 0.1 * k) })),
    },
  ], { follow, focus: xs.map((x) => [x, 0, 1]) });
}

Deno.test("mujocoSvg: the view follows the focus; moving geoms animate, still ones do not", () => {
  const n = 9;
  const svg = mujocoSvg(sliding(n, true), Array(n).fill(1), { scale: 50 });
  assertWellFormed(svg);
  const moves = cameraMoves(svg);
  assert.equal(moves.length, n);
  const rod = svg.slice(svg.indexOf('data-geom="rod"'));
  const values = attr(tagAfter(rod, "", "animate"), "values").split(";");
  assert.equal(values.length, n);
  values.forEach((d, k) => {
    const [x1, , x2] = pathNumbers(d);
    const x = 0.25 * k * k;
    assert.ok(Math.abs((x1 + x2) / 2 - x * 50) <= 0.1, `frame ${k}: rod at ${(x1 + x2) / 2}`);
    // On screen, the followed rod stays at the centre.
    assert.ok(Math.abs(moves[k][0] + (x1 + x2) / 2 - 300) <= 0.15, `frame ${k}: on screen at ${moves[k][0]}`);
    assert.equal(moves[k][1], moves[0][1], "only horizontally");
  });
  // The rail does not move (in the world): no animation of its own.
  assert.ok(!/<path[^>]*data-geom="rail"[^>]*[^/]>/.test(svg), "the rail is one self-closed element");
  // Ticks cover every position the camera shows.
  const ticks = attr(tagAfter(svg, '<g class="world"', "path"), "d");
  const tickXs = [...ticks.matchAll(/M(-?[\d.]+) /g)].map((m) => Number(m[1]));
  assert.ok(tickXs[0] <= -moves[0][0] && tickXs.at(-1)! >= 600 - moves.at(-1)![0]);
  // The followed body's x in each frame's labels.
  frameGroups(svg).forEach((group, k) => {
    assert.equal(
      parseLabel(textOf(group, "distance").replace(/^x (.*) m$/, "$1")),
      Number((0.25 * k * k).toFixed(2)),
    );
  });

  const fixed = mujocoSvg(sliding(n, false), Array(n).fill(1), { scale: 50 });
  assert.equal(cameraMoves(fixed).length, 1, "no camera animation");
  assert.doesNotMatch(fixed, /class="distance"/);
  // Without a scale, everything fits the 600 px width with margins.
  for (const follow of [true, false]) {
    const fitted = mujocoSvg(sliding(n, follow), Array(n).fill(1));
    const [tx] = cameraMoves(fitted)[0];
    const rail = pathNumbers(attr(geomTag(fitted, "rail"), "d"));
    assert.ok(rail[0] + tx >= 0 && rail[2] + tx <= 600, `rail within the drawing: ${rail} + ${tx}`);
  }
});

Deno.test("mujocoSvg: one key time per frame, the loop lasts N·dt, one label group per frame", () => {
  const n = 13;
  const rewards = Array.from({ length: n }, (_, k) => (k === 0 ? 0 : -0.5 + 0.125 * k));
  const svg = mujocoSvg(sliding(n, true), rewards);
  const dur = attr(tagAfter(svg, '<g class="world"', "animateTransform"), "dur");
  assert.equal(parseFloat(dur), n * 0.04, "the scene's dt by default");
  for (const m of svg.matchAll(/<animate(?:Transform)?\s[^>]*>/g)) {
    assert.equal(attr(m[0], "dur"), dur);
    assert.equal(attr(m[0], "calcMode"), "discrete");
    assert.equal(attr(m[0], "values").split(";").length, attr(m[0], "keyTimes").split(";").length);
  }
  const keyTimes = numbers(attr(tagAfter(svg, '<g class="world"', "animateTransform"), "keyTimes"));
  assert.equal(keyTimes.length, n);
  keyTimes.forEach((t, k) => assert.ok(Math.abs(t - k / n) < 0.01 / n));
  const groups = frameGroups(svg);
  assert.equal(groups.length, n);
  let total = 0;
  groups.forEach((group, k) => {
    total += rewards[k];
    assert.equal(textOf(group, "step"), `step ${k}/${n - 1}`);
    assert.equal(parseLabel(textOf(group, "reward").replace("reward ", "")), Number(rewards[k].toFixed(2)));
    assert.equal(parseLabel(textOf(group, "return").replace("return ", "")), Number(total.toFixed(1)));
  });
  assert.equal(
    parseFloat(
      attr(
        tagAfter(mujocoSvg(sliding(n, true), rewards, { dt: 0.5 }), '<g class="world"', "animateTransform"),
        "dur",
      ),
    ),
    n * 0.5,
  );
});

Deno.test("mujocoSvg: rejects what it cannot draw with a one-line RangeError; escapes the title", () => {
  const good = sliding(4, true);
  const rewards = [0, 1, 2, 3];
  const oneLine = (pattern: RegExp) => (e: unknown) => {
    assert.ok(e instanceof RangeError);
    assert.doesNotMatch(e.message, /\n/);
    assert.match(e.message, pattern);
    return true;
  };
  assert.throws(() => mujocoSvg({ ...good, frames: [] }, []), oneLine(/frames is empty/));
  assert.throws(() => mujocoSvg(good, [0, 1]), oneLine(/2 rewards for 4 frames/));
  assert.throws(() => mujocoSvg(good, [0, 1, NaN, 3]), oneLine(/rewards\[2\] is NaN/));
  const broken = {
    ...good,
    frames: good.frames.map((f, k) =>
      k === 2 ? { ...f, pos: [...Array.from(f.pos).slice(0, 4), Infinity] } : f
    ),
  };
  assert.throws(() => mujocoSvg(broken, rewards), oneLine(/frames\[2\]\.pos has 5 values, expected 9/));
  const nan = {
    ...good,
    frames: good.frames.map((f, k) =>
      k === 1 ? { ...f, mat: Array.from(f.mat, (v, i) => i === 4 ? NaN : v) } : f
    ),
  };
  assert.throws(() => mujocoSvg(nan, rewards), oneLine(/frames\[1\]\.mat\[4\] is NaN/));
  assert.throws(() => mujocoSvg(good, rewards, { dt: 0 }), oneLine(/dt 0/));
  assert.throws(() => mujocoSvg(good, rewards, { scale: -1 }), oneLine(/scale -1/));
  const svg = mujocoSvg(good, rewards, { title: `<b> & "x"` });
  assertWellFormed(svg);
  assert.ok(svg.includes("<title>&lt;b&gt; &amp; &quot;x&quot;</title>"));
  assert.doesNotMatch(svg, /<script|href=|url\(|@import|<image|<foreignObject|NaN|Infinity|undefined/);
});

/** A task that stops after `steps` steps. */
const shortened = (task: MujocoTask, steps: number): MujocoTask => ({ ...task, maxEpisodeSteps: steps });

/** An episode of a fixed action from a reset key, through `rollout` as `deno task eval --render` runs it. */
function fixedEpisode(task: MujocoTask, steps: number, action: number): Rollout {
  const env = mujocoEnv(mj, shortened(task, steps));
  try {
    return rollout(env, () => new Float32Array(env.actionSize).fill(action), keyFromSeed(11));
  } finally {
    env.dispose();
  }
}

Deno.test("renderEpisode: 30 steps of HalfCheetah-v5: one frame per state, the torso moves as qpos[0] does, same bytes", () => {
  const run = fixedEpisode(halfCheetah, 30, 0.5);
  assert.equal(run.states.length, 31);
  const rendered = renderEpisode("HalfCheetah-v5", run, "a fixed action");
  if (E.isLeft(rendered)) throw new Error(rendered.left);
  const svg = rendered.right;
  assertWellFormed(svg);
  // One label group per state; frame 0 is the reset state, frame k carries the reward of step k.
  assert.equal(frameGroups(svg).length, 31);
  frameGroups(svg).forEach((group, k) => {
    const reward = parseLabel(textOf(group, "reward").replace("reward ", ""));
    const expected = k === 0 ? 0 : run.rewards[k - 1];
    assert.ok(
      Math.abs(reward - expected) <= 0.005 + 1e-9,
      `frame ${k}: reward ${reward}, expected ${expected}`,
    );
  });
  const moves = cameraMoves(svg);
  assert.equal(moves.length, 31);
  const torso = svg.slice(svg.indexOf('data-geom="torso"'));
  const frames = attr(tagAfter(torso, "", "animate"), "values").split(";").map(pathNumbers);
  assert.equal(frames.length, 31);
  assert.equal(parseFloat(attr(tagAfter(torso, "", "animate"), "dur")), 31 * 0.05, "the task's dt: 0.01 × 5");
  // The scale is what the ground's labelled ticks say (pixels per metre); the torso, 1 m long and pitching
  // in the drawing plane, is drawn that long in every frame.
  const ticks = [...svg.matchAll(/<text x="(-?[\d.]+)" y="[^"]*">([^<]*) m<\/text>/g)]
    .map((m) => [Number(m[1]), parseLabel(m[2])]);
  assert.ok(ticks.length >= 2, "labelled ticks");
  const scale = (ticks[1][0] - ticks[0][0]) / (ticks[1][1] - ticks[0][1]);
  assert.ok(scale > 50, `${scale} px per metre`);
  frames.forEach(([x1, y1, x2, y2], k) => {
    assert.ok(Math.abs(Math.hypot(x2 - x1, y2 - y1) - scale) <= 0.15, `frame ${k}: torso length`);
    // Along the body's x axis pitched by rooty (qpos[2]): world (cos θ, −sin θ) in x–z, (cos θ, sin θ) on
    // screen, whose y points down.
    const pitch = (run.states[k] as MujocoState).physics[3];
    const cross = (x2 - x1) * Math.sin(pitch) - (y2 - y1) * Math.cos(pitch);
    assert.ok(Math.abs(cross) <= 0.15, `frame ${k}: torso at the wrong angle`);
  });
  const qpos0 = (state: unknown) => (state as MujocoState).physics[1];
  const start = qpos0(run.states[0]);
  const travelled = qpos0(run.states[30]) - start;
  assert.ok(Math.abs(travelled) > 0.05, `the cheetah moves (${travelled} m)`);
  frames.forEach(([x1, , x2], k) => {
    const moved = (x1 + x2) / 2 - (frames[0][0] + frames[0][2]) / 2;
    const expected = (qpos0(run.states[k]) - start) * scale;
    assert.ok(
      Math.abs(moved - expected) <= 0.1 + 0.15 * Math.abs(qpos0(run.states[k]) - start),
      `frame ${k}: ${moved} px, expected ${expected}`,
    );
    // The view follows: the torso stays at the centre of the drawing.
    assert.ok(Math.abs(moves[k][0] + (x1 + x2) / 2 - 300) <= 0.15, `frame ${k}: the torso leaves the centre`);
  });
  const again = renderEpisode(
    "HalfCheetah-v5",
    JSON.parse(JSON.stringify(fixedEpisode(halfCheetah, 30, 0.5))),
    "a fixed action",
  );
  assert.deepEqual(again, rendered, "byte-identical from the same key and actions");
  const other = renderEpisode("HalfCheetah-v5", fixedEpisode(halfCheetah, 30, -0.5), "a fixed action");
  assert.notDeepEqual(other, rendered);
});

Deno.test("renderEpisode: every MuJoCo task has a renderer, and a short episode of each draws", () => {
  for (const task of MUJOCO_TASKS) {
    assert.ok(hasRenderer(task.id), task.id);
    assert.ok(renderedEnvs().includes(task.id));
    const env = mujocoEnv(mj, shortened(task, 12));
    let t = 0;
    const run = rollout(env, () => {
      const u = uniform(foldIn(keyFromSeed(4), t++), env.actionSize);
      return Float32Array.from(u, (x, i) => env.actionLow[i] + x * (env.actionHigh[i] - env.actionLow[i]));
    }, keyFromSeed(2));
    env.dispose();
    const svg = renderEpisode(task.id, run, task.id);
    if (E.isLeft(svg)) throw new Error(svg.left);
    assertWellFormed(svg.right);
    assert.equal(frameGroups(svg.right).length, run.states.length, task.id);
    assert.doesNotMatch(svg.right, /NaN|Infinity|undefined/);
  }
  assert.ok(renderedEnvs().includes("Pendulum-v1"));
  assert.equal(hasRenderer("LunarLanderContinuous-v3"), false);
  const none = renderEpisode("LunarLanderContinuous-v3", { states: [], actions: [], rewards: [] }, "");
  assert.ok(
    E.isLeft(none) &&
      /no renderer for LunarLanderContinuous-v3 \(renderers: .*HalfCheetah-v5/.test(none.left),
  );
});

Deno.test("renderEpisode: a whole 1000-step HalfCheetah-v5 episode stays under 1 MB", () => {
  const run = fixedEpisode(halfCheetah, 1000, 0.3);
  const svg = renderEpisode("HalfCheetah-v5", run, "TD3 on HalfCheetah-v5, seed 0: return -123.4");
  if (E.isLeft(svg)) throw new Error(svg.left);
  assert.equal(frameGroups(svg.right).length, 1001);
  assert.ok(svg.right.length < 1_000_000, `${svg.right.length} bytes`);
});
