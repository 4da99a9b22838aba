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
  type MlpBackwardOptions,
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
  /** Q₁'s workspace: its last {@link TwinCritics.forward}'s activations, ready for a backward. */
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
   * Memory for a critic arena or for an input or target buffer passed to {@link TwinCritics.targets} or
   * {@link TwinCritics.step}: zeroed, of `length` floats. On one thread a plain Float32Array; critics that
   * hand Q₂ to another thread allocate it where that thread can read it.
   */
  alloc(length: number): Float32Array;
  /**
   * Q₁(x) and Q₂(x) for two critic arenas, `[n]` each, keeping both networks' activations in `ws1` and `ws2`
   * for a backward; the outputs live in the workspaces until the next forward.
   */
  forward(q1: Float32Array, q2: Float32Array, x: Float32Array): readonly [Float32Array, Float32Array];
  /**
   * dL/dx through both critics' latest {@link TwinCritics.forward}, to the input only (the critics do not
   * move): dx = d₁·∂Q₁/∂x + d₂·∂Q₂/∂x, each critic's term computed apart and then added in float32.
   *
   * @param q1 the arena `forward` used for Q₁
   * @param q2 the arena `forward` used for Q₂
   * @param d1 dL/dQ₁, `[n]`
   * @param d2 dL/dQ₂, `[n]`
   * @param dx dL/dx, `[n, in]`, written
   */
  inputGradient(
    q1: Float32Array,
    q2: Float32Array,
    d1: Float32Array,
    d2: Float32Array,
    dx: Float32Array,
  ): void;
  /**
   * Q₁(x) and Q₂(x) where no backward follows (the target networks): the same values as
   * {@link TwinCritics.forward}, but the workspaces' activations are not promised afterwards.
   */
  targets(q1: Float32Array, q2: Float32Array, x: Float32Array): readonly [Float32Array, Float32Array];
  /**
   * The regression step: forward both critics of `from` on `x`, the loss against `y`, both backward passes,
   * and one Adam step each (count `count`) into the arenas of `to`.
   *
   * @returns L = MSE(Q₁, y) + MSE(Q₂, y) before the step
   */
  step(from: TwinCriticArenas, x: Float32Array, y: Float32Array, count: number, to: TwinCriticArenas): number;
  /** Release what the critics hold beyond memory (a helper thread); the critics are unusable afterwards. */
  dispose(): void;
}

/** How an engine builds its twin critics: {@link makeTwinCritics}, or a runtime's two-thread version. */
export type TwinCriticsFactory = (gemm: Gemm, layout: MlpLayout, n: number, lr: number) => TwinCritics;

/** Options of the engine factories (`makeTd3Engine`, `makeSacEngine`, `makeSacVEngine`). */
export interface EngineOptions {
  /** How to build the twin critics, default {@link makeTwinCritics} (one thread). */
  readonly twinCritics?: TwinCriticsFactory;
}

/** One critic's share of the regression step, over its own workspace and gradient arena. */
export interface CriticRegression {
  /** The workspace (activations of the latest forward). */
  readonly ws: MlpWorkspace;
  /** The gradient arena. */
  readonly g: MlpViews;
  /**
   * Forward on `x`, the squared errors against `y`, the backward from dL/dQ = f(f(2·(Q − y))·f(1/n)), one
   * Adam step from `(p, m, v)` into `(toP, toM, toV)`.
   *
   * @returns Σ_i f(e_i²), summed in float64 (not yet divided by n)
   */
  run(
    p: Float32Array,
    m: Float32Array,
    v: Float32Array,
    x: Float32Array,
    y: Float32Array,
    count: number,
    toP: Float32Array,
    toM: Float32Array,
    toV: Float32Array,
  ): number;
}

/**
 * One critic's regression step for `layout` and batch size `n` (the piece a helper thread runs for Q₂).
 *
 * @param gemm the matrix product provider
 * @param layout the critic layout
 * @param n the batch size
 * @param lr the Adam learning rate
 * @param views the layer views of an arena (shared with the caller's cache, default a new one)
 * @returns the step
 */
export function makeCriticRegression(
  gemm: Gemm,
  layout: MlpLayout,
  n: number,
  lr: number,
  views: (arena: Float32Array) => MlpViews = arenaViews(layout),
): CriticRegression {
  const ws = mlpWorkspace(layout, n), g = mlpViews(layout);
  const d = new Float32Array(n);
  const invN = f(1 / n);
  const adam = { lr };
  // The Adam records, refilled on every run (no allocation per update).
  type Arenas = { p: Float32Array; m: Float32Array; v: Float32Array };
  const none = new Float32Array(0);
  const from: Arenas = { p: none, m: none, v: none }, to: Arenas = { p: none, m: none, v: none };
  return {
    ws,
    g,
    run(p, m, v, x, y, count, toP, toM, toV) {
      const params = views(p);
      const q = mlpForward(gemm, layout, params, x, n, ws);
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const e = f(q[i] - y[i]);
        sum += f(e * e);
        d[i] = f(2 * e) * invN;
      }
      mlpBackward(gemm, layout, params, ws, d, g);
      from.p = p, from.m = m, from.v = v, to.p = toP, to.m = toM, to.v = toV;
      adamStep(from, g.arena, count, adam, to);
      return sum;
    },
  };
}

