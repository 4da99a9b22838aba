import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { makeTd3, TD3_DEFAULTS, type Td3State } from "../src/core/agents/td3.ts";
import type { Batch } from "../src/core/batch.ts";
import { keyFromSeed, normal, split } from "../src/core/rng.ts";
import { step, tensorsIn } from "../src/runtime/memory.ts";

await tf.setBackend("cpu");

function batch(seed: number, n: number): Batch {
  const [a, b, c, d] = split(keyFromSeed(seed), 4);
  return {
    size: n,
    observations: normal(a, 3 * n),
    actions: normal(b, n),
    rewards: normal(c, n),
    nextObservations: normal(d, 3 * n),
    terminated: new Float32Array(n),
  };
}

Deno.test("the live tensor count stays flat across many updates run by the runtime", () => {
  const agent = makeTd3({
    ...TD3_DEFAULTS,
    observationSize: 3,
    actionSize: 1,
    bounds: { low: [-2], high: [2] },
    hidden: [16, 16],
  });
  let state = tf.tidy(() =>
    agent.init(keyFromSeed(0)) as unknown as tf.TensorContainer
  ) as unknown as Td3State;
  const counts: number[] = [];
  for (let i = 0; i < 60; i++) {
    const [next, metrics] = step(agent.update, state, batch(i, 8));
    tensorsIn(metrics).forEach((t) => t.dispose());
    state = next;
    if (i >= 10 && i % 10 === 0) counts.push(tf.memory().numTensors);
  }
  assert.ok(counts.every((c) => c === counts[0]), `tensor counts drift: ${counts}`);
  tensorsIn(state).forEach((t) => t.dispose());
});
