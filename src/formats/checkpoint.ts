/**
 * The checkpoint file format, on host memory alone: a safetensors file holding every tensor of an agent
 * state under its dotted path (so that `actor.0.w` can be read by any safetensors reader), and in the
 * header's `__metadata__`:
 *
 * - `format`: the format tag ({@link CHECKPOINT_FORMAT}, or {@link POLICY_FORMAT} for a policy file);
 * - `config`: the run configuration, JSON;
 * - `state`: the state's structure, JSON, each tensor replaced by `{"$tensor": path}`, records with sorted
 *   keys, `undefined` written as `null`;
 * - `loop` (training checkpoints): where the training loop stands, JSON, with −0 written as `{"-0": 0}`;
 * - `replay` (when the buffer is saved): `{"size", "head"}`, JSON, the rows being the tensors
 *   `replay.observations`, `replay.actions`, `replay.rewards`, `replay.nextObservations` and
 *   `replay.terminated`, each `[size, width]`;
 * - `spaces` (policy files since 0.2.0): the environment's spaces the actor was sized for,
 *   `{"observationSize", "actionSize", "actionLow", "actionHigh"}`, JSON, so that a policy trained on an
 *   environment that is not built in can act without it.
 *
 * Tensors here are host tensors ({@link F32Tensor}: a shape and a Float32Array); `runtime/checkpoint.ts`
 * converts to and from tfjs. Encoding is byte-deterministic: the bytes depend only on the values, never on
 * the insertion order of records (the loop JSON excepted, which is written in its own key order).
 *
 * @module
 */
import type { ReplaySnapshot } from "../replay/buffer.ts";
import { mapTree } from "../core/tree.ts";
import { type DecodedTensor, decodeSafetensors, encodeSafetensors, type F32Tensor } from "./safetensors.ts";

/** Format tag stored in every checkpoint. */
export const CHECKPOINT_FORMAT = "td3-sac-checkpoint/1";

/** File name of the agent checkpoint inside a run folder. */
export const CHECKPOINT_FILE = "checkpoint.safetensors";

/** Format tag of a policy file: the actor's weights and the run configuration alone. */
export const POLICY_FORMAT = "td3-sac-policy/1";

/** File name of the exported policy inside a run folder. */
export const POLICY_FILE = "policy.safetensors";

/** What a checkpoint may hold beside the agent state and config. */
export interface CheckpointExtras {
  /** Where the training loop stands (JSON-serializable; finite numbers only). */
  readonly loop?: unknown;
  /** The replay buffer's contents, with its observation and action sizes. */
  readonly replay?: {
    readonly snapshot: ReplaySnapshot;
    readonly observationSize: number;
    readonly actionSize: number;
  };
  /** Format tag, {@link CHECKPOINT_FORMAT} unless given (policy files use {@link POLICY_FORMAT}). */
  readonly format?: string;
  /** The environment's spaces the state is sized for (written by policy files). */
  readonly spaces?: StoredSpaces;
}

/** An environment's spaces as a file stores them: what acting needs beside the weights. */
export interface StoredSpaces {
  /** Observation length. */
  readonly observationSize: number;
  /** Action length. */
  readonly actionSize: number;
  /** Lower action bounds. */
  readonly actionLow: readonly number[];
  /** Upper action bounds. */
  readonly actionHigh: readonly number[];
}

/** A decoded checkpoint on the host: the state with {@link DecodedTensor} leaves, and the stored config. */
export interface HostCheckpoint {
  /** The agent state; each tensor is a fresh `{shape, data}` owned by the caller. */
  readonly state: unknown;
  /** The configuration stored with it. */
  readonly config: unknown;
  /** The training loop's position, when stored, as parsed (its key order kept). */
  readonly loop?: unknown;
  /** The replay buffer, when stored. */
  readonly replay?: ReplaySnapshot;
  /** The spaces, when stored, as parsed (unchecked). */
  readonly spaces?: unknown;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * Whether a value of a host state is a tensor: a record with an array `shape` and an ArrayBuffer view as
 * `data`. (A state must not hold such a record as anything but a tensor.)
 *
 * @param x a value of a state
 * @returns whether it is written as a tensor
 */
export function isHostTensor(x: unknown): x is F32Tensor {
  if (typeof x !== "object" || x === null || Array.isArray(x)) return false;
  const { shape, data } = x as { shape?: unknown; data?: unknown };
  return Array.isArray(shape) && ArrayBuffer.isView(data);
}

function isPlaceholder(x: unknown): x is { $tensor: string } {
  return typeof x === "object" && x !== null && !Array.isArray(x) &&
    typeof (x as { $tensor?: unknown }).$tensor === "string";
}

/** JSON writes −0 as 0; the loop state keeps it (an observation may hold one), as `{"-0": 0}`. */
const keepNegativeZero = (_key: string, v: unknown) => Object.is(v, -0) ? { "-0": 0 } : v;
const restoreNegativeZero = (_key: string, v: unknown) =>
  typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).join() === "-0" ? -0 : v;

