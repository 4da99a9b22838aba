/**
 * The elements of a MuJoCo scene's SVG, in world pixels (`x = u · scale`, `y = −v · scale`, the world group
 * moving them onto the drawing): one element per geom, animated through its outlines, and the ground. Pure.
 *
 * @module
 */
import type { SceneGeom } from "../envs/mujoco/scene.ts";
import { compact, type FrameClock, MINUS, px } from "./_animation.ts";
import type { Point, Shape } from "./_mujoco_shapes.ts";
import { escapeXml } from "./_xml.ts";

const WORLD_COLOR = "#a6a6a6";
const PALETTE = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3", "#ccb974"];
/** Fill of the ground under a side view and of the floor. */
export const EARTH_COLOR = "#f3efe6";
const GROUND_COLOR = "#737373";
const TICK_COLOR = "#8c8c8c";
/** Tick marks at least this many pixels apart. */
const TICK_PIXELS = 40;

/**
 * The colour of a geom's part: grey for the world's geoms, then a palette.
 *
 * @param part the geom's colour group
 * @returns the colour
 */
export const partColor = (part: number): string =>
  part === 0 ? WORLD_COLOR : PALETTE[(part - 1) % PALETTE.length];

/** `[u, v]` metres as world-pixel text `x y`. */
const at = (p: Point, scale: number) => `${px(p[0] * scale)} ${px(-p[1] * scale)}`;

/** The path data of an outline (not of a circle). */
function pathData(shape: Shape, scale: number): string {
  switch (shape.kind) {
    case "segment":
      return `M${at(shape.a, scale)}L${at(shape.b, scale)}`;
    case "polygon":
      return `M${shape.points.map((p) => at(p, scale)).join("L")}Z`;
    case "ellipse": {
      // Two half-ellipse arcs between the ends of the major axis; SVG's y points down, so the angle flips.
      const { center: [cu, cv], major, minor } = shape;
      const degrees = compact((Math.atan2(-major[1], major[0]) * 180) / Math.PI, 1);
      const arc = `A${px(Math.hypot(...major) * scale)} ${px(Math.hypot(...minor) * scale)} ${degrees} 0 1 `;
      const p1 = at([cu + major[0], cv + major[1]], scale), p2 = at([cu - major[0], cv - major[1]], scale);
      return `M${p1}${arc}${p2}${arc}${p1}Z`;
    }
    case "circle":
      throw new RangeError("pathData: circles are drawn as <circle>");
  }
}

/**
 * A geom's element: its frame-0 outline, with an animation through the other frames' when it moves. A
 * capsule is a path of one segment stroked `2 · radius` wide with round caps; a sphere a circle moved by a
 * translation; the other shapes filled paths.
 *
 * @param geom the geom
 * @param outlines its outline in each frame
 * @param scale pixels per metre
 * @param clock the animation's clock
 * @returns the element's lines
 */
export function geomLines(
  geom: SceneGeom,
  outlines: readonly Shape[],
  scale: number,
  clock: FrameClock,
): string[] {
  const color = partColor(geom.part);
  const head = `class="geom ${geom.kind}"${geom.name === "" ? "" : ` data-geom="${escapeXml(geom.name)}"`}`;
  const element = (tag: string, attributes: string, shown: string, animation: () => string, moves: boolean) =>
    moves
      ? [`<${tag} ${head} ${shown} ${attributes}>`, animation(), `</${tag}>`]
      : [`<${tag} ${head} ${shown} ${attributes}/>`];
  const first = outlines[0];
  if (first.kind === "circle") {
    const moves = outlines.map((s) => s.kind === "circle" ? at(s.center, scale) : "");
    const animation = () =>
      `<animateTransform attributeName="transform" type="translate" values="${moves.join(";")}" ` +
      `keyTimes="${clock.allKeyTimes}" ${clock.timing}/>`;
    const attributes = `r="${px(first.radius * scale)}" fill="${color}"`;
    return element("circle", attributes, `transform="translate(${moves[0]})"`, animation, changes(moves));
  }
  const d = outlines.map((s) => pathData(s, scale));
  const attributes = first.kind === "segment"
    ? `fill="none" stroke="${color}" stroke-width="${px(2 * first.radius * scale)}" stroke-linecap="round"`
    : `fill="${color}"`;
  return element("path", attributes, `d="${d[0]}"`, () => clock.animate("d", d), changes(d));
}

const changes = (values: readonly string[]) => values.some((v) => v !== values[0]);

/** The smallest of 1, 2, 5 × 10^k that is at least `x`. */
function nice(x: number): number {
  const power = 10 ** Math.floor(Math.log10(x));
  return [1, 2, 5, 10].map((m) => m * power).find((v) => v >= x * (1 - 1e-9))!;
}

/** Where the ground is drawn, in world metres and pixels. */
export interface Ground {
  /** Height (v) of the ground's near edge: the plane's height in a side view. */
  readonly near: number;
  /** Height (v) of its far edge: the same in a side view, higher in the elevated view. */
  readonly far: number;
  /** The u range the camera ever shows. */
  readonly from: number;
  /** End of that range. */
  readonly to: number;
  /** World-pixel y of the scene's bottom edge (the ground's fill ends there). */
  readonly bottom: number;
}

/**
 * The ground of a side view (a line over a filled strip) or of the elevated view (a strip of floor), with
 * a tick mark every `spacing` metres (at least 40 pixels apart) and a label every `major` metres.
 *
 * @param ground where it is
 * @param scale pixels per metre
 * @returns the lines
 */
export function groundLines(ground: Ground, scale: number): string[] {
  const { from, to } = ground;
  const X = (u: number) => px(u * scale);
  const near = -ground.near * scale, far = -ground.far * scale;
  const strip = far < near;
  let spacing = nice(TICK_PIXELS / scale);
  while ((to - from) / spacing > 5000) spacing = nice(spacing * 1.5);
  const major = nice(4 * spacing);
  const ticks: string[] = [];
  const labels: string[] = [];
  for (let k = Math.ceil(from / spacing); k <= Math.floor(to / spacing); k++) {
    const u = k * spacing;
    const isMajor = Math.abs(u / major - Math.round(u / major)) < 1e-6;
    ticks.push(`M${X(u)} ${px(near)}${strip ? `V${px(far)}` : `v${isMajor ? 9 : 5}`}`);
    if (isMajor) {
      labels.push(`<text x="${X(u)}" y="${px(near + 20)}">${compact(u, 3).replace("-", MINUS)} m</text>`);
    }
  }
  const width = px((to - from) * scale);
  const fill = strip
    ? `<rect class="floor" x="${X(from)}" y="${px(far)}" width="${width}" height="${px(near - far)}" ` +
      `fill="${EARTH_COLOR}"/>`
    : `<rect class="earth" x="${X(from)}" y="${px(near)}" width="${width}" ` +
      `height="${px(Math.max(0, ground.bottom - near))}" fill="${EARTH_COLOR}"/>`;
  return [
    fill,
    `<line class="ground" x1="${X(from)}" y1="${px(near)}" x2="${X(to)}" y2="${px(near)}" ` +
    `stroke="${GROUND_COLOR}" stroke-width="1.5"/>`,
    `<path class="ticks" d="${ticks.join("")}" fill="none" stroke="${TICK_COLOR}" stroke-width="1"/>`,
    `<g class="tick-labels" font-size="10" fill="${TICK_COLOR}" text-anchor="middle">${labels.join("")}</g>`,
  ];
}
