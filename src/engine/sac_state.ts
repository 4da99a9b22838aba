/**
 * The engine's SAC state in the checkpoint format's shape: the same tree as the tfjs reference's `SacState`
 * (`actor.trunk.0.w`, `actor.mean.b`, `actor.logStd.w`, `critics.q1.1.b`, `logAlpha`,
 * `alphaOpt.0.mu`, …) with host tensors `{shape, data}` as leaves. A checkpoint encoded from it has the
 * bytes of one encoded from the tfjs state with the same values, so a checkpoint written by either
 * implementation resumes in the other.
 *
 * Views and copies. The critics, their targets and moments, and the policy trunk's layers are views into the
 * engine's arenas (no copy). The policy's two heads are not: the engine stores them as ONE last layer of
 * width 2·act (see `sac.ts`), whose W rows are `[mean | log σ]` side by side, so the reference's
 * `mean.w` `[last, act]` and `logStd.w` `[last, act]` are strided in the arena and must be copied out;
 * the heads' biases are copied too, so that each head is one copy. log α and its Adam moments are numbers
 * in the engine and become new one-element tensors of shape `[]`, as tfjs scalars are written.
 *
 * @module
 */
import type { Key } from "../core/rng.ts";
import type { F32Tensor } from "../formats/safetensors.ts";
import type { MlpLayerSlot, MlpLayout } from "./mlp.ts";
import type { SacEngine, SacEngineState } from "./sac.ts";

/** One layer as the reference stores it: `w` `[in, out]`, `b` `[out]`. */
interface HostLayer {
  readonly w: F32Tensor;
  readonly b: F32Tensor;
}

/** The squashed Gaussian policy as the reference stores it (`GaussianPolicyParams`). */
export interface SacHostPolicy {
  /** Hidden layers, each followed by ReLU. */
  readonly trunk: readonly HostLayer[];
  /** Mean head, `w` `[last, act]`. */
  readonly mean: HostLayer;
  /** log σ head, `w` `[last, act]`. */
  readonly logStd: HostLayer;
}

/** An Adam state as the reference's `adam` stores it: `[{count, mu, nu}, null]`. */
type HostAdam<P> = readonly [{ readonly count: number; readonly mu: P; readonly nu: P }, null];

/** Twin critics as the reference stores them. */
interface HostTwin {
  readonly q1: readonly HostLayer[];
  readonly q2: readonly HostLayer[];
}

/** The tfjs `SacState`'s tree with host tensors. */
export interface SacHostState {
  /** The policy. */
  readonly actor: SacHostPolicy;
  /** Critics. */
  readonly critics: HostTwin;
  /** Target critics. */
  readonly criticsTarget: HostTwin;
  /** log α, a scalar: shape `[]`, one value. */
  readonly logAlpha: F32Tensor;
  /** The policy's Adam state. */
  readonly actorOpt: HostAdam<SacHostPolicy>;
  /** The critics' Adam state (one over both). */
  readonly criticOpt: HostAdam<HostTwin>;
  /** log α's Adam state, its moments scalars. */
  readonly alphaOpt: HostAdam<F32Tensor>;
  /** Key of the policy samples. */
  readonly key: Key;
  /** Updates done. */
  readonly updates: number;
}

/** One layer of an arena, as views. */
function layerViews(l: MlpLayerSlot, arena: Float32Array): HostLayer {
  return {
    w: { shape: [l.fanIn, l.fanOut], data: arena.subarray(l.w, l.w + l.fanIn * l.fanOut) },
    b: { shape: [l.fanOut], data: arena.subarray(l.b, l.b + l.fanOut) },
  };
}

/**
 * The policy tree of a policy-layout arena: the trunk as views, the heads copied out of the last layer
 * (head `first` holds columns `[first, first + act)` of W and entries of b).
 */
