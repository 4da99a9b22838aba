/**
 * A multi-layer perceptron for the fused engine: forward and backward passes written out over preallocated
 * `Float32Array`s, with every matrix product behind {@link Gemm}. Same network as `src/core/nn/mlp.ts`
 * (ReLU after every layer but the last, which is linear; `w` is `[in, out]`, `b` is `[out]`).
 *
 * Memory, in the spirit of llm.c:
 * - all parameters of one network live in ONE contiguous arena, described by {@link mlpLayout}; the gradient
 *   arena (and later the Adam moments) has the same layout, so an optimizer step is one loop over the arena;
 * - {@link mlpViews} cuts the per-layer `subarray` views of an arena once;
 * - {@link mlpWorkspace} holds the activations and backward buffers for one batch size, allocated once.
 *
 * In steady state {@link mlpForward} and {@link mlpBackward} allocate nothing: no `new`, no literals, no
 * closures; they only write into the workspace and the gradient arena. Their element-wise passes (the ReLU,
 * and in the backward the ReLU mask fused with the bias gradient's column sums) are `elementwise.ts`'s
 * kernels.
 *
 * @module
 */
import { elementwise } from "./elementwise.ts";
import type { Gemm } from "./gemm.ts";

/** Where one dense layer's parameters sit inside an arena. */
export interface MlpLayerSlot {
  /** Inputs of the layer (rows of W). */
  readonly fanIn: number;
  /** Outputs of the layer (columns of W, length of b). */
  readonly fanOut: number;
  /** Offset of W, stored row-major `[fanIn, fanOut]` (tfjs's layout of `w`). */
  readonly w: number;
  /** Offset of b, `[fanOut]`, right after W. */
  readonly b: number;
}

/** The arena layout of an MLP: layer after layer, each W then its b, no padding. */
export interface MlpLayout {
  /** Layer widths, input first. */
  readonly sizes: readonly number[];
  /** One slot per layer, input to output. */
  readonly layers: readonly MlpLayerSlot[];
  /** Total number of floats in the arena. */
  readonly length: number;
}

/**
 * The arena layout for layer widths `sizes`: layer `l` occupies `[W_l (fanIn·fanOut), b_l (fanOut)]`, layers
 * back to back, so the arena of `[3, 16, 1]` is `W0 @0 (48), b0 @48 (16), W1 @64 (16), b1 @80 (1)`, length 81.
 *
 * @param sizes layer widths (input, hidden…, output), at least two, positive integers
 * @returns the offsets of every W and b and the total length
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mlpLayout } from "./mlp.ts";
 *
 * const layout = mlpLayout([3, 16, 1]);
 * assert.equal(layout.layers[1].w, 64);
 * assert.equal(layout.length, 81);
 * ```
 */
export function mlpLayout(sizes: readonly number[]): MlpLayout {
  if (sizes.length < 2) throw new RangeError("an MLP needs at least input and output sizes");
  for (const s of sizes) {
    if (!Number.isInteger(s) || s < 1) {
      throw new RangeError(`layer sizes must be positive integers: ${sizes}`);
    }
  }
  const layers: MlpLayerSlot[] = [];
  let offset = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l];
    const fanOut = sizes[l + 1];
    layers.push({ fanIn, fanOut, w: offset, b: offset + fanIn * fanOut });
    offset += fanIn * fanOut + fanOut;
  }
  return { sizes: [...sizes], layers, length: offset };
}

/** Per-layer views into one arena (parameters, gradients, moments: any arena of an {@link MlpLayout}). */
export interface MlpViews {
  /** The whole arena. */
  readonly arena: Float32Array;
  /** `w[l]`: layer l's W, row-major `[fanIn, fanOut]`. */
  readonly w: readonly Float32Array[];
  /** `b[l]`: layer l's b, `[fanOut]`. */
  readonly b: readonly Float32Array[];
}

/**
 * Cut the per-layer views of an arena, once per arena (views share the arena's memory).
 *
 * @param layout the layout
 * @param arena an arena of length `layout.length`, or omitted for a new zeroed one
 * @returns the arena and its W and b views
 */
export function mlpViews(layout: MlpLayout, arena: Float32Array = new Float32Array(layout.length)): MlpViews {
  if (arena.length !== layout.length) {
    throw new RangeError(`arena has ${arena.length} floats, the layout needs ${layout.length}`);
  }
  return {
    arena,
    w: layout.layers.map((s) => arena.subarray(s.w, s.w + s.fanIn * s.fanOut)),
    b: layout.layers.map((s) => arena.subarray(s.b, s.b + s.fanOut)),
  };
}

/**
 * Activations and backward buffers for one batch size, allocated once (two arenas, views cut once).
 * Forward writes `z` and `h`; backward reads them and writes `dz`. One workspace serves one network at a
 * time: a backward uses the activations of the latest forward on the same workspace.
 */
