/**
 * A pendulum episode as a self-contained, looping SVG animation, drawn the way Gymnasium's `Pendulum-v1`
 * renders a frame: a red rod with a bob swinging about a pivot, θ = 0 upright and positive θ
 * counter-clockwise, with the applied torque shown as a circular arrow about the pivot (Gymnasium's arrow)
 * and as a bar from −maxTorque to +maxTorque. Under the pendulum, each frame shows its step number, step
 * reward and the return so far.
 *
 * The animation is declarative SMIL (no scripts, no external fonts or images), so it plays in Chromium,
 * Firefox and Safari when the file is opened directly. Every animation is `calcMode="discrete"` with one
 * key time per frame, so each frame is held for exactly `dt` seconds and the loop lasts `frames.length · dt`.
 * The non-animated attributes describe frame 0, so renderers without SMIL (librsvg, Inkscape, most image
 * previews) show the initial state. The function is pure and byte-deterministic.
 *
 * @module
 */
import {
  checkDt,
  checkFrames,
  compact,
  frameClock,
  frameLabels,
  type Gauge,
  gaugeLines,
  gaugeValue,
  INK,
  label,
  px,
  runningReturns,
  svgOpening,
} from "./_animation.ts";

/** One frame of an episode. */
export interface PendulumFrame {
  /** Pole angle in radians; 0 is upright, positive is counter-clockwise. Need not be wrapped. */
  readonly theta: number;
  /** Torque of the step that led to this frame (0 for the initial state); clipped to ±maxTorque when drawn. */
  readonly torque: number;
  /** Reward of the step that led to this frame (0 for the initial state). */
  readonly reward: number;
}

/** Drawing options of {@link pendulumSvg}. */
export interface PendulumSvgOptions {
  /** Title shown above the pendulum; none by default. */
  readonly title?: string;
  /** Seconds each frame is shown, at least 0.001; default 0.05, the time step of Gymnasium's `Pendulum-v1`. */
  readonly dt?: number;
  /** Torque drawn as a full arrow and a full bar; default 2, the action bound of `Pendulum-v1`. */
  readonly maxTorque?: number;
}

const WIDTH = 400;
const CENTER_X = 200;
/** Rod length in pixels; the bob is centred on the rod's tip. */
const ROD = 110;
const BOB = 14;
/** Radius of the torque arrow around the pivot, and its largest sweep (at |torque| = maxTorque). */
const ARC_RADIUS = 40;
const ARC_MAX_DEG = 270;
const BAR_HALF = 100;
/** The rod's colour, Gymnasium's (204, 77, 77) (also the web app's). */
export const ROD_COLOR = "#cc4d4d";
/** The torque arrow's and bar's colour. */
export const TORQUE_COLOR = "#1f77b4";

/**
 * SVG `rotate()` degrees that turn the upright rod to angle `theta`, wrapped to [−180, 180). SVG's y axis
 * points down, so a counter-clockwise turn on screen is a negative SVG angle.
 */
function rotationDegrees(theta: number): number {
  const deg = (-theta * 180) / Math.PI;
  return ((deg % 360) + 540) % 360 - 180;
}

/** A point at `angle` radians (counter-clockwise from the +x axis, as on screen) and `radius` from the pivot. */
function polar(angle: number, radius: number): [number, number] {
  return [radius * Math.cos(angle), -radius * Math.sin(angle)];
}

/**
 * Path data of the torque arrow, in pivot coordinates: an arc centred below the pivot whose sweep grows with
 * |torque| and a head at the end pointing the way the torque turns (counter-clockwise for positive torque).
 * Returns `"M0 0"` (nothing drawn) when the torque is too small to show.
 */
function torqueArrow(torque: number, maxTorque: number): { arc: string; head: string } {
  const fraction = Math.min(1, Math.abs(torque) / maxTorque);
  const sweepDeg = fraction * ARC_MAX_DEG;
  if (sweepDeg < 1) return { arc: "M0 0", head: "M0 0" };
  const dir = torque > 0 ? 1 : -1;
  const sweep = (sweepDeg * Math.PI) / 180;
  const start = -Math.PI / 2 - (dir * sweep) / 2;
  const end = -Math.PI / 2 + (dir * sweep) / 2;
  const [x0, y0] = polar(start, ARC_RADIUS);
  const [x1, y1] = polar(end, ARC_RADIUS);
  // sweep-flag 0 turns counter-clockwise on screen (SVG's positive angles are clockwise).
  const arc =
    `M${px(x0)} ${px(y0)}A${ARC_RADIUS} ${ARC_RADIUS} 0 ${sweepDeg > 180 ? 1 : 0} ${dir > 0 ? 0 : 1} ` +
    `${px(x1)} ${px(y1)}`;
  const [tx, ty] = polar(end + (dir * Math.PI) / 2, 1); // unit tangent in the direction of travel
  const [rx, ry] = polar(end, 1); // unit radial
  const head = `M${px(x1 + 10 * tx)} ${px(y1 + 10 * ty)}L${px(x1 + 7 * rx)} ${px(y1 + 7 * ry)}` +
    `L${px(x1 - 7 * rx)} ${px(y1 - 7 * ry)}Z`;
  return { arc, head };
}

