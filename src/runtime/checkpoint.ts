/**
 * Agent checkpoints, tfjs side: the byte format lives in `formats/checkpoint.ts` and works on host tensors;
 * this module converts an agent state of tf.Tensors to that host tree and back, and holds the checks run on
 * states (structure against a reference, finiteness) and the atomic file write. Everything callers import
 * from here (tags, file names, {@link encodeCheckpoint}, {@link decodeCheckpoint}) keeps its name and
 * signature.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { mapTree, walk } from "../core/tree.ts";
import {
  CHECKPOINT_FORMAT,
  type CheckpointExtras,
  decodeHostCheckpoint,
  encodeHostCheckpoint,
  isHostTensor,
} from "../formats/checkpoint.ts";
import type { ReplaySnapshot } from "../replay/buffer.ts";

export {
  CHECKPOINT_FILE,
  CHECKPOINT_FORMAT,
  type CheckpointExtras,
  POLICY_FILE,
  POLICY_FORMAT,
  type StoredSpaces,
} from "../formats/checkpoint.ts";

function isTensor(x: unknown): x is tf.Tensor {
  return x instanceof tf.Tensor;
}

/**
 * A copy of a state with every tf.Tensor read back to a host tensor `{shape, data}` (records rebuilt with
 * sorted keys, other values kept).
 *
 * @param state a state holding tf.Tensors
 * @returns the same tree on the host
 */
export function toHostTree(state: unknown): unknown {
  return mapTree(
    state,
    (leaf) => isTensor(leaf) ? { shape: leaf.shape, data: leaf.dataSync() as Float32Array } : leaf,
    { isLeaf: isTensor },
  );
}

/**
 * A copy of a host tree with every host tensor `{shape, data}` made a new tf.Tensor (owned by the caller).
 *
 * @param host a tree holding host tensors
 * @returns the same tree with tf.Tensors
 */
export function fromHostTree(host: unknown): unknown {
  return mapTree(host, (leaf) => isHostTensor(leaf) ? tf.tensor(leaf.data, [...leaf.shape]) : leaf, {
    isLeaf: isHostTensor,
  });
}

/**
 * Encode an agent state (any record of tensors, numbers, arrays) and its config as safetensors bytes, in
 * the format of `formats/checkpoint.ts`. Byte-deterministic for equal inputs.
 *
 * @param state the agent state
 * @param config the run configuration (JSON-serializable)
 * @param extras the training loop's position and the replay buffer, when saved
 * @returns the file bytes
 */
export function encodeCheckpoint(state: unknown, config: unknown, extras: CheckpointExtras = {}): Uint8Array {
  return encodeHostCheckpoint(toHostTree(state), config, extras);
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
  /** The environment's spaces, when stored (policy files), as parsed (unchecked). */
  readonly spaces?: unknown;
}

/**
 * Decode checkpoint bytes; throws an Error with a one-line message when they are not a checkpoint. No
 * tensor is made unless the whole file decodes.
 *
 * @param bytes file contents
 * @param format the format tag expected, {@link CHECKPOINT_FORMAT} unless given
 * @returns the state and config
 */
export function decodeCheckpoint(bytes: Uint8Array, format: string = CHECKPOINT_FORMAT): DecodedCheckpoint {
  const host = decodeHostCheckpoint(bytes, format);
  return { ...host, state: fromHostTree(host.state) };
}

function isContainer(x: unknown): boolean {
  return typeof x === "object" && x !== null && !ArrayBuffer.isView(x) && !isTensor(x);
}

/** Empty records and lists are leaves for {@link structureMismatch}, so that they are compared too. */
function isEmptyOrTensor(x: unknown): boolean {
  return isTensor(x) || (isContainer(x) && Object.keys(x as object).length === 0);
}

/** The difference between two nodes at `path`, not looking below them. */
function nodeMismatch(v: unknown, r: unknown, path: string): string | undefined {
  const at = path === "" ? "the state" : path;
  if (isTensor(r)) {
    if (!isTensor(v)) return `${at} should be a tensor`;
    return v.shape.join() === r.shape.join()
      ? undefined
      : `${at} has shape [${v.shape}], expected [${r.shape}]`;
  }
  if (Array.isArray(r)) {
    if (!Array.isArray(v)) return `${at} should be a list`;
    return v.length === r.length ? undefined : `${at} has ${v.length} entries, expected ${r.length}`;
  }
  if (isContainer(r)) {
    if (!isContainer(v)) return `${at} should be a record`;
    const keys = Object.keys(r as object).sort();
    const got = Object.keys(v as object).sort();
    const under = path === "" ? "" : `${path}.`;
    const missing = keys.find((k) => !got.includes(k));
    if (missing !== undefined) return `${under}${missing} is missing`;
    const extra = got.find((k) => !keys.includes(k));
    return extra === undefined ? undefined : `${under}${extra} is not expected`;
  }
  return typeof v === typeof r ? undefined : `${at} should be a ${typeof r}`;
}

