/**
 * Painting a frame of an episode on a 2D canvas, with the SVG renderers' geometry and colours (Gymnasium's
 * conventions): the pendulum's rod turning about its pivot with the torque as an arc, the mountain car on
 * `sin(3x)` with the goal flag and the force as a bar, a MuJoCo model's geom outlines as the SVG renderer
 * projects and colours them, the camera following its torso. Each call clears and paints the whole canvas.
 *
 * @module
 */
/// <reference lib="dom" />
import { MOUNTAIN_CAR_TRACK, trackHeight } from "../src/report/render_mountain_car.ts";
import { ROD_COLOR, TORQUE_COLOR } from "../src/report/render_pendulum.ts";
import type { Frame, MountainCarFrame, MujocoFrame, PendulumFrame } from "./frames.ts";

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

function mujoco(ctx: CanvasRenderingContext2D, w: number, h: number, f: MujocoFrame) {
  const [u0, v0, u1, v1] = f.box;
  const room = h - 30;
  const scale = Math.min(w / (u1 - u0), room / (v1 - v0));
  // u − focus at the centre, v up; the box's top at the canvas's top.
  const x = (u: number) => w / 2 + (u - f.focus - (u0 + u1) / 2) * scale;
  const y = (v: number) => (v1 - v) * scale + (room - (v1 - v0) * scale) / 2;
  if (f.ground) {
    ctx.fillStyle = "#f3efe6";
    ctx.fillRect(0, y(0), w, h - y(0));
    ctx.strokeStyle = "#737373";
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(0, y(0));
    ctx.lineTo(w, y(0));
    ctx.stroke();
    // Ticks every metre, so that motion shows when the camera follows.
    ctx.fillStyle = "#8c8c8c";
    for (let m = Math.ceil(f.focus + u0); m <= f.focus + u1; m++) ctx.fillRect(x(m) - 0.5, y(0), 1, 6);
  }
  for (const { shape, color } of f.shapes) {
    ctx.fillStyle = color;
    ctx.strokeStyle = color;
    ctx.beginPath();
    switch (shape.kind) {
      case "segment":
        ctx.lineCap = "round";
        ctx.lineWidth = Math.max(1, 2 * shape.radius * scale);
        ctx.moveTo(x(shape.a[0]), y(shape.a[1]));
        ctx.lineTo(x(shape.b[0]), y(shape.b[1]));
        ctx.stroke();
        break;
      case "circle":
        ctx.arc(x(shape.center[0]), y(shape.center[1]), shape.radius * scale, 0, 2 * Math.PI);
        ctx.fill();
        break;
      case "polygon":
        shape.points.forEach(([u, v], i) => i === 0 ? ctx.moveTo(x(u), y(v)) : ctx.lineTo(x(u), y(v)));
        ctx.closePath();
        ctx.fill();
        break;
      case "ellipse": {
        const { center: [cu, cv], major, minor } = shape;
        ctx.ellipse(
          x(cu),
          y(cv),
          Math.hypot(...major) * scale,
          Math.hypot(...minor) * scale,
          -Math.atan2(major[1], major[0]),
          0,
          2 * Math.PI,
        );
        ctx.fill();
        break;
      }
    }
  }
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
  else if (frame.kind === "mountain-car") mountainCar(ctx, width, height, frame);
  else mujoco(ctx, width, height, frame);
  caption(ctx, width, height, label);
}
