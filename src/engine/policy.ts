/**
 * The policies of the engine's actors on a batch of observations: TD3's μ(s) = center + h ⊙ tanh(MLP(s)),
 * and SAC's squashed Gaussian (the mean action, and samples from a key). Workspaces are made once per batch
 * size and reused.
 *
 * @module
 */
import type { ActionBounds } from "../core/nn/action_bounds.ts";
import { type Key, normal } from "../core/rng.ts";
import type { Gemm } from "./gemm.ts";
import {
  mlpForward,
  type MlpLayout,
  type MlpViews,
  mlpViews,
  type MlpWorkspace,
  mlpWorkspace,
} from "./mlp.ts";
import { exp } from "../core/math.ts";

/** μ(s) for `n` observations at once. */
export interface EnginePolicy {
  /**
   * The actions of `n` observations.
   *
   * @param actor the actor's parameter arena
   * @param observations `n × observationSize` values, row-major
   * @param n how many
   * @returns `n × actionSize` actions, row-major (a new array)
   */
  act(actor: Float32Array, observations: Float32Array, n: number): Float32Array;
}

/**
 * The deterministic policy of an actor layout (its last layer's width is the action size).
 *
 * @param layout the actor's layout
 * @param bounds the action bounds
 * @param gemm the matrix products
 * @returns the policy
 */
export function makeEnginePolicy(layout: MlpLayout, bounds: ActionBounds, gemm: Gemm): EnginePolicy {
  const act = layout.sizes.at(-1)!;
  const f = Math.fround;
  // As rescale(tf.tanh(·)): float32 constants, f(f(tanh(u)·h) + center).
  const half = Float32Array.from(bounds.low, (lo, j) => (bounds.high[j] - lo) / 2);
  const center = Float32Array.from(bounds.low, (lo, j) => (bounds.high[j] + lo) / 2);
  const workspaces = new Map<number, MlpWorkspace>();
  const views = new WeakMap<Float32Array, MlpViews>();
  return {
    act(actor, observations, n) {
      let ws = workspaces.get(n);
      if (ws === undefined) workspaces.set(n, ws = mlpWorkspace(layout, n));
      let params = views.get(actor);
      if (params === undefined) views.set(actor, params = mlpViews(layout, actor));
      const u = mlpForward(gemm, layout, params, observations, n, ws);
      const out = new Float32Array(n * act);
      for (let i = 0; i < n * act; i++) {
        const j = i % act;
        out[i] = f(f(f(Math.tanh(u[i])) * half[j]) + center[j]);
      }
      return out;
    },
  };
}

/** A squashed Gaussian policy's two uses: the mean action (evaluation) and a sample (behaviour). */
export interface EngineGaussianPolicy extends EnginePolicy {
  /**
   * Sampled actions center + h ⊙ tanh(μ + σ ⊙ ε), ε ~ N(0, 1) drawn from `key` as core `normal(key, n·act)`
   * (the reference's `sampleActions`).
   *
   * @param actor the policy's arena, last layer's columns `[mean | log σ]`
   * @param observations `n × observationSize` values, row-major
   * @param n how many
   * @param key the key to draw ε from
   * @returns `n × actionSize` actions, row-major (a new array)
   */
  sample(actor: Float32Array, observations: Float32Array, n: number, key: Key): Float32Array;
}

/**
 * The squashed Gaussian policy of an engine actor whose last layer has width `2·act`, columns
 * `[mean | log σ]` (`sac.ts`'s layout), with log σ clipped to `logStdBounds` as the reference clips it.
 * Element-wise steps are float32 ops in the reference's order.
 *
 * @param layout the actor's layout
 * @param bounds the action bounds
 * @param gemm the matrix products
 * @param logStdBounds log σ's clip `[min, max]`
 * @returns the policy
 */
export function makeGaussianEnginePolicy(
  layout: MlpLayout,
  bounds: ActionBounds,
  gemm: Gemm,
  logStdBounds: readonly [number, number],
): EngineGaussianPolicy {
  const width = layout.sizes.at(-1)!;
  const act = width / 2;
  if (!Number.isInteger(act) || act !== bounds.low.length) {
    throw new RangeError(`a Gaussian policy's last layer has 2·${bounds.low.length} outputs, got ${width}`);
  }
  const f = Math.fround;
  const half = Float32Array.from(bounds.low, (lo, j) => (bounds.high[j] - lo) / 2);
  const center = Float32Array.from(bounds.low, (lo, j) => (bounds.high[j] + lo) / 2);
  const [lo, hi] = logStdBounds;
  const workspaces = new Map<number, MlpWorkspace>();
  const views = new WeakMap<Float32Array, MlpViews>();
  const forward = (actor: Float32Array, observations: Float32Array, n: number) => {
    let ws = workspaces.get(n);
    if (ws === undefined) workspaces.set(n, ws = mlpWorkspace(layout, n));
    let params = views.get(actor);
    if (params === undefined) views.set(actor, params = mlpViews(layout, actor));
    return mlpForward(gemm, layout, params, observations, n, ws);
  };
  // rescale(tanh(u)) as the reference: f(f(tanh(u)·h) + center).
  const squash = (u: number, j: number) => f(f(f(Math.tanh(u)) * half[j]) + center[j]);
  return {
    act(actor, observations, n) {
      const z = forward(actor, observations, n);
      const out = new Float32Array(n * act);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < act; j++) out[i * act + j] = squash(z[i * width + j], j);
      }
      return out;
    },
    sample(actor, observations, n, key) {
      const eps = normal(key, n * act);
      const z = forward(actor, observations, n);
      const out = new Float32Array(n * act);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < act; j++) {
          const logStd = Math.min(Math.max(z[i * width + act + j], lo), hi);
          const u = f(z[i * width + j] + f(f(exp(logStd)) * eps[i * act + j]));
          out[i * act + j] = squash(u, j);
        }
      }
      return out;
    },
  };
}
