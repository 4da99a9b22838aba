import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  CHECKPOINT_FILE,
  CHECKPOINT_FORMAT,
  decodeCheckpoint,
  encodeCheckpoint,
  firstNonFinite,
  fromHostTree,
  POLICY_FILE,
  POLICY_FORMAT,
  structureMismatch,
  temporaryName,
  toHostTree,
  writeFileAtomic,
} from "./checkpoint.ts";
import { encodeHostCheckpoint } from "../formats/checkpoint.ts";
import { ReplayBuffer } from "../replay/buffer.ts";
import { decodeSafetensors, encodeSafetensors } from "../formats/safetensors.ts";
import { makeTd3, TD3_DEFAULTS, type Td3State } from "../core/agents/td3.ts";
import { keyFromSeed } from "../core/rng.ts";
import { disposeTree, tensorsIn } from "./memory.ts";

tf.env().set("PROD", true); // silences tfjs's console advice
await tf.setBackend("cpu");

const agent = makeTd3({
  ...TD3_DEFAULTS,
  observationSize: 3,
  actionSize: 1,
  bounds: { low: [-2], high: [2] },
  hidden: [8, 8],
});

Deno.test("a TD3 state round-trips through a checkpoint exactly, and encoding is deterministic", () => {
  const state = agent.init(keyFromSeed(5));
  const bytes = encodeCheckpoint(state, { algo: "td3", seed: 5 });
  assert.deepEqual(encodeCheckpoint(state, { algo: "td3", seed: 5 }), bytes);
  const { state: back, config } = decodeCheckpoint(bytes) as { state: Td3State; config: unknown };
  assert.deepEqual(config, { algo: "td3", seed: 5 });
  assert.deepEqual([...back.key], [...state.key]);
  assert.equal(back.updates, 0);
  // Re-encoding the decoded state gives the same bytes: same structure, names, shapes and values.
  assert.deepEqual(encodeCheckpoint(back, config), bytes);
  assert.deepEqual(back.actor[1].w.dataSync(), state.actor[1].w.dataSync());
  assert.equal(tensorsIn(back).length, tensorsIn(state).length);
});

Deno.test("policy weights are plain safetensors entries under readable names", () => {
  const state = agent.init(keyFromSeed(5));
  const { tensors, metadata } = decodeSafetensors(encodeCheckpoint(state, {}));
  assert.deepEqual(tensors.get("actor.0.w")?.shape, [3, 8]);
  assert.deepEqual(tensors.get("actor.2.b")?.shape, [1]);
  assert.deepEqual(tensors.get("critics.q2.0.w")?.shape, [4, 8]);
  assert.equal(metadata.format, "td3-sac-checkpoint/1");
});

