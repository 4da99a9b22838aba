import assert from "node:assert/strict";
import { ReplayBuffer } from "./buffer.ts";
import { keyFromSeed, split } from "../core/rng.ts";

function transition(i: number, terminated = false) {
  return {
    observation: [i, i + 0.5],
    action: [-i],
    reward: i * 10,
    nextObservation: [i + 1, i + 1.5],
    terminated,
  };
}

Deno.test("ring buffer keeps the newest `capacity` transitions, terminated flags included", () => {
  const buffer = new ReplayBuffer({ capacity: 3, observationSize: 2, actionSize: 1 });
  assert.equal(buffer.size, 0);
  for (let i = 0; i < 5; i++) buffer.add(transition(i, i === 4));
  assert.equal(buffer.size, 3);
  const batch = buffer.sample(keyFromSeed(0), 300);
  // Only transitions 2, 3, 4 survive; every sampled row is internally consistent.
  const seen = new Set<number>();
  for (let j = 0; j < batch.size; j++) {
    const i = batch.observations[2 * j];
    seen.add(i);
    assert.deepEqual([...batch.observations.slice(2 * j, 2 * j + 2)], [i, i + 0.5]);
    assert.equal(batch.actions[j], -i);
    assert.equal(batch.rewards[j], i * 10);
    assert.deepEqual([...batch.nextObservations.slice(2 * j, 2 * j + 2)], [i + 1, i + 1.5]);
    assert.equal(batch.terminated[j], i === 4 ? 1 : 0);
  }
  assert.deepEqual([...seen].sort(), [2, 3, 4]);
});

Deno.test("sampling is a pure function of the key and roughly uniform", () => {
  const buffer = new ReplayBuffer({ capacity: 10, observationSize: 2, actionSize: 1 });
  for (let i = 0; i < 10; i++) buffer.add(transition(i));
  const [k1, k2] = split(keyFromSeed(1));
  assert.deepEqual(buffer.sample(k1, 16), buffer.sample(k1, 16));
  assert.notDeepEqual(buffer.sample(k1, 16).rewards, buffer.sample(k2, 16).rewards);
  const counts = new Array(10).fill(0);
  const big = buffer.sample(k2, 20_000);
  big.observations.filter((_, j) => j % 2 === 0).forEach((i) => counts[i]++);
  assert.ok(counts.every((c) => Math.abs(c - 2000) < 5 * Math.sqrt(2000 * 0.9)), String(counts));
});

Deno.test("samples are copies: later writes do not change an earlier batch", () => {
  const buffer = new ReplayBuffer({ capacity: 1, observationSize: 2, actionSize: 1 });
  buffer.add(transition(1));
  const batch = buffer.sample(keyFromSeed(0), 1);
  buffer.add(transition(7));
  assert.equal(batch.rewards[0], 10);
});

Deno.test("bad sizes and empty sampling are rejected", () => {
  assert.throws(() => new ReplayBuffer({ capacity: 0, observationSize: 2, actionSize: 1 }), RangeError);
  const buffer = new ReplayBuffer({ capacity: 2, observationSize: 2, actionSize: 1 });
  assert.throws(() => buffer.sample(keyFromSeed(0), 1), /empty/);
  assert.throws(() => buffer.add({ ...transition(0), action: [1, 2] }), /sizes/);
});
