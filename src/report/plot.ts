/**
 * Learning curves as self-contained SVG documents, drawn the way a matplotlib figure would be: a framed plot
 * area with 1-2-5 ticks and gridlines, grey dots for the return of every training episode, a bold line with
 * markers and a translucent ±std band for the evaluations, translucent bands for aggregate curves (e.g. the
 * mean across seeds with a 95% confidence interval), an optional dashed reference line, and a legend placed
 * in the emptiest corner. The function is pure and its output is byte-deterministic: all coordinates are
 * written with one decimal.
 *
 * @module
 */
import { escapeXml } from "./_xml.ts";

/** The return of one finished training episode, at the environment step count when it ended. */
export interface EpisodePoint {
  /** Environment steps taken so far. */
  readonly totalSteps: number;
  /** Undiscounted return of the episode. */
  readonly ret: number;
}

/** One evaluation: mean and standard deviation of the return over the evaluation episodes. */
export interface EvalPoint {
  /** Environment steps taken when the evaluation ran. */
  readonly totalSteps: number;
  /** Mean evaluation return. */
  readonly mean: number;
  /** Standard deviation of the evaluation returns. */
  readonly std: number;
}

/** One point of an aggregate curve: a central value and the bounds of its band. */
export interface BandPoint {
  /** Environment steps. */
  readonly totalSteps: number;
  /** Central value, drawn as the line. */
  readonly mean: number;
  /** Lower edge of the band. */
  readonly low: number;
  /** Upper edge of the band. */
  readonly high: number;
}

/** An aggregate curve, such as the mean return across seeds with its 95% confidence interval. */
export interface BandSeries {
  /** Legend text. */
  readonly label: string;
  /** Points, in any order (they are sorted by `totalSteps`). */
  readonly points: readonly BandPoint[];
}

/** What to draw. Every series may be empty; non-finite values are skipped. */
export interface LearningCurveData {
  /** Figure title, e.g. `"TD3 on Pendulum-v1, seed 0"`. */
  readonly title: string;
  /** Per-episode training returns, drawn as light grey dots. */
  readonly episodes?: readonly EpisodePoint[];
  /** Evaluation means, drawn as a bold line with markers and a ±std band. */
  readonly evals?: readonly EvalPoint[];
  /** Aggregate curves, each a line with a translucent band. */
  readonly bands?: readonly BandSeries[];
  /** A horizontal dashed line, e.g. `{ value: -200, label: "solved" }`. */
  readonly reference?: { readonly value: number; readonly label: string };
  /** x axis label; defaults to `"environment steps"`. */
  readonly xLabel?: string;
  /** y axis label; defaults to `"return"`. */
  readonly yLabel?: string;
}

/** Figure size in pixels. */
export interface LearningCurveOptions {
  /** Width, at least 240; default 720. */
  readonly width?: number;
  /** Height, at least 180; default 450. */
  readonly height?: number;
}

/** matplotlib's default color cycle ("tab10"). */
const PALETTE = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
];
const EPISODE_COLOR = "#b3b3b3";
const INK = "#262626";
/** Values beyond this magnitude are treated like non-finite ones, so scale arithmetic cannot overflow. */
const MAX_ABS = 1e12;
/** Rough advance width of a sans-serif glyph, as a fraction of the font size. */
const GLYPH = 0.6;

