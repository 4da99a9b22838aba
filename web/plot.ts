/**
 * The live learning curve: a small canvas plot, no library. Episode returns as faint points, evaluations
 * as a line with a ±1 standard deviation band, x from 0 to the run's budget, y fitted to the data with
 * round ticks. A canvas redraw of a few thousand points takes well under a millisecond, which a charting
 * library would not improve on, and the page stays one static bundle with nothing fetched from elsewhere.
 *
 * @module
 */
/// <reference lib="dom" />
import type { EpisodePoint, EvalPoint } from "./protocol.ts";

/** What the plot shows. */
export interface CurveData {
  readonly episodes: readonly EpisodePoint[];
  readonly evals: readonly EvalPoint[];
  /** The x axis ends here (the run's steps). */
  readonly steps: number;
}

/**
 * Round tick values covering [lo, hi], about `count` of them.
 *
 * @param lo lower end
 * @param hi upper end
 * @param count how many ticks, roughly
 * @returns the tick values, ascending
 */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9 * step; t += step) {
    out.push(Number(t.toPrecision(12)));
  }
  return out;
}

/** A short label of a tick: 20000 → 20k. */
function short(v: number): string {
  if (Math.abs(v) >= 1e6) return `${v / 1e6}M`;
  if (Math.abs(v) >= 1e3) return `${v / 1e3}k`;
  return `${v}`;
}

/**
 * Paint the curve.
 *
 * @param ctx the canvas's 2D context (its size in CSS pixels is `width × height`)
 * @param width canvas width
 * @param height canvas height
 * @param data the points
 */
export function drawCurve(
  ctx: CanvasRenderingContext2D,
  width: number,
  height: number,
  data: CurveData,
): void {
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, width, height);
  const left = 52, right = 12, top = 12, bottom = 30;
  const plotW = width - left - right, plotH = height - top - bottom;
  const values = [
    ...data.episodes.map((e) => e.ret),
    ...data.evals.flatMap((e) => [e.mean - e.std, e.mean + e.std]),
  ];
  let lo = values.length ? Math.min(...values) : -1;
  let hi = values.length ? Math.max(...values) : 1;
  if (hi - lo < 1e-9) [lo, hi] = [lo - 1, hi + 1];
  const pad = (hi - lo) * 0.05;
  lo -= pad;
  hi += pad;
  const xMax = Math.max(1, data.steps);
  const sx = (x: number) => left + (x / xMax) * plotW;
  const sy = (y: number) => top + (1 - (y - lo) / (hi - lo)) * plotH;

  ctx.font = "11px system-ui, sans-serif";
  ctx.strokeStyle = "#e6e6e6";
  ctx.fillStyle = "#555";
  ctx.lineWidth = 1;
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const t of ticks(lo, hi)) {
    ctx.beginPath();
    ctx.moveTo(left, sy(t));
    ctx.lineTo(left + plotW, sy(t));
    ctx.stroke();
    ctx.fillText(short(t), left - 6, sy(t));
  }
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const t of ticks(0, xMax)) ctx.fillText(short(t), sx(t), top + plotH + 6);
  ctx.strokeStyle = "#999";
  ctx.strokeRect(left, top, plotW, plotH);

  ctx.fillStyle = "rgba(31, 119, 180, 0.35)";
  for (const e of data.episodes) ctx.fillRect(sx(e.step) - 1.5, sy(e.ret) - 1.5, 3, 3);
  if (data.evals.length > 0) {
    ctx.fillStyle = "rgba(214, 39, 40, 0.15)";
    ctx.beginPath();
    data.evals.forEach((e, i) =>
      i === 0 ? ctx.moveTo(sx(e.step), sy(e.mean + e.std)) : ctx.lineTo(sx(e.step), sy(e.mean + e.std))
    );
    for (const e of [...data.evals].reverse()) ctx.lineTo(sx(e.step), sy(e.mean - e.std));
    ctx.closePath();
    ctx.fill();
    ctx.strokeStyle = "#d62728";
    ctx.lineWidth = 2;
    ctx.beginPath();
    data.evals.forEach((e, i) =>
      i === 0 ? ctx.moveTo(sx(e.step), sy(e.mean)) : ctx.lineTo(sx(e.step), sy(e.mean))
    );
    ctx.stroke();
    ctx.fillStyle = "#d62728";
    for (const e of data.evals) {
      ctx.beginPath();
      ctx.arc(sx(e.step), sy(e.mean), 3, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
}
