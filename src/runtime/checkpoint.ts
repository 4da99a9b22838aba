/**
 * Agent checkpoints as safetensors files: every tensor of the agent state under its dotted path (so that
 * `actor.0.w` can be read by any safetensors reader), and the rest of the state (keys, counters, the
 * structure) plus the run configuration as JSON in the header's `__metadata__`. A training checkpoint also
 * holds where the training loop stands (`loop`, JSON) and optionally the replay buffer (`replay.*`
 * tensors). Writes are atomic.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ReplaySnapshot } from "../replay/buffer.ts";
import { decodeSafetensors, encodeSafetensors, type F32Tensor } from "../formats/safetensors.ts";

/** Format tag stored in every checkpoint. */
export const CHECKPOINT_FORMAT = "td3-sac-checkpoint/1";

/** File name of the agent checkpoint inside a run folder. */
export const CHECKPOINT_FILE = "checkpoint.safetensors";

/** Format tag of a policy file: the actor's weights and the run configuration alone. */
export const POLICY_FORMAT = "td3-sac-policy/1";

/** File name of the exported policy inside a run folder. */
export const POLICY_FILE = "policy.safetensors";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

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
}

/** JSON writes −0 as 0; the loop state keeps it (an observation may hold one), as `{"-0": 0}`. */
const keepNegativeZero = (_key: string, v: unknown) => Object.is(v, -0) ? { "-0": 0 } : v;
const restoreNegativeZero = (_key: string, v: unknown) =>
  typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).join() === "-0" ? -0 : v;

const REPLAY_FIELDS = ["observations", "actions", "rewards", "nextObservations", "terminated"] as const;

/**
 * Encode an agent state (any record of tensors, numbers, arrays) and its config as safetensors bytes.
 * Byte-deterministic for equal inputs.
 *
 * @param state the agent state
 * @param config the run configuration (JSON-serializable)
 * @param extras the training loop's position and the replay buffer, when saved
 * @returns the file bytes
 */
export function encodeCheckpoint(state: unknown, config: unknown, extras: CheckpointExtras = {}): Uint8Array {
  const tensors: Record<string, F32Tensor> = {};
  const walk = (v: unknown, path: string): Json => {
    if (v instanceof tf.Tensor) {
      tensors[path] = { shape: v.shape, data: v.dataSync() as Float32Array };
      return { $tensor: path };
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, path === "" ? String(i) : `${path}.${i}`));
    if (typeof v === "object" && v !== null) {
      const out: { [k: string]: Json } = {};
      for (const k of Object.keys(v).sort()) {
        out[k] = walk((v as Record<string, unknown>)[k], path === "" ? k : `${path}.${k}`);
      }
      return out;
    }
    if (v === undefined) return null;
    return v as Json;
  };
  const structure = walk(state, "");
  const metadata: Record<string, string> = {
    format: extras.format ?? CHECKPOINT_FORMAT,
    config: JSON.stringify(config),
    state: JSON.stringify(structure),
  };
  if (extras.loop !== undefined) metadata.loop = JSON.stringify(extras.loop, keepNegativeZero);
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

/** A decoded checkpoint: the state with fresh tensors (owned by the caller) and the stored config. */
export interface DecodedCheckpoint {
  /** The agent state, rebuilt with new tensors. */
  readonly state: unknown;
  /** The configuration stored with it. */
  readonly config: unknown;
  /** The training loop's position, when stored. */
  readonly loop?: unknown;
  /** The replay buffer, when stored. */
  readonly replay?: ReplaySnapshot;
}

/**
 * Decode checkpoint bytes; throws an Error with a one-line message when they are not a checkpoint.
 *
 * @param bytes file contents
 * @param format the format tag expected, {@link CHECKPOINT_FORMAT} unless given
 * @returns the state and config
 */
