import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import * as E from "fp-ts/lib/Either.js";
import { type TrainConfig } from "../config/train_config.ts";
import { DEFAULTS, presetFor } from "../config/presets.ts";
import { keyFromSeed } from "../core/rng.ts";
import { makeEnv } from "../envs/registry.ts";
import { makeAgent } from "../core/agents/make_agent.ts";
import { encodeCheckpoint } from "./checkpoint.ts";
import { disposeTree } from "./memory.ts";
import { decodePolicy, encodePolicy } from "./policy.ts";

tf.env().set("PROD", true);
await tf.setBackend("cpu");

for (const algo of ["td3", "sac", "sac-v"] as const) {
  Deno.test(`${algo}: a policy file acts exactly like the agent's deterministic policy`, () => {
    const config = { ...DEFAULTS, ...presetFor(algo, "tuned"), algo, hidden: [8, 8] } as TrainConfig;
    const agent = makeAgent(config, makeEnv("Pendulum-v1") as never);
    const state = agent.init(keyFromSeed(3)) as { actor: unknown };
    const policy = decodePolicy(encodePolicy(state.actor, config));
    assert.ok(E.isRight(policy));
    const observations = [1, 0, 0.5, -0.6, 0.8, -3, 0, -1, 7.9];
    const expected = agent.act(state, tf.tensor2d(observations, [3, 3])).dataSync();
    assert.deepEqual(policy.right.actBatch(observations), expected);
    assert.deepEqual(policy.right.act(observations.slice(3, 6)), expected.slice(1, 2));
    assert.throws(() => policy.right.act([1, 0]), /rows of 3 values/);
    assert.equal(policy.right.config.algo, algo);
    policy.right.dispose();
    disposeTree(state);
  });
}

Deno.test("a policy file that does not fit its configuration, or is not a policy, is refused", () => {
  const config = { ...DEFAULTS, ...presetFor("td3", "tuned"), algo: "td3", hidden: [8, 8] } as TrainConfig;
  const state = makeAgent(config, makeEnv("Pendulum-v1") as never).init(keyFromSeed(3)) as { actor: unknown };
  const wrongSizes = decodePolicy(encodePolicy(state.actor, { ...config, hidden: [8, 16] }));
  assert.ok(E.isLeft(wrongSizes));
  assert.match(
    wrongSizes.left,
    /do not fit its configuration \(td3, Pendulum-v1\): actor.1.b has shape \[8\]/,
  );
  const checkpoint = decodePolicy(encodeCheckpoint(state, config));
  assert.ok(E.isLeft(checkpoint));
  assert.match(checkpoint.left, /not a td3-sac-policy\/1 file/);
  const badConfig = decodePolicy(encodePolicy(state.actor, { ...config, gamma: 7 }));
  assert.ok(E.isLeft(badConfig));
  assert.match(badConfig.left, /--gamma/);
  disposeTree(state);
});
