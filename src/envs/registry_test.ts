import assert from "node:assert/strict";
import * as E from "fp-ts/lib/Either.js";
import { keyFromSeed } from "../core/rng.ts";
import { ENV_IDS, isEnvId, lookupEnv, makeEnv } from "./registry.ts";

Deno.test("registry: ENV_IDS and isEnvId", () => {
  assert.deepEqual(ENV_IDS, ["Pendulum-v1", "MountainCarContinuous-v0"]);
  assert.equal(isEnvId("Pendulum-v1"), true);
  assert.equal(isEnvId("MountainCarContinuous-v0"), true);
  assert.equal(isEnvId("MountainCar-v0"), false);
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

  const car = makeEnv("MountainCarContinuous-v0");
  const reset = car.reset(keyFromSeed(1));
  assert.equal(reset.state.velocity, 0); // typed as MountainCarState through the overload
  assert.equal(car.maxEpisodeSteps, 999);
  assert.deepEqual([car.observationSize, car.actionSize], [2, 1]);
  assert.deepEqual([car.actionLow, car.actionHigh], [[-1], [1]]);
  // The registered env is the default mountainCar(): goal velocity 0.
  const atGoal = car.step({ position: 0.59, velocity: 0.01, steps: 0 }, Float32Array.of(0));
  assert.equal(atGoal.terminated, true);
});

Deno.test("registry: makeEnv builds a fresh env with default options each time", () => {
  for (const id of ENV_IDS) {
    const a = makeEnv(id);
    const b = makeEnv(id);
    assert.equal(a.id, b.id);
    const key = keyFromSeed(9);
    assert.deepEqual(a.reset(key), b.reset(key));
  }
});

Deno.test("registry: makeEnv throws a RangeError naming the known ids", () => {
  assert.throws(() => makeEnv("MountainCar-v0"), {
    name: "RangeError",
    message: 'unknown environment "MountainCar-v0" (known: Pendulum-v1, MountainCarContinuous-v0)',
  });
});

Deno.test("registry: lookupEnv returns Right for known ids and Left with the message otherwise", () => {
  const known = lookupEnv("Pendulum-v1");
  assert.ok(E.isRight(known));
  assert.equal(known.right.id, "Pendulum-v1");
  const car = lookupEnv("MountainCarContinuous-v0");
  assert.ok(E.isRight(car));
  assert.equal(car.right.id, "MountainCarContinuous-v0");
  assert.deepEqual(
    lookupEnv("Nope-v0"),
    E.left('unknown environment "Nope-v0" (known: Pendulum-v1, MountainCarContinuous-v0)'),
  );
});
