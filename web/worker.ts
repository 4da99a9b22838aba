/**
 * The web app's training worker: the CLI's `train` on the same configuration, agents, environments and
 * keys, with the run's files kept in memory and its progress posted to the page. Updates run on the fused
 * engine with its WebAssembly SIMD GEMM (`gemm.wasm`, beside this script); in a browser without
 * WebAssembly SIMD, on the tfjs reference agents with tfjs's `cpu` backend. The page shows which.
 *
 * A run pauses inside `train`'s `idle` hook, between two steps, so the page's messages are handled while
 * the loop waits; the current policy is only used there, or during a progress report, when the agent's
 * memory is not being updated.
 *
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import { configFor } from "../src/config/run_config.ts";
import type { TrainConfig } from "../src/config/train_config.ts";
import { foldIn, keyFromSeed } from "../src/core/rng.ts";
import { openEnv, prepareEnv } from "../src/envs/open_env.ts";
import { rollout } from "../src/report/render.ts";
import { engineGemm, matrixProducts, useBackend } from "../src/runtime/backend.ts";
import { decodePolicy, type Policy } from "../src/runtime/policy.ts";
import { evaluate } from "../src/train/evaluate.ts";
import { evaluationKeys, type Progress, type RunWriter, train } from "../src/train/train.ts";
import { mujocoEngine } from "../src/envs/mujoco/engine.ts";
import type { MujocoState } from "../src/envs/mujoco/mujoco_env.ts";
import { mujocoScene } from "../src/envs/mujoco/scene.ts";
import { mujocoTask } from "../src/envs/mujoco/tasks.ts";
import { ANIMATED, type Frame, framesOf, mujocoFrames } from "./frames.ts";
import type { EpisodePoint, EvalPoint, Reply, Request } from "./protocol.ts";

const port = self as unknown as {
  onmessage: ((event: MessageEvent<Request>) => void) | null;
  postMessage(message: Reply): void;
};
const post = (message: Reply) => port.postMessage(message);
const fail = (e: unknown) => post({ type: "error", message: String(e instanceof Error ? e.message : e) });

/** The run in progress, if any. */
interface Run {
  readonly config: TrainConfig;
  paused: boolean;
  stopping: boolean;
  /** Resolves the pending `idle` promise of a paused run. */
  wake?: () => void;
  /** The current policy, valid while the loop waits (see the module doc), and its step. */
  act?: (observation: Float32Array) => Float32Array;
  step: number;
}

let run: Run | undefined;
/** The last run's files (or the loaded policy's), by name. */
let files = new Map<string, Uint8Array | string>();
/** A policy loaded to watch, or the finished run's. */
let watched: Policy | undefined;
/** Whether the page waits for an episode to animate. */
let episodeWanted = false;
let episodesShown = 0;

const memoryWriter = (into: Map<string, Uint8Array | string>): RunWriter => ({
  write: (name, contents) => {
    into.set(name, contents);
    return Promise.resolve();
  },
});

/** The environments the animations roll out on, one per id for the worker's life (MuJoCo's hold a model). */
const viewEnvs = new Map<string, ReturnType<typeof openEnv>>();
const viewEnv = (env: string) => {
  if (!viewEnvs.has(env)) viewEnvs.set(env, openEnv(env));
  return viewEnvs.get(env)!;
};

/** Whether the page can animate an environment. */
const animated = (env: string) => ANIMATED[env] !== undefined || mujocoTask(env) !== undefined;

/** Roll out one episode of `act` and post its frames, if the environment is animated. */
function postEpisode(env: string, seed: number, step: number, act: (o: Float32Array) => Float32Array) {
  episodeWanted = false;
  if (!animated(env)) return;
  const key = foldIn(keyFromSeed(seed), 1_000_000 + episodesShown++);
  const episode = rollout(viewEnv(env), act, key);
  const task = mujocoTask(env);
  let frames: Frame[] | undefined;
  let dt = ANIMATED[env];
  if (task !== undefined) {
    const scene = mujocoScene(mujocoEngine()!, task, episode.states as readonly MujocoState[]);
    frames = mujocoFrames(scene, [0, ...episode.rewards]);
    dt = scene.dt;
  } else {
    frames = framesOf(env, episode);
  }
  if (frames !== undefined) post({ type: "episode", env, step, frames, dt });
}

