import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { type TrainConfig } from "../config/train_config.ts";
import { DEFAULTS, presetFor } from "../config/presets.ts";
import { makeAgent } from "../core/agents/make_agent.ts";
import { keyFromSeed, uniform } from "../core/rng.ts";
import { referenceGemm } from "../engine/gemm.ts";
import { makeEngineLearner } from "../engine/learners.ts";
import { toHostTree } from "../runtime/checkpoint.ts";
import type { Env } from "../envs/env.ts";
import { makeEnv } from "../envs/registry.ts";
import { ReplayBuffer } from "../replay/buffer.ts";
import {
  initialLoop,
  type LoopContext,
  loopContext,
  loopRecord,
  type LoopState,
  loopStep,
  resumedLoop,
  schedule,
} from "./loop.ts";

/** A small run configuration: tiny nets, updates from step 6. */
function smallConfig(algo: TrainConfig["algo"], extra: Record<string, unknown> = {}): TrainConfig {
  return {
    ...DEFAULTS,
    ...presetFor(algo, "tuned"),
    algo,
    hidden: [8, 8],
    batchSize: 4,
    randomSteps: 5,
    learningStarts: 5,
    ...extra,
  } as TrainConfig;
}

/** A 1-D toy environment whose episodes last three steps; `nanAt` makes the reward of that step NaN. */
function toyEnv(nanAt = -1): Env<{ readonly t: number; readonly x: number }> {
  return {
    id: "Toy-v0",
    observationSize: 1,
    actionSize: 1,
    actionLow: [-1],
    actionHigh: [1],
    maxEpisodeSteps: 3,
    reset: (key) => {
      const x = uniform(key, 1)[0];
      return { state: { t: 0, x }, observation: new Float32Array([x]) };
    },
    step: (s, a) => {
      const x = s.x + a[0];
      const t = s.t + 1;
      const reward = t === nanAt ? NaN : -x * x;
      return {
        state: { t, x },
        observation: new Float32Array([x]),
        reward,
        terminated: false,
        truncated: t === 3,
      };
    },
  };
}

