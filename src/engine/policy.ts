/**
 * The deterministic policy of the engine's actors, μ(s) = center + h ⊙ tanh(MLP(s)), on a batch of
 * observations (TD3's μ; SAC's tanh of the Gaussian mean takes the mean head of its MLP first). Workspaces
 * are made once per batch size and reused.
 *
 * @module
 */
import type { ActionBounds } from "../core/nn/action_bounds.ts";
import type { Gemm } from "./gemm.ts";
import {
  mlpForward,
  type MlpLayout,
  type MlpViews,
  mlpViews,
  type MlpWorkspace,
  mlpWorkspace,
} from "./mlp.ts";

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
