import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import * as E from "fp-ts/lib/Either.js";
import { type TrainConfig } from "../config/train_config.ts";
import { DEFAULTS, presetFor } from "../config/presets.ts";
import { keyFromSeed } from "../core/rng.ts";
import { makeEnv } from "../envs/registry.ts";
import { makeAgent } from "../core/agents/make_agent.ts";
import { encodeCheckpoint, POLICY_FORMAT } from "./checkpoint.ts";
import { decodeSafetensors, encodeSafetensors } from "../formats/safetensors.ts";
import { disposeTree } from "./memory.ts";
import { decodePolicy, encodePolicy } from "./policy.ts";

tf.env().set("PROD", true);
await tf.setBackend("cpu");

const PENDULUM = makeEnv("Pendulum-v1");

for (const algo of ["td3", "sac", "sac-v"] as const) {
  Deno.test(`${algo}: a policy file acts exactly like the agent's deterministic policy`, () => {
    const config = { ...DEFAULTS, ...presetFor(algo, "tuned"), algo, hidden: [8, 8] } as TrainConfig;
    const agent = makeAgent(config, makeEnv("Pendulum-v1") as never);
    const state = agent.init(keyFromSeed(3)) as { actor: unknown };
    const policy = decodePolicy(encodePolicy(state.actor, config, PENDULUM));
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
  const wrongSizes = decodePolicy(encodePolicy(state.actor, { ...config, hidden: [8, 16] }, PENDULUM));
  assert.ok(E.isLeft(wrongSizes));
  assert.match(
    wrongSizes.left,
    /do not fit its configuration \(td3, Pendulum-v1\): actor.1.b has shape \[8\]/,
  );
  const checkpoint = decodePolicy(encodeCheckpoint(state, config));
  assert.ok(E.isLeft(checkpoint));
  assert.match(checkpoint.left, /not a td3-sac-policy\/1 file/);
  const badConfig = decodePolicy(encodePolicy(state.actor, { ...config, gamma: 7 }, PENDULUM));
  assert.ok(E.isLeft(badConfig));
  assert.match(badConfig.left, /--gamma/);
  disposeTree(state);
});

const MAX_SPACE_FOR_TEST = 1_000_000;

/** A cart on a rail: an environment of one's own, known to no registry. */
const CART = { observationSize: 2, actionSize: 1, actionLow: [-2], actionHigh: [2] };

Deno.test("a policy trained on an environment of one's own loads and acts without that environment", () => {
  const config = { ...DEFAULTS, ...presetFor("sac", "tuned"), algo: "sac", env: "Cart-v0", hidden: [8, 8] };
  const agent = makeAgent(config as TrainConfig, CART);
  const state = agent.init(keyFromSeed(5)) as { actor: unknown };
  const policy = decodePolicy(encodePolicy(state.actor, config as TrainConfig, CART));
  assert.ok(E.isRight(policy), E.isLeft(policy) ? policy.left : "");
  assert.deepEqual(policy.right.spaces, CART);
  assert.equal(policy.right.config.env, "Cart-v0");
  const observations = [0.5, -0.1, -1, 0.3];
  assert.deepEqual(
    policy.right.actBatch(observations),
    agent.act(state, tf.tensor2d(observations, [2, 2])).dataSync(),
  );
  policy.right.dispose();
  disposeTree(state);
});

/** The bytes of a policy file with its `spaces` metadata replaced (or removed when `spaces` is undefined). */
function withSpaces(bytes: Uint8Array, spaces: unknown): Uint8Array {
  const { tensors, metadata } = decodeSafetensors(bytes);
  const { spaces: _, ...rest } = metadata;
  const kept = Object.fromEntries([...tensors].map(([name, t]) => [name, { shape: t.shape, data: t.data }]));
  return encodeSafetensors(kept, spaces === undefined ? rest : { ...rest, spaces: JSON.stringify(spaces) });
}

Deno.test("a policy file's spaces are checked: crafted ones are refused, old files without them use the registry", () => {
  const config = { ...DEFAULTS, ...presetFor("td3", "tuned"), algo: "td3", hidden: [8, 8] } as TrainConfig;
  const state = makeAgent(config, PENDULUM).init(keyFromSeed(3)) as { actor: unknown };
  const bytes = encodePolicy(state.actor, config, PENDULUM);
  assert.equal(decodeSafetensors(bytes).metadata.format, POLICY_FORMAT);
  // A file written before spaces were stored: a built-in environment's come from the registry.
  const old = decodePolicy(withSpaces(bytes, undefined));
  assert.ok(E.isRight(old));
  assert.deepEqual(old.right.spaces.actionHigh, [2]);
  old.right.dispose();
  const own = decodePolicy(
    withSpaces(encodePolicy(state.actor, { ...config, env: "Cart-v0" }, CART), undefined),
  );
  assert.ok(E.isLeft(own));
  assert.match(own.left, /trained on "Cart-v0", which is not built in, and does not store its spaces/);
  const refusals: [unknown, RegExp][] = [
    [[3], /not a record/],
    [{ ...CART, observationSize: 0 }, /sizes must be integers/],
    [{ ...CART, observationSize: 2.5 }, /sizes must be integers/],
    [{ ...CART, actionSize: 1e9 }, /sizes must be integers/],
    [{ ...CART, actionLow: [-2, -2] }, /1 finite numbers each/],
    [{ ...CART, actionHigh: [null] }, /1 finite numbers each/],
    [{ ...CART, actionLow: [2] }, /low < high/],
    // Pendulum's name with other bounds: not the built-in environment's spaces.
    [{ observationSize: 3, actionSize: 1, actionLow: [-1], actionHigh: [1] }, /not those of Pendulum-v1/],
  ];
  for (const [spaces, message] of refusals) {
    const decoded = decodePolicy(withSpaces(bytes, spaces));
    assert.ok(E.isLeft(decoded), JSON.stringify(spaces));
    assert.match(decoded.left, message);
  }
  // Sizes that would make an input layer larger than any policy file are refused before it is built.
  const huge = { observationSize: MAX_SPACE_FOR_TEST, actionSize: 1, actionLow: [-1], actionHigh: [1] };
  const wide = decodePolicy(
    withSpaces(encodePolicy(state.actor, { ...config, env: "Wide-v0", hidden: [8192] }, CART), huge),
  );
  assert.ok(E.isLeft(wide));
  assert.match(wide.left, /larger than any policy file/);
  disposeTree(state);
});