async function start(request: Extract<Request, { type: "start" }>) {
  if (run !== undefined) throw new Error("a run is in progress: stop it first");
  const parsed = configFor(request.choice);
  if (E.isLeft(parsed)) throw new Error(parsed.left);
  let config = parsed.right;
  let backend = await useBackend(config.backend);
  if (E.isLeft(backend) && config.backend === "engine") {
    // No WebAssembly SIMD here (the engine's GEMM needs it): the tfjs reference agents on its cpu backend.
    config = { ...config, backend: "cpu" };
    backend = await useBackend("cpu");
  }
  if (E.isLeft(backend)) throw new Error(backend.left);
  await prepareEnv(config.env);
  watched?.dispose();
  watched = undefined;
  files = new Map();
  const current: Run = { config, paused: false, stopping: false, step: 0 };
  run = current;
  const compute = config.backend === "engine"
    ? `fused engine, matrix products by ${await matrixProducts(config.backend)}, 1 thread`
    : `tfjs ${config.backend} backend (the engine needs WebAssembly SIMD, which this browser lacks)`;
  post({ type: "started", config: { ...config }, compute });
  let episodes: EpisodePoint[] = [];
  let evals: EvalPoint[] = [];
  let lastPost = 0;
  const progress = (p: Progress) => {
    if (p.episode !== undefined) episodes.push({ step: p.episode.totalSteps, ret: p.episode.ret });
    if (p.evaluation !== undefined) {
      evals.push({ step: p.evaluation.totalSteps, mean: p.evaluation.mean, std: p.evaluation.std });
    }
    current.act = (o) => p.act(o, 1);
    current.step = p.totalSteps;
    const now = performance.now();
    if (now - lastPost > 100 || p.evaluation !== undefined || p.totalSteps === p.steps) {
      post({
        type: "progress",
        step: p.totalSteps,
        steps: p.steps,
        stepsPerSecond: p.stepsPerSecond,
        episodes,
        evals,
      });
      episodes = [];
      evals = [];
      lastPost = now;
    }
    if (episodeWanted) postEpisode(config.env, config.seed, p.totalSteps, current.act);
  };
  const started = performance.now();
  try {
    const summary = await train(config, {
      files: memoryWriter(files),
      env: openEnv(config.env),
      progress,
      threads: 1,
      shouldStop: () => current.stopping,
      idle: () =>
        current.paused && !current.stopping
          ? new Promise<void>((resolve) => current.wake = resolve)
          : Promise.resolve(),
    });
    post({
      type: "done",
      steps: summary.steps,
      seconds: (performance.now() - started) / 1000,
      stopped: summary.interrupted,
    });
  } finally {
    run = undefined;
  }
  // The agent is freed: from now on the page watches the run's last policy file.
  const policy = files.get("policy.safetensors");
  if (policy instanceof Uint8Array) {
    const decoded = decodePolicy(policy, { engine: await engineGemm() });
    if (E.isRight(decoded)) watched = decoded.right;
  }
  if (episodeWanted && watched !== undefined) {
    postEpisode(config.env, config.seed, config.steps, (o) => watched!.act(o));
  }
}

async function watch(request: Extract<Request, { type: "watch" }>) {
  if (run !== undefined) throw new Error("a run is in progress: stop it first");
  const backend = await useBackend("engine");
  if (E.isLeft(backend)) throw new Error(backend.left);
  const decoded = decodePolicy(request.bytes, { engine: await engineGemm() });
  if (E.isLeft(decoded)) throw new Error(decoded.left);
  const policy = decoded.right;
  const env = policy.config.env;
  if (!animated(env)) {
    policy.dispose();
    throw new Error(
      `this page animates Pendulum, MountainCar and the MuJoCo tasks; the policy is for ${env}`,
    );
  }
  await prepareEnv(env);
  watched?.dispose();
  watched = policy;
  files = new Map([["policy.safetensors", request.bytes]]);
  const result = evaluate((o, n) => policy.actBatch(o.subarray(0, n * policy.observationSize)), {
    env: openEnv(env),
    keys: evaluationKeys(request.seed, 10),
  });
  post({ type: "watching", env, algo: policy.config.algo, mean: result.mean, std: result.std });
  postEpisode(env, request.seed, policy.config.steps, (o) => policy.act(o));
}

port.onmessage = (event) => {
  const request = event.data;
  switch (request.type) {
    case "start":
      start(request).catch(fail);
      break;
    case "watch":
      watch(request).catch(fail);
      break;
    case "pause":
    case "resume":
      if (run === undefined) break;
      run.paused = request.type === "pause";
      if (!run.paused) run.wake?.();
      post({ type: "paused", paused: run.paused });
      break;
    case "stop":
      if (run === undefined) break;
      run.stopping = true;
      run.wake?.();
      break;
    case "files":
      post({ type: "files", files: Object.fromEntries(files) });
      break;
    case "next-episode":
      episodeWanted = true;
      // While a run waits (paused), its policy can act now; a running one answers at its next step.
      if (run?.paused && run.act !== undefined) {
        postEpisode(run.config.env, run.config.seed, run.step, run.act);
      } else if (run === undefined && watched !== undefined) {
        postEpisode(watched.config.env, watched.config.seed, watched.config.steps, (o) => watched!.act(o));
      }
      break;
  }
};
