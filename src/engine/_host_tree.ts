/**
 * What the engine's checkpoint trees (`td3_state.ts`, `sac_state.ts`, `sac_v_state.ts`) share: the tfjs
 * reference's tree types with host tensors `{shape, data}` as leaves, an arena's layers as views, layers
 * packed back into a new arena with every shape checked, and the squashed Gaussian policy's heads split out
 * of and merged back into the engine's one last layer.
 *
 * The policy's two heads. The engine keeps the reference's two linear heads (mean, log σ) as ONE last layer
 * of width 2·act (see `sac.ts`), whose W rows are `[mean | log σ]` side by side, so the reference's
 * `mean.w` `[last, act]` and `logStd.w` `[last, act]` are strided in the arena and must be copied out; the
 * heads' biases are copied too, so that each head is one copy. Every other layer is a view.
 *
 * Errors. A tree that does not fit a layout is refused with a RangeError naming the tensor by its path in
 * the tree: `critics.q2 has 2 layers, expected 3`, `actor.trunk.1.w has shape [8,8], expected [8,4]`,
 * `actor.mean.w has 8 values, its shape [8,2] needs 16`.
 *
 * @module
 */
import type { F32Tensor } from "../formats/safetensors.ts";
import type { MlpLayerSlot, MlpLayout } from "./mlp.ts";

/** One layer as the reference stores it: `w` `[in, out]`, `b` `[out]`. */
export interface HostLayer {
  /** Weights, `[in, out]`. */
  readonly w: F32Tensor;
  /** Bias, `[out]`. */
  readonly b: F32Tensor;
}

/** An Adam state as the reference's `adam` stores it: `[{count, mu, nu}, null]`. */
export type HostAdam<P> = readonly [{ readonly count: number; readonly mu: P; readonly nu: P }, null];

/** Twin critics as the reference stores them. */
export interface HostTwin {
  /** Q₁'s layers. */
  readonly q1: readonly HostLayer[];
  /** Q₂'s layers. */
  readonly q2: readonly HostLayer[];
}

/** The squashed Gaussian policy as the reference stores it (`GaussianPolicyParams`). */
export interface GaussianHostPolicy {
  /** Hidden layers, each followed by ReLU. */
  readonly trunk: readonly HostLayer[];
  /** Mean head, `w` `[last, act]`. */
  readonly mean: HostLayer;
  /** log σ head, `w` `[last, act]`. */
  readonly logStd: HostLayer;
}

/** One layer of an arena, as views. */
function layerViews(l: MlpLayerSlot, arena: Float32Array): HostLayer {
  return {
    w: { shape: [l.fanIn, l.fanOut], data: arena.subarray(l.w, l.w + l.fanIn * l.fanOut) },
    b: { shape: [l.fanOut], data: arena.subarray(l.b, l.b + l.fanOut) },
  };
}

/**
 * The layers of an arena of `layout`, as views (no copy).
 *
 * @param layout the arena's layout
 * @param arena the arena
 * @returns one host layer per layout layer
 */
export function hostLayers(layout: MlpLayout, arena: Float32Array): HostLayer[] {
  return layout.layers.map((l) => layerViews(l, arena));
}

/**
 * The policy tree of a policy-layout arena (`[obs, ...hidden, 2·act]`): the trunk as views, the heads
 * copied out of the last layer (head `first` holds columns `[first, first + act)` of W and entries of b).
 *
 * @param layout the policy layout
 * @param arena a policy arena (parameters or a moment)
 * @returns the reference's tree
 */
