import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { decodeCheckpoint, encodeCheckpoint, writeFileAtomic } from "./checkpoint.ts";
import { decodeSafetensors } from "./safetensors.ts";
import { makeTd3, TD3_DEFAULTS, type Td3State } from "../core/agents/td3.ts";
import { keyFromSeed } from "../core/rng.ts";
import { tensorsIn } from "./memory.ts";

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
