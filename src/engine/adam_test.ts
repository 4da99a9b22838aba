import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { adam, type AdamOptions } from "../core/optim/adam.ts";
import { applyUpdates, incrementalUpdate } from "../core/optim/transform.ts";
import { type AdamArenas, adamStep, softUpdate } from "./adam.ts";

tf.env().set("PROD", true);

// A [4] bias and a [3, 4] weight, in the tree's leaf order (sorted keys: b, w), as one arena of 16.
const SHAPES = { b: [4], w: [3, 4] } as const;
const SIZE = 16;

/** mulberry32: a small seeded generator, so the data are the same on every run. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Normal-ish values at a scale drawn per call from 1e-4…10; element 5 is always 0 (v stays 0: ε alone). */
function randomArena(next: () => number): Float32Array {
  const scale = 10 ** (-4 + 5 * next());
  const x = new Float32Array(SIZE);
  for (let i = 0; i < SIZE; i++) x[i] = i === 5 ? 0 : scale * (next() + next() + next() - 1.5);
  return x;
}

function toTree(arena: Float32Array): { b: tf.Tensor; w: tf.Tensor } {
  return { b: tf.tensor(arena.slice(0, 4), [...SHAPES.b]), w: tf.tensor(arena.slice(4), [...SHAPES.w]) };
}

function fromTree(tree: { b: tf.Tensor; w: tf.Tensor }): Float32Array {
  const out = new Float32Array(SIZE);
  out.set(tree.b.dataSync(), 0);
  out.set(tree.w.dataSync(), 4);
  return out;
}

/** The tfjs reference on the active backend: `adam(options)` and `applyUpdates`, step after step. */
function referenceAdam(options: AdamOptions, p0: Float32Array, grads: Float32Array[]): AdamArenas {
  return tf.tidy(() => {
    const opt = adam(options);
    let params = toTree(p0);
    let state = opt.init(params);
    for (const g of grads) {
      const [updates, next] = opt.update(toTree(g), state);
      params = applyUpdates(params, updates);
      state = next;
    }
    const [moments] = state;
    type Leaves = { b: tf.Tensor; w: tf.Tensor };
    return { p: fromTree(params), m: fromTree(moments.mu as Leaves), v: fromTree(moments.nu as Leaves) };
  });
}

function engineAdam(options: AdamOptions, p0: Float32Array, grads: Float32Array[]): AdamArenas {
  const s = { p: p0.slice(), m: new Float32Array(SIZE), v: new Float32Array(SIZE) };
  grads.forEach((g, i) => adamStep(s, g, i + 1, options));
  return s;
}

const OPTIONS: AdamOptions[] = [
  { lr: 1e-3 },
  { lr: 0.1, b1: 0.8, b2: 0.99, eps: 1e-6 },
  { lr: 3e-4, eps: 0 },
];

/** Run `body` with `backend` active, then restore the previous backend. */
async function withBackend(backend: string, body: () => void): Promise<void> {
  await tf.ready();
  const previous = tf.getBackend();
  assert.ok(await tf.setBackend(backend), `backend ${backend}`);
  assert.equal(tf.getBackend(), backend);
  try {
    body();
  } finally {
    await tf.setBackend(previous);
  }
}

function checkAgainstReference(): void {
  for (const [k, options] of OPTIONS.entries()) {
    const next = generator(k + 1);
    const p0 = randomArena(next);
    const grads = Array.from({ length: 50 }, () => randomArena(next));
    const want = referenceAdam(options, p0, grads);
    const got = engineAdam(options, p0, grads);
    assert.deepEqual(got.m, want.m, `m, ${JSON.stringify(options)}`);
    assert.deepEqual(got.v, want.v, `v, ${JSON.stringify(options)}`);
    assert.deepEqual(got.p, want.p, `p, ${JSON.stringify(options)}`);
    assert.notDeepEqual(got.p, p0);
  }
}

Deno.test("adamStep equals tfjs adam + applyUpdates bit for bit over 50 steps (cpu)", async () => {
  await withBackend("cpu", checkAgainstReference);
});

Deno.test("adamStep equals tfjs adam + applyUpdates bit for bit over 50 steps (wasm)", async () => {
  await import("@tensorflow/tfjs-backend-wasm");
  await withBackend("wasm", checkAgainstReference);
});

/**
 * A gradient that stops: 5 steps of random gradients, then `quiet` steps of zeros on the first 8 elements
 * (a ReLU unit that no longer fires), random on the rest.
 */
function stoppingGradients(next: () => number, quiet: number): Float32Array[] {
  return Array.from({ length: 5 + quiet }, (_, t) => {
    const g = randomArena(next);
    if (t >= 5) g.fill(0, 0, 8);
    return g;
  });
}

function checkFlushAgainstReference(): void {
  const next = generator(99);
  const p0 = randomArena(next);
  // After ~800 quiet steps m (×0.9 per step) has fallen through 2⁻¹²⁶; v (×0.999) has not.
  const grads = stoppingGradients(next, 900);
  const want = referenceAdam({ lr: 1e-3 }, p0, grads);
  const got = engineAdam({ lr: 1e-3 }, p0, grads);
  assert.deepEqual(got.m, want.m);
  assert.deepEqual(got.v, want.v);
  assert.deepEqual(got.p, want.p);
  for (let i = 0; i < 8; i++) {
    assert.ok(Object.is(got.m[i], 0), `m[${i}] = ${got.m[i]}, flushed to +0`);
    if (i !== 5) assert.ok(got.v[i] >= 2 ** -126, `v[${i}] = ${got.v[i]}, still normal`); // v[5] is 0 throughout
  }
}

Deno.test("adamStep: a stopped gradient's m is flushed to +0 below 2^-126, as tfjs adam does (cpu)", async () => {
  await withBackend("cpu", checkFlushAgainstReference);
});

Deno.test("adamStep: a stopped gradient's m is flushed to +0 below 2^-126, as tfjs adam does (wasm)", async () => {
  await import("@tensorflow/tfjs-backend-wasm");
  await withBackend("wasm", checkFlushAgainstReference);
});

Deno.test("adamStep: outputs aliasing the inputs equal distinct outputs, and distinct outputs leave inputs", () => {
  const next = generator(7);
  const from = { p: randomArena(next), m: randomArena(next), v: randomArena(next).map(Math.abs) };
  const grads = randomArena(next);
  const copy = { p: from.p.slice(), m: from.m.slice(), v: from.v.slice() };
  const out = { p: new Float32Array(SIZE), m: new Float32Array(SIZE), v: new Float32Array(SIZE) };
  adamStep(from, grads, 3, { lr: 0.01 }, out);
  assert.deepEqual(from, copy); // inputs untouched
  adamStep(copy, grads, 3, { lr: 0.01 }); // in place
  assert.deepEqual(copy, out);
  assert.notDeepEqual(out.p, from.p);
  assert.throws(() => adamStep(from, new Float32Array(3), 1, { lr: 0.01 }), RangeError);
});

Deno.test("softUpdate equals incrementalUpdate bit for bit (cpu), in place or not", async () => {
  await withBackend("cpu", () => {
    const next = generator(11);
    for (const tau of [0.005, 0.3, 1]) {
      const target = randomArena(next), online = randomArena(next);
      const want = tf.tidy(() => fromTree(incrementalUpdate(toTree(target), toTree(online), tau)));
      const out = new Float32Array(SIZE);
      softUpdate(target, online, tau, out);
      assert.deepEqual(out, want, `tau ${tau}`);
      softUpdate(target, online, tau);
      assert.deepEqual(target, want, `tau ${tau}, in place`);
    }
  });
});
