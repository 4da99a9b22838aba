/**
 * What the three engine updates (`td3.ts`, `sac.ts`, `sac_v.ts`) share: the twin critics Q₁, Q₂ over
 * `concat(s, a)` and their regression step, the critic inputs as concatenated rows, the per-arena layer
 * views, and the check that a state written into does not share memory with the state read.
 *
 * The critic step, derived once for all three: with targets y (no gradient),
 *   L = mean_i (Q₁,i − y_i)² + mean_i (Q₂,i − y_i)²,  dL/dQ_j,i = 2(Q_j,i − y_i)/n,
 * each critic's gradient is its own backward pass from that (the twin losses share no parameters), and one
 * Adam covers both: the shared count is incremented once by the caller. The loss is summed in float64 and
 * rounded once per mean; the gradient is `f(f(2·(Q − y))·f(1/n))`, as tfjs's gradient of the MSE.
 *
 * @module
 */
import { adamStep } from "./adam.ts";
import type { Gemm } from "./gemm.ts";
import {
  mlpBackward,
  mlpForward,
  type MlpLayout,
  type MlpViews,
  mlpViews,
  type MlpWorkspace,
  mlpWorkspace,
} from "./mlp.ts";

const f = Math.fround;

/**
 * The arenas of the twin critics and their Adam moments, as every engine state names them. Each critic is
 * `mlpLayout([obs + act, ...hidden, 1])`; one Adam covers both, with moments per critic.
 */
export interface TwinCriticArenas {
  /** Q₁'s parameters. */
  readonly q1: Float32Array;
  /** Adam first moment of Q₁. */
  readonly q1M: Float32Array;
  /** Adam second moment of Q₁. */
  readonly q1V: Float32Array;
  /** Q₂'s parameters. */
  readonly q2: Float32Array;
  /** Adam first moment of Q₂. */
  readonly q2M: Float32Array;
  /** Adam second moment of Q₂. */
  readonly q2V: Float32Array;
}

/** The twin critics' forward passes and regression step over workspaces allocated once. */
export interface TwinCritics {
  /** The layout of every critic arena (parameters, targets, moments). */
  readonly layout: MlpLayout;
  /** Q₁'s workspace: its last forward's activations, ready for a backward. */
  readonly ws1: MlpWorkspace;
  /** Q₂'s workspace. */
  readonly ws2: MlpWorkspace;
  /** Q₁'s gradient arena (also scratch for backward passes to the input only). */
  readonly g1: MlpViews;
  /** Q₂'s gradient arena. */
  readonly g2: MlpViews;
  /** The layer views of a critic arena, cut once per arena. */
  views(arena: Float32Array): MlpViews;
  /**
   * Q₁(x) and Q₂(x) for two critic arenas, `[n]` each; the outputs live in the workspaces until the next
   * forward.
   */
  forward(q1: Float32Array, q2: Float32Array, x: Float32Array): readonly [Float32Array, Float32Array];
  /**
   * The regression step: forward both critics of `from` on `x`, the loss against `y`, both backward passes,
   * and one Adam step each (count `count`) into the arenas of `to`.
   *
   * @returns L = MSE(Q₁, y) + MSE(Q₂, y) before the step
   */
  step(from: TwinCriticArenas, x: Float32Array, y: Float32Array, count: number, to: TwinCriticArenas): number;
}

/**
 * Build the twin critics for `layout` and batch size `n`.
 *
 * @param gemm the matrix product provider
 * @param layout the critic layout, `mlpLayout([obs + act, ...hidden, 1])`
 * @param n the batch size
 * @param lr the critics' Adam learning rate
 * @returns the critics
 */