export interface MlpWorkspace {
  /** The batch size this workspace is for. */
  readonly n: number;
  /** `z[l]`: pre-activation of layer l, `[n, fanOut_l]`. */
  readonly z: readonly Float32Array[];
  /** `h[l]`: activation of layer l, `[n, fanOut_l]`: relu(z[l]) for hidden layers; the last is `z[L-1]` itself. */
  readonly h: readonly Float32Array[];
  /** `dz[l]`, hidden layers only: dL/dh[l], then dL/dz[l] in place, `[n, fanOut_l]`. */
  readonly dz: readonly Float32Array[];
  /** The network's output, `[n, out]` (the same view as the last `z`). */
  readonly out: Float32Array;
  /** The input of the latest forward (kept by reference for dW₀ = Xᵀ dZ₀); do not change it before backward. */
  input: Float32Array | null;
}

/**
 * Allocate a workspace for batch size `n`.
 *
 * @param layout the network's layout
 * @param n the batch size
 * @returns the workspace
 */
export function mlpWorkspace(layout: MlpLayout, n: number): MlpWorkspace {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`batch size must be a positive integer: ${n}`);
  const layers = layout.layers;
  const last = layers.length - 1;
  let forwardLength = 0;
  let backwardLength = 0;
  layers.forEach((s, l) => {
    forwardLength += (l < last ? 2 : 1) * n * s.fanOut;
    if (l < last) backwardLength += n * s.fanOut;
  });
  const forward = new Float32Array(forwardLength);
  const backward = new Float32Array(backwardLength);
  const z: Float32Array[] = [];
  const h: Float32Array[] = [];
  const dz: Float32Array[] = [];
  let f = 0;
  let b = 0;
  layers.forEach((s, l) => {
    const size = n * s.fanOut;
    z.push(forward.subarray(f, f + size));
    f += size;
    if (l < last) {
      h.push(forward.subarray(f, f + size));
      f += size;
      dz.push(backward.subarray(b, b + size));
      b += size;
    } else {
      h.push(z[l]);
    }
  });
  return { n, z, h, dz, out: z[last], input: null };
}

/**
 * Forward pass `y = MLP(x)` for a batch: for each layer `Z = H·W + 1·bᵀ`, then `H = relu(Z)` except after
 * the last layer. The bias is added by seeding each row of Z with b and calling sgemm with β = 1, so the
 * product accumulates onto it (no separate broadcast pass).
 *
 * @param gemm the matrix product
 * @param layout the network's layout
 * @param params views of the parameter arena ({@link mlpViews})
 * @param x the input batch, row-major `[n, in]`, kept by reference for the backward
 * @param n the batch size; must equal the workspace's
 * @param ws the workspace, written
 * @returns `ws.out`, the output `[n, out]` (overwritten by the next forward on `ws`)
 */
export function mlpForward(
  gemm: Gemm,
  layout: MlpLayout,
  params: MlpViews,
  x: Float32Array,
  n: number,
  ws: MlpWorkspace,
): Float32Array {
  if (n !== ws.n) throw new RangeError(`batch size ${n}, the workspace is for ${ws.n}`);
  if (x.length < n * layout.sizes[0]) throw new RangeError("x is shorter than [n, in]");
  const layers = layout.layers;
  const last = layers.length - 1;
  let input = x;
  for (let l = 0; l <= last; l++) {
    const fanIn = layers[l].fanIn;
    const fanOut = layers[l].fanOut;
    const z = ws.z[l];
    const b = params.b[l];
    seedRows(z, b, n);
    gemm.sgemm(false, false, n, fanOut, fanIn, 1, input, fanIn, params.w[l], fanOut, 1, z, fanOut);
    if (l < last) {
      elementwise.relu(z, ws.h[l]); // H = relu(Z)
      input = ws.h[l];
    }
  }
  ws.input = x;
  return ws.out;
}

/**
 * Fill the `n` rows of `z` with `b`: the first row by `set`, then by doubling the filled prefix with
 * `copyWithin` (log₂ n copies instead of n, which mattered for small networks).
 */
function seedRows(z: Float32Array, b: Float32Array, n: number): void {
  const width = b.length;
  z.set(b);
  for (let filled = 1; filled < n; filled *= 2) {
    z.copyWithin(filled * width, 0, Math.min(filled, n - filled) * width);
  }
}

/** Options of {@link mlpBackward}; make the record once, outside the training loop. */
export interface MlpBackwardOptions {
  /** When given, dL/dx `[n, in]` is written here (needed for the actor loss through the critic). */
  readonly dx?: Float32Array;
  /**
   * Add into `grads` (and `dx`) instead of overwriting them, default false: for twin critics sharing one
   * gradient arena, or a loss that reaches the same network twice.
   */
  readonly accumulate?: boolean;
  /**
   * Compute dL/dx only, default false: the parameter gradients are skipped (no dW products; `grads` serves
   * as scratch for the bias sums the ReLU pass produces, and its values are not meaningful afterwards). For a
   * loss that flows through a network that does not move, such as the actor's loss through a critic.
   * Needs `dx`.
   */
  readonly inputOnly?: boolean;
}

