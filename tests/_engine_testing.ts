/**
 * What the engine's equivalence tests share: the GEMMs to run them on, random batches inside the bounds,
 * reading tfjs networks into arenas, errors measured against an arena's scale, and the metrics' errors.
 *
 * @module
 */
import assert from "node:assert/strict";
import type * as tf from "@tensorflow/tfjs";
import type { Batch } from "../src/core/batch.ts";
import type { MlpParams } from "../src/core/nn/mlp.ts";
import type { GaussianPolicyParams } from "../src/core/nn/squashed_gaussian.ts";
import { keyFromSeed, normal, split, uniform } from "../src/core/rng.ts";
import { type Gemm, referenceGemm } from "../src/engine/gemm.ts";
import { type MlpLayout, mlpViews } from "../src/engine/mlp.ts";
import { disposeTree } from "../src/runtime/memory.ts";
import { openBlasGemm } from "../src/runtime/openblas_gemm.ts";

const blas = openBlasGemm();

/** The reference GEMM, and OpenBLAS when it loads. */
export const GEMMS: readonly Gemm[] = blas === undefined ? [referenceGemm] : [referenceGemm, blas];

/** The sizes a random batch needs. */
export interface BatchShape {
  /** Transitions. */
  readonly batchSize: number;
  /** Observation length. */
  readonly observationSize: number;
  /** Action length. */
  readonly actionSize: number;
  /** Action bounds. */
  readonly bounds: { readonly low: readonly number[]; readonly high: readonly number[] };
}

/**
 * A random batch from a seed: normal observations and rewards, actions inside the bounds, about one
 * terminal transition in four.
 */
export function randomBatch(shape: BatchShape, seed: number): Batch {
  const { batchSize: n, observationSize: obs, actionSize: act, bounds } = shape;
  const [ks, ka, kr, ks2, kd] = split(keyFromSeed(seed), 5);
  const u = uniform(ka, n * act);
  const actions = u.map((x, i) => {
    const j = i % act;
    return bounds.low[j] + x * (bounds.high[j] - bounds.low[j]);
  });
  return {
    size: n,
    observations: normal(ks, n * obs),
    actions,
    rewards: normal(kr, n),
    nextObservations: normal(ks2, n * obs),
    terminated: uniform(kd, n).map((x) => (x < 0.25 ? 1 : 0)),
  };
}

/** An MLP's tensors read into an arena of `layout` (each layer's W row-major, then b). */
export function packMlp(layout: MlpLayout, params: MlpParams): Float32Array {
  const views = mlpViews(layout);
  params.forEach((p, l) => {
    views.w[l].set(p.w.dataSync());
    views.b[l].set(p.b.dataSync());
  });
  return views.arena;
}

/**
 * Error of an arena relative to its scale: max |a − b| / max |b| (moments such as v span many orders of
 * magnitude, so a per-element relative error would be dominated by entries that do not matter).
 */
export function arenaError(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let diff = 0, scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

/** Relative difference of two scalars (with a floor of 1e-6 on the scale). */
export const relDiff = (a: number, b: number): number => Math.abs(a - b) / Math.max(1e-6, Math.abs(b));

// A policy loss is a difference of terms of order 0.1 to 1 (α log π, min Q, a penalty) and crosses zero in
// a run: at 4e-4 (update 56 of SAC-V's long run) a difference of 7e-9, under an ulp of its terms, is 2e-5
// relative. So metrics are compared relative to max(|value|, 0.01): still 1e-7 absolute near zero.
const METRIC_FLOOR = 0.01;

/** Difference of a metric from the reference's, relative to max(|reference|, 0.01) (see above). */
export const metricDiff = (a: number, b: number): number =>
  Math.abs(a - b) / Math.max(METRIC_FLOOR, Math.abs(b));

/**
 * The worst {@link metricDiff} of an engine's metrics from the reference's, and its name, after checking
 * that both have the same names; the tfjs metrics are read, then disposed.
 */
export function metricsError<M extends Record<keyof M, number>>(
  got: M,
  want: Record<string, tf.Scalar>,
): [number, string] {
  assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), "the reference's metrics, by name");
  let worst = 0, where = "";
  for (const name of Object.keys(want).sort()) {
    const err = metricDiff(got[name as keyof M], want[name].dataSync()[0]);
    if (err > worst) [worst, where] = [err, name];
  }
  disposeTree(want);
  return [worst, where];
}

/**
 * A squashed Gaussian policy's tensors (or a moment tree shaped like it) read into the engine's policy arena
 * of `layout`: the trunk's layers as `packMlp`, the two heads side by side in the last layer, W's columns
 * and b `[mean | log σ]`.
 */
export function packGaussianPolicy(layout: MlpLayout, params: GaussianPolicyParams): Float32Array {
  const views = mlpViews(layout);
  params.trunk.forEach((p, l) => {
    views.w[l].set(p.w.dataSync());
    views.b[l].set(p.b.dataSync());
  });
  const last = layout.layers.length - 1, act = layout.layers[last].fanOut / 2;
  const mw = params.mean.w.dataSync(), sw = params.logStd.w.dataSync();
  for (let r = 0; r < layout.layers[last].fanIn; r++) {
    views.w[last].set(mw.subarray(r * act, (r + 1) * act), r * 2 * act);
    views.w[last].set(sw.subarray(r * act, (r + 1) * act), r * 2 * act + act);
  }
  views.b[last].set(params.mean.b.dataSync());
  views.b[last].set(params.logStd.b.dataSync(), act);
  return views.arena;
}
