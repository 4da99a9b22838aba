import assert from "node:assert/strict";
import {
  bits,
  foldIn,
  keyFromSeed,
  keyFromWords,
  normal,
  randint,
  split,
  threefry2x32,
  uniform,
} from "./rng.ts";

Deno.test("threefry2x32 matches the Random123 known-answer vectors", () => {
  assert.deepEqual(threefry2x32([0, 0], [0, 0]), [0x6b200159, 0x99ba4efe]);
  assert.deepEqual(
    threefry2x32([0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff]),
    [0x1cb996fc, 0xbb002be7],
  );
  assert.deepEqual(
    threefry2x32([0x13198a2e, 0x03707344], [0x243f6a88, 0x85a308d3]),
    [0xc4923a9c, 0x483df7a0],
  );
});

Deno.test("keys, split and bits match JAX's original Threefry layout", () => {
  assert.deepEqual([...keyFromSeed(0)], [0, 0]);
  assert.deepEqual([...keyFromSeed(2 ** 32 + 7)], [1, 7]);
  const [a, b] = split(keyFromSeed(0));
  assert.deepEqual([...a], [4146024105, 967050713]);
  assert.deepEqual([...b], [2718843009, 1272950319]);
  assert.deepEqual([...bits(keyFromSeed(0), 4)], [
    4146024105,
    967050713,
    2718843009,
    1272950319,
  ]);
  // jax.random.bits(PRNGKey(0), (3,)) pads the counter to even length and drops the last word.
  assert.deepEqual([...bits(keyFromSeed(0), 3)], [
    4146024105,
    1351547692,
    2718843009,
  ]);
  assert.deepEqual([...bits(keyFromSeed(1), 1)], [507451445]);
});

Deno.test("normal matches jax.random.normal(PRNGKey(0), (10,)) to float32 rounding", () => {
  const jax = [
    -0.3721109,
    0.26423115,
    -0.18252768,
    -0.7368197,
    -0.44030377,
    -0.1521442,
    -0.67135346,
    -0.5908641,
    0.73168886,
    0.5673026,
  ];
  const ours = normal(keyFromSeed(0), 10);
  for (let i = 0; i < 10; i++) {
    assert.ok(
      Math.abs(ours[i] - jax[i]) < 2e-6,
      `${i}: ${ours[i]} vs ${jax[i]}`,
    );
  }
});

Deno.test("draws are pure functions of the key and differ across keys", () => {
  const k = keyFromSeed(42);
  assert.deepEqual(uniform(k, 5), uniform(k, 5));
  assert.notDeepEqual(uniform(k, 5), uniform(keyFromSeed(43), 5));
  assert.notDeepEqual([...foldIn(k, 1)], [...foldIn(k, 2)]);
  assert.deepEqual([...keyFromWords([...k])], [...k]);
  assert.throws(() => keyFromSeed(-1), RangeError);
  assert.throws(() => keyFromWords([1]), RangeError);
});

function moments(xs: ArrayLike<number>): { mean: number; variance: number } {
  let s = 0, s2 = 0;
  for (let i = 0; i < xs.length; i++) {
    s += xs[i];
    s2 += xs[i] * xs[i];
  }
  const mean = s / xs.length;
  return { mean, variance: s2 / xs.length - mean * mean };
}

Deno.test("moments: uniform, normal and randint", () => {
  const n = 200_000;
  const [k1, k2, k3] = split(keyFromSeed(7), 3);
  const u = uniform(k1, n, { low: -2, high: 2 });
  const mu = moments(u);
  // Standard errors: mean 4/sqrt(12 n) ≈ 0.0026, variance ≈ 0.004.
  assert.ok(
    Math.abs(mu.mean) < 0.013 && Math.abs(mu.variance - 16 / 12) < 0.02,
    JSON.stringify(mu),
  );
  assert.ok(u.every((x) => x >= -2 && x < 2));
  const z = moments(normal(k2, n));
  assert.ok(
    Math.abs(z.mean) < 0.01 && Math.abs(z.variance - 1) < 0.015,
    JSON.stringify(z),
  );
  const r = randint(k3, n, { high: 10 });
  const counts = new Array(10).fill(0);
  r.forEach((x) => counts[x]++);
  assert.ok(
    counts.every((c) => Math.abs(c - n / 10) < 5 * Math.sqrt(n * 0.09)),
    String(counts),
  );
});
