/**
 * Agent checkpoints as safetensors files: every tensor of the agent state under its dotted path (so that
 * `actor.0.w` can be read by any safetensors reader), and the rest of the state (keys, counters, the
 * structure) plus the run configuration as JSON in the header's `__metadata__`. Writes are atomic.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { decodeSafetensors, encodeSafetensors } from "./safetensors.ts";

/** Format tag stored in every checkpoint. */
export const CHECKPOINT_FORMAT = "td3-sac-checkpoint/1";

/** File name of the agent checkpoint inside a run folder. */
export const CHECKPOINT_FILE = "checkpoint.safetensors";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * Encode an agent state (any record of tensors, numbers, arrays) and its config as safetensors bytes.
 * Byte-deterministic for equal inputs.
 *
 * @param state the agent state
 * @param config the run configuration (JSON-serializable)
 * @returns the file bytes
 */
export function encodeCheckpoint(state: unknown, config: unknown): Uint8Array {
  const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
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
  return encodeSafetensors(tensors, {
    format: CHECKPOINT_FORMAT,
    config: JSON.stringify(config),
    state: JSON.stringify(structure),
  });
}

/** A decoded checkpoint: the state with fresh tensors (owned by the caller) and the stored config. */
export interface DecodedCheckpoint {
  /** The agent state, rebuilt with new tensors. */
  readonly state: unknown;
  /** The configuration stored with it. */
  readonly config: unknown;
}

/**
 * Decode checkpoint bytes; throws an Error with a one-line message when they are not a checkpoint.
 *
 * @param bytes file contents
 * @returns the state and config
 */
export function decodeCheckpoint(bytes: Uint8Array): DecodedCheckpoint {
  const { tensors, metadata } = decodeSafetensors(bytes);
  if (metadata.format !== CHECKPOINT_FORMAT) throw new Error(`not a ${CHECKPOINT_FORMAT} file`);
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
  return { state: build(JSON.parse(metadata.state)), config: JSON.parse(metadata.config) };
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