function policyTree(layout: MlpLayout, arena: Float32Array): SacHostPolicy {
  const layers = layout.layers, last = layers[layers.length - 1];
  const act = last.fanOut / 2;
  const head = (first: number): HostLayer => {
    const w = new Float32Array(last.fanIn * act);
    for (let r = 0; r < last.fanIn; r++) {
      const row = last.w + r * last.fanOut + first;
      w.set(arena.subarray(row, row + act), r * act);
    }
    const b = arena.slice(last.b + first, last.b + first + act);
    return { w: { shape: [last.fanIn, act], data: w }, b: { shape: [act], data: b } };
  };
  return {
    trunk: layers.slice(0, -1).map((l) => layerViews(l, arena)),
    mean: head(0),
    logStd: head(act),
  };
}

/** A number as a tfjs scalar is written: shape `[]`, one float32. */
const scalar = (x: number): F32Tensor => ({ shape: [], data: Float32Array.of(x) });

/**
 * The checkpoint tree of an engine state. The critics' and the trunk's tensors are views of the state's
 * arenas; the policy heads and the log α scalars are new arrays (see the module doc).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeSacEngine } from "./sac.ts";
 * import { referenceGemm } from "./gemm.ts";
 * import { sacFromHost, sacHostState } from "./sac_state.ts";
 * const engine = makeSacEngine({
 *   observationSize: 3, actionSize: 1, bounds: { low: [-2], high: [2] }, hidden: [8, 8], init: "torch",
 *   actorLr: 1e-3, criticLr: 1e-3, alphaLr: 1e-3, alpha: 0.2, targetEntropy: -1, gamma: 0.99, tau: 0.005,
 *   batchSize: 16,
 * }, referenceGemm);
 * const host = sacHostState(engine, engine.blank());
 * assert.deepEqual(host.actor.mean.w.shape, [8, 1]);
 * assert.deepEqual(host.logAlpha.shape, []);
 * assert.deepEqual(sacFromHost(engine, host), engine.blank());
 * ```
 *
 * @param engine the engine (for the layouts)
 * @param state the state
 * @returns the tree
 */
export function sacHostState(engine: SacEngine, state: SacEngineState): SacHostState {
  const a = (arena: Float32Array) => policyTree(engine.actorLayout, arena);
  const c = (arena: Float32Array) => engine.criticLayout.layers.map((l) => layerViews(l, arena));
  return {
    actor: a(state.actor),
    critics: { q1: c(state.q1), q2: c(state.q2) },
    criticsTarget: { q1: c(state.q1Target), q2: c(state.q2Target) },
    logAlpha: scalar(state.logAlpha),
    actorOpt: [{ count: state.actorCount, mu: a(state.actorM), nu: a(state.actorV) }, null],
    criticOpt: [{
      count: state.criticCount,
      mu: { q1: c(state.q1M), q2: c(state.q2M) },
      nu: { q1: c(state.q1V), q2: c(state.q2V) },
    }, null],
    alphaOpt: [{ count: state.alphaCount, mu: scalar(state.logAlphaM), nu: scalar(state.logAlphaV) }, null],
    key: state.key,
    updates: state.updates,
  };
}

/** The tensor's data, after checking its shape and that its data fill it. */
function checked(t: F32Tensor, shape: readonly number[], what: string): Float32Array {
  if (t.shape.join() !== shape.join()) {
    throw new RangeError(`${what} has shape [${t.shape}], expected [${shape}]`);
  }
  const size = shape.reduce((p, d) => p * d, 1);
  if (t.data.length !== size) {
    throw new RangeError(`${what} has ${t.data.length} values, its shape [${shape}] needs ${size}`);
  }
  return t.data;
}

/** Copy one layer into an arena at its slot, checking its shapes. */
function packLayer(l: MlpLayerSlot, host: HostLayer, arena: Float32Array, what: string): void {
  arena.set(checked(host.w, [l.fanIn, l.fanOut], `${what}.w`), l.w);
  arena.set(checked(host.b, [l.fanOut], `${what}.b`), l.b);
}

