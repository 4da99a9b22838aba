import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initMlp, mlp, type MlpParams } from "../core/nn/mlp.ts";
import { keyFromSeed, normal } from "../core/rng.ts";
import { referenceGemm } from "./gemm.ts";
import {
  mlpBackward,
  mlpForward,
  type MlpLayout,
  mlpLayout,
  type MlpViews,
  mlpViews,
  mlpWorkspace,
} from "./mlp.ts";

tf.env().set("PROD", true); // silences tfjs's console advice
await tf.setBackend("cpu");

const gemm = referenceGemm;
const n = 7;
const shapes = [[3, 16, 16, 1], [5, 8, 2]] as const;

/** The tfjs network's weights copied into an arena of `layout`. */
function packParams(layout: MlpLayout, params: MlpParams): MlpViews {
  const views = mlpViews(layout);
  params.forEach((p, l) => {
    views.w[l].set(p.w.dataSync());
    views.b[l].set(p.b.dataSync());
  });
  return views;
}

/** Largest |a - b| / max(1, |b|): relative for large values, absolute near zero. */
function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  }
  return worst;
}

/** A network, its arena, an input batch and the fixed loss weights R of L = Σ y ⊙ R. */
function setup(sizes: readonly number[], seed: number) {
  const layout = mlpLayout(sizes);
  const tfParams = initMlp(keyFromSeed(seed), sizes);
  const params = packParams(layout, tfParams);
  const x = new Float32Array(normal(keyFromSeed(seed + 1), n * sizes[0]));
  const r = new Float32Array(normal(keyFromSeed(seed + 2), n * sizes[sizes.length - 1]));
  return { layout, tfParams, params, x, r, ws: mlpWorkspace(layout, n) };
}

Deno.test("mlpLayout: W then b per layer, back to back", () => {
  const layout = mlpLayout([3, 16, 16, 1]);
  assert.deepEqual(layout.layers, [
    { fanIn: 3, fanOut: 16, w: 0, b: 48 },
    { fanIn: 16, fanOut: 16, w: 64, b: 320 },
    { fanIn: 16, fanOut: 1, w: 336, b: 352 },
  ]);
  assert.equal(layout.length, 353);
  assert.throws(() => mlpLayout([3]), RangeError);
  assert.throws(() => mlpViews(layout, new Float32Array(352)), RangeError);
});

