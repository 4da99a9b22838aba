/**
 * The engine with its second critic on a helper thread (`runtime/parallel_critics.ts`) against the engine on
 * one thread: the same states bit for bit, update after update, for every algorithm and every GEMM a helper
 * can load; the fallback for arrays outside the pool; and a process that never disposes still exits.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { DEFAULTS, presetFor } from "../src/config/presets.ts";
import type { TrainConfig } from "../src/config/train_config.ts";
import { keyFromSeed } from "../src/core/rng.ts";
import type { TwinCriticsFactory } from "../src/engine/_twin_critics.ts";
import type { Gemm } from "../src/engine/gemm.ts";
import { loadWasmGemm } from "../src/engine/kernels/wasm_gemm.ts";
import { makeEngineLearner } from "../src/engine/learners.ts";
import { mlpLayout } from "../src/engine/mlp.ts";
import { engineRuntime } from "../src/runtime/agent_runtime.ts";
import { openBlasGemm } from "../src/runtime/openblas_gemm.ts";
import { makeParallelTwinCritics, type ParallelTwinCritics } from "../src/runtime/parallel_critics.ts";
import { randomBatch } from "./_engine_testing.ts";

tf.env().set("PROD", true);
await tf.setBackend("cpu"); // initialization only

const blas = openBlasGemm();
const gemms: Gemm[] = [await loadWasmGemm(), ...(blas === undefined ? [] : [blas])];
const spaces = { observationSize: 3, actionSize: 2, actionLow: [-2, -1], actionHigh: [2, 0.5] };
const shape = {
  batchSize: 16,
  observationSize: 3,
  actionSize: 2,
  bounds: { low: spaces.actionLow, high: spaces.actionHigh },
};
const UPDATES = 30;

/** `updates` updates as training runs them (double buffering), every state's checkpoint tree as bytes. */
function run(algo: TrainConfig["algo"], gemm: Gemm, twinCritics?: TwinCriticsFactory): string[] {
  const config = {
    ...DEFAULTS,
    ...presetFor(algo, "tuned"),
    algo,
    hidden: [16, 16],
    batchSize: 16,
  } as TrainConfig;
  const learner = makeEngineLearner(config, spaces, 16, gemm, twinCritics ? { twinCritics } : {});
  const runtime = engineRuntime(learner, config, spaces, gemm.name);
  let held = { agent: runtime.init(keyFromSeed(5)) };
  const seen: string[] = [];
  try {
    for (let i = 0; i < UPDATES; i++) {
      const [next, metrics] = runtime.step(
        (s: typeof held, b: ReturnType<typeof randomBatch>) => {
          const [agent, m] = runtime.learner.update(s.agent, b);
          return [{ agent }, m] as const;
        },
        held,
        randomBatch(shape, i),
        (s) => s.agent,
      );
      held = next;
      const tree = runtime.checkpointTree(held.agent);
      seen.push(JSON.stringify([metrics, tree], (_, v) => v instanceof Float32Array ? Array.from(v) : v));
    }
  } finally {
    runtime.close();
  }
  return seen;
}

for (const gemm of gemms) {
  for (const algo of ["td3", "sac", "sac-v"] as const) {
    Deno.test(`${algo} on ${gemm.name}: Q₂ on a helper thread gives the same state bit for bit, ${UPDATES} updates`, () => {
      const made: ParallelTwinCritics[] = [];
      const factory: TwinCriticsFactory = (g, layout, n, lr) => {
        const critics = makeParallelTwinCritics(g, layout, n, lr);
        made.push(critics);
        return critics;
      };
      const one = run(algo, gemm);
      const two = run(algo, gemm, factory);
      assert.equal(made.length, 1);
      // Every update had its arrays in the pool (the initial state is copied into pool arenas too): each
      // did a regression job; TD3 and SAC a target forward; SAC and SAC-V the policy step's forward and
      // input gradient.
      const perUpdate = { td3: 2, sac: 4, "sac-v": 3 }[algo];
      assert.equal(made[0].helperJobs, perUpdate * UPDATES);
      for (let i = 0; i < UPDATES; i++) assert.equal(two[i], one[i], `update ${i + 1} differs`);
    });
  }
}

Deno.test("parallel critics: arrays outside the pool run on the calling thread, with the same result", () => {
  const gemm = gemms[0];
  const layout = mlpLayout([5, 8, 1]);
  const critics = makeParallelTwinCritics(gemm, layout, 4, 1e-3);
  try {
    const plain = (length: number, offset: number) =>
      Float32Array.from({ length }, (_, i) => Math.sin(i + offset));
    const x = plain(20, 1), y = plain(4, 2);
    const from = {
      q1: plain(layout.length, 3),
      q1M: new Float32Array(layout.length),
      q1V: new Float32Array(layout.length),
      q2: plain(layout.length, 4),
      q2M: new Float32Array(layout.length),
      q2V: new Float32Array(layout.length),
    };
    const blank = () => ({
      q1: critics.alloc(layout.length),
      q1M: critics.alloc(layout.length),
      q1V: critics.alloc(layout.length),
      q2: critics.alloc(layout.length),
      q2M: critics.alloc(layout.length),
      q2V: critics.alloc(layout.length),
    });
    const a = blank(), b = blank();
    const lossPlain = critics.step(from, x, y, 1, a);
    assert.equal(critics.helperJobs, 0);
    // The same step from pool arrays goes to the helper and gives the same bits.
    const shared = blank();
    for (const k of Object.keys(from) as (keyof typeof from)[]) shared[k].set(from[k]);
    const xs = critics.alloc(20), ys = critics.alloc(4);
    xs.set(x);
    ys.set(y);
    const lossShared = critics.step(shared, xs, ys, 1, b);
    assert.equal(critics.helperJobs, 1);
    assert.equal(lossShared, lossPlain);
    for (const k of Object.keys(a) as (keyof typeof a)[]) assert.deepEqual(b[k], a[k], k);
  } finally {
    critics.dispose();
  }
});

Deno.test("parallel critics: a program that never disposes them still exits", async () => {
  const module = new URL("../src/runtime/parallel_critics.ts", import.meta.url).href;
  const wasm = new URL("../src/engine/kernels/wasm_gemm.ts", import.meta.url).href;
  const mlp = new URL("../src/engine/mlp.ts", import.meta.url).href;
  const code = `import { makeParallelTwinCritics } from "${module}";
import { loadWasmGemm } from "${wasm}";
import { mlpLayout } from "${mlp}";
const c = makeParallelTwinCritics(await loadWasmGemm(), mlpLayout([3, 4, 1]), 2, 1e-3);
console.log("made", c.helperJobs);`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--quiet", code],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  const { code: exit, stdout, stderr } = await child.output();
  clearTimeout(timer);
  assert.equal(exit, 0, new TextDecoder().decode(stderr));
  assert.equal(new TextDecoder().decode(stdout).trim(), "made 0");
});
