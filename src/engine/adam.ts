/**
 * Adam and the soft target update over arenas: one loop each over a network's parameters, gradients and
 * moments, all stored in contiguous Float32Arrays laid out alike (see `arena.ts`).
 *
 * The arithmetic is the reference's, op for op (`core/optim/adam.ts`, `adam = chain(scaleByAdam,
 * scale(−lr))`, then `applyUpdates`; `incrementalUpdate` in `core/optim/transform.ts`), with every tensor
 * op's float32 result emulated by `Math.fround`. A JS number passed to a tfjs op becomes a float32 scalar, so
 * each constant is rounded once, after being computed in float64 as the reference computes it. With f for
 * `fround`, per element, Adam (Kingma & Ba 2015, Algorithm 1) is
 *
 * ```
 * m' = z(f(f(m·β₁) + f(g·(1−β₁))))
 * v' = z(f(f(v·β₂) + f(f(g·g)·(1−β₂))))
 * u  = f(f(m'/c₁) / f(f(f(√v')/√c₂) + ε))     c₁ = 1 − β₁^t,  √c₂ = √(1 − β₂^t)
 * p' = f(p + f(u·(−lr)))
 * ```
 *
 * where z flushes a moment below 2⁻¹²⁶ in magnitude to +0, as the reference does (its `flushSubnormal`,
 * which says why: subnormal operands are slow on x86, and WebAssembly cannot turn them off).
 *
 * Each of +, ·, / and √ on float32 inputs computed in float64 and rounded once is the correctly rounded
 * float32 result, so this equals tfjs's cpu backend bit for bit (and the wasm backend's, see the tests).
 * It is also what a float32 SIMD lane computes: the loops themselves are `elementwise.adam` and
 * `elementwise.softUpdate` (`elementwise.ts`), WebAssembly SIMD kernels where they load, else the same formulas in
 * JavaScript, equal bit for bit.
 *
 * @module
 */
import { type AdamScalars, elementwise } from "./elementwise.ts";

/** Adam's hyperparameters, as in `core/optim/adam.ts`'s `AdamOptions`. */
export interface AdamStepOptions {
  /** Learning rate. */
  readonly lr: number;
  /** Decay of the first moment, default 0.9. */
  readonly b1?: number;
  /** Decay of the second moment, default 0.999. */
  readonly b2?: number;
  /** Added to √v̂ for stability, default 1e-8. */
  readonly eps?: number;
}

/** One network's optimizer arenas: parameters and Adam's first and second moments, all the same length. */
export interface AdamArenas {
  /** Parameters. */
  readonly p: Float32Array;
  /** First-moment estimates m. */
  readonly m: Float32Array;
  /** Second-moment estimates v. */
  readonly v: Float32Array;
}

const f = Math.fround;

/**
 * Adam's scalars for step `count` as tfjs sees them: computed in float64, then float32 tensors.
 *
 * @param count the step number t after incrementing (1 on the first step)
 * @param options learning rate and moment hyperparameters
 * @returns the float32 scalars the per-element step uses
 */
export function adamScalars(count: number, options: AdamStepOptions): AdamScalars {
  const b1 = options.b1 ?? 0.9;
  const b2 = options.b2 ?? 0.999;
  return {
    beta1: f(b1),
    oneMinusBeta1: f(1 - b1),
    beta2: f(b2),
    oneMinusBeta2: f(1 - b2),
    c1: f(1 - b1 ** count),
    sqrtC2: f(Math.sqrt(1 - b2 ** count)),
    eps: f(options.eps ?? 1e-8),
    negLr: f(-options.lr),
  };
}

/**
 * One Adam step: reads `from` and `grads`, writes the new parameters and moments into `out`. `out` may be
 * `from` itself (update in place) or distinct arenas (the runtime's double buffering); element i is read
 * completely before it is written, so partial aliasing per array is fine too. No arena is allocated.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { adamStep } from "./adam.ts";
 *
 * const s = { p: new Float32Array([1, 1]), m: new Float32Array(2), v: new Float32Array(2) };
 * adamStep(s, new Float32Array([3, -2]), 1, { lr: 0.1 }); // in place
 * assert.deepEqual(s.p, new Float32Array([0.9, 1.1])); // Adam's first step is −lr·sign(g)
 * ```
 *
 * @param from the current parameters and moments
 * @param grads the gradient, laid out like `from.p`
 * @param count the step number t after incrementing (1 on the first step), for the bias corrections
 * @param options learning rate and moment hyperparameters
 * @param out where the new parameters and moments go; `from` unless given
 */
export function adamStep(
  from: AdamArenas,
  grads: Float32Array,
  count: number,
  options: AdamStepOptions,
  out: AdamArenas = from,
): void {
  const n = from.p.length;
  if (
    grads.length !== n || from.m.length !== n || from.v.length !== n || out.p.length !== n ||
    out.m.length !== n || out.v.length !== n
  ) {
    throw new RangeError(`adamStep: arenas of different lengths (parameters: ${n})`);
  }
  elementwise.adam(from, grads, adamScalars(count, options), out);
}

/**
 * Polyak averaging of a target network, `target' = (1 − τ)·target + τ·online` (the soft target update of
 * DDPG, TD3 and SAC), op for op as `incrementalUpdate`: `f(f(t·(1−τ)) + f(o·τ))`. `out` may be `target`
 * (update in place) or a distinct arena. No arena is allocated.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { softUpdate } from "./adam.ts";
 *
 * const target = new Float32Array([0, 1]);
 * softUpdate(target, new Float32Array([1, 1]), 0.5);
 * assert.deepEqual(target, new Float32Array([0.5, 1]));
 * ```
 *
 * @param target the target parameters
 * @param online the online parameters, laid out alike
 * @param tau step size τ in (0, 1]
 * @param out where the new target goes; `target` unless given
 */
export function softUpdate(
  target: Float32Array,
  online: Float32Array,
  tau: number,
  out: Float32Array = target,
): void {
  const n = target.length;
  if (online.length !== n || out.length !== n) {
    throw new RangeError(`softUpdate: arenas of different lengths (target: ${n})`);
  }
  elementwise.softUpdate(target, online, f(1 - tau), f(tau), out);
}