const defaults: MlpBackwardOptions = {};

/*
 * Backward pass, derived. Layer l (0-based, L layers, H₋₁ = X) computes
 *   Z_l = H_{l-1}·W_l + 1·b_lᵀ,    H_l = relu(Z_l) for l < L-1,    Y = Z_{L-1}.
 * Given G = dL/dY, walk from the last layer down with dZ_{L-1} = G:
 *   dW_l = H_{l-1}ᵀ·dZ_l          [in, out]  = ([n, in])ᵀ·[n, out]      → sgemm(transA = true)
 *   db_l = Σ_rows dZ_l            [out]      (b is broadcast over the rows, so its gradient sums them)
 *   dH_{l-1} = dZ_l·W_lᵀ          [n, in]    = [n, out]·([in, out])ᵀ   → sgemm(transB = true)
 *   dZ_{l-1} = dH_{l-1} ⊙ 1[Z_{l-1} > 0]     (relu'(z) = 1 for z > 0, 0 otherwise, tfjs's `step` included)
 * and for l = 0 the same product gives dX = dZ_0·W_0ᵀ. Both products read stored matrices through the
 * transpose flags; nothing is transposed in memory. The ReLU mask of dZ_{l-1} and its column sums db_{l-1}
 * are one pass (`elementwise.reluBackward`), right after dH_{l-1} is computed.
 */

/**
 * Backward pass of the latest {@link mlpForward} on `ws`: from dL/dy, write dL/dθ into the gradient arena —
 * overwriting it, unless `options.accumulate` — and, if `options.dx` is given, dL/dx. The math is in the
 * comment above this function.
 *
 * @param gemm the matrix product
 * @param layout the network's layout
 * @param params views of the parameter arena used in the forward
 * @param ws the workspace of that forward (its `dz` buffers are written)
 * @param dOut dL/dy, row-major `[n, out]`, read only
 * @param grads views of the gradient arena (same layout), written
 * @param options `dx` to also get dL/dx; `accumulate` to add instead of overwrite
 */
export function mlpBackward(
  gemm: Gemm,
  layout: MlpLayout,
  params: MlpViews,
  ws: MlpWorkspace,
  dOut: Float32Array,
  grads: MlpViews,
  options: MlpBackwardOptions = defaults,
): void {
  const input = ws.input;
  if (input === null) throw new Error("mlpBackward before any mlpForward on this workspace");
  const n = ws.n;
  const layers = layout.layers;
  const last = layers.length - 1;
  if (dOut.length < n * layers[last].fanOut) throw new RangeError("dOut is shorter than [n, out]");
  const beta = options.accumulate === true ? 1 : 0;
  const dx = options.dx;
  if (dx !== undefined && dx.length < n * layers[0].fanIn) throw new RangeError("dx is shorter than [n, in]");
  const parameters = options.inputOnly !== true;
  if (!parameters && dx === undefined) throw new RangeError("mlpBackward: inputOnly needs dx");
  // db_{L-1} = Σ_rows dOut, summed in float64 per column (the hidden layers' db come with their masks)
  const outWidth = layers[last].fanOut;
  const dbOut = grads.b[last];
  for (let j = 0; parameters && j < outWidth; j++) {
    let sum = beta === 1 ? dbOut[j] : 0;
    for (let r = 0; r < n; r++) sum += dOut[r * outWidth + j];
    dbOut[j] = sum;
  }
  let dz = dOut;
  for (let l = last; l >= 0; l--) {
    const fanIn = layers[l].fanIn;
    const fanOut = layers[l].fanOut;
    const below = l > 0 ? ws.h[l - 1] : input;
    // dW_l = H_{l-1}ᵀ·dZ_l
    if (parameters) {
      gemm.sgemm(true, false, fanIn, fanOut, n, 1, below, fanIn, dz, fanOut, beta, grads.w[l], fanOut);
    }
    if (l > 0) {
      // dH_{l-1} = dZ_l·W_lᵀ, then in one pass the ReLU mask in place, dZ_{l-1} = dH_{l-1} ⊙ 1[Z_{l-1} > 0],
      // and db_{l-1} = Σ_rows dZ_{l-1} (float64 per column)
      const dh = ws.dz[l - 1];
      gemm.sgemm(false, true, n, fanIn, fanOut, 1, dz, fanOut, params.w[l], fanOut, 0, dh, fanIn);
      elementwise.reluBackward(dh, ws.z[l - 1], n, fanIn, grads.b[l - 1], beta === 1);
      dz = dh;
    } else if (dx !== undefined) {
      // dX = dZ_0·W_0ᵀ
      gemm.sgemm(false, true, n, fanIn, fanOut, 1, dz, fanOut, params.w[0], fanOut, beta, dx, fanIn);
    }
  }
}