/** Every value a loop state holds, tensors read out, as plain data to compare. */
function plain(value: unknown): unknown {
  if (value instanceof tf.Tensor) return { shape: value.shape, data: Array.from(value.dataSync()) };
  if (ArrayBuffer.isView(value)) return Array.from(value as Float32Array);
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

/** The tfjs reference agent's initial state for a context's configuration and env (tensors). */
function tfjsInit(context: LoopContext): unknown {
  return tf.tidy(() => makeAgent(context.config, context.env).init(keyFromSeed(1)) as never);
}

/** The same initial state on the engine: the tfjs state's checkpoint tree read into arenas. */
const engineInit = (context: LoopContext): unknown =>
  makeEngineLearner(context.config, context.env, context.config.batchSize, referenceGemm)
    .fromHost(toHostTree(tfjsInit(context)));

/** A loop context on the engine (reference GEMM), for the same configuration and env. */
function engineContext(config: TrainConfig, env: Env<unknown>): LoopContext {
  return loopContext(config, env, makeEngineLearner(config, env, config.batchSize, referenceGemm));
}

/** Drive the pure step as the shell does (store each transition), for `steps` steps. */
function drive(
  context: LoopContext,
  steps: number,
  init: (context: LoopContext) => unknown = tfjsInit,
): { state: LoopState; buffer: ReplayBuffer } {
  const { env, config } = context;
  const buffer = new ReplayBuffer({
    capacity: config.bufferSize,
    observationSize: env.observationSize,
    actionSize: env.actionSize,
  });
  let state = initialLoop(context, keyFromSeed(7), init(context));
  for (let i = 0; i < steps; i++) {
    const [next, events] = loopStep(context, state, buffer);
    assert.equal(events.fault, undefined);
    buffer.add(events.transition!);
    state = next;
  }
  return { state, buffer };
}

const IMPLEMENTATIONS = [
  ["tfjs", loopContext, tfjsInit],
  ["engine", engineContext, engineInit],
] as const;

for (
  const [name, config, env] of [
    ["td3, gaussian noise, Pendulum", smallConfig("td3"), makeEnv("Pendulum-v1")],
    ["sac with OU noise, toy env", smallConfig("sac", { noiseType: "ou", explorationNoise: 0.5 }), toyEnv()],
    ["sac-v, toy env", smallConfig("sac-v"), toyEnv()],
  ] as const
) {
  for (const [implementation, makeContext, init] of IMPLEMENTATIONS) {
    Deno.test(`loopStep (${name}, ${implementation}): the same state gives the same step, input unchanged`, () => {
      const context = makeContext(config, env as Env<unknown>);
      // Past the random steps and the first updates, mid-episode or at an episode's end.
      for (const steps of [8, 9]) {
        const { state, buffer } = drive(context, steps, init);
        const before = plain(state);
        const stored = buffer.snapshot();
        const first = loopStep(context, state, buffer);
        const second = loopStep(context, state, buffer);
        assert.deepEqual(plain(state), before, "the input state is unchanged");
        assert.deepEqual(buffer.snapshot(), stored, "the replay buffer is only read");
        assert.deepEqual(plain(first), plain(second));
        assert.equal(first[0].step, state.step + 1);
        assert.notDeepEqual(plain(first[0].agent), plain(state.agent), "the step updated the agent");
        assert.ok(Object.keys(first[0].metrics).length > 0);
      }
    });
  }
}

Deno.test("loopStep: an episode that ends is logged, the env and the OU noise restart", () => {
  const config = smallConfig("td3", { noiseType: "ou", explorationNoise: 0.5 });
  const context = loopContext(config, toyEnv() as Env<unknown>);
  const { state, buffer } = drive(context, 8);
  assert.equal(state.episodeLength, 2);
  const [next, events] = loopStep(context, state, buffer);
  assert.deepEqual(events.episode, { episode: 3, totalSteps: 9, ret: next.episodes[2].ret, length: 3 });
  assert.equal(next.episodes.length, 3);
  assert.deepEqual([next.episodeLength, next.episodeReturn, next.noise], [0, 0, [0]]);
  assert.deepEqual(state.episodes.length, 2, "the input's log is not appended to");
  assert.notDeepEqual(state.noise, [0]);
});

Deno.test("loopStep: a non-finite reward stops the step before anything changes", () => {
  const context = loopContext(smallConfig("td3"), toyEnv(2) as Env<unknown>);
  const { state, buffer } = drive(context, 1);
  const [next, events] = loopStep(context, state, buffer);
  assert.equal(events.fault, "reward");
  assert.equal(events.transition, undefined);
  assert.equal(next, state);
});

Deno.test("schedule: evaluations on the grid and at the end, checkpoints every N and at the end", () => {
  const config = { steps: 25, evalEvery: 10, checkpointEvery: 15 };
  const due = (t: number) => schedule(config, t);
  assert.deepEqual(due(10), {
    evaluate: true,
    keepEvaluation: true,
    checkpoint: false,
    writeLogs: true,
    done: false,
  });
  assert.deepEqual(due(15), {
    evaluate: false,
    keepEvaluation: false,
    checkpoint: true,
    writeLogs: true,
    done: false,
  });
  assert.deepEqual(due(7), {
    evaluate: false,
    keepEvaluation: false,
    checkpoint: false,
    writeLogs: false,
    done: false,
  });
  assert.deepEqual(due(25), {
    evaluate: true,
    keepEvaluation: false,
    checkpoint: true,
    writeLogs: true,
    done: true,
  });
  assert.equal(schedule({ ...config, checkpointEvery: 0 }, 15).checkpoint, false);
});

Deno.test("resumedLoop continues a record exactly, and restarts an episode the record could not save", () => {
  const context = loopContext(
    smallConfig("sac", { noiseType: "ou", explorationNoise: 0.5 }),
    toyEnv() as never,
  );
  const { state, buffer } = drive(context, 7);
  const record = loopRecord(state);
  const resumed = resumedLoop(context, JSON.parse(JSON.stringify(record)), state.agent, true);
  assert.deepEqual(plain(loopStep(context, resumed, buffer)), plain(loopStep(context, state, buffer)));
  const { envState: _, ...unsaved } = record;
  const fresh = resumedLoop(context, unsaved, state.agent, false);
  assert.deepEqual([fresh.episodeLength, fresh.episodeReturn, fresh.noise], [0, 0, [0]]);
  assert.equal(fresh.updatesFrom, 7 + 5, "without the buffer, updates wait for learningStarts fresh steps");
});
