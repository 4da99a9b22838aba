import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { type TrainConfig } from "../src/config/train_config.ts";
import { DEFAULTS, TD3_PRESETS } from "../src/config/presets.ts";
import type { Env } from "../src/envs/env.ts";
import { pendulum, type PendulumState } from "../src/envs/pendulum.ts";
import { NonFiniteError, train } from "../src/train/train.ts";

tf.env().set("PROD", true);
await tf.setBackend("cpu");

const CONFIG: TrainConfig = {
  ...DEFAULTS,
  ...TD3_PRESETS.tuned,
  algo: "td3",
  hidden: [16, 16],
  batchSize: 16,
  steps: 600,
  randomSteps: 100,
  learningStarts: 100,
  evalEvery: 1000,
  evalEpisodes: 1,
  checkpointEvery: 300,
};

/** Pendulum with a fault injected from global step `from` on (a test double, so it counts steps itself). */
function faulty(
  from: number,
  fault: (r: ReturnType<Env<PendulumState>["step"]>) => object,
): Env<PendulumState> {
  const inner = pendulum();
  let t = 0;
  return {
    ...inner,
    step: (state, action) => {
      const r = inner.step(state, action);
      t += 1;
      return t >= from ? { ...r, ...fault(r) } : r;
    },
  };
}

async function runUntilFailure(
  env: Env<PendulumState>,
): Promise<{ error: NonFiniteError; kept: Uint8Array }> {
  const out = await Deno.makeTempDir();
  let kept: Uint8Array | undefined;
  const before = tf.memory().numTensors;
  const error = await train(CONFIG, {
    out,
    env: env as Env<unknown>,
    progress: (p) => {
      if (p.totalSteps === 300) kept = Deno.readFileSync(`${out}/checkpoint.safetensors`);
    },
  }).then(() => undefined, (e) => e);
  assert.ok(error instanceof NonFiniteError, `expected a NonFiniteError, got ${error}`);
  assert.ok(kept !== undefined);
  // The good checkpoint is kept as it was; the logs up to the failure are written; no tensor leaks.
  assert.deepEqual(Deno.readFileSync(`${out}/checkpoint.safetensors`), kept);
  assert.match(await Deno.readTextFile(`${out}/episodes.csv`), /^episode,total_steps/);
  assert.equal(tf.memory().numTensors, before);
  await Deno.remove(out, { recursive: true });
  return { error, kept };
}

Deno.test("an injected non-finite loss stops training with one line naming the step; the checkpoint is kept", async () => {
  // A reward of 3e38 is finite, but its squared TD error overflows float32: the critic loss becomes Infinity.
  const { error } = await runUntilFailure(faulty(350, () => ({ reward: 3e38 })));
  assert.equal(error.quantity, "critic loss");
  assert.ok(error.step >= 350 && error.step < 600, `step ${error.step}`);
  assert.equal(error.lastCheckpoint, 300);
  assert.equal(
    error.message,
    `non-finite critic loss at step ${error.step}; training stopped, the last good checkpoint (step 300) is kept`,
  );
  assert.ok(!error.message.includes("\n"));
});

Deno.test("a non-finite observation or reward from the environment is caught at its step", async () => {
  const nanObservation = await runUntilFailure(
    faulty(420, (r) => ({ observation: r.observation.map((x, i) => (i === 0 ? NaN : x)) })),
  );
  assert.equal(nanObservation.error.quantity, "observation");
  assert.equal(nanObservation.error.step, 420);
  const infReward = await runUntilFailure(faulty(333, () => ({ reward: -Infinity })));
  assert.equal(infReward.error.quantity, "reward");
  assert.equal(infReward.error.step, 333);
});
