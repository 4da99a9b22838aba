/**
 * A mountain-car episode as a self-contained, looping SVG animation, drawn the way Gymnasium's
 * `MountainCarContinuous-v0` renders a frame: the track `y = 0.45·sin 3x + 0.55` over x ∈ [−1.2, 0.6] at
 * 600/1.8 pixels per unit, a car of 40 × 20 pixels with two wheels, 10 pixels above the track and tilted by
 * `cos 3x` radians, and a yellow flag at the goal x = 0.45. Under the track, a bar shows the applied force
 * (−1 to +1), and each frame shows its step number, step reward and the return so far.
 *
 * Declarative SMIL only (see `render_pendulum.ts` for the conventions: discrete animations, one key time per
 * frame, frame 0 in the static view). The function is pure and byte-deterministic.
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
  px,
  runningReturns,
  svgOpening,
} from "./_animation.ts";

/** One frame of an episode. */
export interface MountainCarFrame {
  /** Car position on the x axis, in [−1.2, 0.6]. */
  readonly position: number;
  /** Force of the step that led to this frame (0 for the initial state); clipped to ±1 when drawn. */
  readonly force: number;
  /** Reward of the step that led to this frame (0 for the initial state). */
  readonly reward: number;
}

/** Drawing options of {@link mountainCarSvg}. */
export interface MountainCarSvgOptions {
  /** Title shown above the track; none by default. */
  readonly title?: string;
  /** Seconds each frame is shown, at least 0.001; default 1/30, Gymnasium's `render_fps` of 30. */
  readonly dt?: number;
}

const WIDTH = 600;
/** The track's extent and the goal, as Gymnasium's `MountainCarContinuous-v0` draws them (also the web app's). */
export const MOUNTAIN_CAR_TRACK = { minPosition: -1.2, maxPosition: 0.6, goalPosition: 0.45 } as const;
const MIN_POSITION = MOUNTAIN_CAR_TRACK.minPosition;
const MAX_POSITION = MOUNTAIN_CAR_TRACK.maxPosition;
const GOAL_POSITION = MOUNTAIN_CAR_TRACK.goalPosition;
/** Pixels per unit of x (Gymnasium: screen width / world width). */
const SCALE = WIDTH / (MAX_POSITION - MIN_POSITION);
/** Height of the track's drawing area in pixels (Gymnasium's screen height). */
const TRACK_AREA = 400;
const CAR_WIDTH = 40;
const CAR_HEIGHT = 20;
const CLEARANCE = 10;
const WHEEL = CAR_HEIGHT / 2.5;
const FLAG_POLE = 50;
const FORCE_COLOR = "#1f77b4";
const BAR_HALF = 150;

/**
 * Gymnasium's track height at `x` (also drawn by the web app).
 *
 * @param x a position on the track
 * @returns its height, in the same units
 */
export const trackHeight = (x: number): number => Math.sin(3 * x) * 0.45 + 0.55;

/**
 * Render a mountain-car episode as a standalone animated SVG that loops forever. Frame `i` is shown from
 * `i · dt` to `(i + 1) · dt` seconds; frame 0 is the reset state, frame `i` carries the force and reward of
 * the step from frame `i − 1` to frame `i`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mountainCarSvg } from "./render_mountain_car.ts";
 *
 * const svg = mountainCarSvg([
 *   { position: -0.5, force: 0, reward: 0 },
 *   { position: -0.49, force: 1, reward: -0.1 },
 * ], { title: "TD3, seed 0" });
 * assert.ok(svg.includes("step 1/1") && svg.includes("return \u22120.1"));
 * ```
 *
 * @param frames the states to show, in order; at least one
 * @param options title and seconds per frame
 * @returns the SVG document, ending with a newline
 * @throws {RangeError} when `frames` is empty, a frame holds a non-finite number, or `dt` is out of range
 */
