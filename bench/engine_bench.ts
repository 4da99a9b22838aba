/**
 * One fused-engine update per iteration for every case of `bench/update_bench.ts` (Pendulum spaces; TD3 at
 * the lecture's 400-300 and at 256-256, SAC and SAC-V at 256-256), run as training runs it: through
 * `engineRuntime`, each update writing into the arenas of the state before the previous one. The names are
 * the tfjs cases' with an `engine ` prefix, so `bench/compare.ts` lines them up. The matrix products are
 * OpenBLAS's, or with `TD3SAC_BLAS=off` (or without the library) the engine's WebAssembly SIMD GEMM; the
 * GEMM's name ends each case's name unless it is OpenBLAS. Each case runs on one thread, and again (named
 * `…, 2 threads`) with the second critic on a helper thread (`runtime/parallel_critics.ts`), as training
 * runs it on 2 cores when the networks are large enough.
 *
 *     deno bench -A bench/engine_bench.ts
 *     TD3SAC_BLAS=off deno bench -A bench/engine_bench.ts
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { DEFAULTS, presetFor } from "../src/config/presets.ts";
import type { TrainConfig } from "../src/config/train_config.ts";
import { keyFromSeed } from "../src/core/rng.ts";
import { makeEngineLearner } from "../src/engine/learners.ts";
import { engineRuntime } from "../src/runtime/agent_runtime.ts";
import { engineGemm } from "../src/runtime/backend.ts";
import { canRunParallel, parallelTwinCritics } from "../src/runtime/parallel_critics.ts";
import { pendulumBatch } from "./_batches.ts";

tf.env().set("PROD", true);
await tf.setBackend("cpu"); // initialization only
const gemm = await engineGemm();
const spaces = { observationSize: 3, actionSize: 1, actionLow: [-2], actionHigh: [2] };

/** A benchmark function running one engine update per call, on one thread or with Q₂ on a helper. */
function engineCase(
  algo: TrainConfig["algo"],
  hidden: number[],
  batchSize: number,
  threads: 1 | 2,
): () => void {
  const config = { ...DEFAULTS, ...presetFor(algo, "tuned"), algo, hidden, batchSize } as TrainConfig;
  const options = threads === 2 ? { twinCritics: parallelTwinCritics } : {};
  const runtime = engineRuntime(
    makeEngineLearner(config, spaces, batchSize, gemm, options),
    config,
    spaces,
    gemm.name,
  );
  let held = { agent: runtime.init(keyFromSeed(0)) };
  const reducer = (s: typeof held, b: ReturnType<typeof pendulumBatch>) =>
    [{ agent: runtime.learner.update(s.agent, b)[0] }, null] as const;
  const batches = Array.from({ length: 16 }, (_, i) => pendulumBatch(i, batchSize));
  let i = 0;
  return () => {
    [held] = runtime.step(reducer, held, batches[i++ % batches.length], (s) => s.agent);
  };
}

const tag = gemm.name === "openblas" ? "" : ` (${gemm.name})`;
const CASES = [
  ["td3", [400, 300], 128],
  ["td3", [256, 256], 256],
  ["sac", [256, 256], 256],
  ["sac-v", [256, 256], 256],
] as const;
for (const threads of canRunParallel(gemm) ? [1, 2] as const : [1] as const) {
  for (const [algo, hidden, n] of CASES) {
    Deno.bench({
      name: `engine ${algo}.update[${hidden.join("x")},batch=${n}]${
        threads === 2 ? ", 2 threads" : ""
      }${tag}`,
      warmup: 20,
      fn: engineCase(algo, [...hidden], n, threads),
    });
  }
}
