import assert from "node:assert/strict";
import { keyFromSeed, normal, split } from "../rng.ts";
import { OU_DEFAULTS, ouInit, ouStep } from "./ornstein_uhlenbeck.ts";

Deno.test("one OU step is x + θ(0 − x)dt + σ√dt·ε with ε from the key", () => {
  const key = keyFromSeed(4);
  const eps = normal(key, 2);
  const x = [0.3, -1.2];
  const next = ouStep(x, key, { theta: 0.15, sigma: 0.5, dt: 0.01 });
  assert.deepEqual(next, [0.3 - 0.15 * 0.3 * 0.01 + 0.05 * eps[0], -1.2 + 0.15 * 1.2 * 0.01 + 0.05 * eps[1]]);
  assert.deepEqual(x, [0.3, -1.2], "the input is not mutated");
  assert.deepEqual(ouInit(3), [0, 0, 0]);
});

Deno.test("the process is correlated in time and has the stationary spread σ/√(2θ)", () => {
  const options = { ...OU_DEFAULTS, sigma: 0.5 };
  let x = ouInit(1);
  let key = keyFromSeed(0);
  const xs: number[] = [];
  for (let t = 0; t < 200_000; t++) {
    const [next, k] = split(key);
    key = next;
    x = ouStep(x, k, options);
    xs.push(x[0]);
  }
  const tail = xs.slice(20_000);
  const mean = tail.reduce((a, b) => a + b, 0) / tail.length;
  const variance = tail.reduce((a, b) => a + (b - mean) ** 2, 0) / tail.length;
  // Discrete-time stationary variance σ²dt / (1 − (1 − θdt)²) ≈ σ²/(2θ) = 0.833; the time constant is
  // 1/(θ·dt) ≈ 667 steps, so 180k steps give a few hundred independent stretches: allow 20%.
  const expected = (0.25 * 0.01) / (1 - (1 - 0.0015) ** 2);
  assert.ok(Math.abs(variance / expected - 1) < 0.2, `variance ${variance} vs ${expected}`);
  // Lag-1 correlation 1 − θ·dt = 0.9985: consecutive values are nearly equal, unlike white noise.
  let c = 0;
  for (let i = 1; i < tail.length; i++) c += (tail[i] - mean) * (tail[i - 1] - mean);
  assert.ok(c / (tail.length - 1) / variance > 0.99);
});
