/**
 * The engine's SAC-V state in the checkpoint format's shape: the same tree as the tfjs reference's
 * `SacVState` (`actor.trunk.0.w`, `actor.mean.b`, `critics.q1.1.b`, `value.0.w`, `valueOpt.0.nu.1.b`, …) with
 * host tensors `{shape, data}` as leaves. A checkpoint encoded from it has the bytes of one encoded from the
 * tfjs state with the same values, so a checkpoint written by either implementation resumes in the other.
 *
 * The policy's two heads. The engine keeps them as one last layer with columns `[mean | log σ]` (see
 * `sac_v.ts`); the reference has two layers `actor.mean` and `actor.logStd`. Their `w` are interleaved row by
 * row in the arena, so the heads (of the policy and of its two moments) are split into COPIES, while every
 * other tensor of the tree is a view into the state's arenas.
 *
 * @module
 */
import type { Key } from "../core/rng.ts";
import type { F32Tensor } from "../formats/safetensors.ts";
import type { MlpLayout } from "./mlp.ts";
import type { SacVEngine, SacVEngineState } from "./sac_v.ts";

/** One layer as the reference stores it: `w` `[in, out]`, `b` `[out]`. */
interface HostLayer {
  readonly w: F32Tensor;
  readonly b: F32Tensor;
}

/** A squashed Gaussian policy as the reference stores it. */
interface HostPolicy {
  readonly trunk: readonly HostLayer[];
  readonly mean: HostLayer;
  readonly logStd: HostLayer;
}

/** Twin critics as the reference stores them. */
interface HostTwin {
  readonly q1: readonly HostLayer[];
  readonly q2: readonly HostLayer[];
}

/** An Adam state as the reference's `adam` stores it: `[{count, mu, nu}, null]`. */
type HostAdam<P> = readonly [{ readonly count: number; readonly mu: P; readonly nu: P }, null];

/** The tfjs `SacVState`'s tree with host tensors. */
export interface SacVHostState {
  /** The policy: trunk layers and the two heads. */
  readonly actor: HostPolicy;
  /** Critics. */
  readonly critics: HostTwin;
  /** Value network layers. */
  readonly value: readonly HostLayer[];
  /** Target value network layers. */
  readonly valueTarget: readonly HostLayer[];
  /** The policy's Adam state. */
  readonly actorOpt: HostAdam<HostPolicy>;
  /** The critics' Adam state (one over both). */
  readonly criticOpt: HostAdam<HostTwin>;
  /** The value network's Adam state. */
  readonly valueOpt: HostAdam<readonly HostLayer[]>;
  /** Policy sampling key. */
  readonly key: Key;
  /** Updates done. */
  readonly updates: number;
}

/** The layers of an arena, as views. */
function layers(layout: MlpLayout, arena: Float32Array): HostLayer[] {
  return layout.layers.map((l) => ({
    w: { shape: [l.fanIn, l.fanOut], data: arena.subarray(l.w, l.w + l.fanIn * l.fanOut) },
    b: { shape: [l.fanOut], data: arena.subarray(l.b, l.b + l.fanOut) },
  }));
}

/** Columns `[from, from + width)` of the last layer of a policy arena, copied into a layer of its own. */
function head(layout: MlpLayout, arena: Float32Array, from: number, width: number): HostLayer {
  const { fanIn, fanOut, w: wAt, b: bAt } = layout.layers[layout.layers.length - 1];
  const w = new Float32Array(fanIn * width);
  for (let r = 0; r < fanIn; r++) {
    w.set(arena.subarray(wAt + r * fanOut + from, wAt + r * fanOut + from + width), r * width);
  }
  return {
    w: { shape: [fanIn, width], data: w },
    b: { shape: [width], data: arena.slice(bAt + from, bAt + from + width) },
  };
}

/** A policy arena as the reference's tree: the trunk as views, the heads as copies. */
function policy(layout: MlpLayout, arena: Float32Array): HostPolicy {
  const act = layout.sizes[layout.sizes.length - 1] / 2;
  return {
    trunk: layers(layout, arena).slice(0, -1),
    mean: head(layout, arena, 0, act),
    logStd: head(layout, arena, act, act),
  };
}

/**
 * The checkpoint tree of an engine state. Its tensors are views of the state's arenas (no copy), except the
 * policy heads' (and their moments'), which are copies; encode it before the state's arenas are reused.
 *
 * @param engine the engine (for the layouts)
 * @param state the state
 * @returns the tree
 */
export function sacVHostState(engine: SacVEngine, state: SacVEngineState): SacVHostState {
  const a = (arena: Float32Array) => policy(engine.actorLayout, arena);
  const c = (arena: Float32Array) => layers(engine.criticLayout, arena);
  const v = (arena: Float32Array) => layers(engine.valueLayout, arena);
  return {
    actor: a(state.actor),
    critics: { q1: c(state.q1), q2: c(state.q2) },
    value: v(state.value),
    valueTarget: v(state.valueTarget),
    actorOpt: [{ count: state.actorCount, mu: a(state.actorM), nu: a(state.actorV) }, null],
    criticOpt: [{
      count: state.criticCount,
      mu: { q1: c(state.q1M), q2: c(state.q2M) },
      nu: { q1: c(state.q1V), q2: c(state.q2V) },
    }, null],
    valueOpt: [{ count: state.valueCount, mu: v(state.valueM), nu: v(state.valueV) }, null],
    key: state.key,
    updates: state.updates,
  };
}

