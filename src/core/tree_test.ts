import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { entries, leaves, mapTree, treeMap, unflatten, walk } from "./tree.ts";

tf.env().set("PROD", true); // silences tfjs's console advice
await tf.setBackend("cpu");

const isTensor = (x: unknown) => x instanceof tf.Tensor;

Deno.test("walk visits records in sorted key order and arrays by index, with dotted paths", () => {
  const tree = {
    critic: { b: 1, a: [2, 3] },
    actor: { layers: [{ w: 4, b: 5 }, { w: 6, b: 7 }], scale: "s" },
    "10": null,
    "9": undefined,
  };
  assert.deepEqual([...walk(tree)], [
    ["10", null],
    ["9", undefined],
    ["actor.layers.0.b", 5],
    ["actor.layers.0.w", 4],
    ["actor.layers.1.b", 7],
    ["actor.layers.1.w", 6],
    ["actor.scale", "s"],
    ["critic.a.0", 2],
    ["critic.a.1", 3],
    ["critic.b", 1],
  ]);
});

Deno.test("walk does not descend into typed arrays, stops at isLeaf, and starts at the prefix", () => {
  const data = new Float32Array([1, 2, 3]);
  const view = new DataView(new ArrayBuffer(4));
  assert.deepEqual([...walk({ x: data, y: [view] })], [["x", data], ["y.0", view]]);
  assert.equal([...walk({ x: data })][0][1], data);
  const tensor = { shape: [3], data };
  const isHost = (x: unknown) => x === tensor;
  assert.deepEqual([...walk({ t: [tensor] }, { isLeaf: isHost, prefix: "p" })], [["p.t.0", tensor]]);
  assert.deepEqual([...walk(7, { prefix: "root" })], [["root", 7]]);
  assert.deepEqual([...walk({ a: {}, b: [] })], []);
});

Deno.test("mapTree rebuilds the structure with sorted keys and leaves the input alone", () => {
  const input = { z: [1, { q: 2, p: 3 }], a: 4 };
  const out = mapTree(input, (leaf, path) => `${path}=${leaf}`) as Record<string, unknown>;
  assert.deepEqual(out, { a: "a=4", z: ["z.0=1", { p: "z.1.p=3", q: "z.1.q=2" }] });
  assert.deepEqual(Object.keys(out), ["a", "z"]);
  assert.deepEqual(input, { z: [1, { q: 2, p: 3 }], a: 4 });
  const data = new Float32Array([1]);
  assert.equal((mapTree({ d: data }, (x) => x) as { d: unknown }).d, data);
});

Deno.test("entries, leaves, unflatten and treeMap follow the walk order", () => {
  const [w0, b0, w1, s] = [tf.tensor([1]), tf.tensor([2]), tf.tensor([3]), tf.scalar(4)];
  const tree = { layers: [{ w: w0, b: b0 }, { w: w1 }], scale: s };
  assert.deepEqual(entries(tree).map(([p]) => p), ["layers.0.b", "layers.0.w", "layers.1.w", "scale"]);
  assert.deepEqual(entries(tree, "actor").map(([p]) => p)[0], "actor.layers.0.b");
  assert.deepEqual(leaves(tree), [b0, w0, w1, s]);
  const rebuilt = unflatten(tree, [w0, b0, w1, s]);
  assert.equal(rebuilt.layers[0].b, w0);
  assert.equal(rebuilt.scale, s);
  assert.throws(() => unflatten(tree, [w0]), /too few leaves/);
  assert.throws(() => unflatten(tree, [w0, b0, w1, s, s]), /too many leaves/);
  assert.throws(() => entries({ a: [w0, 3] }), /not a tensor tree at "a.1"/);
  const doubled = treeMap((x, y) => tf.add(x, y), tree, tree);
  assert.deepEqual([...doubled.layers[1].w.dataSync()], [6]);
  assert.throws(() => treeMap((x) => x, tree, { scale: s }), /differ in structure/);
  assert.ok(leaves(tree).every(isTensor));
  tf.dispose([w0, b0, w1, s, ...leaves(doubled)]);
});