export function gaussianHostPolicy(layout: MlpLayout, arena: Float32Array): GaussianHostPolicy {
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

/** Copy layers into an arena at their slots, checking their number and every shape. */
function packInto(
  slots: readonly MlpLayerSlot[],
  host: readonly HostLayer[],
  arena: Float32Array,
  what: string,
): void {
  if (host.length !== slots.length) {
    throw new RangeError(`${what} has ${host.length} layers, expected ${slots.length}`);
  }
  slots.forEach((l, i) => {
    arena.set(checked(host[i].w, [l.fanIn, l.fanOut], `${what}.${i}.w`), l.w);
    arena.set(checked(host[i].b, [l.fanOut], `${what}.${i}.b`), l.b);
  });
}

/**
 * A tree's layers copied into one new arena of `layout`.
 *
 * @param layout the arena's layout
 * @param host the layers, as {@link hostLayers} gives or a checkpoint decodes
 * @param what the layers' path in the tree, for the errors
 * @returns the arena
 * @throws {RangeError} when the number of layers, a shape or a tensor's number of values does not fit
 */
export function packLayers(layout: MlpLayout, host: readonly HostLayer[], what: string): Float32Array {
  const arena = new Float32Array(layout.length);
  packInto(layout.layers, host, arena, what);
  return arena;
}

/**
 * A policy tree copied into one new arena of the policy layout: the trunk's layers at their slots, the two
 * heads side by side in the last layer (W's columns and b `[mean | log σ]`).
 *
 * @param layout the policy layout
 * @param host the tree, as {@link gaussianHostPolicy} gives or a checkpoint decodes
 * @param what the policy's path in the tree, for the errors
 * @returns the arena
 * @throws {RangeError} when the trunk's depth, a shape or a tensor's number of values does not fit
 */
export function packGaussianHostPolicy(
  layout: MlpLayout,
  host: GaussianHostPolicy,
  what: string,
): Float32Array {
  const layers = layout.layers, last = layers[layers.length - 1];
  const arena = new Float32Array(layout.length);
  packInto(layers.slice(0, -1), host.trunk, arena, `${what}.trunk`);
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

/**
 * A number as a tfjs scalar is written: shape `[]`, one float32 (a new array).
 *
 * @param x the value
 * @returns the tensor
 */
export const scalar = (x: number): F32Tensor => ({ shape: [], data: Float32Array.of(x) });

/**
 * A scalar tensor's value, checking that it is one (shape `[]`, one value).
 *
 * @param t the tensor
 * @param what its path in the tree, for the errors
 * @returns its value
 * @throws {RangeError} when it is not a scalar
 */
export const scalarValue = (t: F32Tensor, what: string): number => checked(t, [], what)[0];

/** The twin critics' arenas and Adam moments (the fields of `_twin_critics.ts`'s `TwinCriticArenas`). */
type TwinArenas = Readonly<Record<"q1" | "q1M" | "q1V" | "q2" | "q2M" | "q2V", Float32Array>>;

/**
 * The twin critics and their Adam state as the reference's tree holds them (`critics`, `criticOpt`); the
 * tensors are views of the arenas.
 *
 * @param layout the critic layout
 * @param state the arenas
 * @param count the critics' Adam step count
 * @returns the two subtrees
 */
export function twinCriticsHost(
  layout: MlpLayout,
  state: TwinArenas,
  count: number,
): { critics: HostTwin; criticOpt: HostAdam<HostTwin> } {
  const c = (arena: Float32Array) => hostLayers(layout, arena);
  return {
    critics: { q1: c(state.q1), q2: c(state.q2) },
    criticOpt: [{
      count,
      mu: { q1: c(state.q1M), q2: c(state.q2M) },
      nu: { q1: c(state.q1V), q2: c(state.q2V) },
    }, null],
  };
}

/**
 * The twin critics' arenas and Adam count from the reference's `critics` and `criticOpt` subtrees (copies).
 *
 * @param layout the critic layout
 * @param critics the critics' layers
 * @param criticOpt their Adam state
 * @returns the arenas and `criticCount`
 * @throws {RangeError} when a critic's layers do not fit the layout, naming the tensor's path
 */
export function twinCriticsFromHost(
  layout: MlpLayout,
  critics: HostTwin,
  criticOpt: HostAdam<HostTwin>,
): TwinArenas & { criticCount: number } {
  const c = (h: readonly HostLayer[], what: string) => packLayers(layout, h, what);
  const [{ count, mu, nu }] = criticOpt;
  return {
    q1: c(critics.q1, "critics.q1"),
    q2: c(critics.q2, "critics.q2"),
    q1M: c(mu.q1, "criticOpt.0.mu.q1"),
    q1V: c(nu.q1, "criticOpt.0.nu.q1"),
    q2M: c(mu.q2, "criticOpt.0.mu.q2"),
    q2V: c(nu.q2, "criticOpt.0.nu.q2"),
    criticCount: count,
  };
}