Deno.test("non-checkpoint safetensors are rejected", async () => {
  const dir = await Deno.makeTempDir();
  await writeFileAtomic(`${dir}/x`, "hello");
  assert.equal(await Deno.readTextFile(`${dir}/x`), "hello");
  assert.throws(() => decodeCheckpoint(new Uint8Array([1, 2, 3])), /safetensors/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("loop state and replay buffer round-trip exactly, negative zero included", () => {
  const state = agent.init(keyFromSeed(6));
  const buffer = new ReplayBuffer({ capacity: 4, observationSize: 3, actionSize: 1 });
  for (let i = 0; i < 6; i++) {
    buffer.add({
      observation: [i, -0, 0.1 * i],
      action: [-i],
      reward: i / 3,
      nextObservation: [i + 1, 0, 1e-30],
      terminated: i === 5,
    });
  }
  const loop = { step: 6, key: [1, 4294967295], observation: [-0, 0.5, 1e-40], episodes: [{ ret: -1.25 }] };
  const replay = { snapshot: buffer.snapshot(), observationSize: 3, actionSize: 1 };
  const bytes = encodeCheckpoint(state, { seed: 6 }, { loop, replay });
  const back = decodeCheckpoint(bytes);
  assert.deepEqual(back.loop, loop);
  assert.ok(Object.is((back.loop as typeof loop).observation[0], -0));
  assert.deepEqual(back.replay, buffer.snapshot());
  assert.deepEqual(encodeCheckpoint(back.state, back.config, { loop: back.loop, replay }), bytes);
  const { tensors } = decodeSafetensors(bytes);
  assert.deepEqual(tensors.get("replay.observations")?.shape, [4, 3]);
  assert.deepEqual(tensors.get("replay.terminated")?.shape, [4, 1]);
});

Deno.test("structureMismatch names the first field, shape or entry that differs", () => {
  const a = agent.init(keyFromSeed(1));
  const wider = makeTd3({
    ...TD3_DEFAULTS,
    observationSize: 3,
    actionSize: 1,
    bounds: { low: [-2], high: [2] },
    hidden: [8, 9],
  });
  const b = wider.init(keyFromSeed(1));
  assert.equal(structureMismatch(a, agent.init(keyFromSeed(2))), undefined);
  assert.equal(structureMismatch(a, b), "actor.1.b has shape [8], expected [9]");
  const { critics: _, ...noCritics } = a;
  assert.equal(structureMismatch(noCritics, a), "critics is missing");
  assert.equal(structureMismatch({ ...a, extra: 1 }, a), "extra is not expected");
  assert.equal(structureMismatch({ ...a, updates: "3" }, a), "updates should be a number");
  assert.equal(structureMismatch({ ...a, actor: a.actor.slice(1) }, a), "actor has 2 entries, expected 3");
  assert.equal(structureMismatch({ ...a, actor: { ...a.actor } }, a), "actor should be a list");
  assert.equal(structureMismatch({ ...a, key: a.actor[0].w }, a), "key should be a list");
  assert.equal(structureMismatch({ ...a, actor: [1, 2, 3] }, a), "actor.0 should be a record");
  assert.equal(structureMismatch(1, a), "the state should be a record");
  assert.equal(structureMismatch({ x: 1 }, { x: {} }), "x should be a record");
  assert.equal(structureMismatch({ x: { y: 1 } }, { x: {} }), "x.y is not expected");
  assert.equal(structureMismatch({ x: null }, { x: [] }), "x should be a list");
  assert.equal(structureMismatch({ x: { y: 1 } }, { x: null }), undefined);
  disposeTree([a, b]);
});

Deno.test("firstNonFinite finds the first tensor holding NaN or infinity", () => {
  const state = agent.init(keyFromSeed(1));
  assert.equal(firstNonFinite(state), undefined);
  const poisoned = {
    ...state,
    critics: {
      ...state.critics,
      q2: [state.critics.q2[0], { ...state.critics.q2[1], b: tf.fill([8], Infinity) }, state.critics.q2[2]],
    },
  };
  assert.equal(firstNonFinite(poisoned), "critics.q2.1.b");
  assert.equal(firstNonFinite({ x: tf.tensor([1, NaN]) }), "x");
  // With several bad tensors, the first in sorted path order, whatever the key order of the record.
  const bad = tf.tensor([NaN]);
  assert.equal(firstNonFinite({ z: bad, b: [tf.scalar(1), bad], a: new Float32Array([NaN]) }), "b.1");
});

Deno.test("a tfjs state and its host tree convert both ways, and the file names and tags are the format's", () => {
  const state = agent.init(keyFromSeed(3));
  const hostState = toHostTree(state) as { actor: { w: { shape: number[]; data: Float32Array } }[] };
  assert.deepEqual(hostState.actor[0].w.shape, [3, 8]);
  assert.deepEqual(hostState.actor[0].w.data, state.actor[0].w.dataSync());
  assert.deepEqual(encodeHostCheckpoint(hostState, { seed: 3 }), encodeCheckpoint(state, { seed: 3 }));
  const back = fromHostTree(hostState) as Td3State;
  assert.ok(back.actor[0].w instanceof tf.Tensor);
  assert.equal(structureMismatch(back, state), undefined);
  assert.deepEqual(back.key, state.key);
  assert.deepEqual(
    [CHECKPOINT_FILE, CHECKPOINT_FORMAT, POLICY_FILE, POLICY_FORMAT],
    ["checkpoint.safetensors", "td3-sac-checkpoint/1", "policy.safetensors", "td3-sac-policy/1"],
  );
  disposeTree([state, back]);
});

Deno.test("a checkpoint that fails to decode leaves no tensor behind", () => {
  const state = agent.init(keyFromSeed(4));
  const bytes = encodeCheckpoint(state, {}, { loop: { step: 1 } });
  disposeTree(state);
  const start = tf.memory().numTensors;
  const { tensors, metadata } = decodeSafetensors(bytes);
  // The state is rebuilt before the config is parsed: without host decoding, its tensors would leak here.
  assert.throws(() => decodeCheckpoint(encodeSafetensors(tensors, { ...metadata, config: "{" })), /"config"/);
  tensors.delete("critics.q2.2.w");
  assert.throws(
    () => decodeCheckpoint(encodeSafetensors(tensors, metadata)),
    /misses tensor "critics.q2.2.w"/,
  );
  assert.equal(tf.memory().numTensors, start);
});

Deno.test("a truncated or altered checkpoint is rejected with one line", () => {
  const bytes = encodeCheckpoint(agent.init(keyFromSeed(1)), {});
  for (const bad of [bytes.slice(0, bytes.length - 1), bytes.slice(0, 20), new Uint8Array(0)]) {
    assert.throws(() => decodeCheckpoint(bad), (e: Error) => !e.message.includes("\n"));
  }
  assert.throws(() => decodeCheckpoint(bytes, "td3-sac-policy/1"), /not a td3-sac-policy\/1 file/);
});

Deno.test("writeFileAtomic never writes through a link planted at a temporary name", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/outside`, "precious");
    await Deno.symlink(`${dir}/outside`, `${dir}/evals.csv.tmp`); // the name earlier versions used
    await writeFileAtomic(`${dir}/evals.csv`, "a,b\n", { sync: true });
    assert.equal(await Deno.readTextFile(`${dir}/evals.csv`), "a,b\n");
    assert.equal(await Deno.readTextFile(`${dir}/outside`), "precious");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeFileAtomic: a failed write rethrows, leaves the target as it was and no temporary file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // A non-empty folder where the file should go: the final rename fails.
    await Deno.mkdir(`${dir}/policy.safetensors/inner`, { recursive: true });
    await assert.rejects(() => writeFileAtomic(`${dir}/policy.safetensors`, new Uint8Array(1 << 20)));
    const names: string[] = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    assert.deepEqual(names, ["policy.safetensors"]);
    assert.ok((await Deno.stat(`${dir}/policy.safetensors/inner`)).isDirectory);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("temporaryName: beside the target, unique per call", () => {
  const [a, b] = [temporaryName("run/x.csv"), temporaryName("run/x.csv")];
  assert.notEqual(a, b);
  assert.match(a, new RegExp(`^run/x\\.csv\\.${Deno.pid}-\\d+\\.tmp$`));
});
