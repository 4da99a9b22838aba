/**
 * Arenas: all of one network's parameters (or gradients, or moments) in one contiguous Float32Array, each
 * tensor a slice at a fixed offset (llm.c's one block with views into it). A {@link ArenaLayout}, computed
 * once from the tensors' paths and shapes, says where each slice is; {@link arenaViews} turns an arena into
 * host tensors (`{shape, data}`, what `formats/checkpoint.ts` reads and writes) without copying, and
 * {@link packArena} copies host tensors in.
 *
 * @module
 */
import type { F32Tensor } from "../formats/safetensors.ts";

/** Where one tensor lives in an arena. */
export interface ArenaEntry {
  /** The tensor's dotted path in its tree, e.g. `actor.layers.0.w`. */
  readonly path: string;
  /** Its dimensions. */
  readonly shape: readonly number[];
  /** Index of its first element in the arena. */
  readonly offset: number;
  /** Number of elements, the product of `shape`. */
  readonly length: number;
}

/** The slices of an arena, in the order given, back to back. */
export interface ArenaLayout {
  /** One entry per tensor. */
  readonly entries: readonly ArenaEntry[];
  /** Total number of elements. */
  readonly size: number;
}

/**
 * Lay tensors out back to back in the order given (pass a tree's leaves in `walk` order to match the
 * reference's leaf order).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { arenaLayout } from "./arena.ts";
 *
 * const layout = arenaLayout([["b", [4]], ["w", [3, 4]]]);
 * assert.equal(layout.size, 16);
 * assert.equal(layout.entries[1].offset, 4);
 * ```
 *
 * @param tensors `[path, shape]` pairs
 * @returns the layout
 */
export function arenaLayout(tensors: Iterable<readonly [string, readonly number[]]>): ArenaLayout {
  const entries: ArenaEntry[] = [];
  let size = 0;
  for (const [path, shape] of tensors) {
    const length = shape.reduce((a, b) => a * b, 1);
    entries.push({ path, shape: [...shape], offset: size, length });
    size += length;
  }
  return { entries, size };
}

/**
 * Host tensors viewing an arena: each `data` is `arena.subarray(offset, offset + length)`, so nothing is
 * copied and writes to the arena show through (copy before keeping them past the next update).
 *
 * @param arena an arena of `layout.size` elements
 * @param layout its layout
 * @returns the tensors by path
 */
export function arenaViews(arena: Float32Array, layout: ArenaLayout): Record<string, F32Tensor> {
  checkSize(arena, layout);
  const views: Record<string, F32Tensor> = {};
  for (const { path, shape, offset, length } of layout.entries) {
    views[path] = { shape, data: arena.subarray(offset, offset + length) };
  }
  return views;
}

/**
 * Copy host tensors into an arena, each at its slice; shapes must match the layout.
 *
 * @param tensors a tensor for every path of the layout
 * @param layout the layout
 * @param arena where to write; a new arena unless given
 * @returns the arena
 */
export function packArena(
  tensors: Readonly<Record<string, F32Tensor>>,
  layout: ArenaLayout,
  arena: Float32Array = new Float32Array(layout.size),
): Float32Array {
  checkSize(arena, layout);
  for (const { path, shape, offset } of layout.entries) {
    const t = tensors[path];
    if (t === undefined) throw new Error(`packArena: no tensor "${path}"`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new Error(`packArena: "${path}" has shape [${t.shape}], the layout says [${shape}]`);
    }
    arena.set(t.data, offset);
  }
  return arena;
}

/**
 * The index of the first NaN or ±Infinity in an arena, −1 when all are finite: one pass for a whole
 * network's parameters or gradients.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { firstNonFinite } from "./arena.ts";
 *
 * assert.equal(firstNonFinite(new Float32Array([0, 1, NaN])), 2);
 * assert.equal(firstNonFinite(new Float32Array([0, 1])), -1);
 * ```
 *
 * @param arena the values
 * @returns the index, or −1
 */
export function firstNonFinite(arena: Float32Array): number {
  for (let i = 0; i < arena.length; i++) {
    if (!Number.isFinite(arena[i])) return i;
  }
  return -1;
}

function checkSize(arena: Float32Array, layout: ArenaLayout): void {
  if (arena.length !== layout.size) {
    throw new RangeError(`arena has ${arena.length} elements, its layout ${layout.size}`);
  }
}
