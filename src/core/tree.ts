/**
 * Parameter trees: nested readonly records and arrays whose leaves are tensors (JAX's pytrees, reduced to
 * what the agents need). Leaves are visited in a fixed order (object keys sorted), so flattening is
 * deterministic and two trees of the same structure line up leaf by leaf.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";

/**
 * A tensor, or a readonly array or record (interfaces included) whose values are trees. The type is
 * deliberately loose so that parameter interfaces qualify; the structure is checked when traversed.
 */
export type Tree = object;

type Node = tf.Tensor | readonly Node[] | { readonly [key: string]: Node };

function isTensor(x: unknown): x is tf.Tensor {
  return typeof x === "object" && x !== null && "dataId" in x && "shape" in x;
}

/**
 * The leaves of a tree in deterministic order, each with its dotted path (`"layers.0.w"`).
 *
 * @param tree the tree
 * @param prefix path prefix of the root
 * @returns `[path, tensor]` pairs
 */
export function entries(tree: Tree, prefix = ""): [string, tf.Tensor][] {
  if (isTensor(tree)) return [[prefix, tree]];
  const join = (k: string) => (prefix === "" ? k : `${prefix}.${k}`);
  if (Array.isArray(tree)) return (tree as readonly Node[]).flatMap((t, i) => entries(t, join(String(i))));
  if (typeof tree !== "object" || tree === null) throw new TypeError(`not a tensor tree at "${prefix}"`);
  const record = tree as { readonly [key: string]: Node };
  return Object.keys(record).sort().flatMap((k) => entries(record[k], join(k)));
}

/**
 * The leaves of a tree in deterministic order.
 *
 * @param tree the tree
 * @returns its tensors
 */
export function leaves(tree: Tree): tf.Tensor[] {
  return entries(tree).map(([, t]) => t);
}

/**
 * Rebuild a tree of the same structure as `template` from leaves in {@link leaves} order.
 *
 * @param template a tree giving the structure
 * @param values the new leaves, as many as the template has
 * @returns the new tree
 */
export function unflatten<T extends Tree>(template: T, values: readonly tf.Tensor[]): T {
  let next = 0;
  const build = (node: Node): Node => {
    if (isTensor(node)) {
      if (next >= values.length) throw new RangeError("unflatten: too few leaves");
      return values[next++];
    }
    if (Array.isArray(node)) return (node as readonly Node[]).map(build);
    const record = node as { readonly [key: string]: Node };
    const out: { [key: string]: Node } = {};
    for (const k of Object.keys(record).sort()) out[k] = build(record[k]);
    return out;
  };
  const result = build(template as Node);
  if (next !== values.length) throw new RangeError("unflatten: too many leaves");
  return result as unknown as T;
}

/**
 * Apply `f` leaf-wise across trees of the same structure.
 *
 * @param f combines the corresponding leaves
 * @param trees the trees, the first gives the structure
 * @returns the mapped tree
 */
export function treeMap<T extends Tree>(
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  ...trees: readonly [T, ...Tree[]]
): T {
  const columns = trees.map(leaves);
  const n = columns[0].length;
  if (columns.some((c) => c.length !== n)) throw new RangeError("treeMap: trees differ in structure");
  return unflatten(trees[0], columns[0].map((_, i) => f(...columns.map((c) => c[i]))));
}
