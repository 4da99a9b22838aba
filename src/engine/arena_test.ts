import assert from "node:assert/strict";
import { arenaLayout, arenaViews, firstNonFinite, packArena } from "./arena.ts";

Deno.test("firstNonFinite finds the first NaN or ±Infinity, −1 when all are finite", () => {
  const x = new Float32Array(100).map((_, i) => i - 50);
  assert.equal(firstNonFinite(x), -1);
  assert.equal(firstNonFinite(new Float32Array(0)), -1);
  x[70] = Infinity;
  assert.equal(firstNonFinite(x), 70);
  x[42] = NaN;
  assert.equal(firstNonFinite(x), 42);
  x[3] = -Infinity;
  assert.equal(firstNonFinite(x), 3);
  const big = new Float32Array([3.4e38, -3.4e38, 1e-45, -0]); // largest, subnormal, −0: all finite
  assert.equal(firstNonFinite(big), -1);
});

Deno.test("arena: views share memory, packArena round-trips, shapes are checked", () => {
  const layout = arenaLayout([["b", [4]], ["w", [3, 4]], ["s", []]]);
  assert.equal(layout.size, 17);
  assert.deepEqual(layout.entries.map((e) => [e.offset, e.length]), [[0, 4], [4, 12], [16, 1]]);
  const arena = new Float32Array(17).map((_, i) => i);
  const views = arenaViews(arena, layout);
  assert.deepEqual(views.w.shape, [3, 4]);
  assert.deepEqual(views.w.data, new Float32Array(12).map((_, i) => i + 4));
  assert.equal(views.s.data[0], 16);
  arena[4] = -1; // a view, not a copy
  assert.equal(views.w.data[0], -1);
  const copy = packArena(views, layout);
  assert.deepEqual(copy, arena);
  assert.notEqual(copy.buffer, arena.buffer);
  assert.throws(() => packArena({ ...views, w: { shape: [4, 3], data: views.w.data } }, layout), /shape/);
  assert.throws(() => packArena({ b: views.b, s: views.s }, layout), /no tensor "w"/);
  assert.throws(() => arenaViews(new Float32Array(3), layout), RangeError);
});