/**
 * Build the twin critics for `layout` and batch size `n`, on the calling thread.
 *
 * @param gemm the matrix product provider
 * @param layout the critic layout, `mlpLayout([obs + act, ...hidden, 1])`
 * @param n the batch size
 * @param lr the critics' Adam learning rate
 * @returns the critics
 */
export const makeTwinCritics: TwinCriticsFactory = (gemm, layout, n, lr) => {
  const views = arenaViews(layout);
  const r1 = makeCriticRegression(gemm, layout, n, lr, views);
  const r2 = makeCriticRegression(gemm, layout, n, lr, views);
  return twinCriticsOn({ gemm, layout, n, views, r1, r2, through: inputGradients(gemm, layout, n, views) });
};

/** What {@link twinCriticsOn} builds twin critics from. */
export interface TwinCriticParts {
  /** The matrix product provider. */
  readonly gemm: Gemm;
  /** The critic layout. */
  readonly layout: MlpLayout;
  /** The batch size. */
  readonly n: number;
  /** The layer views of an arena. */
  readonly views: (arena: Float32Array) => MlpViews;
  /** Q₁'s regression step and workspace. */
  readonly r1: CriticRegression;
  /** Q₂'s. */
  readonly r2: CriticRegression;
  /** The input gradient's parts. */
  readonly through: InputGradients;
}

/**
 * Twin critics on the calling thread from given parts (so that a two-thread version can fall back to the
 * same workspaces).
 *
 * @param parts the regressions, views and input-gradient parts
 * @returns the critics
 */
export function twinCriticsOn(parts: TwinCriticParts): TwinCritics {
  const { gemm, layout, n, views, r1, r2, through } = parts;
  const pair: [Float32Array, Float32Array] = [r1.ws.out, r2.ws.out];
  const forward = (q1: Float32Array, q2: Float32Array, x: Float32Array) => {
    pair[0] = mlpForward(gemm, layout, views(q1), x, n, r1.ws);
    pair[1] = mlpForward(gemm, layout, views(q2), x, n, r2.ws);
    return pair;
  };
  return {
    layout,
    ws1: r1.ws,
    ws2: r2.ws,
    g1: r1.g,
    g2: r2.g,
    views,
    alloc: (length) => new Float32Array(length),
    forward,
    targets: forward,
    inputGradient(q1, q2, d1, d2, dx) {
      through.one(q1, r1, d1, dx);
      through.one(q2, r2, d2, through.scratch);
      through.add(dx, through.scratch);
    },
    step(from, x, y, count, to) {
      const sum1 = r1.run(from.q1, from.q1M, from.q1V, x, y, count, to.q1, to.q1M, to.q1V);
      const sum2 = r2.run(from.q2, from.q2M, from.q2V, x, y, count, to.q2, to.q2M, to.q2V);
      return twinLoss(sum1, sum2, n);
    },
    dispose() {},
  };
}

/** One critic's backward to its input, and the sum of two such terms: {@link TwinCritics.inputGradient}'s parts. */
export interface InputGradients {
  /** Scratch of `[n, in]` for the second term. */
  readonly scratch: Float32Array;
  /** dx = d·∂Q/∂x from the latest forward on `critic.ws` with arena `q` (no parameter gradients). */
  one(q: Float32Array, critic: Pick<CriticRegression, "ws" | "g">, d: Float32Array, dx: Float32Array): void;
  /** dx ← f(dx + other), element by element. */
  add(dx: Float32Array, other: Float32Array): void;
}

/**
 * The parts of {@link TwinCritics.inputGradient} for `layout` and batch size `n`.
 *
 * @param gemm the matrix product provider
 * @param layout the critic layout
 * @param n the batch size
 * @param views the layer views of an arena
 * @param scratch the second term's buffer, default a new one
 * @returns the parts
 */
export function inputGradients(
  gemm: Gemm,
  layout: MlpLayout,
  n: number,
  views: (arena: Float32Array) => MlpViews,
  scratch: Float32Array = new Float32Array(n * layout.sizes[0]),
): InputGradients {
  // The backward's options, made once per output buffer (the engines pass the same one every update).
  const options = new Map<Float32Array, MlpBackwardOptions>();
  return {
    scratch,
    one(q, critic, d, dx) {
      let o = options.get(dx);
      if (o === undefined) options.set(dx, o = { dx, inputOnly: true });
      mlpBackward(gemm, layout, views(q), critic.ws, d, critic.g, o);
    },
    add(dx, other) {
      for (let i = 0; i < dx.length; i++) dx[i] = f(dx[i] + other[i]);
    },
  };
}

/**
 * L = MSE(Q₁, y) + MSE(Q₂, y) from the two sums of squared errors, rounded as tfjs's two means and sum.
 *
 * @param sum1 Σ f(e₁²) in float64
 * @param sum2 Σ f(e₂²) in float64
 * @param n the batch size
 * @returns the loss
 */
export function twinLoss(sum1: number, sum2: number, n: number): number {
  return f(f(f(sum1) / n) + f(f(sum2) / n));
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
 * @param alloc where the memory comes from, default plain Float32Arrays
 * @returns the arenas
 */
export function zeroArenas<K extends string>(
  lengths: Readonly<Record<K, number>>,
  alloc: (length: number) => Float32Array = (length) => new Float32Array(length),
): Record<K, Float32Array> {
  const out = {} as Record<K, Float32Array>;
  for (const name of Object.keys(lengths) as K[]) out[name] = alloc(lengths[name]);
  return out;
}
