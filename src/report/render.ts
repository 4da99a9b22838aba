/**
 * Rendering one episode of a policy as an animation that opens in a browser, per environment (animated
 * SVG; Pendulum-v1, MountainCarContinuous-v0 and every MuJoCo task). The episode is the deterministic policy
 * from a reset key, as in evaluation. A MuJoCo episode's geom poses come from the engine, which must be
 * loaded first (`await prepareEnv(id)`, as opening the environment needs anyway).
 *
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import type { Key } from "../core/rng.ts";
import type { Env } from "../envs/env.ts";
import { asSource, type EnvSource } from "../envs/session.ts";
import type { PendulumState } from "../envs/pendulum.ts";
import { type PendulumFrame, pendulumSvg } from "./render_pendulum.ts";
import type { MountainCarState } from "../envs/mountain_car.ts";
import { type MountainCarFrame, mountainCarSvg } from "./render_mountain_car.ts";
import type { Either } from "../core/either.ts";
import { mujocoEngine } from "../envs/mujoco/engine.ts";
import type { MujocoState } from "../envs/mujoco/mujoco_env.ts";
import { mujocoScene } from "../envs/mujoco/scene.ts";
import { MUJOCO_TASKS, mujocoTask } from "../envs/mujoco/tasks.ts";
import type { MujocoTask } from "../envs/mujoco/task.ts";
import { mujocoSvg } from "./render_mujoco.ts";

/** One episode as the renderer sees it: the states visited, and each step's action and reward. */
export interface Rollout {
  /** `length + 1` views of the environment (a pure env's state records), the reset state first. */
  readonly states: readonly unknown[];
  /** The action of each step. */
  readonly actions: readonly Float32Array[];
  /** The reward of each step. */
  readonly rewards: readonly number[];
}

/**
 * Run one episode of `act` from the reset key.
 *
 * @param env the environment
 * @param act deterministic policy on one observation
 * @param key the reset key
 * @returns the states, actions and rewards
 */
export function rollout(
  env: Env<unknown> | EnvSource,
  act: (observation: Float32Array) => Float32Array,
  key: Key,
): Rollout {
  const session = asSource(env).open();
  try {
    let observation = session.reset(key);
    const states = [session.view()];
    const actions: Float32Array[] = [];
    const rewards: number[] = [];
    for (;;) {
      const action = act(observation);
      const r = session.step(action);
      actions.push(action);
      rewards.push(r.reward);
      states.push(session.view());
      if (r.terminated || r.truncated) break;
      observation = r.observation;
    }
    return { states, actions, rewards };
  } finally {
    session.dispose();
  }
}

type Renderer = (episode: Rollout, title: string) => Either<string, string>;

const RENDERERS: Readonly<Record<string, Renderer>> = {
  "Pendulum-v1": (episode, title) => {
    const states = episode.states as readonly PendulumState[];
    const frames: PendulumFrame[] = states.map((s, i) => ({
      theta: s.theta,
      // Pendulum-v1 clips the torque to ±2 before applying it; show what was applied.
      torque: i === 0 ? 0 : Math.max(-2, Math.min(2, episode.actions[i - 1][0])),
      reward: i === 0 ? 0 : episode.rewards[i - 1],
    }));
    return E.right(pendulumSvg(frames, { title, dt: 0.05, maxTorque: 2 }));
  },
  "MountainCarContinuous-v0": (episode, title) => {
    const states = episode.states as readonly MountainCarState[];
    const frames: MountainCarFrame[] = states.map((s, i) => ({
      position: s.position,
      // The dynamics clip the force to ±1 (the reward's action cost uses it unclipped); show what was applied.
      force: i === 0 ? 0 : Math.max(-1, Math.min(1, episode.actions[i - 1][0])),
      reward: i === 0 ? 0 : episode.rewards[i - 1],
    }));
    return E.right(mountainCarSvg(frames, { title }));
  },
};

/** A MuJoCo task's episode: its states' geom poses, computed on the loaded engine, then drawn. */
function mujocoRenderer(task: MujocoTask): Renderer {
  return (episode, title) => {
    const mj = mujocoEngine();
    if (mj === undefined) {
      return E.left(`rendering ${task.id} needs the MuJoCo engine: await prepareEnv("${task.id}") first`);
    }
    const scene = mujocoScene(mj, task, episode.states as readonly MujocoState[]);
    return E.right(mujocoSvg(scene, [0, ...episode.rewards], { title }));
  };
}

/** The renderer of an environment; MuJoCo tasks are looked up when asked for, so every task has one. */
function rendererOf(envId: string): Renderer | undefined {
  if (Object.hasOwn(RENDERERS, envId)) return RENDERERS[envId];
  const task = mujocoTask(envId);
  return task === undefined ? undefined : mujocoRenderer(task);
}

/**
 * The environments whose episodes can be animated.
 *
 * @returns their ids: Pendulum-v1, MountainCarContinuous-v0 and every MuJoCo task
 */
export function renderedEnvs(): string[] {
  return [...Object.keys(RENDERERS), ...MUJOCO_TASKS.map((t) => t.id)];
}

/**
 * Whether episodes of an environment can be animated.
 *
 * @param envId the environment's id
 * @returns true when {@link renderEpisode} has a renderer for it
 */
export function hasRenderer(envId: string): boolean {
  return rendererOf(envId) !== undefined;
}

/**
 * Animate an episode of an environment.
 *
 * @param envId the environment's id
 * @param episode the episode
 * @param title the caption
 * @returns the SVG text, or a one-line error when the environment has no renderer (or, for a MuJoCo task,
 *   when the engine is not loaded)
 */
export function renderEpisode(
  envId: string,
  episode: Rollout,
  title: string,
): Either<string, string> {
  const renderer = rendererOf(envId);
  return renderer === undefined
    ? E.left(`no renderer for ${envId} (renderers: ${renderedEnvs().join(", ")})`)
    : renderer(episode, title);
}
