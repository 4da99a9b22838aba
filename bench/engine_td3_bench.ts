/**
 * One fused-engine TD3 update per iteration at the update bench's sizes (Pendulum spaces), with OpenBLAS,
 * or the reference GEMM when OpenBLAS does not load (then far slower). The names match
 * `bench/update_bench.ts`'s tfjs cases with an `engine ` prefix, so `bench/compare.ts` lines them up.
 * Double buffered as the runtime will run it: each update writes into the state of two updates ago.
 *
 *     deno bench -A bench/engine_td3_bench.ts
 *
 * @module
 */
import { TD3_DEFAULTS } from "../src/core/agents/td3.ts";
import { pendulumBatch } from "./_batches.ts";
import { keyFromSeed, split, uniform } from "../src/core/rng.ts";
import { openBlasGemm } from "../src/runtime/openblas_gemm.ts";
import { referenceGemm } from "../src/engine/gemm.ts";
import { makeTd3Engine, type Td3EngineState } from "../src/engine/td3.ts";

const gemm = openBlasGemm() ?? referenceGemm;

/** A benchmark function running one engine update per call, hidden widths `hidden`, batch `n`. */
function engineCase(hidden: number[], n: number): () => void {
  const engine = makeTd3Engine({
    ...TD3_DEFAULTS,
    observationSize: 3,
    actionSize: 1,
    bounds: { low: [-2], high: [2] },
    hidden,
    batchSize: n,
  }, gemm);
  // Uniform ±1/√fan-in-sized parameters (the scale of the torch init), zero moments.
  const [ka, kq1, kq2] = split(keyFromSeed(0), 3);
  const bound = 1 / Math.sqrt(hidden[0]);
  const draw = (k: typeof ka, length: number) => uniform(k, length, { low: -bound, high: bound });
  const blank = engine.blank();
  const actor = draw(ka, engine.actorLayout.length);
  const q1 = draw(kq1, engine.criticLayout.length);
  const q2 = draw(kq2, engine.criticLayout.length);
  let state: Td3EngineState = {
    ...blank,
    actor,
    actorTarget: actor.slice(),
    q1,
    q2,
    q1Target: q1.slice(),
    q2Target: q2.slice(),
    key: keyFromSeed(1),
  };
  let spare = engine.blank();
  const batches = Array.from({ length: 16 }, (_, i) => pendulumBatch(i, n));
  let i = 0;
  return () => {
    const [next] = engine.update(state, batches[i++ % batches.length], spare);
    [state, spare] = [next, state];
  };
}

const tag = gemm.name === "openblas" ? "" : ` (${gemm.name})`;
Deno.bench({
  name: `engine td3.update[400x300,batch=128]${tag}`,
  warmup: 20,
  fn: engineCase([400, 300], 128),
});
Deno.bench({
  name: `engine td3.update[256x256,batch=256]${tag}`,
  warmup: 20,
  fn: engineCase([256, 256], 256),
});
