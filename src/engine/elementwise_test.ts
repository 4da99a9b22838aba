import assert from "node:assert/strict";
import { adamScalars } from "./adam.ts";
import { type Elementwise, elementwise, referenceElementwise } from "./elementwise.ts";
import { wasmElementwise } from "./kernels/wasm_elementwise.ts";

// The WebAssembly SIMD kernels against the scalar reference: equal element for element (−0 and +0 told
// apart; NaN only where the reference has NaN), on lengths around the four-lane boundary and on data with
// the special values mixed in.

const wasm = wasmElementwise!;

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

const SPECIAL = [0, -0, NaN, Infinity, -Infinity, 1e-40, -1e-40, 1e-45, 3e38, -3e38, 1e-20, 1];

/** Values at scales from 1e-6 to 10 of either sign; with `special`, about one in eight is a special value. */
function values(length: number, next: () => number, special: boolean): Float32Array {
  const x = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    x[i] = special && next() < 0.125
      ? SPECIAL[Math.floor(next() * SPECIAL.length)]
      : (next() - 0.5) * 10 ** (-6 + 7 * next());
  }
  return x;
}

/** The index of the first element where `got` and `want` differ, −1 if none. */
function firstDifference(got: Float32Array, want: Float32Array): number {
  assert.equal(got.length, want.length);
  for (let i = 0; i < got.length; i++) {
    if (!(Object.is(got[i], want[i]) || (Number.isNaN(got[i]) && Number.isNaN(want[i])))) return i;
  }
  return -1;
}

function assertSame(got: Float32Array, want: Float32Array, what: string): void {
  const i = firstDifference(got, want);
  assert.equal(i, -1, `${what}: element ${i} is ${got[i]}, the reference has ${want[i]}`);
}

const LENGTHS = [0, 1, 2, 3, 4, 5, 7, 8, 9, 63, 64, 65, 1000, 4099];

Deno.test("elementwise: the engine uses the WebAssembly SIMD kernels here", () => {
  assert.ok(wasmElementwise !== undefined);
  assert.equal(elementwise.name, "wasm-simd");
});

Deno.test("elementwise.adam: wasm-simd equals the reference, in place or not", () => {
  const next = generator(1);
  const options = [{ lr: 1e-3 }, { lr: 0.1, b1: 0.8, b2: 0.99, eps: 1e-6 }, { lr: 3e-4, eps: 0 }];
  for (const length of LENGTHS) {
    for (const [k, o] of options.entries()) {
      for (const special of [false, true]) {
        const s = adamScalars(1 + k * 7 + length % 5, o);
        const from = {
          p: values(length, next, special),
          m: values(length, next, special),
          v: values(length, next, special).map(Math.abs),
        };
        const g = values(length, next, special);
        const copy = () => ({ p: from.p.slice(), m: from.m.slice(), v: from.v.slice() });
        const want = copy();
        referenceElementwise.adam(from, g, s, want);
        const got = { p: new Float32Array(length), m: new Float32Array(length), v: new Float32Array(length) };
        wasm.adam(from, g, s, got);
        const inPlace = copy();
        wasm.adam(inPlace, g, s, inPlace);
        for (const key of ["p", "m", "v"] as const) {
          const what = `${key}, length ${length}, options ${k}, special ${special}`;
          assertSame(got[key], want[key], what);
          assertSame(inPlace[key], want[key], `${what}, in place`);
        }
      }
    }
  }
});

Deno.test("elementwise.softUpdate: wasm-simd equals the reference, in place or not", () => {
  const next = generator(2);
  for (const length of LENGTHS) {
    for (const tau of [0.005, 0.3, 1]) {
      const [keep, take] = [Math.fround(1 - tau), Math.fround(tau)];
      const target = values(length, next, true), online = values(length, next, true);
      const want = new Float32Array(length);
      referenceElementwise.softUpdate(target, online, keep, take, want);
      const got = new Float32Array(length);
      wasm.softUpdate(target, online, keep, take, got);
      assertSame(got, want, `length ${length}, tau ${tau}`);
      wasm.softUpdate(target, online, keep, take, target);
      assertSame(target, want, `length ${length}, tau ${tau}, in place`);
    }
  }
});

Deno.test("elementwise.relu: wasm-simd equals the reference (NaN and −0 give +0)", () => {
  const next = generator(3);
  for (const length of LENGTHS) {
    const z = values(length, next, true);
    const want = new Float32Array(length), got = new Float32Array(length).fill(7);
    referenceElementwise.relu(z, want);
    wasm.relu(z, got);
    assertSame(got, want, `length ${length}`);
  }
  const got = new Float32Array(4);
  wasm.relu(new Float32Array([NaN, -0, -1, 2]), got);
  assert.ok(got.every((x, i) => Object.is(x, [0, 0, 0, 2][i])));
});

Deno.test("elementwise.reluBackward: wasm-simd equals the reference, overwriting or accumulating db", () => {
  const next = generator(4);
  for (const rows of [1, 3, 16, 128]) {
    for (const cols of [1, 2, 3, 4, 5, 8, 13, 400]) {
      for (const accumulate of [false, true]) {
        const z = values(rows * cols, next, true);
        const dh = values(rows * cols, next, rows < 16);
        const db = values(cols, next, false);
        const [dhWant, dbWant] = [dh.slice(), db.slice()];
        referenceElementwise.reluBackward(dhWant, z, rows, cols, dbWant, accumulate);
        wasm.reluBackward(dh, z, rows, cols, db, accumulate);
        const what = `${rows} × ${cols}, accumulate ${accumulate}`;
        assertSame(dh, dhWant, `dh, ${what}`);
        assertSame(db, dbWant, `db, ${what}`);
      }
    }
  }
});

Deno.test("elementwise: one wasm-simd instance serves calls of any size in any order", () => {
  // Growing the module's memory detaches its views; the results must not care.
  const next = generator(5);
  const kernels: Elementwise = wasm;
  for (const length of [10, 300_000, 17, 1_000_000, 5]) {
    const z = values(length, next, true);
    const want = new Float32Array(length), got = new Float32Array(length);
    referenceElementwise.relu(z, want);
    kernels.relu(z, got);
    assertSame(got, want, `length ${length}`);
  }
});