export function decodeCheckpoint(bytes: Uint8Array, format: string = CHECKPOINT_FORMAT): DecodedCheckpoint {
  const { tensors, metadata } = decodeSafetensors(bytes);
  if (metadata.format !== format) throw new Error(`not a ${format} file`);
  const json = (field: string): Json => {
    try {
      return JSON.parse(metadata[field], field === "loop" ? restoreNegativeZero : undefined);
    } catch {
      throw new Error(`checkpoint's "${field}" metadata is missing or not JSON`);
    }
  };
  const build = (v: Json): unknown => {
    if (Array.isArray(v)) return v.map(build);
    if (typeof v === "object" && v !== null) {
      if (typeof v.$tensor === "string") {
        const t = tensors.get(v.$tensor);
        if (t === undefined) throw new Error(`checkpoint misses tensor "${v.$tensor}"`);
        return tf.tensor(t.data, t.shape);
      }
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, build(x)]));
    }
    return v;
  };
  let replay: ReplaySnapshot | undefined;
  if (metadata.replay !== undefined) {
    const { size, head } = json("replay") as { size: number; head: number };
    const field = (name: string) => {
      const t = tensors.get(`replay.${name}`);
      if (t === undefined) throw new Error(`checkpoint misses tensor "replay.${name}"`);
      return t.data;
    };
    replay = {
      size,
      head,
      observations: field("observations"),
      actions: field("actions"),
      rewards: field("rewards"),
      nextObservations: field("nextObservations"),
      terminated: field("terminated"),
    };
  }
  const state = build(json("state"));
  return {
    state,
    config: json("config"),
    ...(metadata.loop === undefined ? {} : { loop: json("loop") }),
    ...(replay === undefined ? {} : { replay }),
  };
}

/**
 * The first place where a value's structure differs from a reference's: a missing or extra field, a
 * tensor where the reference has none, or a tensor of another shape. Used to refuse a checkpoint that does
 * not fit its algorithm, environment or network sizes.
 *
 * @param value a decoded state
 * @param reference a freshly initialized state of the expected configuration
 * @returns a one-line description of the first difference, or undefined when they match
 */
export function structureMismatch(value: unknown, reference: unknown): string | undefined {
  const visit = (v: unknown, r: unknown, path: string): string | undefined => {
    const at = path === "" ? "the state" : path;
    if (r instanceof tf.Tensor) {
      if (!(v instanceof tf.Tensor)) return `${at} should be a tensor`;
      return v.shape.join() === r.shape.join()
        ? undefined
        : `${at} has shape [${v.shape}], expected [${r.shape}]`;
    }
    if (Array.isArray(r)) {
      if (!Array.isArray(v)) return `${at} should be a list`;
      if (v.length !== r.length) return `${at} has ${v.length} entries, expected ${r.length}`;
      for (let i = 0; i < r.length; i++) {
        const m = visit(v[i], r[i], path === "" ? String(i) : `${path}.${i}`);
        if (m !== undefined) return m;
      }
      return undefined;
    }
    if (typeof r === "object" && r !== null) {
      if (typeof v !== "object" || v === null || v instanceof tf.Tensor) return `${at} should be a record`;
      const keys = Object.keys(r).sort();
      const got = Object.keys(v).sort();
      const missing = keys.find((k) => !got.includes(k));
      if (missing !== undefined) return `${path === "" ? "" : path + "."}${missing} is missing`;
      const extra = got.find((k) => !keys.includes(k));
      if (extra !== undefined) return `${path === "" ? "" : path + "."}${extra} is not expected`;
      for (const k of keys) {
        const m = visit(
          (v as Record<string, unknown>)[k],
          (r as Record<string, unknown>)[k],
          path === "" ? k : `${path}.${k}`,
        );
        if (m !== undefined) return m;
      }
      return undefined;
    }
    return typeof v === typeof r ? undefined : `${at} should be a ${typeof r}`;
  };
  return visit(value, reference, "");
}

/**
 * The dotted path of the first tensor holding a NaN or an infinity, if any.
 *
 * @param state any record of tensors
 * @returns the path, or undefined when every value is finite
 */
export function firstNonFinite(state: unknown): string | undefined {
  const visit = (v: unknown, path: string): string | undefined => {
    if (v instanceof tf.Tensor) {
      const data = v.dataSync();
      for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return path;
      return undefined;
    }
    if (typeof v === "object" && v !== null && !ArrayBuffer.isView(v)) {
      for (const [k, x] of Object.entries(v)) {
        const m = visit(x, path === "" ? k : `${path}.${k}`);
        if (m !== undefined) return m;
      }
    }
    return undefined;
  };
  return visit(state, "");
}

/**
 * Write bytes atomically: a temporary file in the same folder, then a rename over the target.
 *
 * @param path target file
 * @param bytes contents
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  const tmp = `${path}.tmp`;
  if (typeof bytes === "string") await Deno.writeTextFile(tmp, bytes);
  else await Deno.writeFile(tmp, bytes);
  await Deno.rename(tmp, path);
}
