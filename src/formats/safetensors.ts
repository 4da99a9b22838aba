/**
 * The safetensors file format (Hugging Face): an 8-byte little-endian u64 header length `N`, `N` bytes of
 * UTF-8 JSON header, then the raw data buffer. The header maps each tensor name to
 * `{"dtype", "shape", "data_offsets": [begin, end]}` (offsets relative to the data buffer) and may hold a
 * `"__metadata__"` record of string to string.
 *
 * Writing supports float32 only and is byte-deterministic: tensors are laid out in sorted name order, the
 * header lists `"__metadata__"` first (always present, possibly empty) and then the tensors in the same order,
 * and the header is padded with trailing spaces so the data buffer starts at an 8-byte aligned offset.
 * Reading validates the whole file and returns copies, never views into the input.
 *
 * @module
 */

/** A float32 tensor to write: row-major data whose length is the product of `shape` (1 for a scalar). */
export interface F32Tensor {
  /** Dimensions; `[]` for a scalar. */
  readonly shape: readonly number[];
  /** Row-major values. */
  readonly data: Float32Array;
}

/** A tensor read back from a file; `data` is a fresh copy owned by the caller. */
export interface DecodedTensor {
  /** Dimensions; `[]` for a scalar. */
  shape: number[];
  /** Row-major values. */
  data: Float32Array;
}

/** What `decodeSafetensors` returns. */
export interface DecodedSafetensors {
  /** Tensors by name, in sorted name order. */
  tensors: Map<string, DecodedTensor>;
  /** The `"__metadata__"` record, `{}` when the file has none. */
  metadata: Record<string, string>;
}

const METADATA_KEY = "__metadata__";
const F32_BYTES = 4;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function fail(message: string): never {
  throw new Error(`safetensors: ${message}`);
}

/** Code-unit order, the same on every platform and locale. */
function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function isCount(x: unknown): x is number {
  return typeof x === "number" && Number.isSafeInteger(x) && x >= 0;
}

/** Number of elements of a shape, or -1 when it exceeds the safe integer range. */
function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return Number.isSafeInteger(n) ? n : -1;
}

/** Reverse each 4-byte group in place (float32 byte order swap). */
function swapWords(bytes: Uint8Array): void {
  for (let i = 0; i + 3 < bytes.length; i += 4) {
    const b0 = bytes[i], b1 = bytes[i + 1];
    bytes[i] = bytes[i + 3];
    bytes[i + 1] = bytes[i + 2];
    bytes[i + 2] = b1;
    bytes[i + 3] = b0;
  }
}

function tensorEntries(
  tensors: ReadonlyMap<string, F32Tensor> | Readonly<Record<string, F32Tensor>>,
): [string, F32Tensor][] {
  const map = tensors as ReadonlyMap<string, F32Tensor>;
  const isMap = tensors instanceof Map ||
    (typeof map.get === "function" && typeof map.entries === "function");
  const list = isMap ? [...map.entries()] : Object.entries(tensors as Readonly<Record<string, F32Tensor>>);
  return list.sort(([a], [b]) => byName(a, b));
}

/**
 * Encode float32 tensors as a safetensors file. The output depends only on the names, shapes, values and
 * metadata, not on the insertion order of `tensors` or `metadata`; values are stored bit for bit
 * (NaN payloads and -0 included) in little-endian order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeSafetensors, encodeSafetensors } from "./safetensors.ts";
 *
 * const bytes = encodeSafetensors({ w: { shape: [2], data: new Float32Array([1, 2]) } }, { step: "10" });
 * const { tensors, metadata } = decodeSafetensors(bytes);
 * assert.deepEqual([...tensors.get("w")!.data], [1, 2]);
 * assert.deepEqual(metadata, { step: "10" });
 * ```
 *
 * @param tensors tensors by name, as a `Map` or a plain record; `"__metadata__"` is not a valid name
 * @param metadata free-form string metadata stored under `"__metadata__"`
 * @returns the file's bytes
 */