export function makeTwinCritics(gemm: Gemm, layout: MlpLayout, n: number, lr: number): TwinCritics {
  const ws1 = mlpWorkspace(layout, n), ws2 = mlpWorkspace(layout, n);
  const g1 = mlpViews(layout), g2 = mlpViews(layout);
  const d1 = new Float32Array(n), d2 = new Float32Array(n);
  const invN = f(1 / n);
  const adam = { lr };
  const views = arenaViews(layout);
  const pair: [Float32Array, Float32Array] = [d1, d2]; // reused: forward returns the workspaces' outputs

  const forward = (q1: Float32Array, q2: Float32Array, x: Float32Array) => {
    pair[0] = mlpForward(gemm, layout, views(q1), x, n, ws1);
    pair[1] = mlpForward(gemm, layout, views(q2), x, n, ws2);
    return pair;
  };

  const step = (
    from: TwinCriticArenas,
    x: Float32Array,
    y: Float32Array,
    count: number,
    to: TwinCriticArenas,
  ) => {
    const q1 = views(from.q1), q2 = views(from.q2);
    const q1Out = mlpForward(gemm, layout, q1, x, n, ws1);
    const q2Out = mlpForward(gemm, layout, q2, x, n, ws2);
    let sum1 = 0, sum2 = 0;
    for (let i = 0; i < n; i++) {
      const e1 = f(q1Out[i] - y[i]), e2 = f(q2Out[i] - y[i]);
      sum1 += f(e1 * e1);
      sum2 += f(e2 * e2);
      d1[i] = f(2 * e1) * invN;
      d2[i] = f(2 * e2) * invN;
    }
    mlpBackward(gemm, layout, q1, ws1, d1, g1);
    mlpBackward(gemm, layout, q2, ws2, d2, g2);
    adamStep({ p: from.q1, m: from.q1M, v: from.q1V }, g1.arena, count, adam, {
      p: to.q1,
      m: to.q1M,
      v: to.q1V,
    });
    adamStep({ p: from.q2, m: from.q2M, v: from.q2V }, g2.arena, count, adam, {
      p: to.q2,
      m: to.q2M,
      v: to.q2V,
    });
    return f(f(f(sum1) / n) + f(f(sum2) / n));
  };

  return { layout, ws1, ws2, g1, g2, views, forward, step };
}

/**
 * A function giving the layer views of an arena of `layout`, cut once per arena and remembered (with double
 * buffering there are two arenas per network).
 *
 * @param layout the arenas' layout
 * @returns the view function
 */
export function arenaViews(layout: MlpLayout): (arena: Float32Array) => MlpViews {
  const cache = new WeakMap<Float32Array, MlpViews>();
  return (arena) => {
    let v = cache.get(arena);
    if (v === undefined) cache.set(arena, v = mlpViews(layout, arena));
    return v;
  };
}

/**
 * A function writing `concat(s, a)` rows into `[n, obs + act]`, `s` `[n, obs]` and `a` `[n, act]`.
 *
 * @param n rows
 * @param obs observation columns
 * @param act action columns
 * @returns the writer `(s, a, out) => void`
 */
export function concatRows(
  n: number,
  obs: number,
  act: number,
): (s: Float32Array, a: Float32Array, out: Float32Array) => void {
  const width = obs + act;
  return (s, a, out) => {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < obs; j++) out[i * width + j] = s[i * obs + j];
      for (let j = 0; j < act; j++) out[i * width + obs + j] = a[i * act + j];
    }
  };
}

/**
 * Refuse an `into` state that shares an arena with `state` (the update would read what it overwrites).
 *
 * @param into the state to be written
 * @param state the state read
 * @param names the arena fields of both
 * @throws {RangeError} when any arena of `into` is one of `state`'s
 */
export function assertNoSharedArena<K extends string>(
  into: Readonly<Record<K, Float32Array>>,
  state: Readonly<Record<K, Float32Array>>,
  names: readonly K[],
): void {
  for (const name of names) {
    for (const other of names) {
      if (into[name] === state[other]) throw new RangeError("update: `into` shares an arena with `state`");
    }
  }
}

/**
 * Zeroed arenas, one per field, of the given lengths.
 *
 * @param lengths the length of each field's arena
 * @returns the arenas
 */
export function zeroArenas<K extends string>(lengths: Readonly<Record<K, number>>): Record<K, Float32Array> {
  const out = {} as Record<K, Float32Array>;
  for (const name of Object.keys(lengths) as K[]) out[name] = new Float32Array(lengths[name]);
  return out;
}