for (const sizes of shapes) {
  // Tolerance 1e-5 relative (absolute below 1): both sides are float32 with a few dozen terms per dot
  // product; the reference GEMM sums in float64 and tfjs in float32, so they differ by a few ulps.
  Deno.test(`mlpForward ${sizes}: equals tfjs's mlp to 1e-5`, () => {
    const { layout, tfParams, params, x, ws } = setup(sizes, 10);
    const y = mlpForward(gemm, layout, params, x, n, ws);
    const expected = mlp(tfParams, tf.tensor2d(x, [n, sizes[0]])).dataSync();
    assert.equal(y.length, expected.length);
    assert.ok(maxRelDiff(y, expected) < 1e-5, `max diff ${maxRelDiff(y, expected)}`);
  });

  // Same tolerance, same reason: gradients are again a few float32 products and sums deep.
  Deno.test(`mlpBackward ${sizes}: equals tfjs's gradients of Σ y ⊙ R w.r.t. every w, b and x`, () => {
    const { layout, tfParams, params, x, r, ws } = setup(sizes, 20);
    const xt = tf.tensor2d(x, [n, sizes[0]]);
    const rt = tf.tensor2d(r, [n, sizes[sizes.length - 1]]);
    const flat = tfParams.flatMap((p) => [p.w, p.b]);
    const loss = (...ts: tf.Tensor[]) => {
      const ps = tfParams.map((_, l) => ({
        w: ts[1 + 2 * l] as tf.Tensor2D,
        b: ts[2 + 2 * l] as tf.Tensor1D,
      }));
      return tf.sum(tf.mul(mlp(ps, ts[0] as tf.Tensor2D), rt));
    };
    const [gx, ...gp] = tf.grads(loss)([xt, ...flat]);

    mlpForward(gemm, layout, params, x, n, ws);
    const grads = mlpViews(layout, new Float32Array(layout.length).fill(Number.NaN)); // overwrite, not add
    const dx = new Float32Array(n * sizes[0]).fill(Number.NaN);
    mlpBackward(gemm, layout, params, ws, r, grads, { dx });
    layout.layers.forEach((_, l) => {
      const gw = gp[2 * l].dataSync();
      const gb = gp[2 * l + 1].dataSync();
      assert.ok(maxRelDiff(grads.w[l], gw) < 1e-5, `w${l}: ${maxRelDiff(grads.w[l], gw)}`);
      assert.ok(maxRelDiff(grads.b[l], gb) < 1e-5, `b${l}: ${maxRelDiff(grads.b[l], gb)}`);
    });
    assert.ok(maxRelDiff(dx, gx.dataSync()) < 1e-5, `x: ${maxRelDiff(dx, gx.dataSync())}`);

    // accumulate: a second backward adds the same gradient on top (one float32 rounding apart).
    const once = grads.arena.slice();
    const dxOnce = dx.slice();
    mlpBackward(gemm, layout, params, ws, r, grads, { dx, accumulate: true });
    const twice = Array.from(once, (v) => 2 * v);
    assert.ok(maxRelDiff(grads.arena, twice) < 1e-6, "accumulated θ");
    assert.ok(maxRelDiff(dx, Array.from(dxOnce, (v) => 2 * v)) < 1e-6, "accumulated x");
  });

  // Central differences of L = Σ y ⊙ R (L summed in float64 from float32 y), h = 1e-2, on every parameter
  // and every input. L is a polynomial in θ and x while no pre-activation changes sign, so the central
  // difference is then exact up to O(h²·|L‴|) and float32 rounding of y (~1e-7 relative, over 2h: ~1e-5);
  // a perturbation that crosses a ReLU kink is skipped (the difference is not a derivative there), and
  // the skips must stay few. Tolerance 1e-4 + 1e-3·|g| (observed worst: 6e-6): a dropped mask, bias or
  // transpose moves many entries by O(|g|), and many checked |g| exceed 0.1.
  Deno.test(`mlpBackward ${sizes}: matches central finite differences`, () => {
    const { layout, params, x, r, ws } = setup(sizes, 30);
    const hidden = ws.z.slice(0, -1);
    const lossAt = (): number => {
      const y = mlpForward(gemm, layout, params, x, n, ws);
      let sum = 0;
      for (let i = 0; i < y.length; i++) sum += y[i] * r[i];
      return sum;
    };
    const pattern = () => hidden.map((z) => Array.from(z, (v) => v > 0).join());
    lossAt();
    const basePattern = pattern().join("|");
    const grads = mlpViews(layout);
    const dx = new Float32Array(x.length);
    mlpBackward(gemm, layout, params, ws, r, grads, { dx });
    const h = 1e-2;
    let large = 0;
    let skipped = 0;
    let total = 0;
    const check = (values: Float32Array, gradient: Float32Array, name: string) => {
      for (let i = 0; i < values.length; i++) {
        total++;
        const v = values[i];
        values[i] = v + h;
        const plus = lossAt();
        const kinkPlus = pattern().join("|") !== basePattern;
        values[i] = v - h;
        const minus = lossAt();
        const kinkMinus = pattern().join("|") !== basePattern;
        values[i] = v;
        if (kinkPlus || kinkMinus) {
          skipped++;
          continue;
        }
        const fd = (plus - minus) / (2 * h);
        const g = gradient[i];
        assert.ok(Math.abs(fd - g) <= 1e-4 + 1e-3 * Math.abs(g), `${name}[${i}]: fd ${fd}, backward ${g}`);
        if (Math.abs(g) > 0.1) large++;
      }
    };
    check(params.arena, grads.arena, "θ");
    check(x, dx, "x");
    assert.ok(skipped < total / 4, `${skipped} of ${total} perturbations crossed a kink`);
    assert.ok(large > 10, `only ${large} checked gradients above 0.1`);
  });
}

