import assert from "node:assert/strict";
import { keyFromSeed, normal } from "../core/rng.ts";
import { referenceGemm } from "./gemm.ts";
import { mlpLayout } from "./mlp.ts";
import {
  arenaViews,
  assertNoSharedArena,
  concatRows,
  makeTwinCritics,
  type TwinCriticArenas,
  zeroArenas,
} from "./_twin_critics.ts";

const n = 5, obs = 3, act = 2;
const layout = mlpLayout([obs + act, 8, 1]);

/** Twin critic arenas with small random parameters and zero moments. */
function randomCritics(seed: number): TwinCriticArenas {
  const scale = (x: Float32Array) => x.map((v) => v * 0.3);
  return {
    ...zeroArenas({ q1M: layout.length, q1V: layout.length, q2M: layout.length, q2V: layout.length }),
    q1: scale(normal(keyFromSeed(seed), layout.length)),
    q2: scale(normal(keyFromSeed(seed + 1), layout.length)),
  };
}

Deno.test("concatRows writes [s | a] row by row", () => {
  const s = Float32Array.from({ length: n * obs }, (_, i) => i);
  const a = Float32Array.from({ length: n * act }, (_, i) => -1 - i);
  const out = new Float32Array(n * (obs + act));
  concatRows(n, obs, act)(s, a, out);
  assert.deepEqual(Array.from(out.subarray(0, 10)), [0, 1, 2, -1, -2, 3, 4, 5, -3, -4]);
  assert.deepEqual(Array.from(out.subarray(20)), [12, 13, 14, -9, -10]);
});

Deno.test("arenaViews cuts the views of an arena once and per arena", () => {
  const views = arenaViews(layout);
  const one = new Float32Array(layout.length), two = new Float32Array(layout.length);
  assert.equal(views(one), views(one));
  assert.notEqual(views(one), views(two));
  assert.equal(views(two).w[0].buffer, two.buffer);
});

Deno.test("assertNoSharedArena refuses any shared arena, in any field", () => {
  const a = randomCritics(0), b = randomCritics(2);
  const names = ["q1", "q1M", "q1V", "q2", "q2M", "q2V"] as const;
  assertNoSharedArena(a, b, names);
  assert.throws(() => assertNoSharedArena({ ...b, q2V: a.q1 }, a, names), /shares an arena/);
});

Deno.test("the critic step returns the twin MSE, leaves `from` alone and lowers the loss", () => {
  const critics = makeTwinCritics(referenceGemm, layout, n, 1e-2);
  const x = normal(keyFromSeed(7), n * (obs + act));
  const y = normal(keyFromSeed(8), n);
  const from = randomCritics(0);
  const before = structuredClone(from);
  // The loss by hand, from the forward passes alone.
  const [q1, q2] = critics.forward(from.q1, from.q2, x);
  let want = 0;
  for (let i = 0; i < n; i++) want += ((q1[i] - y[i]) ** 2 + (q2[i] - y[i]) ** 2) / n;
  const to = randomCritics(4);
  const loss = critics.step(from, x, y, 1, to);
  assert.ok(Math.abs(loss - want) < 1e-5 * Math.max(1, want), `${loss} against ${want}`);
  assert.deepEqual(from, before);
  // Adam's first step moves every parameter with a nonzero gradient by about lr, against the gradient.
  const next = critics.step(to, x, y, 2, randomCritics(6));
  assert.ok(next < loss, `${next} is not below ${loss}`);
  for (const name of ["q1M", "q2M"] as const) assert.ok(to[name].some((m) => m !== 0));
});