/**
 * The first place where a value's structure differs from a reference's: a missing or extra field, a
 * tensor where the reference has none, or a tensor of another shape. Used to refuse a checkpoint that does
 * not fit its algorithm, environment or network sizes. Nodes are compared in walk order (records by sorted
 * key, lists by index, a node before what it holds): first along the reference's leaves, then along the
 * value's; below a reference leaf that is not a tensor (a number, `null`, a typed array) nothing is compared.
 * Record keys must not contain dots.
 *
 * @param value a decoded state
 * @param reference a freshly initialized state of the expected configuration
 * @returns a one-line description of the first difference, or undefined when they match
 */
export function structureMismatch(value: unknown, reference: unknown): string | undefined {
  const checked = new Set<string>();
  const along = (path: string): string | undefined => {
    const keys = path === "" ? [] : path.split(".");
    let v = value, r = reference, at = "";
    for (let depth = 0;; depth++) {
      if (!checked.has(at)) {
        checked.add(at);
        const m = nodeMismatch(v, r, at);
        if (m !== undefined) return m;
      }
      if (depth === keys.length || isEmptyOrTensor(r) || !isContainer(r)) return undefined;
      const k = keys[depth];
      v = (v as Record<string, unknown>)[k];
      r = (r as Record<string, unknown>)[k];
      at = at === "" ? k : `${at}.${k}`;
    }
  };
  for (const tree of [reference, value]) {
    for (const [path] of walk(tree, { isLeaf: isEmptyOrTensor })) {
      const m = along(path);
      if (m !== undefined) return m;
    }
  }
  return undefined;
}

/**
 * The dotted path of the first tensor (a tf.Tensor or a host tensor) holding a NaN or an infinity, if any.
 * Tensors are visited in walk order (records by sorted key, lists by index), so with several bad tensors
 * the reported one is the first in sorted path order (`actor.…` before `critics.…`), whatever the state's
 * key order.
 *
 * @param state any record of tensors or host tensors
 * @returns the path, or undefined when every value is finite
 */
export function firstNonFinite(state: unknown): string | undefined {
  const isLeaf = (x: unknown) => isTensor(x) || isHostTensor(x);
  for (const [path, leaf] of walk(state, { isLeaf })) {
    if (!isLeaf(leaf)) continue;
    const data = isTensor(leaf) ? leaf.dataSync() : (leaf as { data: Float32Array }).data;
    for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return path;
  }
  return undefined;
}

/** Temporary files made by this process so far (for unique names). */
let temporaries = 0;

/**
 * The name of a temporary file beside `path`, unique to this process and call: `PATH.PID-N.tmp`.
 *
 * @param path the target file
 * @returns the temporary name
 */
export function temporaryName(path: string): string {
  return `${path}.${Deno.pid}-${temporaries++}.tmp`;
}

/** Options of {@link writeFileAtomic}. */
export interface WriteAtomicOptions {
  /** Flush the file and then its folder to the disk before returning (checkpoints), default false. */
  readonly sync?: boolean;
}

/**
 * Write bytes atomically: a new temporary file in the same folder, then a rename over the target. The
 * temporary name is unique ({@link temporaryName}) and created exclusively, so a file or link already at
 * that name is never written through; on any failure the temporary file is removed and the target is left
 * as it was.
 *
 * @param path target file
 * @param bytes contents
 * @param options whether to flush file and folder to the disk
 */
export async function writeFileAtomic(
  path: string,
  bytes: Uint8Array | string,
  options: WriteAtomicOptions = {},
): Promise<void> {
  const data = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
  const tmp = temporaryName(path);
  let created = false;
  try {
    const file = await Deno.open(tmp, { write: true, createNew: true });
    created = true;
    try {
      for (let at = 0; at < data.length;) at += await file.write(data.subarray(at));
      if (options.sync) await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(tmp, path);
    created = false;
  } finally {
    if (created) await Deno.remove(tmp).catch(() => {});
  }
  if (options.sync) await syncFolder(path);
}

/** Flush the folder holding `path` (so a rename into it is on the disk); a no-op where folders cannot be opened. */
async function syncFolder(path: string): Promise<void> {
  const folder = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) || "/" : ".";
  let dir: Deno.FsFile;
  try {
    dir = await Deno.open(folder, { read: true });
  } catch {
    return; // Windows cannot open a folder as a file
  }
  try {
    await dir.sync();
  } catch {
    // some file systems refuse fsync on a folder: the rename is still atomic
  } finally {
    dir.close();
  }
}
