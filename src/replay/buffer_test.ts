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

Deno.test("storage grows past its first allocation and keeps every transition", () => {
  const buffer = new ReplayBuffer({ capacity: 10_000, observationSize: 2, actionSize: 1 });
  for (let i = 0; i < 9000; i++) buffer.add(transition(i));
  assert.equal(buffer.size, 9000);
  const snap = buffer.snapshot();
  assert.equal(snap.rewards.length, 9000);
  assert.deepEqual([...snap.rewards.subarray(0, 3)], [0, 10, 20]);
  assert.equal(snap.rewards[8999], 89990);
  assert.deepEqual([...snap.observations.subarray(2 * 8999)], [8999, 8999.5]);
});

Deno.test("snapshot and restore give a buffer that samples and overwrites exactly like the original", () => {
  const options = { capacity: 5, observationSize: 2, actionSize: 1 };
  const original = new ReplayBuffer(options);
  for (let i = 0; i < 7; i++) original.add(transition(i, i % 3 === 0)); // wrapped: head at row 2
  const copy = ReplayBuffer.restore(options, original.snapshot());
  assert.deepEqual(copy.snapshot(), original.snapshot());
  const key = keyFromSeed(3);
  assert.deepEqual(copy.sample(key, 64), original.sample(key, 64));
  original.add(transition(7));
  copy.add(transition(7));
  assert.deepEqual(copy.snapshot(), original.snapshot());
  // A partly filled buffer restores into a larger capacity and keeps growing from there.
  const partial = new ReplayBuffer({ ...options, capacity: 4 });
  for (let i = 0; i < 3; i++) partial.add(transition(i));
  const larger = ReplayBuffer.restore({ ...options, capacity: 8 }, partial.snapshot());
  larger.add(transition(3));
  assert.equal(larger.size, 4);
  assert.equal(larger.snapshot().rewards[3], 30);
});

Deno.test("a snapshot that does not fit the buffer is refused with one line", () => {
  const options = { capacity: 5, observationSize: 2, actionSize: 1 };
  const buffer = new ReplayBuffer(options);
  for (let i = 0; i < 7; i++) buffer.add(transition(i));
  const snap = buffer.snapshot();
  assert.throws(() => ReplayBuffer.restore({ ...options, capacity: 4 }, snap), /does not fit/);
  assert.throws(() => ReplayBuffer.restore({ ...options, observationSize: 3 }, snap), /does not fit/);
  assert.throws(
    () => ReplayBuffer.restore(options, { ...snap, rewards: snap.rewards.slice(1) }),
    /does not fit/,
  );
  assert.throws(() => ReplayBuffer.restore(options, { ...snap, size: 4, head: 1 }), /does not fit/);
});

Deno.test("rows across storage chunks keep their transitions, and the ring wraps across chunks", () => {
  const buffer = new ReplayBuffer({ capacity: 40_000, observationSize: 2, actionSize: 1 });
  for (let i = 0; i < 50_000; i++) buffer.add(transition(i));
  assert.equal(buffer.size, 40_000);
  const snap = buffer.snapshot();
  assert.equal(snap.head, 10_000);
  // Row r holds transition r + 40000 for r < 10000 (overwritten), else transition r.
  for (const r of [0, 9_999, 10_000, 16_383, 16_384, 32_767, 32_768, 39_999]) {
    const i = r < 10_000 ? r + 40_000 : r;
    assert.equal(snap.rewards[r], i * 10);
    assert.deepEqual([...snap.observations.subarray(2 * r, 2 * r + 2)], [i, i + 0.5]);
  }
  const copy = ReplayBuffer.restore(buffer.options, snap);
  assert.deepEqual(copy.sample(keyFromSeed(1), 512), buffer.sample(keyFromSeed(1), 512));
});

Deno.test("sampleWith gives the batch that sample gives after add, and leaves the buffer as it was", () => {
  const row = (i: number) => ({
    observation: [i, -i],
    action: [i / 10],
    reward: i * 1.5,
    nextObservation: [i + 1, -i - 1],
    terminated: i % 3 === 0,
  });
  // Capacity 5: the buffer fills, then the pending row replaces the oldest (row `head`).
  for (const stored of [0, 1, 3, 5, 8]) {
    const options = { capacity: 5, observationSize: 2, actionSize: 1 };
    const a = new ReplayBuffer(options);
    const b = new ReplayBuffer(options);
    for (let i = 0; i < stored; i++) [a, b].forEach((x) => x.add(row(i)));
    const key = keyFromSeed(stored);
    const before = a.snapshot();
    const predicted = a.sampleWith(key, 16, row(100));
    assert.deepEqual(a.snapshot(), before, "sampleWith does not store");
    b.add(row(100));
    assert.deepEqual(predicted, b.sample(key, 16));
  }
});