Deno.test("mlpForward/mlpBackward: same buffers on every call, identical bytes twice", () => {
  const { layout, params, x, r, ws } = setup([3, 16, 16, 1], 40);
  const buffers = [...ws.z, ...ws.h, ...ws.dz];
  const grads = mlpViews(layout);
  const dx = new Float32Array(x.length);
  const options = { dx };
  const run = () => {
    const y = mlpForward(gemm, layout, params, x, n, ws);
    mlpBackward(gemm, layout, params, ws, r, grads, options);
    return { y, bytes: [y.slice(), grads.arena.slice(), dx.slice()] };
  };
  const first = run();
  const second = run();
  assert.equal(first.y, ws.out);
  assert.equal(second.y, ws.out);
  assert.deepEqual([...ws.z, ...ws.h, ...ws.dz], buffers);
  [...ws.z, ...ws.h, ...ws.dz].forEach((v, i) => assert.equal(v, buffers[i]));
  first.bytes.forEach((b, i) =>
    assert.deepEqual(new Uint8Array(b.buffer), new Uint8Array(second.bytes[i].buffer))
  );
  assert.throws(() => mlpForward(gemm, layout, params, x, n - 1, ws), RangeError);
  assert.throws(() => mlpBackward(gemm, layout, params, mlpWorkspace(layout, n), r, grads), Error);
});

Deno.test("mlpBackward: relu'(0) = 0, as tfjs's step, when a pre-activation is exactly zero", () => {
  // Layer 0 all zeros, so every hidden pre-activation is exactly 0: nothing flows below it.
  const sizes = [2, 3, 1];
  const layout = mlpLayout(sizes);
  const tfParams = initMlp(keyFromSeed(50), sizes).map((p, l) =>
    l === 0 ? { w: tf.zerosLike(p.w), b: tf.zerosLike(p.b) } : p
  );
  const params = packParams(layout, tfParams);
  const x = new Float32Array(normal(keyFromSeed(51), n * 2));
  const r = new Float32Array(normal(keyFromSeed(52), n));
  const ws = mlpWorkspace(layout, n);
  mlpForward(gemm, layout, params, x, n, ws);
  const grads = mlpViews(layout);
  const dx = new Float32Array(x.length);
  mlpBackward(gemm, layout, params, ws, r, grads, { dx });
  const loss = (...ts: tf.Tensor[]) =>
    tf.sum(
      tf.mul(
        mlp([{ w: ts[0] as tf.Tensor2D, b: ts[1] as tf.Tensor1D }, tfParams[1]], tf.tensor2d(x, [n, 2])),
        tf.tensor2d(r, [n, 1]),
      ),
    );
  const [gw, gb] = tf.grads(loss)([tfParams[0].w, tfParams[0].b]);
  assert.deepEqual(Array.from(gw.dataSync()), [0, 0, 0, 0, 0, 0]);
  assert.deepEqual(Array.from(gb.dataSync()), [0, 0, 0]);
  assert.deepEqual(Array.from(grads.w[0]), [0, 0, 0, 0, 0, 0]);
  assert.deepEqual(Array.from(grads.b[0]), [0, 0, 0]);
  assert.deepEqual(Array.from(dx), Array(x.length).fill(0));
});

Deno.test("mlpBackward inputOnly: the same dL/dx bit for bit, no weight gradient written, needs dx", () => {
  const { layout, params, x, r, ws } = setup([4, 16, 8, 1], 50);
  mlpForward(gemm, layout, params, x, n, ws);
  const full = mlpViews(layout);
  const dxFull = new Float32Array(x.length);
  mlpBackward(gemm, layout, params, ws, r, full, { dx: dxFull });
  const scratch = mlpViews(layout);
  scratch.arena.fill(7);
  const dx = new Float32Array(x.length);
  mlpBackward(gemm, layout, params, ws, r, scratch, { dx, inputOnly: true });
  assert.deepEqual(new Uint8Array(dx.buffer), new Uint8Array(dxFull.buffer));
  for (const w of scratch.w) assert.ok(w.every((v) => v === 7), "no dW product");
  assert.ok(scratch.b.at(-1)!.every((v) => v === 7), "no output bias sum");
  assert.throws(() => mlpBackward(gemm, layout, params, ws, r, scratch, { inputOnly: true }), /needs dx/);
});
