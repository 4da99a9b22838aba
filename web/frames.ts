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

/** Any drawable frame. */
export type Frame = PendulumFrame | MountainCarFrame;

/** Environments the page can animate, with the seconds one step lasts. */
export const ANIMATED: Readonly<Record<string, number>> = {
  "Pendulum-v1": 0.05,
  "MountainCarContinuous-v0": 0.02,
};

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
