import assert from "node:assert/strict";
import { type EpisodePoint, type EvalPoint, learningCurveSvg } from "./plot.ts";

const ATTRIBUTE = String.raw`[A-Za-z_:][\w:.-]*="[^"<&]*(?:&(?:amp|lt|gt|quot|apos);[^"<&]*)*"`;
const TAG = new RegExp(String.raw`^<(/?)([A-Za-z][\w:.-]*)((?:\s+${ATTRIBUTE})*)\s*(/?)>$`);
const TEXT = /^(?:[^<>&]|&(?:amp|lt|gt|quot|apos);)*$/;

/** A tiny XML checker: prolog, well-formed tags and attributes, balanced nesting, one `<svg>` root, clean text. */
function assertWellFormed(svg: string): void {
  const prolog = '<?xml version="1.0" encoding="UTF-8"?>\n';
  assert.ok(svg.startsWith(prolog), "missing XML prolog");
  const body = svg.slice(prolog.length);
  const stack: string[] = [];
  let roots = 0;
  let at = 0;
  for (const match of body.matchAll(/<[^>]*>/g)) {
    const text = body.slice(at, match.index);
    assert.match(text, TEXT, `bad text ${JSON.stringify(text)}`);
    if (stack.length === 0) assert.equal(text.trim(), "", "text outside the root element");
    at = match.index + match[0].length;
    const tag = TAG.exec(match[0]);
    assert.ok(tag, `malformed tag ${match[0]}`);
    const [, closing, name, attributes, selfClosing] = tag;
    const names = [...attributes.matchAll(/([\w:.-]+)="/g)].map((m) => m[1]);
    assert.equal(new Set(names).size, names.length, `duplicate attribute in ${match[0]}`);
    if (closing) {
      assert.equal(attributes + selfClosing, "", `bad closing tag ${match[0]}`);
      assert.equal(stack.pop(), name, `unbalanced </${name}>`);
    } else {
      if (stack.length === 0) {
        roots++;
        assert.equal(name, "svg");
        assert.ok(attributes.includes(' xmlns="http://www.w3.org/2000/svg"'), "root without xmlns");
      }
      if (!selfClosing) stack.push(name);
    }
  }
  assert.equal(body.slice(at).trim(), "");
  assert.deepEqual(stack, [], "unclosed tags");
  assert.equal(roots, 1);
}

function attr(tag: string, name: string): number {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  assert.ok(m, `no ${name} in ${tag}`);
  return Number(m[1]);
}

/** Elements of a class, as their opening tags. */
function elements(svg: string, cls: string): string[] {
  return svg.split("\n").filter((line) => line.includes(` class="${cls}"`));
}

function plotArea(svg: string): { x0: number; y0: number; x1: number; y1: number } {
  const rect = svg.split(
    "\n",
  )[svg.split("\n").indexOf('<g class="axes" fill="none" stroke="#262626" stroke-width="1">') + 1];
  const x0 = attr(rect, "x"), y0 = attr(rect, "y");
  return { x0, y0, x1: x0 + attr(rect, "width"), y1: y0 + attr(rect, "height") };
}

/** Every coordinate pair drawn in the data group. */
function dataPoints(svg: string): [number, number][] {
  const group = svg.slice(
    svg.indexOf('<g class="data">'),
    svg.indexOf("</g>", svg.indexOf('<g class="data">')),
  );
  const points: [number, number][] = [];
  for (const line of group.split("\n").slice(1)) {
    if (line.startsWith("<circle")) points.push([attr(line, "cx"), attr(line, "cy")]);
    else if (line.startsWith("<line")) {
      points.push([attr(line, "x1"), attr(line, "y1")], [attr(line, "x2"), attr(line, "y2")]);
    } else if (line.startsWith("<polyline")) {
      const list = /points="([^"]*)"/.exec(line)![1];
      for (const p of list.split(" ")) points.push(p.split(",").map(Number) as [number, number]);
    } else if (line.startsWith("<path")) {
      const d = / d="([^"]*)"/.exec(line)![1];
      for (const m of d.matchAll(/[ML](-?[\d.]+) (-?[\d.]+)/g)) points.push([Number(m[1]), Number(m[2])]);
    }
  }
  return points;
}

