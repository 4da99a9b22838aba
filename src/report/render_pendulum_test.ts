import assert from "node:assert/strict";
import { type PendulumFrame, pendulumSvg } from "./render_pendulum.ts";
import {
  assertWellFormed,
  attr,
  frameGroups,
  numbers,
  parseLabel,
  tagAfter,
  textOf,
} from "./_svg_testing.ts";

/** A swing-up-like episode: the angle winds from hanging to upright, torque alternates, rewards are negative. */
function episode(n: number): PendulumFrame[] {
  return Array.from({ length: n }, (_, i) => ({
    theta: Math.PI * (1 - i / (n - 1)) * Math.cos(i / 7),
    torque: i === 0 ? 0 : 2 * Math.sin(i / 3),
    reward: i === 0 ? 0 : -((i % 13) + 0.125 * (i % 5)),
  }));
}

/** Where the rod's tip ends up on screen (SVG y down) after `rotate(deg)`, for the tip drawn at (x, y). */
function rotatePoint(deg: number, x: number, y: number): [number, number] {
  const a = (deg * Math.PI) / 180;
  return [x * Math.cos(a) - y * Math.sin(a), x * Math.sin(a) + y * Math.cos(a)];
}

Deno.test("pendulumSvg: output is well-formed XML with one <svg> root and no external resources", () => {
  const svg = pendulumSvg(episode(40), { title: "TD3 on Pendulum-v1" });
  assertWellFormed(svg);
  assert.ok(svg.endsWith("</svg>\n"));
  assert.doesNotMatch(svg, /<script|href=|url\(|@import|<image|<foreignObject|NaN|Infinity|undefined/);
  assert.equal([...svg.matchAll(/https?:/g)].length, 1, "only the xmlns URI");
});

Deno.test("pendulumSvg: rotation has one value and key time per frame; the loop lasts N·dt", () => {
  for (const [n, dt] of [[1, 0.05], [7, 0.1], [201, 0.05], [1500, 0.02]] as const) {
    const svg = pendulumSvg(episode(Math.max(n, 2)).slice(0, n), { dt });
    const anim = tagAfter(svg, '<g class="rod"', "animateTransform");
    assert.equal(attr(anim, "type"), "rotate");
    assert.equal(attr(anim, "calcMode"), "discrete");
    assert.equal(attr(anim, "repeatCount"), "indefinite");
    const values = numbers(attr(anim, "values"));
    const keyTimes = numbers(attr(anim, "keyTimes"));
    assert.equal(values.length, n);
    assert.equal(keyTimes.length, n);
    assert.equal(keyTimes[0], 0);
    for (let i = 1; i < n; i++) {
      assert.ok(keyTimes[i] > keyTimes[i - 1], `keyTimes not increasing at ${i}`);
      // Within 1% of a frame of i/n: each frame is held for dt.
      assert.ok(Math.abs(keyTimes[i] - i / n) < 0.01 / n, `keyTimes[${i}] = ${keyTimes[i]} is not ${i}/${n}`);
    }
    assert.ok(keyTimes[n - 1] < 1);
    const dur = attr(anim, "dur");
    assert.match(dur, /^\d+(\.\d+)?s$/);
    assert.ok(Math.abs(parseFloat(dur) - n * dt) < 1e-9, `dur ${dur} for ${n} frames of ${dt} s`);
    // Every animation shares the timing, so the rod, torque and labels stay in step.
    for (const m of svg.matchAll(/<animate(?:Transform)?\s[^>]*>/g)) {
      assert.equal(attr(m[0], "dur"), dur);
      assert.equal(attr(m[0], "calcMode"), "discrete");
      assert.equal(attr(m[0], "repeatCount"), "indefinite");
      assert.equal(numbers(attr(m[0], "values")).length, attr(m[0], "keyTimes").split(";").length);
    }
  }
});

Deno.test("pendulumSvg: rotation follows Gymnasium's convention (0 upright, positive counter-clockwise)", () => {
  const thetas = [0, Math.PI / 2, -Math.PI / 2, Math.PI, Math.PI / 4, 3, -7, 2 * Math.PI + 0.5, 40];
  const svg = pendulumSvg(thetas.map((theta) => ({ theta, torque: 0, reward: 0 })));
  const rodGroup = /<g class="rod" transform="rotate\(([^)]*)\)">/.exec(svg);
  assert.ok(rodGroup, "no rod group");
  const rod = tagAfter(svg, '<g class="rod"', "line");
  const tipX = Number(attr(rod, "x2")), tipY = Number(attr(rod, "y2"));
  assert.equal(tipX, 0);
  assert.ok(tipY < 0, "the rod is drawn upright (SVG y points down)");
  const degrees = numbers(attr(tagAfter(svg, '<g class="rod"', "animateTransform"), "values"));
  assert.equal(Number(rodGroup[1]), degrees[0], "the static transform is frame 0's");
  thetas.forEach((theta, i) => {
    assert.ok(degrees[i] >= -180 && degrees[i] < 180, `rotation ${degrees[i]} not wrapped`);
    const [x, y] = rotatePoint(degrees[i], tipX, tipY);
    // Gymnasium: the rod points along theta + π/2 in a y-up frame, i.e. (−sin θ, cos θ); SVG flips y.
    const length = -tipY;
    assert.ok(Math.abs(x - -Math.sin(theta) * length) < 0.01 * length, `frame ${i}: x ${x}`);
    assert.ok(Math.abs(y - -Math.cos(theta) * length) < 0.01 * length, `frame ${i}: y ${y}`);
  });
  assert.deepEqual(degrees.slice(0, 4), [0, -90, 90, -180], "upright, left, right, hanging");
});

Deno.test("pendulumSvg: one label group per frame, each visible only during its own frame", () => {
  const n = 12;
  const svg = pendulumSvg(episode(n));
  const groups = frameGroups(svg);
  assert.equal(groups.length, n);
  groups.forEach((group, i) => {
    assert.equal(textOf(group, "step"), `step ${i}/${n - 1}`);
    // Static view (no SMIL): only frame 0's labels are shown, so they do not overlap.
    assert.equal(attr(group, "visibility"), i === 0 ? "visible" : "hidden");
    const anim = tagAfter(group, "", "animate");
    assert.equal(attr(anim, "attributeName"), "visibility");
    const values = attr(anim, "values").split(";");
    const keyTimes = numbers(attr(anim, "keyTimes"));
    assert.equal(keyTimes[0], 0);
    // Sample the discrete animation at the middle of every frame.
    for (let j = 0; j < n; j++) {
      const t = (j + 0.5) / n;
      let k = 0;
      while (k + 1 < keyTimes.length && keyTimes[k + 1] <= t) k++;
      assert.equal(values[k], j === i ? "visible" : "hidden", `group ${i} at frame ${j}`);
    }
  });
});

Deno.test("pendulumSvg: labels show the step reward and the return so far", () => {
  const frames = episode(57);
  const svg = pendulumSvg(frames);
  const groups = frameGroups(svg);
  let total = 0;
  groups.forEach((group, i) => {
    total += frames[i].reward;
    assert.equal(textOf(group, "reward"), `reward ${frames[i].reward.toFixed(2).replace("-", "\u2212")}`);
    const shown = parseLabel(textOf(group, "return").replace("return ", ""));
    assert.ok(Math.abs(shown - total) <= 0.05 + 1e-9, `frame ${i}: return ${shown}, expected ${total}`);
  });
  const expectedTotal = frames.reduce((sum, f) => sum + f.reward, 0);
  assert.equal(textOf(groups.at(-1)!, "return"), `return ${expectedTotal.toFixed(1).replace("-", "\u2212")}`);
  // Tiny negative numbers are not shown as "−0.00".
  const tiny = pendulumSvg([{ theta: 0, torque: -1e-4, reward: -1e-4 }]);
  assert.equal(textOf(frameGroups(tiny)[0], "reward"), "reward 0.00");
  assert.equal(textOf(frameGroups(tiny)[0], "return"), "return 0.0");
  assert.equal(textOf(frameGroups(tiny)[0], "torque-value"), "0.00");
});

Deno.test("pendulumSvg: the torque arrow and bar show sign and magnitude relative to maxTorque", () => {
  const torques = [0, 0.5, 1, -1, 3, -3, 2];
  const svg = pendulumSvg(torques.map((torque) => ({ theta: 0, torque, reward: 0 })), { maxTorque: 2 });
  const arcs = attr(tagAfter(svg, '<path class="torque-arc"', "animate"), "values").split(";");
  const heads = attr(tagAfter(svg, '<path class="torque-head"', "animate"), "values").split(";");
  assert.equal(arcs.length, torques.length);
  assert.equal(heads.length, torques.length);
  assert.equal(arcs[0], "M0 0", "no arrow without torque");
  assert.equal(heads[0], "M0 0");
  const arcPattern = /^M(\S+) (\S+)A(\S+) \S+ 0 ([01]) ([01]) (\S+) (\S+)$/;
  const sweepDegrees = (d: string): { ccw: boolean; degrees: number } => {
    const m = arcPattern.exec(d);
    assert.ok(m, `bad arc ${d}`);
    const [x0, y0, r, large, flag, x1, y1] = [m[1], m[2], m[3], m[4], m[5], m[6], m[7]].map(Number);
    const chord = Math.hypot(x1 - x0, y1 - y0);
    const small = (2 * Math.asin(Math.min(1, chord / (2 * r))) * 180) / Math.PI;
    return { ccw: flag === 0, degrees: large === 1 ? 360 - small : small };
  };
  const sweeps = arcs.slice(1).map(sweepDegrees);
  assert.deepEqual(
    sweeps.map((s) => s.ccw),
    [true, true, false, true, false, true],
    "positive torque turns CCW",
  );
  assert.ok(sweeps[1].degrees > sweeps[0].degrees + 10, "a larger torque sweeps further");
  assert.ok(Math.abs(sweeps[1].degrees - sweeps[2].degrees) < 1, "same magnitude, same sweep");
  assert.ok(Math.abs(sweeps[1].degrees / sweeps[0].degrees - 2) < 0.05, "sweep proportional to |torque|");
  assert.equal(arcs[4], arcs[6], "torque beyond maxTorque is clipped");
  assert.equal(heads[4], heads[6]);
  assert.ok(Math.abs(sweeps[3].degrees - sweeps[4].degrees) < 1);
  assert.ok(Math.abs(sweeps[5].degrees - 2 * sweeps[1].degrees) < 1, "full sweep at maxTorque");

  const bar = /<rect class="torque-bar"[^>]*>/.exec(svg)?.[0] ?? "";
  const [xAnim, widthAnim] = [...svg.matchAll(/<animate attributeName="(x|width)"[^>]*>/g)].map((m) => m[0]);
  const xs = numbers(attr(xAnim, "values")), widths = numbers(attr(widthAnim, "values"));
  assert.equal(attr(bar, "width"), "0", "frame 0 has no torque");
  const full = widths[4];
  assert.ok(full > 0);
  assert.deepEqual(widths, [0, full / 4, full / 2, full / 2, full, full, full]);
  const center = xs[0];
  assert.deepEqual(xs, [center, center, center, center - full / 2, center, center - full, center]);
});

Deno.test("pendulumSvg: the same frames give byte-identical output", () => {
  const frames = episode(150);
  const a = pendulumSvg(frames, { title: "run", dt: 0.05 });
  const b = pendulumSvg(frames.map((f) => ({ ...f })), { title: "run", dt: 0.05 });
  assert.equal(a, b);
  const moved = frames.map((f, i) => i === 75 ? { ...f, theta: f.theta + 0.1 } : f);
  assert.notEqual(pendulumSvg(moved, { title: "run", dt: 0.05 }), a);
  assert.equal(pendulumSvg(frames), pendulumSvg(frames, { dt: 0.05, maxTorque: 2 }), "documented defaults");
  // Compact numbers: rotation with at most 2 decimals, coordinates with at most 1.
  const rotations = attr(tagAfter(a, '<g class="rod"', "animateTransform"), "values").split(";");
  for (const r of rotations) assert.match(r, /^-?\d+(\.\d{1,2})?$/);
  for (const m of a.matchAll(/\s(?:x|y|width|cx|cy)="([^"]*)"/g)) assert.match(m[1], /^-?\d+(\.\d)?$/);
  const nearZero = pendulumSvg([{ theta: 1e-5, torque: 0.016, reward: 0 }, {
    theta: -1e-5,
    torque: 0,
    reward: 0,
  }]);
  for (const svg of [a, nearZero]) {
    assert.doesNotMatch(svg, /(?<![\d.])-0(?:\.0+)?(?![\d.])/, "negative zero");
  }
});

Deno.test("pendulumSvg: rejects empty input, non-finite values and bad options with a one-line RangeError", () => {
  const oneLine = (pattern: RegExp) => (e: unknown) => {
    assert.ok(e instanceof RangeError);
    assert.doesNotMatch(e.message, /\n/);
    assert.match(e.message, pattern);
    return true;
  };
  assert.throws(() => pendulumSvg([]), oneLine(/empty/));
  const frames = episode(5);
  for (const field of ["theta", "torque", "reward"] as const) {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const broken = frames.map((f, i) => i === 3 ? { ...f, [field]: bad } : f);
      assert.throws(() => pendulumSvg(broken), oneLine(new RegExp(`frames\\[3\\]\\.${field}`)));
    }
  }
  assert.throws(() => pendulumSvg(frames, { dt: 0 }), oneLine(/dt/));
  assert.throws(() => pendulumSvg(frames, { dt: NaN }), oneLine(/dt/));
  assert.throws(() => pendulumSvg(frames, { maxTorque: -2 }), oneLine(/maxTorque/));
  const overflowing = [{ theta: 0, torque: 0, reward: 1e308 }, { theta: 0, torque: 0, reward: 1e308 }];
  assert.throws(() => pendulumSvg(overflowing), oneLine(/frames\[1\]/));
});