/**
 * The loop record as checkpoints store it: JSON in the record's own key order, −0 written as `{"-0": 0}`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseLoopJson, stringifyLoopJson } from "./checkpoint.ts";
 *
 * assert.equal(stringifyLoopJson({ step: 3, observation: [-0, 1] }), '{"step":3,"observation":[{"-0":0},1]}');
 * assert.ok(Object.is((parseLoopJson('{"x":{"-0":0}}') as { x: number }).x, -0));
 * ```
 *
 * @param loop the loop state (JSON-serializable)
 * @returns its JSON text
 */
export function stringifyLoopJson(loop: unknown): string {
  return JSON.stringify(loop, keepNegativeZero);
}

/**
 * Parse loop JSON written by {@link stringifyLoopJson}, −0 restored.
 *
 * @param text the JSON text
 * @returns the loop state, keys in their stored order
 */
export function parseLoopJson(text: string): unknown {
  return JSON.parse(text, restoreNegativeZero);
}

const REPLAY_FIELDS = ["observations", "actions", "rewards", "nextObservations", "terminated"] as const;

/**
 * Encode a host state (a tree of {@link F32Tensor}s, numbers, strings, arrays, records) and its config as
 * checkpoint bytes. Byte-deterministic for equal inputs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeHostCheckpoint, encodeHostCheckpoint } from "./checkpoint.ts";
 *
 * const state = { actor: [{ w: { shape: [2], data: new Float32Array([1, 2]) } }], updates: 3 };
 * const back = decodeHostCheckpoint(encodeHostCheckpoint(state, { seed: 0 }));
 * assert.deepEqual(back.state, { actor: [{ w: { shape: [2], data: new Float32Array([1, 2]) } }], updates: 3 });
 * ```
 *
 * @param state the agent state with host tensors
 * @param config the run configuration (JSON-serializable)
 * @param extras the training loop's position and the replay buffer, when saved, and the format tag
 * @returns the file bytes
 */
export function encodeHostCheckpoint(
  state: unknown,
  config: unknown,
  extras: CheckpointExtras = {},
): Uint8Array {
  const tensors: Record<string, F32Tensor> = {};
  const structure = mapTree(state, (leaf, path) => {
    if (isHostTensor(leaf)) {
      tensors[path] = leaf;
      return { $tensor: path };
    }
    return leaf === undefined ? null : leaf;
  }, { isLeaf: isHostTensor });
  const metadata: Record<string, string> = {
    format: extras.format ?? CHECKPOINT_FORMAT,
    config: JSON.stringify(config),
    state: JSON.stringify(structure),
  };
  if (extras.loop !== undefined) metadata.loop = stringifyLoopJson(extras.loop);
  if (extras.spaces !== undefined) {
    const { observationSize, actionSize, actionLow, actionHigh } = extras.spaces;
    metadata.spaces = JSON.stringify({ observationSize, actionSize, actionLow, actionHigh });
  }
  if (extras.replay !== undefined) {
    const { snapshot, observationSize: o, actionSize: a } = extras.replay;
    const widths = { observations: o, actions: a, rewards: 1, nextObservations: o, terminated: 1 };
    for (const field of REPLAY_FIELDS) {
      tensors[`replay.${field}`] = { shape: [snapshot.size, widths[field]], data: snapshot[field] };
    }
    metadata.replay = JSON.stringify({ size: snapshot.size, head: snapshot.head });
  }
  return encodeSafetensors(tensors, metadata);
}

/**
 * Decode checkpoint bytes to host tensors; throws an Error with a one-line message when they are not a
 * checkpoint of the expected format.
 *
 * @param bytes file contents
 * @param format the format tag expected, {@link CHECKPOINT_FORMAT} unless given
 * @returns the state (records rebuilt with sorted keys), config, loop and replay buffer
 */
export function decodeHostCheckpoint(bytes: Uint8Array, format: string = CHECKPOINT_FORMAT): HostCheckpoint {
  const { tensors, metadata } = decodeSafetensors(bytes);
  if (metadata.format !== format) throw new Error(`not a ${format} file`);
  const json = (field: string): Json => {
    try {
      return (field === "loop" ? parseLoopJson(metadata[field]) : JSON.parse(metadata[field])) as Json;
    } catch {
      throw new Error(`checkpoint's "${field}" metadata is missing or not JSON`);
    }
  };
  const tensor = (name: string): DecodedTensor => {
    const t = tensors.get(name);
    if (t === undefined) throw new Error(`checkpoint misses tensor "${name}"`);
    return t;
  };
  let replay: ReplaySnapshot | undefined;
  if (metadata.replay !== undefined) {
    const { size, head } = json("replay") as { size: number; head: number };
    replay = {
      size,
      head,
      observations: tensor("replay.observations").data,
      actions: tensor("replay.actions").data,
      rewards: tensor("replay.rewards").data,
      nextObservations: tensor("replay.nextObservations").data,
      terminated: tensor("replay.terminated").data,
    };
  }
  const state = mapTree(json("state"), (leaf) => isPlaceholder(leaf) ? tensor(leaf.$tensor) : leaf, {
    isLeaf: isPlaceholder,
  });
  return {
    state,
    config: json("config"),
    ...(metadata.loop === undefined ? {} : { loop: json("loop") }),
    ...(replay === undefined ? {} : { replay }),
    ...(metadata.spaces === undefined ? {} : { spaces: json("spaces") }),
  };
}
