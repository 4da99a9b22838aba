/**
 * A MuJoCo episode as a self-contained, looping SVG animation: every geom of the model drawn from its pose
 * in each state, in an orthographic view of the plane the model moves in: a side view (x–z) for the planar
 * walkers and the pendulums on a cart, a top view (x–y) for Reacher, and for models that move in 3D (Ant,
 * Humanoid) a side view from 20° above. Capsules are thick round-capped segments, spheres circles, boxes and
 * cylinders their outlines, ellipsoids ellipses. The plane is the ground: a line with a tick mark every so
 * many metres in a side view, a strip with cross lines in the elevated view, the floor in a top view. When a
 * body moves freely (a walker's torso) the view follows it horizontally, the ticks pass by, and each frame
 * shows the body's x. The world's geoms are grey; each root body and each limb hanging from it has its own
 * colour. Under the scene, each frame shows its step number, step reward and the return so far.
 *
 * Declarative SMIL only (see `render_pendulum.ts` for the conventions: discrete animations, one key time per
 * frame, frame 0 in the static view); a geom that never moves has no animation. The input is plain data
 * (`mujocoScene` in `src/envs/mujoco/scene.ts` computes it on the engine), and the function is pure and
 * byte-deterministic.
 *
 * @module
 */
import type { MujocoScene } from "../envs/mujoco/scene.ts";
import { checkDt, frameClock, frameLabels, label, px, runningReturns, svgOpening } from "./_animation.ts";
import { EARTH_COLOR, geomLines, type Ground, groundLines } from "./_mujoco_drawing.ts";
import { bounds, depth, project, projectGeom, type Shape, VIEWS } from "./_mujoco_shapes.ts";

/** Drawing options of {@link mujocoSvg}. */
export interface MujocoSvgOptions {
  /** Title shown above the scene; none by default. */
  readonly title?: string;
  /** Seconds each frame is shown, at least 0.001; default the scene's `dt` (the task's step). */
  readonly dt?: number;
  /**
   * Pixels per metre; default the largest at which every frame fits 600 × 320 pixels. The scene's height
   * follows the scale; its width stays 600 pixels, so a larger scale may cut it at the sides.
   */
  readonly scale?: number;
}

const WIDTH = 600;
const MAX_HEIGHT = 320;
const MARGIN = 16;
/** Room under the ground for its tick labels, in pixels. */
const BELOW = 26;

/** Check that a scene holds finite numbers where the drawing reads them. */
function checkScene(scene: MujocoScene, rewards: readonly number[]): void {
  const ng = scene.geoms.length;
  const finite = (where: string, values: ArrayLike<number>, length: number) => {
    if (values.length < length) {
      throw new RangeError(`mujocoSvg: ${where} has ${values.length} values, expected ${length}`);
    }
    for (let i = 0; i < length; i++) {
      if (!Number.isFinite(values[i])) {
        throw new RangeError(`mujocoSvg: ${where}[${i}] is ${values[i]}, expected a finite number`);
      }
    }
  };
  scene.geoms.forEach((g, i) => finite(`geoms[${i}].size`, g.size, 3));
  scene.frames.forEach((f, i) => {
    finite(`frames[${i}].pos`, f.pos, 3 * ng);
    finite(`frames[${i}].mat`, f.mat, 9 * ng);
    finite(`frames[${i}].focus`, f.focus, 3);
  });
  finite("rewards", rewards, rewards.length);
}

/**
 * What the camera must show, in metres: every outline relative to the focus (symmetric about it when
 * following), and the ground when it is near: the first plane, in a side or elevated view. The elevated
 * view shows a strip of it as deep (in y) as the geoms ever reach, each bounded by the norm of its size.
 */
