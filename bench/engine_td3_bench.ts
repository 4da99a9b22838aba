/**
 * Time of one fused-engine TD3 update at hidden [256, 256], batch 256, Pendulum sizes, with OpenBLAS (or
 * the reference GEMM when OpenBLAS does not load; then expect it to be far slower). Compare with
 * `bench/update_bench.ts`'s `td3.update[256x256,batch=256]` (tfjs). Run:
 * `deno bench -A bench/engine_td3_bench.ts`.
 *
 * @module
 */
import { TD3_DEFAULTS } from "../src/core/agents/td3.ts";
import type { Batch } from "../src/core/batch.ts";
import { keyFromSeed, normal, split, uniform } from "../src/core/rng.ts";
import { openBlasGemm } from "../src/runtime/openblas_gemm.ts";
import { referenceGemm } from "../src/engine/gemm.ts";
import { makeTd3Engine, type Td3EngineState } from "../src/engine/td3.ts";

const n = 256;
const gemm = openBlasGemm() ?? referenceGemm;
const engine = makeTd3Engine({
  ...TD3_DEFAULTS,
  observationSize: 3,
  actionSize: 1,
  bounds: { low: [-2], high: [2] },
  hidden: [256, 256],
  batchSize: n,
}, gemm);

/** A Pendulum-shaped random batch, as `bench/update_bench.ts`'s. */
function pendulumBatch(seed: number): Batch {
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

/** Uniform ±1/√256 parameters (the scale of the torch init) and zero moments. */
function initialState(): Td3EngineState {
  const [ka, kq1, kq2] = split(keyFromSeed(0), 3);
  const bound = 1 / 16;
  const actor = uniform(ka, engine.actorLayout.length, { low: -bound, high: bound });
  const q1 = uniform(kq1, engine.criticLayout.length, { low: -bound, high: bound });
  const q2 = uniform(kq2, engine.criticLayout.length, { low: -bound, high: bound });
  const zA = () => new Float32Array(engine.actorLayout.length);
  const zC = () => new Float32Array(engine.criticLayout.length);
  return {
    actor,
    actorTarget: actor.slice(),
    q1,
    q2,
    q1Target: q1.slice(),
    q2Target: q2.slice(),
    actorM: zA(),
    actorV: zA(),
    actorCount: 0,
    q1M: zC(),
    q1V: zC(),
    q2M: zC(),
    q2V: zC(),
    criticCount: 0,
    key: keyFromSeed(1),
    updates: 0,
  };
}

// Double buffering, as the runtime will do it: each update writes into the state of two updates ago.
let state = initialState();
let spare = engine.blank();
const batches = Array.from({ length: 16 }, (_, i) => pendulumBatch(i));
let i = 0;
Deno.bench({
  name: `engine td3.update[256x256,batch=256] (${gemm.name})`,
  warmup: 20,
  fn() {
    const [next] = engine.update(state, batches[i++ % batches.length], spare);
    [state, spare] = [next, state];
  },
});