function tickValues(svg: string, cls: "xtick" | "ytick"): number[] {
  return elements(svg, cls).map((line) => {
    const text = />([^<]*)</.exec(line)![1].replace("\u2212", "-");
    const scale = text.endsWith("M") ? 1e6 : text.endsWith("k") ? 1e3 : 1;
    return Number(text.replace(/[kM]$/, "")) * scale;
  });
}

const episodes: EpisodePoint[] = Array.from({ length: 50 }, (_, i) => ({
  totalSteps: 200 * (i + 1),
  ret: -1500 + 25 * i + 80 * Math.sin(i),
}));
const evals: EvalPoint[] = Array.from({ length: 10 }, (_, i) => ({
  totalSteps: 1000 * (i + 1),
  mean: -1400 + 120 * i,
  std: 60 + 5 * i,
}));
const typical = {
  title: "TD3 on Pendulum-v1, seed 0",
  episodes,
  evals,
  reference: { value: -200, label: "solved" },
};

Deno.test("a typical learning curve is well-formed SVG with title, axes and legend", () => {
  const svg = learningCurveSvg(typical);
  assertWellFormed(svg);
  assert.ok(svg.includes('width="720" height="450" viewBox="0 0 720 450"'));
  for (const text of ["TD3 on Pendulum-v1, seed 0", "environment steps", ">return<", "training episodes"]) {
    assert.ok(svg.includes(text), text);
  }
  assert.ok(svg.includes("evaluation mean \u00b1 std"));
  assert.ok(svg.includes(">solved</text>"));
  assert.equal(elements(svg, "eval-marker").length, 10);
  assert.equal(elements(svg, "eval-line").length, 1);
  assert.equal(elements(svg, "eval-band").length, 1);
  assert.equal(elements(svg, "reference").length, 1);
  assert.equal((elements(svg, "episodes")[0].match(/h0/g) ?? []).length, 50);
  assert.ok(!svg.includes("no data yet"));
  assert.ok(!/https?:\/\/(?!www\.w3\.org\/2000\/svg)/.test(svg), "no external references");
  assert.ok(!/<script|<style|@import|url\(/.test(svg));
});

Deno.test("output is byte-deterministic", () => {
  const a = learningCurveSvg(typical, { width: 800, height: 500 });
  const b = learningCurveSvg(structuredClone(typical), { width: 800, height: 500 });
  assert.equal(a, b);
  // Unsorted input draws the same figure.
  const shuffled = { ...typical, evals: [...evals].reverse() };
  assert.equal(learningCurveSvg(shuffled, { width: 800, height: 500 }), a);
});

Deno.test("ticks are 1-2-5 multiples that enclose the data", () => {
  const svg = learningCurveSvg(typical);
  assert.deepEqual(tickValues(svg, "xtick"), [0, 2000, 4000, 6000, 8000, 10000]);
  const ys = tickValues(svg, "ytick");
  const step = ys[1] - ys[0];
  assert.ok(ys.every((y, i) => i === 0 || Math.abs(y - ys[i - 1] - step) < 1e-9));
  const mantissa = step / 10 ** Math.floor(Math.log10(step));
  assert.ok([1, 2, 5].includes(Math.round(mantissa * 1e6) / 1e6), `step ${step}`);
  const lowest = Math.min(...episodes.map((e) => e.ret), ...evals.map((e) => e.mean - e.std));
  assert.ok(ys[0] <= lowest && ys[ys.length - 1] >= -200);
  const big = learningCurveSvg({ title: "t", evals: [{ totalSteps: 1_000_000, mean: 1, std: 0 }] });
  assert.deepEqual(elements(big, "xtick").map((l) => />([^<]*)</.exec(l)![1]), [
    "0",
    "0.2M",
    "0.4M",
    "0.6M",
    "0.8M",
    "1.0M",
  ]);
  assert.ok(elements(learningCurveSvg(typical), "ytick").some((l) => l.includes(">\u22121")));
});

Deno.test("the y range covers all data, including the reference line", () => {
  for (const reference of [{ value: -200, label: "solved" }, { value: -3000, label: "floor" }]) {
    const svg = learningCurveSvg({ ...typical, reference });
    const area = plotArea(svg);
    const points = dataPoints(svg);
    assert.ok(points.length > 60);
    for (const [x, y] of points) {
      assert.ok(x >= area.x0 && x <= area.x1, `x ${x} outside [${area.x0}, ${area.x1}]`);
      assert.ok(y >= area.y0 && y <= area.y1, `y ${y} outside [${area.y0}, ${area.y1}]`);
    }
    const ys = tickValues(svg, "ytick");
    assert.ok(
      ys[0] <= Math.min(reference.value, -1500) && ys[ys.length - 1] >= Math.max(reference.value, -200),
    );
  }
  // The reference line sits above every evaluation marker when it is the largest value.
  const svg = learningCurveSvg(typical);
  const refY = attr(elements(svg, "reference")[0], "y1");
  assert.ok(elements(svg, "eval-marker").every((m) => attr(m, "cy") > refY));
});

Deno.test("non-finite values are skipped and never printed", () => {
  const bad = [NaN, Infinity, -Infinity];
  const svg = learningCurveSvg({
    title: "non-finite check",
    episodes: [...episodes.slice(0, 3), ...bad.map((v) => ({ totalSteps: v, ret: 1 })), {
      totalSteps: 5,
      ret: NaN,
    }],
    evals: [
      { totalSteps: 100, mean: -10, std: 1 },
      { totalSteps: 200, mean: NaN, std: 1 },
      { totalSteps: 300, mean: -5, std: Infinity },
      { totalSteps: 400, mean: -4, std: 2 },
      { totalSteps: Infinity, mean: 0, std: 0 },
      { totalSteps: 500, mean: 1e300, std: 0 },
    ],
    bands: [{ label: "seeds", points: [{ totalSteps: 100, mean: -Infinity, low: NaN, high: 0 }] }],
    reference: { value: NaN, label: "never shown" },
  });
  assertWellFormed(svg);
  assert.ok(!svg.includes("NaN"));
  assert.ok(!svg.includes("Infinity"));
  assert.ok(!svg.includes("never shown") && !svg.includes('class="reference"'));
  assert.ok(!svg.includes(">seeds<"), "a band with nothing drawable stays out of the legend");
  assert.equal((elements(svg, "episodes")[0].match(/h0/g) ?? []).length, 3);
  assert.equal(elements(svg, "eval-marker").length, 3);
  assert.equal(elements(svg, "eval-line").length, 2, "a NaN mean breaks the line");
  assert.equal(elements(svg, "eval-band").length, 2, "an infinite std breaks the band");
});

Deno.test("text is XML-escaped", () => {
  const svg = learningCurveSvg({
    title: `<script>alert("x")</script> & 'more' \u0001`,
    evals: [{ totalSteps: 10, mean: 1, std: 0 }],
    bands: [{ label: "a<b & c>d", points: [{ totalSteps: 10, mean: 0, low: -1, high: 1 }] }],
    reference: { value: 2, label: "ref & <goal>" },
    yLabel: "return > 0?",
  });
  assertWellFormed(svg);
  assert.ok(!svg.includes("<script"));
  assert.ok(svg.includes("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;more&apos; <"));
  assert.ok(svg.includes(">a&lt;b &amp; c&gt;d</text>"));
  assert.ok(svg.includes(">ref &amp; &lt;goal&gt;</text>"));
  assert.ok(svg.includes(">return &gt; 0?</text>"));
  assert.ok(!svg.includes("\u0001"));
});

Deno.test("empty input draws the axes with a note", () => {
  for (const data of [{ title: "empty" }, { title: "empty", episodes: [], evals: [], bands: [] }]) {
    const svg = learningCurveSvg(data);
    assertWellFormed(svg);
    assert.ok(svg.includes(">no data yet</text>"));
    assert.ok(svg.includes('class="axes"'));
    assert.ok(elements(svg, "xtick").length >= 2 && elements(svg, "ytick").length >= 2);
    assert.ok(!svg.includes('class="legend"'));
  }
  const withReference = learningCurveSvg({ title: "", reference: { value: -200, label: "solved" } });
  assertWellFormed(withReference);
  assert.ok(withReference.includes(">no data yet</text>") && withReference.includes(">solved</text>"));
  assert.ok(!withReference.includes('class="title"'));
});

Deno.test("a single point of each kind is drawn", () => {
  const svg = learningCurveSvg({
    title: "one",
    episodes: [{ totalSteps: 0, ret: -1200 }],
    evals: [{ totalSteps: 0, mean: -1100, std: 50 }],
    bands: [{
      label: "mean over 5 seeds (95% CI)",
      points: [{ totalSteps: 0, mean: -1000, low: -1050, high: -950 }],
    }],
  });
  assertWellFormed(svg);
  assert.equal(elements(svg, "eval-marker").length, 1);
  assert.equal(elements(svg, "eval-band").length, 1);
  assert.equal(elements(svg, "band").length, 1);
  assert.ok(!svg.includes("no data yet"));
  const area = plotArea(svg);
  for (const [x, y] of dataPoints(svg)) {
    assert.ok(x >= area.x0 && x <= area.x1 && y >= area.y0 && y <= area.y1);
  }
});

Deno.test("aggregate mode draws each band with its own color and legend entry", () => {
  const seeds = (offset: number, label: string) => ({
    label,
    points: Array.from({ length: 8 }, (_, i) => ({
      totalSteps: 2500 * i,
      mean: -1400 + 150 * i + offset,
      low: -1450 + 150 * i + offset,
      high: -1350 + 150 * i + offset,
    })),
  });
  const svg = learningCurveSvg({
    title: "Pendulum-v1, 5 seeds",
    bands: [seeds(0, "TD3 mean (95% CI)"), seeds(40, "SAC mean (95% CI)")],
  });
  assertWellFormed(svg);
  assert.ok(svg.includes(">TD3 mean (95% CI)</text>") && svg.includes(">SAC mean (95% CI)</text>"));
  const lines = elements(svg, "band-line");
  assert.equal(lines.length, 2);
  assert.notEqual(/stroke="([^"]*)"/.exec(lines[0])![1], /stroke="([^"]*)"/.exec(lines[1])![1]);
  assert.equal(elements(svg, "band").length, 2);
  assert.deepEqual(tickValues(svg, "xtick"), [0, 5000, 10000, 15000, 20000]);
});

Deno.test("the legend avoids the data", () => {
  const svg = learningCurveSvg({ title: "rising", evals });
  const legend = svg.split("\n")[svg.split("\n").indexOf('<g class="legend">') + 1];
  const x0 = attr(legend, "x"), y0 = attr(legend, "y");
  const x1 = x0 + attr(legend, "width"), y1 = y0 + attr(legend, "height");
  for (const [x, y] of dataPoints(svg)) {
    assert.ok(!(x >= x0 && x <= x1 && y >= y0 && y <= y1), `${x},${y} under legend`);
  }
});

Deno.test("invalid sizes are rejected", () => {
  assert.throws(() => learningCurveSvg(typical, { width: NaN }), RangeError);
  assert.throws(() => learningCurveSvg(typical, { height: 10 }), RangeError);
});

Deno.test("a long run with many episodes does not overflow the stack", () => {
  const many = Array.from({ length: 200_000 }, (_, i) => ({ totalSteps: i, ret: -i / 1000 }));
  const svg = learningCurveSvg({ title: "long", episodes: many });
  assert.deepEqual(tickValues(svg, "xtick"), [0, 50000, 100000, 150000, 200000]);
});
