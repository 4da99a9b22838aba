import assert from "node:assert/strict";
import {
  CHECKPOINT_FORMAT,
  decodeHostCheckpoint,
  encodeHostCheckpoint,
  isHostTensor,
  parseLoopJson,
  POLICY_FORMAT,
  stringifyLoopJson,
} from "./checkpoint.ts";
import { decodeSafetensors, encodeSafetensors } from "./safetensors.ts";
import { ReplayBuffer } from "../replay/buffer.ts";

const host = (shape: number[], values: number[]) => ({ shape, data: new Float32Array(values) });

const state = {
  updates: 3,
  actor: [{ w: host([2, 1], [1, -0]), b: host([1], [0.5]) }, { w: host([1, 1], [NaN]), b: host([1], [2]) }],
  key: [7, 4294967295],
  opt: { count: host([], [1]), note: undefined, mu: [] },
};

Deno.test("a host state round-trips with its tensors under dotted paths and {$tensor} placeholders", () => {
  const bytes = encodeHostCheckpoint(state, { algo: "td3", seed: 1 });
  const { tensors, metadata } = decodeSafetensors(bytes);
  assert.deepEqual([...tensors.keys()], ["actor.0.b", "actor.0.w", "actor.1.b", "actor.1.w", "opt.count"]);
  assert.equal(metadata.format, CHECKPOINT_FORMAT);
  assert.equal(metadata.config, '{"algo":"td3","seed":1}');
  assert.equal(
    metadata.state,
    '{"actor":[{"b":{"$tensor":"actor.0.b"},"w":{"$tensor":"actor.0.w"}},' +
      '{"b":{"$tensor":"actor.1.b"},"w":{"$tensor":"actor.1.w"}}],"key":[7,4294967295],' +
      '"opt":{"count":{"$tensor":"opt.count"},"mu":[],"note":null},"updates":3}',
  );
  const back = decodeHostCheckpoint(bytes);
  assert.deepEqual(back.config, { algo: "td3", seed: 1 });
  const w = (back.state as typeof state).actor[0].w;
  assert.deepEqual(back.state, { ...state, opt: { ...state.opt, note: null } });
  assert.ok(Object.is(w.data[1], -0));
  assert.notEqual(w.data, state.actor[0].w.data);
  assert.equal(back.loop, undefined);
  assert.equal(back.replay, undefined);
  // Key order of the input does not matter; re-encoding the decoded state gives the same bytes.
  const reordered = { opt: state.opt, key: state.key, actor: state.actor, updates: 3 };
  assert.deepEqual(encodeHostCheckpoint(reordered, { algo: "td3", seed: 1 }), bytes);
  assert.deepEqual(encodeHostCheckpoint(back.state, back.config), bytes);
});

Deno.test("loop JSON keeps −0 and its own key order", () => {
  const loop = { step: 6, observation: [-0, 0.5, 1e-40], zebra: { b: -0, a: 1 }, alpha: "x" };
  const text = stringifyLoopJson(loop);
  assert.equal(
    text,
    '{"step":6,"observation":[{"-0":0},0.5,1e-40],"zebra":{"b":{"-0":0},"a":1},"alpha":"x"}',
  );
  const back = parseLoopJson(text) as typeof loop;
  assert.deepEqual(back, loop);
  assert.ok(Object.is(back.observation[0], -0) && Object.is(back.zebra.b, -0));
  assert.deepEqual(Object.keys(back), ["step", "observation", "zebra", "alpha"]);
  const bytes = encodeHostCheckpoint({}, {}, { loop });
  assert.equal(decodeSafetensors(bytes).metadata.loop, text);
  const decoded = decodeHostCheckpoint(bytes);
  assert.deepEqual(Object.keys(decoded.loop as object), Object.keys(loop));
  assert.deepEqual(encodeHostCheckpoint(decoded.state, decoded.config, { loop: decoded.loop }), bytes);
});

Deno.test("the replay buffer is stored as replay.* tensors of [size, width] and read back exactly", () => {
  const buffer = new ReplayBuffer({ capacity: 4, observationSize: 2, actionSize: 1 });
  for (let i = 0; i < 5; i++) {
    buffer.add({
      observation: [i, -0],
      action: [-i],
      reward: i / 3,
      nextObservation: [i + 1, 0],
      terminated: i === 4,
    });
  }
  const replay = { snapshot: buffer.snapshot(), observationSize: 2, actionSize: 1 };
  const bytes = encodeHostCheckpoint({ w: host([1], [1]) }, {}, { replay });
  const { tensors, metadata } = decodeSafetensors(bytes);
  assert.deepEqual(tensors.get("replay.observations")?.shape, [4, 2]);
  assert.deepEqual(tensors.get("replay.rewards")?.shape, [4, 1]);
  assert.equal(metadata.replay, '{"size":4,"head":1}');
  assert.deepEqual(decodeHostCheckpoint(bytes).replay, buffer.snapshot());
});

Deno.test("the format tag is checked, and a broken file is refused with one line", () => {
  const policy = encodeHostCheckpoint({ actor: [] }, {}, { format: POLICY_FORMAT });
  assert.equal(decodeSafetensors(policy).metadata.format, "td3-sac-policy/1");
  assert.deepEqual(decodeHostCheckpoint(policy, POLICY_FORMAT).state, { actor: [] });
  assert.throws(() => decodeHostCheckpoint(policy), /^Error: not a td3-sac-checkpoint\/1 file$/);
  const missing = encodeSafetensors({}, {
    format: CHECKPOINT_FORMAT,
    config: "{}",
    state: '{"w":{"$tensor":"w"}}',
  });
  assert.throws(() => decodeHostCheckpoint(missing), /checkpoint misses tensor "w"/);
  const notJson = encodeSafetensors({}, { format: CHECKPOINT_FORMAT, config: "{", state: "{}" });
  assert.throws(() => decodeHostCheckpoint(notJson), /"config" metadata is missing or not JSON/);
  assert.throws(() => decodeHostCheckpoint(new Uint8Array(3)), /^Error: safetensors: [^\n]*$/);
});

Deno.test("host tensors are records of a shape and an ArrayBuffer view; typed arrays alone are values", () => {
  assert.ok(isHostTensor(host([1], [1])));
  assert.ok(!isHostTensor(new Float32Array(1)));
  assert.ok(!isHostTensor({ shape: [1], data: [1] }));
  const bytes = encodeHostCheckpoint({ raw: new Float32Array([1, 2]) }, {});
  assert.deepEqual([...decodeSafetensors(bytes).tensors.keys()], []);
  assert.equal(decodeSafetensors(bytes).metadata.state, '{"raw":{"0":1,"1":2}}');
});