/** Copy a critic tree's layers into one arena of `layout`. */
function packCritic(layout: MlpLayout, host: readonly HostLayer[], what: string): Float32Array {
  if (host.length !== layout.layers.length) {
    throw new RangeError(`${what} has ${host.length} layers, expected ${layout.layers.length}`);
  }
  const arena = new Float32Array(layout.length);
  layout.layers.forEach((l, i) => packLayer(l, host[i], arena, `${what}.${i}`));
  return arena;
}

/** Copy a policy tree into one arena of the policy layout: the heads side by side in the last layer. */
function packPolicy(layout: MlpLayout, host: SacHostPolicy, what: string): Float32Array {
  const layers = layout.layers, trunk = layers.slice(0, -1), last = layers[layers.length - 1];
  if (host.trunk.length !== trunk.length) {
    throw new RangeError(`${what}.trunk has ${host.trunk.length} layers, expected ${trunk.length}`);
  }
  const arena = new Float32Array(layout.length);
  trunk.forEach((l, i) => packLayer(l, host.trunk[i], arena, `${what}.trunk.${i}`));
  const act = last.fanOut / 2;
  for (const [name, first] of [["mean", 0], ["logStd", act]] as const) {
    const w = checked(host[name].w, [last.fanIn, act], `${what}.${name}.w`);
    const b = checked(host[name].b, [act], `${what}.${name}.b`);
    for (let r = 0; r < last.fanIn; r++) {
      arena.set(w.subarray(r * act, (r + 1) * act), last.w + r * last.fanOut + first);
    }
    arena.set(b, last.b + first);
  }
  return arena;
}

/** A scalar tensor's value, checking that it is one (shape `[]`). */
const scalarValue = (t: F32Tensor, what: string): number => checked(t, [], what)[0];

/**
 * An engine state from a checkpoint tree (e.g. a decoded checkpoint's host state); the arenas are copies.
 *
 * @param engine the engine (for the layouts)
 * @param host the tree, as {@link sacHostState} gives or a checkpoint decodes
 * @returns the state
 * @throws {RangeError} when a network's layers do not fit the engine's layout, or log α or one of its
 *   moments is not a scalar
 */
export function sacFromHost(engine: SacEngine, host: SacHostState): SacEngineState {
  const a = (h: SacHostPolicy, what: string) => packPolicy(engine.actorLayout, h, what);
  const c = (h: readonly HostLayer[], what: string) => packCritic(engine.criticLayout, h, what);
  const [actorOpt] = host.actorOpt;
  const [criticOpt] = host.criticOpt;
  const [alphaOpt] = host.alphaOpt;
  return {
    actor: a(host.actor, "actor"),
    q1: c(host.critics.q1, "critics.q1"),
    q2: c(host.critics.q2, "critics.q2"),
    q1Target: c(host.criticsTarget.q1, "criticsTarget.q1"),
    q2Target: c(host.criticsTarget.q2, "criticsTarget.q2"),
    actorM: a(actorOpt.mu, "actorOpt.0.mu"),
    actorV: a(actorOpt.nu, "actorOpt.0.nu"),
    actorCount: actorOpt.count,
    q1M: c(criticOpt.mu.q1, "criticOpt.0.mu.q1"),
    q1V: c(criticOpt.nu.q1, "criticOpt.0.nu.q1"),
    q2M: c(criticOpt.mu.q2, "criticOpt.0.mu.q2"),
    q2V: c(criticOpt.nu.q2, "criticOpt.0.nu.q2"),
    criticCount: criticOpt.count,
    logAlpha: scalarValue(host.logAlpha, "logAlpha"),
    logAlphaM: scalarValue(alphaOpt.mu, "alphaOpt.0.mu"),
    logAlphaV: scalarValue(alphaOpt.nu, "alphaOpt.0.nu"),
    alphaCount: alphaOpt.count,
    key: host.key,
    updates: host.updates,
  };
}
