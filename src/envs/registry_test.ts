import assert from "node:assert/strict";
import * as E from "fp-ts/lib/Either.js";
import { keyFromSeed } from "../core/rng.ts";
import { ENV_IDS, isEnvId, lookupEnv, makeEnv } from "./registry.ts";

Deno.test("registry: ENV_IDS and isEnvId", () => {
  assert.deepEqual(ENV_IDS, ["Pendulum-v1"]);
  assert.equal(isEnvId("Pendulum-v1"), true);
  assert.equal(isEnvId("pendulum-v1"), false);
  assert.equal(isEnvId("CartPole-v1"), false);
  assert.equal(isEnvId(""), false);
});

Deno.test("registry: makeEnv builds every known id", () => {
  for (const id of ENV_IDS) {
    const env = makeEnv(id);
    assert.equal(env.id, id);
    const { observation } = env.reset(keyFromSeed(0));
    assert.equal(observation.length, env.observationSize);
  }
  const pendulum = makeEnv("Pendulum-v1");
  const { state } = pendulum.reset(keyFromSeed(1));
  assert.equal(state.steps, 0); // typed as PendulumState through the overload
  assert.equal(pendulum.maxEpisodeSteps, 200);
});

Deno.test("registry: makeEnv throws a RangeError naming the known ids", () => {
  assert.throws(() => makeEnv("MountainCar-v0"), {
    name: "RangeError",
    message: 'unknown environment "MountainCar-v0" (known: Pendulum-v1)',
  });
});

Deno.test("registry: lookupEnv returns Right for known ids and Left with the message otherwise", () => {
  const known = lookupEnv("Pendulum-v1");
  assert.ok(E.isRight(known));
  assert.equal(known.right.id, "Pendulum-v1");
  assert.deepEqual(lookupEnv("Nope-v0"), E.left('unknown environment "Nope-v0" (known: Pendulum-v1)'));
});