export function mountainCarSvg(
  frames: readonly MountainCarFrame[],
  options: MountainCarSvgOptions = {},
): string {
  const n = frames.length;
  if (n === 0) throw new RangeError("mountainCarSvg: frames is empty, expected at least one frame");
  const dt = options.dt ?? 1 / 30;
  checkDt("mountainCarSvg", dt);
  checkFrames("mountainCarSvg", frames, ["position", "force", "reward"]);
  const returns = runningReturns(frames.map((f) => f.reward), "mountainCarSvg");
  const clock = frameClock(n, dt);

  // Layout, top to bottom: title, track (y up in world units, flipped to SVG's y down), force bar, labels.
  const title = options.title ?? "";
  const top = title === "" ? 12 : 44;
  const ground = top + TRACK_AREA;
  const screenX = (x: number) => (x - MIN_POSITION) * SCALE;
  const screenY = (x: number) => ground - trackHeight(x) * SCALE;
  const barY = ground + 22;
  const rowY = ground + 58;
  const height = ground + 76;

  const track = Array.from({ length: 101 }, (_, k) => {
    const x = MIN_POSITION + ((MAX_POSITION - MIN_POSITION) * k) / 100;
    return `${px(screenX(x))},${px(screenY(x))}`;
  }).join(" ");
  const shownX = frames.map((f) => Math.min(MAX_POSITION, Math.max(MIN_POSITION, f.position)));
  const moves = shownX.map((x) => `${px(screenX(x))} ${px(screenY(x))}`);
  // Gymnasium tilts the car by cos 3x radians, counter-clockwise; SVG turns clockwise for positive angles.
  const tilts = shownX.map((x) => compact((-Math.cos(3 * x) * 180) / Math.PI, 2));
  const gauge: Gauge = {
    name: "force",
    width: WIDTH,
    half: BAR_HALF,
    y: barY,
    bound: "1",
    color: FORCE_COLOR,
  };
  const flagX = px(screenX(GOAL_POSITION));
  const flagY = screenY(GOAL_POSITION);

  const out = svgOpening(WIDTH, height, title);
  out.push(
    `<polyline class="track" points="${track}" fill="none" stroke="#000000" stroke-width="2"/>`,
    `<g class="flag">`,
    `<line x1="${flagX}" y1="${px(flagY)}" x2="${flagX}" y2="${px(flagY - FLAG_POLE)}" stroke="#000000" ` +
      `stroke-width="2"/>`,
    `<path d="M${flagX} ${px(flagY - FLAG_POLE)}l0 10l25 -5Z" fill="#cccc00"/>`,
    "</g>",
    // The car in its own frame (x right, SVG y down, its track contact at the origin): moved, then tilted.
    `<g class="car" transform="translate(${moves[0]})">`,
    `<animateTransform attributeName="transform" type="translate" values="${moves.join(";")}" ` +
      `keyTimes="${clock.allKeyTimes}" ${clock.timing}/>`,
    `<g class="body" transform="rotate(${tilts[0]})">`,
    `<animateTransform attributeName="transform" type="rotate" values="${tilts.join(";")}" ` +
      `keyTimes="${clock.allKeyTimes}" ${clock.timing}/>`,
    `<rect x="${-CAR_WIDTH / 2}" y="${
      -CLEARANCE - CAR_HEIGHT
    }" width="${CAR_WIDTH}" height="${CAR_HEIGHT}" ` +
      `fill="#000000"/>`,
    `<circle cx="${CAR_WIDTH / 4}" cy="${-CLEARANCE}" r="${WHEEL}" fill="#808080"/>`,
    `<circle cx="${-CAR_WIDTH / 4}" cy="${-CLEARANCE}" r="${WHEEL}" fill="#808080"/>`,
    "</g>",
    "</g>",
  );

  // Force bar: the fill grows from the centre toward the side of the force's sign.
  out.push(...gaugeLines(gauge, frames.map((f) => f.force), clock));

  out.push(
    ...frameLabels(
      frames.map((f) => f.reward),
      returns,
      { width: WIDTH, y: rowY },
      clock,
      (i) => gaugeValue(gauge, frames[i].force),
    ),
  );
  out.push("</svg>");
  return out.join("\n") + "\n";
}