function framing(
  scene: MujocoScene,
  shapes: readonly (readonly (Shape | undefined)[])[],
  focus: readonly number[],
  drawn: readonly number[],
) {
  let [u0, v0, u1, v1] = drawn.length === 0 ? [-0.5, 0, 0.5, 1] : [Infinity, Infinity, -Infinity, -Infinity];
  shapes.forEach((frame, k) => {
    for (const i of drawn) {
      const [a, b, c, d] = bounds(frame[i]!);
      [u0, v0, u1, v1] = [
        Math.min(u0, a - focus[k]),
        Math.min(v0, b),
        Math.max(u1, c - focus[k]),
        Math.max(v1, d),
      ];
    }
  });
  if (scene.follow) [u0, u1] = [-Math.max(-u0, u1), Math.max(-u0, u1)];
  const plane = scene.geoms.findIndex((g) => g.kind === "plane");
  let edges: readonly [number, number] | undefined;
  if (plane >= 0 && scene.motion !== "xy") {
    const z = scene.frames[0].pos[3 * plane + 2];
    let [y0, y1] = [Infinity, -Infinity];
    for (const f of scene.frames) {
      for (const i of drawn) {
        const reach = Math.hypot(...scene.geoms[i].size);
        [y0, y1] = [Math.min(y0, f.pos[3 * i + 1] - reach), Math.max(y1, f.pos[3 * i + 1] + reach)];
      }
    }
    const [near, far] = scene.motion === "3d" && y0 < y1
      ? [y0 - 0.1, y1 + 0.1].map((y) => project(VIEWS["3d"], [0, y, z])[1])
      : [z, z];
    if (far >= v0 - Math.max(v1 - v0, 0.5)) {
      edges = [near, far];
      [v0, v1] = [Math.min(v0, near), Math.max(v1, far)];
    }
  }
  return { u0, v0, u1, v1, edges };
}

/**
 * Render a MuJoCo episode as a standalone animated SVG that loops forever. Frame `i` is shown from `i · dt`
 * to `(i + 1) · dt` seconds; frame 0 is the reset state, frame `i` carries the reward of the step from frame
 * `i − 1` to frame `i` (`rewards[0]` is usually 0).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mujocoSvg } from "./render_mujoco.ts";
 *
 * // A capsule of radius 0.05 from x = -0.5 to 0.5 at height 1 (its local z axis along world x), over a plane.
 * const geoms = [
 *   { name: "floor", kind: "plane", size: [10, 10, 1], part: 0 },
 *   { name: "rod", kind: "capsule", size: [0.05, 0.5, 0], part: 1 },
 * ] as const;
 * const frame = { pos: [0, 0, 0, 0, 0, 1], mat: [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 1, 0, -1, 0, 0], focus: [0, 0, 0] };
 * const scene = { id: "Rod-v0", dt: 0.05, motion: "xz", follow: false, geoms, frames: [frame] } as const;
 * const svg = mujocoSvg(scene, [0], { title: "a rod", scale: 100 });
 * assert.ok(svg.includes('d="M-50 -100L50 -100"') && svg.includes('stroke-width="10"'));
 * assert.ok(svg.includes("step 0/0") && svg.includes("return 0.0"));
 * ```
 *
 * @param scene the episode's geoms and their poses
 * @param rewards each frame's reward, one per frame
 * @param options title, seconds per frame and pixels per metre
 * @returns the SVG document, ending with a newline
 * @throws {RangeError} when there are no frames, the rewards do not match them, a number is not finite, or
 *   an option is out of range
 */