/**
 * Render a pendulum episode as a standalone animated SVG that loops forever. Frame `i` is shown from
 * `i · dt` to `(i + 1) · dt` seconds and labelled `step i/(frames.length − 1)`, with its reward (2 decimals)
 * and the sum of the rewards of frames 0 to `i` (1 decimal). Frame 0 is the initial state, so its torque and
 * reward are usually 0; frame `i` carries the torque and reward of the step from frame `i − 1` to frame `i`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pendulumSvg } from "./render_pendulum.ts";
 *
 * const svg = pendulumSvg([
 *   { theta: Math.PI, torque: 0, reward: 0 },
 *   { theta: 3.1, torque: 2, reward: -9.87 },
 * ], { title: "TD3, seed 0" });
 * assert.ok(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"'));
 * assert.ok(svg.includes('values="-180;-177.62"'));
 * assert.ok(svg.includes("step 1/1") && svg.includes("return \u22129.9"));
 * ```
 *
 * @param frames the states to show, in order; at least one
 * @param options title, seconds per frame and the torque bound
 * @returns the SVG document, ending with a newline
 * @throws {RangeError} when `frames` is empty, a frame holds a non-finite number, or an option is out of range
 */
export function pendulumSvg(frames: readonly PendulumFrame[], options: PendulumSvgOptions = {}): string {
  const n = frames.length;
  if (n === 0) throw new RangeError("pendulumSvg: frames is empty, expected at least one frame");
  const dt = options.dt ?? 0.05;
  const maxTorque = options.maxTorque ?? 2;
  checkDt("pendulumSvg", dt);
  if (!(Number.isFinite(maxTorque) && maxTorque > 0)) {
    throw new RangeError(`pendulumSvg: maxTorque ${maxTorque} is not a finite positive number`);
  }
  checkFrames("pendulumSvg", frames, ["theta", "torque", "reward"]);
  const returns = runningReturns(frames.map((f) => f.reward), "pendulumSvg");
  const clock = frameClock(n, dt);
  const { timing, allKeyTimes, animate } = clock;

  // Layout, top to bottom: title, pendulum, torque bar, labels.
  const title = options.title ?? "";
  const top = title === "" ? 12 : 44;
  const cy = top + 150;
  const barY = top + 312;
  const rowY = top + 348;
  const height = top + 366;

  const degrees = frames.map((f) => compact(rotationDegrees(f.theta), 2));
  const arrows = frames.map((f) => torqueArrow(f.torque, maxTorque));
  const gauge: Gauge = {
    name: "torque",
    width: WIDTH,
    half: BAR_HALF,
    y: barY,
    bound: label(maxTorque, Number.isInteger(maxTorque) ? 0 : 2),
    color: TORQUE_COLOR,
  };

  const out = svgOpening(WIDTH, height, title);

  // The pendulum, in pivot coordinates: the rod is drawn upright and turned by the animated rotation.
  out.push(
    `<g class="pendulum" transform="translate(${CENTER_X} ${cy})">`,
    `<circle class="guide" r="${ROD}" fill="none" stroke="#d9d9d9" stroke-width="1" stroke-dasharray="4 4"/>`,
    `<line class="upright" x1="0" y1="${-ROD - 8}" x2="0" y2="${
      -ROD + 8
    }" stroke="#999999" stroke-width="2"/>`,
    `<g class="rod" transform="rotate(${degrees[0]})">`,
    `<animateTransform attributeName="transform" type="rotate" values="${degrees.join(";")}" ` +
      `keyTimes="${allKeyTimes}" ${timing}/>`,
    `<line x1="0" y1="0" x2="0" y2="${-ROD}" stroke="${ROD_COLOR}" stroke-width="12" stroke-linecap="round"/>`,
    `<circle cx="0" cy="${-ROD}" r="${BOB}" fill="${ROD_COLOR}" stroke="#8f3636" stroke-width="2"/>`,
    "</g>",
    `<g class="torque" fill="none" stroke="${TORQUE_COLOR}" stroke-opacity="0.9">`,
    `<path class="torque-arc" d="${arrows[0].arc}" stroke-width="5">`,
    animate("d", arrows.map((a) => a.arc)),
    "</path>",
    `<path class="torque-head" d="${
      arrows[0].head
    }" fill="${TORQUE_COLOR}" fill-opacity="0.9" stroke="none">`,
    animate("d", arrows.map((a) => a.head)),
    "</path>",
    "</g>",
    `<circle class="pivot" r="5" fill="${INK}"/>`,
    "</g>",
  );

  // Torque bar: the fill grows from the centre toward the side of the torque's sign.
  out.push(...gaugeLines(gauge, frames.map((f) => f.torque / maxTorque), clock));

  // Per-frame labels, with the torque's value beside the bar.
  out.push(
    ...frameLabels(
      frames.map((f) => f.reward),
      returns,
      { width: WIDTH, y: rowY },
      clock,
      (i) => gaugeValue(gauge, frames[i].torque),
    ),
  );
  out.push("</svg>");
  return out.join("\n") + "\n";
}