Deno.test("pendulumSvg: the title is escaped for XML", () => {
  const title = `<script>alert("x & y")</script> it's\u0007`;
  const svg = pendulumSvg(episode(3), { title });
  assertWellFormed(svg);
  assert.ok(!svg.includes("<script"));
  const escaped = "&lt;script&gt;alert(&quot;x &amp; y&quot;)&lt;/script&gt; it&apos;s";
  assert.ok(svg.includes(`<title>${escaped}</title>`));
  assert.ok(svg.includes(`>${escaped}</text>`));
  assert.ok(!pendulumSvg(episode(3)).includes("<title>"), "no title element without a title");
  // A long title shrinks, then is cut with an ellipsis, on a character boundary after escaping.
  const long = "&".repeat(30) + "x".repeat(170);
  const cut = pendulumSvg(episode(3), { title: long });
  assertWellFormed(cut);
  assert.ok(cut.includes(`<title>${"&amp;".repeat(30)}${"x".repeat(170)}</title>`), "full text in <title>");
  const visible = /<text class="title"[^>]*font-size="([\d.]+)"[^>]*>([^<]*)<\/text>/.exec(cut);
  assert.ok(visible);
  assert.equal(Number(visible[1]), 10);
  const chars = visible[2].replaceAll("&amp;", "&");
  assert.ok(chars.endsWith("\u2026") && chars.length < 60, chars);
  const short = /<text class="title"[^>]*>/.exec(pendulumSvg(episode(3), { title: "TD3, seed 0" }));
  assert.ok(short);
  assert.equal(attr(short[0], "font-size"), "15", "a short title keeps 15 px");
});
