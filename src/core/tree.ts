/**
 * Trees: nested readonly records and arrays (JAX's pytrees, reduced to what the agents need). One walker,
 * {@link walk}, and one rebuild, {@link mapTree}, serve every traversal in the library: parameter trees
 * here, tensor ownership in the runtime, checkpoint encoding in the formats. They share one order and one
 * naming: records are visited in sorted key order, arrays by index, and every leaf has a dotted path
 * (`actor.layers.0.w`). So flattening is deterministic, and two trees of the same structure line up leaf by
 * leaf and path by path.
 *
 * A container is an array or any other non-null object, except ArrayBuffer views (typed arrays, DataView),
 * which are opaque values. Everything else (numbers, strings, `null`, `undefined`, typed arrays) is a leaf,
 * and so is whatever the `isLeaf` option accepts (tensors, say) before it would be descended into.
 *
 * @module
 */
import type { Tensor } from "./tensor.ts";

/**
 * A tensor, or a readonly array or record (interfaces included) whose values are trees. The type is
 * deliberately loose so that parameter interfaces qualify; the structure is checked when traversed.
 */
export type Tree = object;

/** How {@link walk} and {@link mapTree} read a tree. */
export interface WalkOptions {
  /**
   * Whether a value is a leaf although it is an object, e.g. a tensor; tested before anything else.
   * Unless given, only non-containers are leaves.
   */
  readonly isLeaf?: (x: unknown) => boolean;
  /** The path of the root, `""` unless given; child paths are joined to it with dots. */
  readonly prefix?: string;
}

const never = () => false;

function isContainer(x: unknown): x is object {
  return typeof x === "object" && x !== null && !ArrayBuffer.isView(x);
}

function join(prefix: string, key: string): string {
  return prefix === "" ? key : `${prefix}.${key}`;
}

/** Depth first with an explicit stack (children pushed in reverse), which V8 runs faster than `yield*`. */
function* visit(
  root: unknown,
  prefix: string,
  isLeaf: (x: unknown) => boolean,
): Generator<[string, unknown]> {
  const nodes: unknown[] = [root];
  const paths: string[] = [prefix];
  while (nodes.length > 0) {
    const node = nodes.pop();
    const path = paths.pop() as string;
    if (isLeaf(node) || !isContainer(node)) {
      yield [path, node];
    } else if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) {
        nodes.push(node[i]);
        paths.push(join(path, String(i)));
      }
    } else {
      const record = node as Readonly<Record<string, unknown>>;
      const keys = Object.keys(record).sort();
      for (let i = keys.length - 1; i >= 0; i--) {
        nodes.push(record[keys[i]]);
        paths.push(join(path, keys[i]));
      }
    }
  }
}

/**
 * Every leaf of a tree with its dotted path: records in sorted key order (UTF-16 code units), arrays by
 * index, depth first. Empty records and arrays have no leaves; typed arrays are leaves, not containers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { walk } from "./tree.ts";
 *
 * const tree = { b: [1, { y: 2, x: 3 }], a: new Float32Array([4, 5]) };
 * assert.deepEqual([...walk(tree)].map(([path]) => path), ["a", "b.0", "b.1.x", "b.1.y"]);
 * ```
 *
 * @param tree any value
 * @param options which objects are leaves, and the root's path
 * @returns `[path, leaf]` pairs, lazily
 */
export function walk(tree: unknown, options: WalkOptions = {}): Generator<[string, unknown]> {
  return visit(tree, options.prefix ?? "", options.isLeaf ?? never);
}

/**
 * Rebuild a tree with every leaf replaced by `f(leaf, path)`, visiting leaves in {@link walk} order. Arrays
 * come back as new arrays of the same length, other containers as new plain records whose keys are
 * inserted in sorted order. The input is not changed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mapTree } from "./tree.ts";
 *
 * const paths = mapTree({ w: [1, 2], b: 3 }, (_, path) => path);
 * assert.deepEqual(paths, { b: "b", w: ["w.0", "w.1"] });
 * ```
 *
 * @param tree any value
 * @param f the new value of a leaf, given the leaf and its path
 * @param options which objects are leaves, and the root's path
 * @returns the rebuilt tree
 */
export function mapTree(
  tree: unknown,
  f: (leaf: unknown, path: string) => unknown,
  options: WalkOptions = {},
): unknown {
  const isLeaf = options.isLeaf ?? never;
  const build = (node: unknown, path: string): unknown => {
    if (isLeaf(node) || !isContainer(node)) return f(node, path);
    if (Array.isArray(node)) {
      const out: unknown[] = new Array(node.length);
      for (let i = 0; i < node.length; i++) out[i] = build(node[i], join(path, String(i)));
      return out;
    }
    const record = node as Readonly<Record<string, unknown>>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(record).sort()) out[k] = build(record[k], join(path, k));
    return out;
  };
  return build(tree, options.prefix ?? "");
}

function isTensor(x: unknown): x is Tensor {
  return typeof x === "object" && x !== null && "dataId" in x && "shape" in x;
}

function tensorAt(leaf: unknown, path: string): Tensor {
  if (!isTensor(leaf)) throw new TypeError(`not a tensor tree at "${path}"`);
  return leaf;
}

/**
 * The leaves of a tensor tree in {@link walk} order, each with its dotted path (`"layers.0.w"`).
 *
 * @param tree the tree
 * @param prefix path prefix of the root
 * @returns `[path, tensor]` pairs
 * @throws TypeError when a leaf is not a tensor
 */
export function entries(tree: Tree, prefix = ""): [string, Tensor][] {
  return [...walk(tree, { isLeaf: isTensor, prefix })].map(([path, leaf]) => [path, tensorAt(leaf, path)]);
}

/**
 * The leaves of a tensor tree in {@link walk} order.
 *
 * @param tree the tree
 * @returns its tensors
 */
export function leaves(tree: Tree): Tensor[] {
  return entries(tree).map(([, t]) => t);
}

/**
 * Rebuild a tree of the same structure as `template` from leaves in {@link leaves} order.
 *
 * @param template a tree giving the structure
 * @param values the new leaves, as many as the template has
 * @returns the new tree
 */
export function unflatten<T extends Tree>(template: T, values: readonly Tensor[]): T {
  let next = 0;
  const result = mapTree(template, (leaf, path) => {
    tensorAt(leaf, path);
    if (next >= values.length) throw new RangeError("unflatten: too few leaves");
    return values[next++];
  }, { isLeaf: isTensor });
  if (next !== values.length) throw new RangeError("unflatten: too many leaves");
  return result as T;
}

/**
 * Apply `f` leaf-wise across trees of the same structure.
 *
 * @param f combines the corresponding leaves
 * @param trees the trees, the first gives the structure
 * @returns the mapped tree
 */
export function treeMap<T extends Tree>(
  f: (...xs: Tensor[]) => Tensor,
  ...trees: readonly [T, ...Tree[]]
): T {
  const columns = trees.map(leaves);
  const n = columns[0].length;
  if (columns.some((c) => c.length !== n)) throw new RangeError("treeMap: trees differ in structure");
  return unflatten(trees[0], columns[0].map((_, i) => f(...columns.map((c) => c[i]))));
}