export function encodeSafetensors(
  tensors: ReadonlyMap<string, F32Tensor> | Readonly<Record<string, F32Tensor>>,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const entries = tensorEntries(tensors);
  const metaEntries = Object.entries(metadata).sort(([a], [b]) => byName(a, b));
  for (const [key, value] of metaEntries) {
    if (typeof value !== "string") fail(`metadata value of "${key}" is ${typeof value}, expected a string`);
  }
  // JSON text is assembled key by key: a JS object would move integer-like names ahead of "__metadata__".
  const metaJson = metaEntries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(",");
  const parts = [`${JSON.stringify(METADATA_KEY)}:{${metaJson}}`];
  let offset = 0;
  for (const [name, { shape, data }] of entries) {
    if (name === METADATA_KEY) fail(`"${METADATA_KEY}" cannot be used as a tensor name`);
    if (!(data instanceof Float32Array)) fail(`tensor "${name}": data must be a Float32Array`);
    if (!Array.isArray(shape) || !shape.every(isCount)) {
      fail(`tensor "${name}": shape must be an array of non-negative integers`);
    }
    const count = elementCount(shape);
    if (count !== data.length) {
      fail(`tensor "${name}": shape [${shape.join(",")}] needs ${count} values, data has ${data.length}`);
    }
    const end = offset + data.length * F32_BYTES;
    const info = `{"dtype":"F32","shape":${JSON.stringify(shape)},"data_offsets":[${offset},${end}]}`;
    parts.push(`${JSON.stringify(name)}:${info}`);
    offset = end;
  }
  const json = new TextEncoder().encode(`{${parts.join(",")}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const [, { data }] of entries) {
    const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    out.set(raw, at);
    if (!LITTLE_ENDIAN) swapWords(out.subarray(at, at + raw.length));
    at += raw.length;
  }
  return out;
}

interface Span {
  readonly name: string;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

function parseTensorInfo(name: string, info: unknown): Span {
  const where = `tensor "${name}"`;
  if (!isRecord(info)) fail(`${where}: header entry must be an object`);
  const { dtype, shape, data_offsets: offsets } = info;
  if (typeof dtype !== "string") fail(`${where}: missing or invalid "dtype"`);
  if (dtype !== "F32") fail(`${where}: unsupported dtype "${dtype}" (only F32 is supported)`);
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    fail(`${where}: missing or invalid "shape" (expected an array of non-negative integers)`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    fail(`${where}: missing or invalid "data_offsets" (expected [begin, end])`);
  }
  const [begin, end] = offsets as number[];
  if (begin > end) fail(`${where}: data_offsets [${begin},${end}] has begin after end`);
  const count = elementCount(shape);
  if (count < 0 || (end - begin) !== count * F32_BYTES) {
    fail(
      `${where}: data_offsets [${begin},${end}] span ${end - begin} bytes, ` +
        `shape [${shape.join(",")}] of F32 needs ${count < 0 ? "too many" : count * F32_BYTES}`,
    );
  }
  return { name, shape: [...shape], begin, end };
}

function parseMetadata(value: unknown): Record<string, string> {
  if (!isRecord(value)) fail(`"${METADATA_KEY}" must be an object of strings`);
  const entries = Object.entries(value);
  for (const [key, v] of entries) {
    if (typeof v !== "string") fail(`metadata value of "${key}" is not a string`);
  }
  // fromEntries defines own properties, so a "__proto__" key stays plain data.
  return Object.fromEntries(entries.sort(([a], [b]) => byName(a, b))) as Record<string, string>;
}

/**
 * Decode and validate a safetensors file holding float32 tensors. Throws an `Error` with a one-line message
 * starting with `safetensors:` when the file is truncated, the header is not valid JSON, an entry is
 * malformed or has a dtype other than F32, offsets do not match the shapes, or the tensors do not tile the
 * data buffer exactly (overlaps, gaps and trailing bytes are all rejected).
 *
 * @param bytes the whole file
 * @returns tensors (sorted by name, data copied out of `bytes`) and metadata
 */
export function decodeSafetensors(bytes: Uint8Array): DecodedSafetensors {
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(bytes.length - 8)) {
    fail(`header length ${declared} goes beyond the end of the ${bytes.length}-byte file`);
  }
  const headerLength = Number(declared);
  let header: unknown;
  try {
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(
      bytes.subarray(8, 8 + headerLength),
    );
    header = JSON.parse(text);
  } catch {
    fail("header is not valid UTF-8 JSON");
  }
  if (!isRecord(header)) fail("header must be a JSON object");

  let metadata: Record<string, string> = {};
  const spans: Span[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === METADATA_KEY) metadata = parseMetadata(info);
    else spans.push(parseTensorInfo(name, info));
  }

  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const byOffset = [...spans].sort((a, b) => a.begin - b.begin || a.end - b.end || byName(a.name, b.name));
  let covered = 0;
  let previous = "";
  for (const span of byOffset) {
    if (span.end > dataLength) {
      fail(
        `tensor "${span.name}": data_offsets end ${span.end} is beyond the ${dataLength}-byte data buffer`,
      );
    }
    if (span.begin < covered) fail(`tensor "${span.name}" overlaps tensor "${previous}"`);
    if (span.begin > covered) {
      fail(`data is not contiguous: bytes ${covered}..${span.begin} belong to no tensor`);
    }
    covered = span.end;
    previous = span.name;
  }
  if (covered !== dataLength) {
    fail(`data is not contiguous: bytes ${covered}..${dataLength} belong to no tensor`);
  }

  const tensors = new Map<string, DecodedTensor>();
  for (const span of [...spans].sort((a, b) => byName(a.name, b.name))) {
    const copy = bytes.slice(dataStart + span.begin, dataStart + span.end);
    if (!LITTLE_ENDIAN) swapWords(copy);
    tensors.set(span.name, { shape: span.shape, data: new Float32Array(copy.buffer) });
  }
  return { tensors, metadata };
}