export function mujocoSvg(
  scene: MujocoScene,
  rewards: readonly number[],
  options: MujocoSvgOptions = {},
): string {
  const n = scene.frames.length;
  if (n === 0) throw new RangeError("mujocoSvg: scene.frames is empty, expected at least one frame");
  if (rewards.length !== n) throw new RangeError(`mujocoSvg: ${rewards.length} rewards for ${n} frames`);
  const dt = options.dt ?? scene.dt;
  checkDt("mujocoSvg", dt);
  if (options.scale !== undefined && !(Number.isFinite(options.scale) && options.scale > 0)) {
    throw new RangeError(`mujocoSvg: scale ${options.scale} is not a finite positive number`);
  }
  checkScene(scene, rewards);
  const returns = runningReturns(rewards, "mujocoSvg");
  const clock = frameClock(n, dt);
  const view = VIEWS[scene.motion];

  // Every geom's outline in every frame, and the focus (the followed body's u) the camera centres on.
  const shapes = scene.frames.map((f) => scene.geoms.map((g, i) => projectGeom(g, f, i, view)));
  const focus = scene.frames.map((f) =>
    scene.follow ? project(view, [f.focus[0], f.focus[1], f.focus[2]])[0] : 0
  );
  // Painted back to front as they stand in frame 0 (stable: a planar model keeps the model's order).
  const f0 = scene.frames[0].pos;
  const depths = scene.geoms.map((_, i) => depth(view, [f0[3 * i], f0[3 * i + 1], f0[3 * i + 2]]));
  const drawn = scene.geoms.map((_, i) => i).filter((i) => shapes[0][i] !== undefined)
    .sort((a, b) => depths[b] - depths[a]);

  const { u0, v0, u1, v1, edges } = framing(scene, shapes, focus, drawn);
  const plane = scene.geoms.findIndex((g) => g.kind === "plane");

  // Layout, top to bottom: title, scene, labels. The world group holds world pixels (x = u · scale,
  // y = −v · scale) and moves them into the scene, following the focus or centring what is drawn.
  const title = options.title ?? "";
  const room = edges === undefined ? 0 : BELOW;
  const scale = options.scale ?? Math.min(
    (WIDTH - 2 * MARGIN) / Math.max(u1 - u0, 0.05),
    (MAX_HEIGHT - 2 * MARGIN - room) / Math.max(v1 - v0, 0.05),
  );
  const top = title === "" ? 12 : 44;
  const bottom = top + Math.ceil((v1 - v0) * scale + 2 * MARGIN + room);
  const rowY = bottom + 22;
  const ty = Number(px(top + MARGIN + v1 * scale));
  const tx = focus.map((f) => Number(px(WIDTH / 2 - (scene.follow ? f : (u0 + u1) / 2) * scale)));
  const moves = tx.map((x) => `${x} ${ty}`);
  // The u range the camera ever shows.
  const ends = [Math.min(...tx.map((x) => -x / scale)), Math.max(...tx.map((x) => (WIDTH - x) / scale))];

  const out = svgOpening(WIDTH, rowY + 18, title);
  out.push(`<g class="world" transform="translate(${moves[0]})">`);
  if (moves.some((m) => m !== moves[0])) {
    out.push(
      `<animateTransform attributeName="transform" type="translate" values="${moves.join(";")}" ` +
        `keyTimes="${clock.allKeyTimes}" ${clock.timing}/>`,
    );
  }
  if (edges !== undefined) {
    const ground: Ground = { near: edges[0], far: edges[1], from: ends[0], to: ends[1], bottom: bottom - ty };
    out.push(...groundLines(ground, scale));
  }
  if (plane >= 0 && scene.motion === "xy") {
    // The floor seen from above: the plane's rectangle, cut to what the camera shows.
    const f = scene.frames[0];
    const [cu, cv] = project(view, [f.pos[3 * plane], f.pos[3 * plane + 1], 0]);
    const [hu, hv] = scene.geoms[plane].size;
    const [a, b] = [Math.max(ends[0], cu - hu), Math.min(ends[1], cu + hu)];
    const [c, d] = [Math.max((ty - bottom) / scale, cv - hv), Math.min((ty - top) / scale, cv + hv)];
    if (a < b && c < d) {
      out.push(
        `<rect class="floor" x="${px(a * scale)}" y="${px(-d * scale)}" width="${px((b - a) * scale)}" ` +
          `height="${px((d - c) * scale)}" fill="${EARTH_COLOR}"/>`,
      );
    }
  }
  for (const i of drawn) {
    out.push(...geomLines(scene.geoms[i], shapes.map((frame) => frame[i]!), scale, clock));
  }
  out.push("</g>");

  // Per-frame labels, with the followed body's x at the scene's top left.
  const distance = (i: number) =>
    scene.follow
      ? `<text class="distance" x="20" y="${top + 16}" font-size="11">x ${label(focus[i], 2)} m</text>`
      : "";
  out.push(...frameLabels(rewards, returns, { width: WIDTH, y: rowY }, clock, distance));
  out.push("</svg>");
  return out.join("\n") + "\n";
}
