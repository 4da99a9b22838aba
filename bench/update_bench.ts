/**
 * Update throughput of the agents' reducers at the benchmark sizes, on the default backend (wasm).
 * Random batches from a fixed key stand in for replay samples; the arithmetic is the real update.
 * Run with `deno task bench`; compare with the PyTorch peer via `bench/compare.ts`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import * as E from "fp-ts/lib/Either.js";
import { makeTd3, TD3_DEFAULTS, type Td3State } from "../src/core/agents/td3.ts";
import type { Batch } from "../src/core/batch.ts";
import { keyFromSeed, normal, split, uniform } from "../src/core/rng.ts";
import { type BackendName, useBackend } from "../src/runtime/backend.ts";
import { step, tensorsIn } from "../src/runtime/memory.ts";

const backend = (Deno.env.get("BENCH_BACKEND") ?? "wasm") as BackendName;
const ready = await useBackend(backend);
if (E.isLeft(ready)) throw new Error(ready.left);

/** A Pendulum-shaped random batch (3 observations, 1 action in ±2). */
function pendulumBatch(seed: number, n: number): Batch {
  const [a, b, c, d] = split(keyFromSeed(seed), 4);
  return {
    size: n,
    observations: normal(a, 3 * n),
    actions: uniform(b, n, { low: -2, high: 2 }),
    rewards: normal(c, n),
    nextObservations: normal(d, 3 * n),
    terminated: new Float32Array(n),
  };
}

function td3Case(hidden: number[], batchSize: number, lr: number) {
  const agent = makeTd3({
    ...TD3_DEFAULTS,
    observationSize: 3,
    actionSize: 1,
    bounds: { low: [-2], high: [2] },
    hidden,
    actorLr: lr,
    criticLr: lr,
  });
  let state = tf.tidy(() =>
    agent.init(keyFromSeed(0)) as unknown as tf.TensorContainer
  ) as unknown as Td3State;
  const batches = Array.from({ length: 16 }, (_, i) => pendulumBatch(i, batchSize));
  let i = 0;
  return () => {
    const [next, metrics] = step(agent.update, state, batches[i++ % batches.length]);
    state = next;
    // Reading the loss waits for the backend, so each iteration times a finished update.
    metrics.criticLoss.dataSync();
    tensorsIn(metrics).forEach((t) => t.dispose());
  };
}

Deno.bench({ name: "td3.update[400x300,batch=128]", warmup: 20, fn: td3Case([400, 300], 128, 1e-3) });
Deno.bench({ name: "td3.update[256x256,batch=256]", warmup: 20, fn: td3Case([256, 256], 256, 1e-3) });
