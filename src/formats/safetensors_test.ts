import assert from "node:assert/strict";
import { decodeSafetensors, encodeSafetensors, type F32Tensor } from "./safetensors.ts";

/** A file built by hand: u64 LE header length, the header text as given, then the data bytes. */
function rawFile(header: string, data: readonly number[] = [], declaredLength?: number): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(declaredLength ?? json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function headerText(bytes: Uint8Array): string {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return new TextDecoder().decode(bytes.subarray(8, 8 + n));
}

const f32 = (...xs: number[]) => new Float32Array(xs);

Deno.test("round trip of several tensors, a scalar and an empty tensor", () => {
  const tensors = new Map<string, F32Tensor>([
    ["actor.layers.0.w", { shape: [2, 3], data: f32(1, 2, 3, 4, 5, 6) }],
    ["actor.layers.0.b", { shape: [3], data: f32(-0.5, 0.25, 1e-30) }],
    ["log_alpha", { shape: [], data: f32(-1.6094379) }],
    ["empty", { shape: [0, 4], data: f32() }],
  ]);
  const { tensors: back, metadata } = decodeSafetensors(encodeSafetensors(tensors));
  assert.deepEqual(metadata, {});
  assert.deepEqual([...back.keys()], ["actor.layers.0.b", "actor.layers.0.w", "empty", "log_alpha"]);
  for (const [name, { shape, data }] of tensors) {
    assert.deepEqual(back.get(name)!.shape, shape);
    assert.deepEqual(back.get(name)!.data, data);
  }
});

Deno.test("round trip keeps metadata and every float32 bit pattern", () => {
  const bits = new Uint32Array([0x7fc00001, 0x80000000, 0x00000001, 0x7f800000, 0xff800000, 0x3eaaaaab]);
  const data = new Float32Array(bits.buffer);
  const meta = { step: "20000", algo: "td3", 'quote"<&>': "ünïcødé ✓" };
  const decoded = decodeSafetensors(encodeSafetensors({ x: { shape: [6], data } }, meta));
  assert.deepEqual(decoded.metadata, meta);
  assert.deepEqual(new Uint32Array(decoded.tensors.get("x")!.data.buffer), bits);
});

Deno.test("exact byte layout of a tiny file", () => {
  const bytes = encodeSafetensors({ a: { shape: [2], data: f32(1, -2) } }, { k: "v" });
  const json = '{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
  assert.equal(json.length, 79);
  // 79 bytes of JSON padded with one space to 80, so the data starts at 8 + 80 = 88, a multiple of 8.
  const expected = [
    ...[80, 0, 0, 0, 0, 0, 0, 0],
    ...new TextEncoder().encode(json + " "),
    ...[0x00, 0x00, 0x80, 0x3f], // 1.0f  = 0x3f800000, little-endian
    ...[0x00, 0x00, 0x00, 0xc0], // -2.0f = 0xc0000000, little-endian
  ];
  assert.deepEqual([...bytes], expected);
});

Deno.test("header is padded with spaces to an 8-byte aligned data start", () => {
  for (const name of ["a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefg", "abcdefgh"]) {
    const bytes = encodeSafetensors({ [name]: { shape: [1], data: f32(7) } });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal((8 + n) % 8, 0);
    const text = headerText(bytes);
    assert.ok(n - text.trimEnd().length < 8);
    assert.match(text, /^\{.*\} *$/);
    assert.equal(bytes.length, 8 + n + 4);
  }
});

Deno.test("output is deterministic and independent of insertion order", () => {
  const w = { shape: [2], data: f32(1, 2) };
  const b = { shape: [], data: f32(3) };
  const first = encodeSafetensors({ w, b, "10": b, "2": w }, { z: "1", a: "2" });
  const second = encodeSafetensors({ "2": w, b, "10": b, w }, { a: "2", z: "1" });
  const fromMap = encodeSafetensors(new Map([["w", w], ["10", b], ["b", b], ["2", w]]), { z: "1", a: "2" });
  assert.deepEqual(first, second);
  assert.deepEqual(first, fromMap);
  assert.deepEqual(encodeSafetensors({ w, b }), encodeSafetensors({ w, b }));
  // Integer-like names must not jump ahead of "__metadata__"; tensors follow in sorted name order.
  assert.match(headerText(first), /^\{"__metadata__":\{"a":"2","z":"1"\},"10":.*"2":.*"b":.*"w":/);
});

Deno.test("decoded data are copies, not views into the input", () => {
  const bytes = encodeSafetensors({ x: { shape: [2], data: f32(1, 2) } });
  const x = decodeSafetensors(bytes).tensors.get("x")!.data;
  assert.notEqual(x.buffer, bytes.buffer);
  bytes.fill(0, bytes.length - 8);
  assert.deepEqual([...x], [1, 2]);
});

Deno.test("decodes from a Uint8Array that is a view at an odd offset", () => {
  const bytes = encodeSafetensors({ x: { shape: [3], data: f32(1, 2, 3) } });
  const padded = new Uint8Array(bytes.length + 3);
  padded.set(bytes, 3);
  assert.deepEqual([...decodeSafetensors(padded.subarray(3)).tensors.get("x")!.data], [1, 2, 3]);
});

Deno.test("a file without __metadata__ decodes with empty metadata", () => {
  const file = rawFile('{"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}', [0, 0, 0x80, 0x3f]);
  const { tensors, metadata } = decodeSafetensors(file);
  assert.deepEqual(metadata, {});
  assert.deepEqual(tensors.get("s"), { shape: [], data: f32(1) });
});

Deno.test("encoding rejects bad input", () => {
  assert.throws(
    () => encodeSafetensors({ x: { shape: [2, 2], data: f32(1, 2, 3) } }),
    { message: 'safetensors: tensor "x": shape [2,2] needs 4 values, data has 3' },
  );
  assert.throws(
    () => encodeSafetensors({ __metadata__: { shape: [], data: f32(1) } }),
    { message: 'safetensors: "__metadata__" cannot be used as a tensor name' },
  );
  assert.throws(
    () => encodeSafetensors({ x: { shape: [-1], data: f32() } }),
    { message: 'safetensors: tensor "x": shape must be an array of non-negative integers' },
  );
  assert.throws(
    () => encodeSafetensors({}, { n: 3 } as unknown as Record<string, string>),
    { message: 'safetensors: metadata value of "n" is number, expected a string' },
  );
});

const entry = (offsets: string, shape = "[1]", dtype = '"F32"') =>
  `{"dtype":${dtype},"shape":${shape},"data_offsets":${offsets}}`;
const four = [0, 0, 0x80, 0x3f];

const corrupt: [string, Uint8Array, string][] = [
  ["shorter than 8 bytes", new Uint8Array(5), "file is 5 bytes, shorter than the 8-byte header length"],
  ["header beyond file", rawFile("{}", [], 100), "header length 100 goes beyond the end of the 10-byte file"],
  ["huge header length", rawFile("{}", [], 2 ** 60), `header length ${2n ** 60n} goes beyond`],
  ["invalid JSON", rawFile('{"a": '), "header is not valid UTF-8 JSON"],
  ["invalid UTF-8", rawFile("{}").map((b, i) => (i === 8 ? 0xff : b)), "header is not valid UTF-8 JSON"],
  ["header not an object", rawFile("[1,2]"), "header must be a JSON object"],
  ["entry not an object", rawFile('{"x":5}'), 'tensor "x": header entry must be an object'],
  [
    "missing dtype",
    rawFile('{"x":{"shape":[1],"data_offsets":[0,4]}}', four),
    'tensor "x": missing or invalid "dtype"',
  ],
  [
    "invalid dtype",
    rawFile(`{"x":${entry("[0,4]", "[1]", "32")}}`, four),
    'tensor "x": missing or invalid "dtype"',
  ],
  [
    "unsupported dtype",
    rawFile(`{"x":${entry("[0,2]", "[1]", '"F16"')}}`, [0, 0x3c]),
    'tensor "x": unsupported dtype "F16" (only F32 is supported)',
  ],
  [
    "missing shape",
    rawFile('{"x":{"dtype":"F32","data_offsets":[0,4]}}', four),
    'tensor "x": missing or invalid "shape"',
  ],
  [
    "negative shape",
    rawFile(`{"x":${entry("[0,4]", "[-1]")}}`, four),
    'tensor "x": missing or invalid "shape"',
  ],
  [
    "fractional shape",
    rawFile(`{"x":${entry("[0,4]", "[1.5]")}}`, four),
    'tensor "x": missing or invalid "shape"',
  ],
  [
    "missing offsets",
    rawFile('{"x":{"dtype":"F32","shape":[1]}}', four),
    'tensor "x": missing or invalid "data_offsets"',
  ],
  [
    "three offsets",
    rawFile(`{"x":${entry("[0,4,8]")}}`, four),
    'tensor "x": missing or invalid "data_offsets"',
  ],
  [
    "string offsets",
    rawFile(`{"x":${entry('["0","4"]')}}`, four),
    'tensor "x": missing or invalid "data_offsets"',
  ],
  [
    "begin after end",
    rawFile(`{"x":${entry("[4,0]")}}`, four),
    'tensor "x": data_offsets [4,0] has begin after end',
  ],
  [
    "offsets out of range",
    rawFile(`{"x":${entry("[0,8]", "[2]")}}`, four),
    'tensor "x": data_offsets end 8 is beyond the 4-byte data buffer',
  ],
  [
    "offsets not matching shape",
    rawFile(`{"x":${entry("[0,4]", "[2]")}}`, four),
    'tensor "x": data_offsets [0,4] span 4 bytes, shape [2] of F32 needs 8',
  ],
  [
    "overlapping data",
    rawFile(`{"x":${entry("[0,8]", "[2]")},"y":${entry("[4,8]")}}`, [...four, ...four]),
    'tensor "y" overlaps tensor "x"',
  ],
  [
    "gap between tensors",
    rawFile(`{"x":${entry("[0,4]")},"y":${entry("[8,12]")}}`, [...four, ...four, ...four]),
    "data is not contiguous: bytes 4..8 belong to no tensor",
  ],
  [
    "data not starting at 0",
    rawFile(`{"x":${entry("[4,8]")}}`, [...four, ...four]),
    "data is not contiguous: bytes 0..4 belong to no tensor",
  ],
  [
    "trailing bytes",
    rawFile(`{"x":${entry("[0,4]")}}`, [...four, 1, 2]),
    "data is not contiguous: bytes 4..6 belong to no tensor",
  ],
  [
    "metadata value not a string",
    rawFile('{"__metadata__":{"a":1}}'),
    'metadata value of "a" is not a string',
  ],
  [
    "metadata not an object",
    rawFile('{"__metadata__":["a"]}'),
    '"__metadata__" must be an object of strings',
  ],
];

for (const [name, file, message] of corrupt) {
  Deno.test(`decoding rejects: ${name}`, () => {
    assert.throws(() => decodeSafetensors(file), (e: unknown) => {
      assert.ok(e instanceof Error);
      assert.ok(e.message.startsWith(`safetensors: ${message}`), e.message);
      assert.ok(!e.message.includes("\n"));
      return true;
    });
  });
}
