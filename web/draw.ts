/**
 * Painting a frame of an episode on a 2D canvas, with the SVG renderers' geometry and colours (Gymnasium's
 * conventions): the pendulum's rod turning about its pivot with the torque as an arc, the mountain car on
 * `sin(3x)` with the goal flag and the force as a bar. Each function clears and paints the whole canvas.
 *
 * @module
 */
/// <reference lib="dom" />
import { MOUNTAIN_CAR_TRACK, trackHeight } from "../src/report/render_mountain_car.ts";
import { ROD_COLOR, TORQUE_COLOR } from "../src/report/render_pendulum.ts";
import type { Frame, MountainCarFrame, PendulumFrame } from "./frames.ts";

const INK = "#222";
const MUTED = "#777";

/** Text under a frame: step, reward and return so far. */
function caption(ctx: CanvasRenderingContext2D, w: number, h: number, text: string) {
  ctx.fillStyle = INK;
  ctx.font = `${Math.max(11, Math.round(h / 22))}px system-ui, sans-serif`;
  ctx.textAlign = "center";
  ctx.fillText(text, w / 2, h - 8);
}

/** A bar from the centre: `value` of `bound`, in the action colour. */
function bar(
  ctx: CanvasRenderingContext2D,
  cx: number,
  y: number,
  half: number,
  value: number,
  bound: number,
) {
  ctx.strokeStyle = MUTED;
  ctx.lineWidth = 1;
  ctx.strokeRect(cx - half, y - 4, 2 * half, 8);
  ctx.fillStyle = TORQUE_COLOR;
  const v = Math.max(-1, Math.min(1, value / bound)) * half;
  ctx.fillRect(Math.min(cx, cx + v), y - 4, Math.abs(v), 8);
}

function pendulum(ctx: CanvasRenderingContext2D, w: number, h: number, f: PendulumFrame) {
  const cx = w / 2;
  const cy = h * 0.45;
  const rod = Math.min(w, h) * 0.3;
  // θ = 0 upright, counter-clockwise positive; the canvas's y points down.
  const tipX = cx - rod * Math.sin(f.theta);
  const tipY = cy - rod * Math.cos(f.theta);
  ctx.lineCap = "round";
  ctx.strokeStyle = ROD_COLOR;
  ctx.lineWidth = Math.max(6, rod / 8);
  ctx.beginPath();
  ctx.moveTo(cx, cy);
  ctx.lineTo(tipX, tipY);
  ctx.stroke();
  ctx.fillStyle = INK;
  ctx.beginPath();
  ctx.arc(cx, cy, ctx.lineWidth / 3, 0, 2 * Math.PI);
  ctx.fill();
  // The torque as an arc about the pivot, its sweep growing with |torque| (270° at the bound of 2).
  const sweep = (Math.min(1, Math.abs(f.torque) / 2) * 3 * Math.PI) / 2;
  if (sweep > 0.02) {
    ctx.strokeStyle = TORQUE_COLOR;
    ctx.lineWidth = 3;
    ctx.beginPath();
    const middle = Math.PI / 2; // below the pivot
    ctx.arc(cx, cy, rod / 3, middle - sweep / 2, middle + sweep / 2);
    ctx.stroke();
  }
  bar(ctx, cx, h - 40, Math.min(100, w / 3), f.torque, 2);
}

function mountainCar(ctx: CanvasRenderingContext2D, w: number, h: number, f: MountainCarFrame) {
  const { minPosition, maxPosition, goalPosition } = MOUNTAIN_CAR_TRACK;
  const scale = w / (maxPosition - minPosition);
  const ground = h - 60;
  const sx = (x: number) => (x - minPosition) * scale;
  const sy = (x: number) => ground - trackHeight(x) * scale * 0.75;
  ctx.strokeStyle = INK;
  ctx.lineWidth = 2;
  ctx.beginPath();
  for (let k = 0; k <= 100; k++) {
    const x = minPosition + ((maxPosition - minPosition) * k) / 100;
    if (k === 0) ctx.moveTo(sx(x), sy(x));
    else ctx.lineTo(sx(x), sy(x));
  }
  ctx.stroke();
  // The goal flag.
  const gx = sx(goalPosition);
  const gy = sy(goalPosition);
  ctx.beginPath();
  ctx.moveTo(gx, gy);
  ctx.lineTo(gx, gy - 40);
  ctx.stroke();
  ctx.fillStyle = "#e5c100";
  ctx.beginPath();
  ctx.moveTo(gx, gy - 40);
  ctx.lineTo(gx + 22, gy - 34);
  ctx.lineTo(gx, gy - 28);
  ctx.fill();
  // The car, tilted along the track.
  const x = f.position;
  const slope = Math.cos(3 * x) * 1.35 * 0.75;
  ctx.save();
  ctx.translate(sx(x), sy(x));
  ctx.rotate(-Math.atan(slope));
  ctx.fillStyle = INK;
  ctx.fillRect(-20, -26, 40, 18);
  ctx.fillStyle = MUTED;
  for (const wx of [-12, 12]) {
    ctx.beginPath();
    ctx.arc(wx, -6, 6, 0, 2 * Math.PI);
    ctx.fill();
  }
  ctx.restore();
  bar(ctx, w / 2, h - 40, Math.min(150, w / 3), f.force, 1);
}

/**
 * Paint one frame.
 *
 * @param ctx the canvas's 2D context (its size in CSS pixels is `width × height`)
 * @param width canvas width
 * @param height canvas height
 * @param frame the frame
 * @param label text under it (step, reward, return)
 */
export function drawFrame(
  ctx: CanvasRenderingContext2D,
  width: number,
  height: number,
  frame: Frame,
  label: string,
): void {
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, width, height);
  if (frame.kind === "pendulum") pendulum(ctx, width, height, frame);
  else mountainCar(ctx, width, height, frame);
  caption(ctx, width, height, label);
}