type Px = readonly [number, number];
interface Box {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

const ok = (v: number): boolean => Number.isFinite(v) && Math.abs(v) <= MAX_ABS;

/** A coordinate with one decimal, never `-0.0`. */
function num(v: number): string {
  const r = Math.round(v * 10) / 10;
  return (r === 0 ? 0 : r).toFixed(1);
}

function sortedBySteps<T extends { readonly totalSteps: number }>(points: readonly T[]): T[] {
  return points.filter((p) => ok(p.totalSteps)).sort((a, b) => a.totalSteps - b.totalSteps);
}

/** Maximal runs of consecutive points that pass `keep`; a failing point breaks the line, as NaN does in matplotlib. */
function runs<T>(points: readonly T[], keep: (p: T) => boolean): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  for (const p of points) {
    if (keep(p)) current.push(p);
    else if (current.length > 0) {
      out.push(current);
      current = [];
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** The smallest of 1, 2, 5 times a power of ten that is at least `raw`. */
function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction <= 1 + 1e-9 ? 1 : fraction <= 2 + 1e-9 ? 2 : fraction <= 5 + 1e-9 ? 5 : 10;
  return nice * power;
}

interface Scale {
  readonly lo: number;
  readonly hi: number;
  readonly step: number;
  readonly ticks: readonly number[];
}

/** Axis limits widened outward to multiples of a 1-2-5 step, with the ticks between them. */
function niceScale(lo: number, hi: number, target: number): Scale {
  const step = niceStep((hi - lo) / target);
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.ceil(hi / step - 1e-9);
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) ticks.push(i * step);
  return { lo: first * step, hi: last * step, step, ticks };
}

/** `[lo, hi]` widened when empty or degenerate, so the scale always has a positive span. */
function span(values: readonly number[], fallback: [number, number], includeZero: boolean): [number, number] {
  if (values.length === 0) return fallback;
  // A loop, not Math.min(...values), which overflows the call stack on long runs.
  let lo = includeZero ? 0 : values[0], hi = values[0];
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (hi - lo <= 1e-9 * Math.max(Math.abs(lo), Math.abs(hi), 1)) {
    const pad = Math.max(1, Math.abs(lo) * 0.1);
    return includeZero && lo === 0 ? [0, pad] : [lo - pad, hi + pad];
  }
  return [lo, hi];
}

/** A tick label such as `"-1500"`, `"0.5"`, `"20k"` or `"1.5M"`, with a typographic minus sign. */
function tickLabel(value: number, scale: Scale): string {
  if (Math.abs(value) < scale.step * 1e-9) return "0";
  const maxAbs = Math.max(Math.abs(scale.lo), Math.abs(scale.hi));
  const [unit, suffix] = maxAbs >= 1e6 && scale.step >= 1e5
    ? [1e6, "M"]
    : maxAbs >= 1e4 && scale.step >= 1e3
    ? [1e3, "k"]
    : [1, ""];
  const decimals = Math.max(0, Math.ceil(-Math.log10(scale.step / unit) - 1e-9));
  return (value / unit).toFixed(decimals).replace("-", "\u2212") + suffix;
}

function textWidth(text: string, fontSize: number): number {
  return [...text].length * fontSize * GLYPH;
}

/** Liang–Barsky: does the segment a→b cross the box? */
function segmentHitsBox(a: Px, b: Px, box: Box): boolean {
  const dx = b[0] - a[0], dy = b[1] - a[1];
  let t0 = 0, t1 = 1;
  const edges: [number, number][] = [[-dx, a[0] - box.x0], [dx, box.x1 - a[0]], [-dy, a[1] - box.y0], [
    dy,
    box.y1 - a[1],
  ]];
  for (const [p, q] of edges) {
    if (p === 0) {
      if (q < 0) return false;
    } else if (p < 0) {
      t0 = Math.max(t0, q / p);
    } else {
      t1 = Math.min(t1, q / p);
    }
    if (t0 > t1) return false;
  }
  return true;
}

interface LegendEntry {
  readonly kind: "episodes" | "evals" | "band" | "reference";
  readonly label: string;
  readonly color: string;
}

function legendSwatch(entry: LegendEntry, x: number, y: number): string[] {
  const line = (extra: string) =>
    `<line x1="${num(x)}" y1="${num(y)}" x2="${num(x + 24)}" y2="${
      num(y)
    }" stroke="${entry.color}" ${extra}/>`;
  const band = `<rect x="${num(x)}" y="${num(y - 5)}" width="24.0" height="10.0" fill="${entry.color}" ` +
    `fill-opacity="0.2"/>`;
  switch (entry.kind) {
    case "episodes":
      return [`<circle cx="${num(x + 12)}" cy="${num(y)}" r="2.5" fill="${entry.color}"/>`];
    case "evals":
      return [
        band,
        line(`stroke-width="2.2"`),
        `<circle cx="${num(x + 12)}" cy="${num(y)}" r="3.5" fill="${entry.color}" stroke="#ffffff"/>`,
      ];
    case "band":
      return [band, line(`stroke-width="2.0"`)];
    case "reference":
      return [line(`stroke-width="1.2" stroke-dasharray="6 4"`)];
  }
}

/**
 * Render a learning curve as a standalone SVG document (no external fonts, scripts or styles). The y range
 * covers every finite value drawn (episode returns, evaluation mean ± std, band edges, the reference line);
 * the x axis starts at 0 environment steps. With nothing to draw, the axes are drawn with a "no data yet"
 * note. Values that are not finite are skipped (and break lines), so the output never contains `NaN`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { learningCurveSvg } from "./plot.ts";
 *
 * const svg = learningCurveSvg({
 *   title: "TD3 on Pendulum-v1, seed 0",
 *   episodes: [{ totalSteps: 200, ret: -1450 }, { totalSteps: 400, ret: -1210 }],
 *   evals: [{ totalSteps: 400, mean: -1180, std: 95 }],
 *   reference: { value: -200, label: "solved" },
 * });
 * assert.ok(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"'));
 * ```
 *
 * @param data title, series and optional reference line
 * @param options figure width and height in pixels
 * @returns the SVG document, ending with a newline
 */
export function learningCurveSvg(data: LearningCurveData, options: LearningCurveOptions = {}): string {
  const width = Math.round(options.width ?? 720);
  const height = Math.round(options.height ?? 450);
  if (!(width >= 240 && width <= 20000)) {
    throw new RangeError(`learningCurveSvg: width ${options.width} not in [240, 20000]`);
  }
  if (!(height >= 180 && height <= 20000)) {
    throw new RangeError(`learningCurveSvg: height ${options.height} not in [180, 20000]`);
  }

  // Clean data: points with unusable steps dropped, line series sorted by steps.
  const episodes = (data.episodes ?? []).filter((e) => ok(e.totalSteps) && ok(e.ret));
  const evals = sortedBySteps(data.evals ?? []);
  const evalsShown = evals.some((e) => ok(e.mean));
  const bands = (data.bands ?? [])
    .map((b) => ({ label: b.label, points: sortedBySteps(b.points) }))
    .filter((b) => b.points.some((p) => ok(p.mean) || (ok(p.low) && ok(p.high))));
  const reference = data.reference !== undefined && ok(data.reference.value) ? data.reference : undefined;
  const hasStd = (e: EvalPoint) => ok(e.mean) && ok(e.std) && ok(e.mean + Math.abs(e.std));
  const hasBand = (p: BandPoint) => ok(p.low) && ok(p.high);

  // Data ranges.
  const xs: number[] = [], ys: number[] = [];
  for (const e of episodes) xs.push(e.totalSteps), ys.push(e.ret);
  for (const e of evals) {
    if (ok(e.mean)) xs.push(e.totalSteps), ys.push(e.mean);
    if (hasStd(e)) ys.push(e.mean - Math.abs(e.std), e.mean + Math.abs(e.std));
  }
  for (const b of bands) {
    for (const p of b.points) {
      const values = [p.mean, p.low, p.high].filter(ok);
      if (values.length > 0) xs.push(p.totalSteps), ys.push(...values);
    }
  }
  const hasData = xs.length > 0;
  if (reference) ys.push(reference.value);
  const [xMin, xMax] = span(xs, [0, 1000], true);
  const [yMin, yMax] = span(ys, [0, 1], false);
  const yPad = (yMax - yMin) * 0.05;
  const xScale = niceScale(xMin, xMax, 5);
  const yScale = niceScale(yMin - yPad, yMax + yPad, 5);

  // Layout.
  const title = escapeXml(data.title);
  const xLabels = xScale.ticks.map((t) => tickLabel(t, xScale));
  const yLabels = yScale.ticks.map((t) => tickLabel(t, yScale));
  const left = Math.ceil(12 + 14 + 10 + Math.max(...yLabels.map((l) => textWidth(l, 11))) + 4 + 4);
  const right = Math.ceil(Math.max(16, textWidth(xLabels[xLabels.length - 1], 11) / 2 + 6));
  const top = title === "" ? 16 : 40;
  const bottom = 4 + 4 + 11 + 10 + 12 + 10;
  const plot: Box = {
    x0: left,
    y0: top,
    x1: Math.max(left + 10, width - right),
    y1: Math.max(top + 10, height - bottom),
  };
  const px = (x: number) => plot.x0 + ((x - xScale.lo) / (xScale.hi - xScale.lo)) * (plot.x1 - plot.x0);
  const py = (y: number) => plot.y1 - ((y - yScale.lo) / (yScale.hi - yScale.lo)) * (plot.y1 - plot.y0);
  const pt = (x: number, y: number): Px => [px(x), py(y)];
  const xy = ([x, y]: Px) => `${num(x)},${num(y)}`;
  const pathOf = (points: readonly Px[]) =>
    points.map(([x, y], i) => `${i === 0 ? "M" : "L"}${num(x)} ${num(y)}`).join("");

  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">`,
    `<title>${title}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    '<g class="grid" stroke="#e5e5e5" stroke-width="0.8">',
  ];
  for (const t of xScale.ticks.slice(1, -1)) {
    out.push(`<line x1="${num(px(t))}" y1="${num(plot.y0)}" x2="${num(px(t))}" y2="${num(plot.y1)}"/>`);
  }
  for (const t of yScale.ticks.slice(1, -1)) {
    out.push(`<line x1="${num(plot.x0)}" y1="${num(py(t))}" x2="${num(plot.x1)}" y2="${num(py(t))}"/>`);
  }
  out.push("</g>");

  // Data, back to front: episodes, bands, reference, lines, markers. Also collected for legend placement.
  // Groups of points, pushed as arrays: spreading a long run into push() would overflow the call stack.
  const obstacles: Px[][] = [];
  const polylines: Px[][] = [];
  const bandShape = (upper: Px[], lower: Px[], color: string, cls: string): string => {
    obstacles.push(upper, lower);
    if (upper.length === 1) {
      const bar = pathOf([upper[0], lower[0]]);
      return `<path class="${cls}" d="${bar}" stroke="${color}" stroke-opacity="0.35" stroke-width="3"/>`;
    }
    const outline = pathOf([...upper, ...lower.reverse()]);
    return `<path class="${cls}" d="${outline}Z" fill="${color}" fill-opacity="0.2"/>`;
  };
  const lineShape = (points: Px[], color: string, cls: string, strokeWidth: string): string => {
    obstacles.push(points);
    polylines.push(points);
    return `<polyline class="${cls}" points="${points.map(xy).join(" ")}" fill="none" stroke="${color}" ` +
      `stroke-width="${strokeWidth}" stroke-linejoin="round"/>`;
  };

  out.push('<g class="data">');
  if (episodes.length > 0) {
    const dots = episodes.map((e) => pt(e.totalSteps, e.ret));
    obstacles.push(dots);
    const d = dots.map(([x, y]) => `M${num(x)} ${num(y)}h0`).join("");
    out.push(
      `<path class="episodes" d="${d}" fill="none" stroke="${EPISODE_COLOR}" stroke-width="3.5" ` +
        `stroke-linecap="round"/>`,
    );
  }
  const evalColor = PALETTE[0];
  const bandColor = (i: number) => PALETTE[(i + (evalsShown ? 1 : 0)) % PALETTE.length];
  for (const run of runs(evals, hasStd)) {
    const upper = run.map((e) => pt(e.totalSteps, e.mean + Math.abs(e.std)));
    const lower = run.map((e) => pt(e.totalSteps, e.mean - Math.abs(e.std)));
    out.push(bandShape(upper, lower, evalColor, "eval-band"));
  }
  bands.forEach((b, i) => {
    for (const run of runs(b.points, hasBand)) {
      const upper = run.map((p) => pt(p.totalSteps, p.high));
      const lower = run.map((p) => pt(p.totalSteps, p.low));
      out.push(bandShape(upper, lower, bandColor(i), "band"));
    }
  });
  if (reference) {
    const y = py(reference.value);
    polylines.push([[plot.x0, y], [plot.x1, y]]);
    out.push(
      `<line class="reference" x1="${num(plot.x0)}" y1="${num(y)}" x2="${num(plot.x1)}" y2="${num(y)}" ` +
        `stroke="#555555" stroke-width="1.2" stroke-dasharray="6 4"/>`,
    );
  }
  bands.forEach((b, i) => {
    for (const run of runs(b.points, (p) => ok(p.mean))) {
      out.push(lineShape(run.map((p) => pt(p.totalSteps, p.mean)), bandColor(i), "band-line", "2.0"));
    }
  });
  for (const run of runs(evals, (e) => ok(e.mean))) {
    const points = run.map((e) => pt(e.totalSteps, e.mean));
    out.push(lineShape(points, evalColor, "eval-line", "2.2"));
    for (const [x, y] of points) {
      out.push(
        `<circle class="eval-marker" cx="${num(x)}" cy="${
          num(y)
        }" r="3.5" fill="${evalColor}" stroke="#ffffff"/>`,
      );
    }
  }
  out.push("</g>");
  if (!hasData) {
    // Centered, or moved above the reference line when that runs through the middle.
    const middle = (plot.y0 + plot.y1) / 2;
    const refY = reference ? py(reference.value) : -Infinity;
    const noteY = Math.abs(refY - middle) < 16 ? refY - 16 : middle;
    out.push(
      `<text class="note" x="${num((plot.x0 + plot.x1) / 2)}" y="${num(noteY)}" dy="0.35em" ` +
        `text-anchor="middle" fill="#808080" font-style="italic">no data yet</text>`,
    );
  }

  // Frame, ticks, labels.
  out.push(
    `<g class="axes" fill="none" stroke="${INK}" stroke-width="1">`,
    `<rect x="${num(plot.x0)}" y="${num(plot.y0)}" width="${num(plot.x1 - plot.x0)}" ` +
      `height="${num(plot.y1 - plot.y0)}"/>`,
    ...xScale.ticks.map((t) =>
      `<line x1="${num(px(t))}" y1="${num(plot.y1)}" x2="${num(px(t))}" y2="${num(plot.y1 + 4)}"/>`
    ),
    ...yScale.ticks.map((t) =>
      `<line x1="${num(plot.x0 - 4)}" y1="${num(py(t))}" x2="${num(plot.x0)}" y2="${num(py(t))}"/>`
    ),
    "</g>",
    `<g class="tick-labels" fill="${INK}" font-size="11">`,
    ...xScale.ticks.map((t, i) =>
      `<text class="xtick" x="${num(px(t))}" y="${num(plot.y1 + 4 + 4 + 11)}" text-anchor="middle">${
        xLabels[i]
      }</text>`
    ),
    ...yScale.ticks.map((t, i) =>
      `<text class="ytick" x="${num(plot.x0 - 4 - 4)}" y="${num(py(t))}" dy="0.35em" text-anchor="end">${
        yLabels[i]
      }</text>`
    ),
    "</g>",
  );
  if (title !== "") {
    out.push(
      `<text class="title" x="${
        num((plot.x0 + plot.x1) / 2)
      }" y="26.0" text-anchor="middle" font-size="14" ` +
        `fill="#000000">${title}</text>`,
    );
  }
  const xCenter = num((plot.x0 + plot.x1) / 2), yCenter = num((plot.y0 + plot.y1) / 2);
  out.push(
    `<text class="xlabel" x="${xCenter}" y="${num(height - 12)}" text-anchor="middle" fill="${INK}">` +
      `${escapeXml(data.xLabel ?? "environment steps")}</text>`,
    `<text class="ylabel" x="16.0" y="${yCenter}" transform="rotate(-90 16.0 ${yCenter})" dy="0.35em" ` +
      `text-anchor="middle" fill="${INK}">${escapeXml(data.yLabel ?? "return")}</text>`,
  );

  // Legend, in the corner of the plot area that the fewest points and lines cross (matplotlib's "best").
  const entries: LegendEntry[] = [
    ...(episodes.length > 0
      ? [{ kind: "episodes", label: "training episodes", color: EPISODE_COLOR } as const]
      : []),
    ...(evalsShown
      ? [{ kind: "evals", label: "evaluation mean \u00b1 std", color: evalColor } as const]
      : []),
    ...bands.map((b, i) => ({ kind: "band", label: b.label, color: bandColor(i) }) as const),
    ...(reference ? [{ kind: "reference", label: reference.label, color: "#555555" } as const] : []),
  ];
  if (entries.length > 0) {
    const rowHeight = 18;
    const boxWidth = 8 + 24 + 6 + Math.max(...entries.map((e) => textWidth(e.label, 11))) + 8;
    const boxHeight = 6 + entries.length * rowHeight + 2;
    const inset = 8;
    const xl = plot.x0 + inset, xr = plot.x1 - inset - boxWidth;
    const yt = plot.y0 + inset, yb = plot.y1 - inset - boxHeight;
    const corners: Px[] = [[xr, yt], [xl, yt], [xl, yb], [xr, yb]]; // upper right, upper left, lower left, lower right
    const badness = ([x, y]: Px): number => {
      const box = { x0: x, y0: y, x1: x + boxWidth, y1: y + boxHeight };
      let n = 0;
      for (const group of obstacles) {
        for (const [ox, oy] of group) if (ox >= box.x0 && ox <= box.x1 && oy >= box.y0 && oy <= box.y1) n++;
      }
      for (const line of polylines) {
        for (let i = 1; i < line.length; i++) if (segmentHitsBox(line[i - 1], line[i], box)) n++;
      }
      return n;
    };
    const scores = corners.map(badness);
    const [bx, by] = corners[scores.indexOf(Math.min(...scores))];
    out.push(
      '<g class="legend">',
      `<rect x="${num(bx)}" y="${num(by)}" width="${num(boxWidth)}" height="${num(boxHeight)}" rx="3" ` +
        `fill="#ffffff" fill-opacity="0.85" stroke="#cccccc"/>`,
    );
    entries.forEach((entry, i) => {
      const y = by + 6 + rowHeight * (i + 0.5);
      out.push(
        ...legendSwatch(entry, bx + 8, y),
        `<text x="${num(bx + 8 + 24 + 6)}" y="${num(y)}" dy="0.35em" font-size="11" fill="${INK}">` +
          `${escapeXml(entry.label)}</text>`,
      );
    });
    out.push("</g>");
  }
  out.push("</svg>");
  return out.join("\n") + "\n";
}
