/**
 * The drawable frames of an episode, per environment: what `draw.ts` paints on the page's canvas, in the
 * conventions of the SVG renderers (`src/report/render_pendulum.ts`, `render_mountain_car.ts`): the state
 * after each step, the action that led to it (clipped to the action bounds, 0 for the reset state) and its
 * reward. Pure; the worker computes them and posts them to the page.
 *
 * @module
 */
import type { Rollout } from "../src/report/render.ts";
import type { PendulumState } from "../src/envs/pendulum.ts";
import type { MountainCarState } from "../src/envs/mountain_car.ts";
import type { MujocoScene } from "../src/envs/mujoco/scene.ts";
import { bounds, depth, project, projectGeom, type Shape, VIEWS } from "../src/report/_mujoco_shapes.ts";
import { partColor } from "../src/report/_mujoco_drawing.ts";

/** A frame of Pendulum-v1: θ = 0 upright, counter-clockwise positive; the torque in [−2, 2]. */
export interface PendulumFrame {
  readonly kind: "pendulum";
  readonly theta: number;
  readonly torque: number;
  readonly reward: number;
}

/** A frame of MountainCarContinuous-v0: the car's position on the track; the force in [−1, 1]. */
export interface MountainCarFrame {
  readonly kind: "mountain-car";
  readonly position: number;
  readonly force: number;
  readonly reward: number;
}

/**
 * A frame of a MuJoCo task: each drawn geom's outline on the view's plane (metres, u right, v up), painted
 * in order, with the renderer's colours; the u the camera centres on; the episode's framing.
 */
export interface MujocoFrame {
  readonly kind: "mujoco";
  readonly shapes: readonly { readonly shape: Shape; readonly color: string }[];
  readonly focus: number;
  /** `[u0, v0, u1, v1]` around the focus, the same for every frame of an episode. */
  readonly box: readonly [number, number, number, number];
  /** Whether a ground line is drawn at v = 0 (side views of a model with a floor). */
  readonly ground: boolean;
  readonly reward: number;
}

/** Any drawable frame. */
export type Frame = PendulumFrame | MountainCarFrame | MujocoFrame;

/** Seconds one step lasts, of the environments animated without an engine. */
export const ANIMATED: Readonly<Record<string, number>> = {
  "Pendulum-v1": 0.05,
  "MountainCarContinuous-v0": 0.02,
};

/**
 * The frames of a MuJoCo episode: the SVG renderer's views, outlines, paint order and colours.
 *
 * @param scene the geoms' poses of each state (`mujocoScene`)
 * @param rewards one per state, 0 for the reset state
 * @returns one frame per state
 */
export function mujocoFrames(scene: MujocoScene, rewards: readonly number[]): MujocoFrame[] {
  const view = VIEWS[scene.motion];
  const f0 = scene.frames[0].pos;
  const order = scene.geoms.map((_, i) => i)
    .filter((i) => scene.geoms[i].kind !== "plane" && scene.geoms[i].kind !== "other")
    .sort((a, b) =>
      depth(view, [f0[3 * b], f0[3 * b + 1], f0[3 * b + 2]]) -
      depth(view, [f0[3 * a], f0[3 * a + 1], f0[3 * a + 2]])
    );
  const focusOf = (i: number) => {
    const f = scene.frames[i].focus;
    return scene.follow ? project(view, [f[0], f[1], f[2]])[0] : 0;
  };
  const frames = scene.frames.map((frame, i) => {
    const shapes = order.flatMap((g) => {
      const shape = projectGeom(scene.geoms[g], frame, g, view);
      return shape === undefined ? [] : [{ shape, color: partColor(scene.geoms[g].part) }];
    });
    return { shapes, focus: focusOf(i), reward: rewards[i] };
  });
  // Framing: what the first frames cover around the focus, with a margin, and the ground in view.
  let [u0, v0, u1, v1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const f of frames.slice(0, 20)) {
    for (const { shape } of f.shapes) {
      const [a, b, c, d] = bounds(shape);
      [u0, v0, u1, v1] = [
        Math.min(u0, a - f.focus),
        Math.min(v0, b),
        Math.max(u1, c - f.focus),
        Math.max(v1, d),
      ];
    }
  }
  const ground = scene.motion !== "xy" && scene.geoms.some((g) => g.kind === "plane");
  if (ground) v0 = Math.min(v0, 0);
  const margin = 0.25 * Math.max(u1 - u0, v1 - v0, 0.1);
  const box = [u0 - margin, v0 - margin, u1 + margin, v1 + margin] as const;
  return frames.map((f) => ({ kind: "mujoco", ...f, box, ground }));
}

const clip = (x: number, bound: number) => Math.max(-bound, Math.min(bound, x));

/**
 * The frames of an episode.
 *
 * @param env the environment's id
 * @param episode the episode (states, actions, rewards)
 * @returns one frame per state, or `undefined` when the environment is not animated
 */
export function framesOf(env: string, episode: Rollout): Frame[] | undefined {
  const action = (i: number, bound: number) => i === 0 ? 0 : clip(episode.actions[i - 1][0], bound);
  const reward = (i: number) => i === 0 ? 0 : episode.rewards[i - 1];
  if (env === "Pendulum-v1") {
    return (episode.states as readonly PendulumState[]).map((s, i) => ({
      kind: "pendulum",
      theta: s.theta,
      torque: action(i, 2),
      reward: reward(i),
    }));
  }
  if (env === "MountainCarContinuous-v0") {
    return (episode.states as readonly MountainCarState[]).map((s, i) => ({
      kind: "mountain-car",
      position: s.position,
      force: action(i, 1),
      reward: reward(i),
    }));
  }
  return undefined;
}
