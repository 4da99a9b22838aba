/**
 * Update throughput of the agents' reducers at the benchmark sizes, on the default backend (wasm).
 * Random batches from a fixed key stand in for replay samples; the arithmetic is the real update.
 * Run with `deno task bench`; compare with the PyTorch peer via `bench/compare.ts`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import * as E from "fp-ts/lib/Either.js";
import type { Agent } from "../src/core/agents/agent.ts";
import { makeSac } from "../src/core/agents/sac.ts";
import { makeSacV } from "../src/core/agents/sac_v.ts";
import { makeTd3, TD3_DEFAULTS } from "../src/core/agents/td3.ts";
import { pendulumBatch } from "./_batches.ts";
import { keyFromSeed } from "../src/core/rng.ts";
import { type BackendName, useBackend } from "../src/runtime/backend.ts";
import { disposeTree, step } from "../src/runtime/memory.ts";

const backend = (Deno.env.get("BENCH_BACKEND") ?? "wasm") as BackendName;
const ready = await useBackend(backend);
if (E.isLeft(ready)) throw new Error(ready.left);

/** A benchmark function running one update per call of `agent` at the given batch size. */
function updateCase(agent: Agent<unknown>, batchSize: number): () => void {
  let state: unknown = tf.tidy(() => agent.init(keyFromSeed(0)) as unknown as tf.TensorContainer);
  const batches = Array.from({ length: 16 }, (_, i) => pendulumBatch(i, batchSize));
  let i = 0;
  return () => {
    const [next, metrics] = step(agent.update, state, batches[i++ % batches.length]);
    state = next;
    // Reading a loss waits for the backend, so each iteration times a finished update.
    metrics.criticLoss.dataSync();
    disposeTree(metrics);
  };
}

const pendulum = { observationSize: 3, actionSize: 1, bounds: { low: [-2], high: [2] } };
const td3 = (hidden: number[]) => makeTd3({ ...TD3_DEFAULTS, ...pendulum, hidden }) as Agent<unknown>;
// As the peer: PyTorch-default init, Adam 3e-4; α starts at 1 for sac (log α = 0) and is 0.2, fixed, for sac-v.
const sacCommon = {
  ...pendulum,
  hidden: [256, 256],
  init: "torch",
  actorLr: 3e-4,
  criticLr: 3e-4,
  gamma: 0.99,
  tau: 0.005,
} as const;
const sac = makeSac({ ...sacCommon, alpha: 1, alphaLr: 3e-4, targetEntropy: -1 }) as Agent<unknown>;
const sacV = makeSacV({ ...sacCommon, alpha: 0.2, valueLr: 3e-4, policyReg: 0 }) as Agent<unknown>;

Deno.bench({ name: "td3.update[400x300,batch=128]", warmup: 20, fn: updateCase(td3([400, 300]), 128) });
Deno.bench({ name: "td3.update[256x256,batch=256]", warmup: 20, fn: updateCase(td3([256, 256]), 256) });
Deno.bench({ name: "sac.update[256x256,batch=256]", warmup: 20, fn: updateCase(sac, 256) });
Deno.bench({ name: "sac-v.update[256x256,batch=256]", warmup: 20, fn: updateCase(sacV, 256) });
