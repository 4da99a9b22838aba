import assert from "node:assert/strict";
import * as E from "fp-ts/lib/Either.js";
import { type MountainCarFrame, mountainCarSvg } from "./render_mountain_car.ts";
import {
  assertWellFormed,
  attr,
  frameGroups,
  numbers,
  parseLabel,
  tagAfter,
  textOf,
} from "./_svg_testing.ts";
import { makeEnv } from "../envs/registry.ts";
import { keyFromSeed } from "../core/rng.ts";
import { renderEpisode, rollout } from "./render.ts";

/** Gymnasium's drawing: 600/1.8 px per unit, track y = 0.45 sin 3x + 0.55 above the bottom of a 400 px area. */
const SCALE = 600 / 1.8;
const height = (x: number) => Math.sin(3 * x) * 0.45 + 0.55;

function episode(n: number): MountainCarFrame[] {
  return Array.from({ length: n }, (_, i) => ({
    position: -0.5 + 0.9 * Math.sin(i / 5) * (i / n),
    force: i === 0 ? 0 : 1.3 * Math.cos(i / 4),
    reward: i === 0 ? 0 : -0.1 * Math.cos(i / 4) ** 2,
  }));
}

/** The translate values of the car, as [x, y] pairs. */
function carPoints(svg: string): [number, number][] {
  const anim = tagAfter(svg, '<g class="car"', "animateTransform");
  assert.equal(attr(anim, "type"), "translate");
  return attr(anim, "values").split(";").map((p) => p.split(" ").map(Number) as [number, number]);
}

Deno.test("mountainCarSvg: well-formed XML, one frame per state, no external resources", () => {
  const svg = mountainCarSvg(episode(60), { title: "TD3 & SAC <on> MountainCar" });
  assertWellFormed(svg);
  assert.doesNotMatch(svg, /<script|href=|url\(|@import|<image|<foreignObject|NaN|Infinity|undefined/);
  assert.equal(carPoints(svg).length, 60);
  assert.equal(frameGroups(svg).length, 60);
  const anim = tagAfter(svg, '<g class="car"', "animateTransform");
  assert.ok(Math.abs(parseFloat(attr(anim, "dur")) - 60 / 30) < 1e-9, "30 frames per second by default");
  // Every animation shares the timing.
  for (const m of svg.matchAll(/<animate(?:Transform)?\s[^>]*>/g)) {
    assert.equal(attr(m[0], "dur"), attr(anim, "dur"));
    assert.equal(attr(m[0], "values").split(";").length, attr(m[0], "keyTimes").split(";").length);
  }
});

Deno.test("mountainCarSvg: the car sits on Gymnasium's track at its position, tilted by cos 3x", () => {
  const frames = episode(40);
  const svg = mountainCarSvg(frames);
  const points = carPoints(svg);
  const tilts = numbers(attr(tagAfter(svg, '<g class="body"', "animateTransform"), "values"));
  // The track's lowest point (x = −π/6, height 0.1) sets the ground line of the drawing.
  const ground = points.map(([px, py], i) => {
    const x = frames[i].position;
    assert.ok(Math.abs(px - (x + 1.2) * SCALE) <= 0.05, `frame ${i}: x ${px}`);
    assert.ok(
      Math.abs(tilts[i] - (-Math.cos(3 * x) * 180) / Math.PI) <= 0.005,
      `frame ${i}: tilt ${tilts[i]}`,
    );
    return py + height(x) * SCALE;
  });
  ground.forEach((g) => assert.ok(Math.abs(g - ground[0]) <= 0.1, "every point on the same track"));
  // Higher on the hill is higher on screen (smaller SVG y).
  const right = carPoints(mountainCarSvg([{ position: 0.5, force: 0, reward: 0 }]))[0];
  const bottom = carPoints(mountainCarSvg([{ position: -Math.PI / 6, force: 0, reward: 0 }]))[0];
  assert.ok(right[1] < bottom[1] - 200);
  // The flag stands at the goal, x = 0.45.
  const pole = tagAfter(svg, '<g class="flag"', "line");
  assert.ok(Math.abs(Number(attr(pole, "x1")) - 1.65 * SCALE) <= 0.05);
});

Deno.test("mountainCarSvg: labels show step, reward, return and the force (clipped bar)", () => {
  const frames = episode(25);
  const svg = mountainCarSvg(frames);
  let total = 0;
  frameGroups(svg).forEach((group, i) => {
    total += frames[i].reward;
    assert.equal(textOf(group, "step"), `step ${i}/24`);
    assert.ok(Math.abs(parseLabel(textOf(group, "return").replace("return ", "")) - total) <= 0.05 + 1e-9);
    assert.ok(Math.abs(parseLabel(textOf(group, "force-value")) - frames[i].force) <= 0.005 + 1e-9);
  });
  const bar = svg.slice(svg.indexOf('class="force-bar"'));
  const widths = numbers(attr(/<animate attributeName="width"[^>]*>/.exec(bar)![0], "values"));
  assert.equal(widths.length, 25);
  assert.ok(Math.max(...widths) <= 150, "a force beyond ±1 fills the bar, no more");
});

Deno.test("mountainCarSvg: rejects empty input, non-finite values and a bad dt with a RangeError", () => {
  assert.throws(() => mountainCarSvg([]), /frames is empty/);
  assert.throws(
    () => mountainCarSvg([{ position: NaN, force: 0, reward: 0 }]),
    /frames\[0\]\.position is NaN/,
  );
  assert.throws(() => mountainCarSvg(episode(3), { dt: 0 }), /dt 0/);
  assert.equal(mountainCarSvg(episode(30)), mountainCarSvg(episode(30)), "byte-deterministic");
});

Deno.test("renderEpisode: an energy-pumping policy's MountainCar episode, from reset to the flag", () => {
  const env = makeEnv("MountainCarContinuous-v0");
  // Push the way the car already moves: this reaches the goal in about a hundred steps.
  const pump = (o: Float32Array) => Float32Array.of(o[1] >= 0 ? 1 : -1);
  const run = rollout(env, pump, keyFromSeed(3));
  const svg = renderEpisode("MountainCarContinuous-v0", run, "pumping");
  if (E.isLeft(svg)) throw new Error(svg.left);
  const points = carPoints(svg.right);
  assert.equal(points.length, run.rewards.length + 1);
  assert.ok(run.rewards.length < 999, "the episode ends at the flag");
  assert.ok(points.at(-1)![0] >= 1.65 * SCALE - 0.05, "the last frame is at the goal");
  const total = run.rewards.reduce((a, b) => a + b, 0);
  assert.ok(total > 80);
  assert.equal(textOf(frameGroups(svg.right).at(-1)!, "return"), `return ${total.toFixed(1)}`);
});