/** Throw unless a layer has the shapes `[fanIn, fanOut]` and `[fanOut]`. */
function checkShapes(layer: HostLayer, fanIn: number, fanOut: number, what: string): void {
  const { w, b } = layer;
  if (w.shape.join() !== `${fanIn},${fanOut}` || b.shape.join() !== `${fanOut}`) {
    throw new RangeError(`${what} has shapes [${w.shape}] and [${b.shape}], expected [${fanIn},${fanOut}]`);
  }
}

/** Copy `host`'s layers into the first layers of an arena of `layout`, checking every shape. */
function packLayers(
  layout: MlpLayout,
  host: readonly HostLayer[],
  arena: Float32Array,
  what: string,
): void {
  host.forEach((layer, i) => {
    const l = layout.layers[i];
    checkShapes(layer, l.fanIn, l.fanOut, `${what}.${i}`);
    arena.set(layer.w.data, l.w);
    arena.set(layer.b.data, l.b);
  });
}

/** Copy a tree's layers into one new arena of `layout`. */
function pack(layout: MlpLayout, host: readonly HostLayer[], what: string): Float32Array {
  if (host.length !== layout.layers.length) {
    throw new RangeError(`${what} has ${host.length} layers, expected ${layout.layers.length}`);
  }
  const arena = new Float32Array(layout.length);
  packLayers(layout, host, arena, what);
  return arena;
}

/** Copy a policy tree into one new policy arena, the heads interleaved into the last layer. */
function packPolicy(layout: MlpLayout, host: HostPolicy, what: string): Float32Array {
  const trunkLength = layout.layers.length - 1;
  if (host.trunk.length !== trunkLength) {
    throw new RangeError(`${what}.trunk has ${host.trunk.length} layers, expected ${trunkLength}`);
  }
  const arena = new Float32Array(layout.length);
  packLayers(layout, host.trunk, arena, `${what}.trunk`);
  const { fanIn, fanOut, w, b } = layout.layers[trunkLength];
  const act = fanOut / 2;
  checkShapes(host.mean, fanIn, act, `${what}.mean`);
  checkShapes(host.logStd, fanIn, act, `${what}.logStd`);
  const mean = host.mean.w.data, logStd = host.logStd.w.data;
  for (let r = 0; r < fanIn; r++) {
    arena.set(mean.subarray(r * act, (r + 1) * act), w + r * fanOut);
    arena.set(logStd.subarray(r * act, (r + 1) * act), w + r * fanOut + act);
  }
  arena.set(host.mean.b.data, b);
  arena.set(host.logStd.b.data, b + act);
  return arena;
}

/**
 * An engine state from a checkpoint tree (e.g. a decoded checkpoint's host state); the arenas are copies.
 *
 * @param engine the engine (for the layouts)
 * @param host the tree, as {@link sacVHostState} gives or a checkpoint decodes
 * @returns the state
 * @throws {RangeError} when a network's layers do not fit the engine's layout
 */
export function sacVFromHost(engine: SacVEngine, host: SacVHostState): SacVEngineState {
  const a = (h: HostPolicy, what: string) => packPolicy(engine.actorLayout, h, what);
  const c = (h: readonly HostLayer[], what: string) => pack(engine.criticLayout, h, what);
  const v = (h: readonly HostLayer[], what: string) => pack(engine.valueLayout, h, what);
  const [actorOpt] = host.actorOpt;
  const [criticOpt] = host.criticOpt;
  const [valueOpt] = host.valueOpt;
  return {
    actor: a(host.actor, "actor"),
    q1: c(host.critics.q1, "critics.q1"),
    q2: c(host.critics.q2, "critics.q2"),
    value: v(host.value, "value"),
    valueTarget: v(host.valueTarget, "valueTarget"),
    actorM: a(actorOpt.mu, "actorOpt.0.mu"),
    actorV: a(actorOpt.nu, "actorOpt.0.nu"),
    actorCount: actorOpt.count,
    q1M: c(criticOpt.mu.q1, "criticOpt.0.mu.q1"),
    q1V: c(criticOpt.nu.q1, "criticOpt.0.nu.q1"),
    q2M: c(criticOpt.mu.q2, "criticOpt.0.mu.q2"),
    q2V: c(criticOpt.nu.q2, "criticOpt.0.nu.q2"),
    criticCount: criticOpt.count,
    valueM: v(valueOpt.mu, "valueOpt.0.mu"),
    valueV: v(valueOpt.nu, "valueOpt.0.nu"),
    valueCount: valueOpt.count,
    key: host.key,
    updates: host.updates,
  };
}
