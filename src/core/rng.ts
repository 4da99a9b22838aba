/**
 * Splittable, counter-based random numbers: Threefry-2x32 (Salmon et al. 2011, "Parallel random numbers:
 * as easy as 1, 2, 3") used the way JAX uses it. A {@link Key} is two uint32 words; every draw is a pure
 * function of a key, and keys are never reused: {@link split} a key into fresh ones before drawing.
 *
 * The bit layout follows JAX's original (non-partitionable) Threefry scheme, so
 * `split(keyFromSeed(0))` and `normal(keyFromSeed(0), 10)` equal `jax.random.split(PRNGKey(0))` and
 * `jax.random.normal(PRNGKey(0), (10,))` of JAX ≤ 0.4 (normals to float32 rounding).
 *
 * @module
 */
import { log } from "./math.ts";

/** A Threefry-2x32 key: two uint32 words, immutable. Create with {@link keyFromSeed}. */
export type Key = readonly [number, number] & { readonly __brand: "Key" };

const ROTATIONS = [13, 15, 26, 6, 17, 29, 16, 24] as const;

function rotl(x: number, r: number): number {
  return ((x << r) | (x >>> (32 - r))) >>> 0;
}

/**
 * The Threefry-2x32 block function with 20 rounds: hashes a two-word counter under a two-word key.
 *
 * @param key two uint32 words
 * @param counter two uint32 words
 * @returns two uint32 words
 * @example
 * ```ts
 * import { threefry2x32 } from "./rng.ts";
 * // Known-answer vector of the Random123 suite.
 * threefry2x32([0x13198a2e, 0x03707344], [0x243f6a88, 0x85a308d3]); // [0xc4923a9c, 0x483df7a0]
 * ```
 */
export function threefry2x32(
  key: readonly [number, number],
  counter: readonly [number, number],
): [number, number] {
  const ks0 = key[0] >>> 0;
  const ks1 = key[1] >>> 0;
  const ks2 = (ks0 ^ ks1 ^ 0x1bd11bda) >>> 0;
  const ks = [ks0, ks1, ks2];
  let x0 = (counter[0] + ks0) >>> 0;
  let x1 = (counter[1] + ks1) >>> 0;
  for (let group = 0; group < 5; group++) {
    const base = (group % 2) * 4;
    for (let r = 0; r < 4; r++) {
      x0 = (x0 + x1) >>> 0;
      x1 = rotl(x1, ROTATIONS[base + r]);
      x1 = (x1 ^ x0) >>> 0;
    }
    x0 = (x0 + ks[(group + 1) % 3]) >>> 0;
    x1 = (x1 + ks[(group + 2) % 3] + group + 1) >>> 0;
  }
  return [x0, x1];
}

function asKey(k0: number, k1: number): Key {
  return Object.freeze([k0 >>> 0, k1 >>> 0]) as unknown as Key;
}

/**
 * A key from a non-negative integer seed (up to 2^53 − 1), laid out as JAX's `PRNGKey(seed)`:
 * high word first.
 *
 * @param seed a safe non-negative integer
 * @returns the key
 * @example
 * ```ts
 * import { keyFromSeed } from "./rng.ts";
 * keyFromSeed(0); // [0, 0]
 * ```
 */
export function keyFromSeed(seed: number): Key {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(
      `seed must be a non-negative safe integer, got ${seed}`,
    );
  }
  return asKey(Math.floor(seed / 2 ** 32), seed % 2 ** 32);
}

/** Whether a value is a well-formed key (two uint32 words). Useful when reading checkpoints. */
export function isKey(value: unknown): value is Key {
  return Array.isArray(value) && value.length === 2 &&
    value.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32);
}

/** A key from two words read back from storage; throws on malformed words. */
export function keyFromWords(words: readonly number[]): Key {
  if (!isKey(words)) {
    throw new RangeError(
      `a key is two uint32 words, got ${JSON.stringify(words)}`,
    );
  }
  return asKey(words[0], words[1]);
}

/**
 * `n` pseudo-random uint32 words from a key (JAX's `random_bits` with 32-bit width): the counters
 * 0..n−1 (padded to even length) are split in halves and hashed pairwise.
 *
 * @param key the key to consume
 * @param n how many words
 * @returns the words
 */
export function bits(key: Key, n: number): Uint32Array {
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`n must be a non-negative integer, got ${n}`);
  }
  // Counters are iota(n), padded with one trailing 0 when n is odd, then split into two halves.
  const half = Math.ceil(n / 2);
  const counter = (i: number) => (i < n ? i : 0);
  const out = new Uint32Array(2 * half);
  for (let i = 0; i < half; i++) {
    const [y0, y1] = threefry2x32(key, [counter(i), counter(i + half)]);
    out[i] = y0;
    out[i + half] = y1;
  }
  return n % 2 === 0 ? out : out.slice(0, n);
}

/**
 * Split a key into `n` fresh, independent keys (JAX's `split`). The input key must not be used again.
 *
 * @param key the key to consume
 * @param n how many keys (default 2)
 * @returns `n` keys
 * @example
 * ```ts
 * import { keyFromSeed, split } from "./rng.ts";
 * const [a, b] = split(keyFromSeed(0));
 * // a = [4146024105, 967050713], b = [2718843009, 1272950319], as in JAX
 * ```
 */
export function split(key: Key, n = 2): Key[] {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`split needs n ≥ 1, got ${n}`);
  }
  const words = bits(key, 2 * n);
  const keys: Key[] = [];
  for (let i = 0; i < n; i++) keys.push(asKey(words[2 * i], words[2 * i + 1]));
  return keys;
}

/**
 * A key derived from a key and a 32-bit integer (JAX's `fold_in`), for named streams such as
 * "the evaluation environment of seed s".
 *
 * @param key the parent key (not consumed: folding different data gives independent keys)
 * @param data a uint32
 * @returns the derived key
 */
export function foldIn(key: Key, data: number): Key {
  const [y0, y1] = threefry2x32(key, [0, data >>> 0]);
  // JAX: threefry_2x32(key, threefry_seed(data)) where threefry_seed(d) = [0, d] for d < 2^32.
  return asKey(y0, y1);
}

const TWO_POW_32 = 2 ** 32;

// One word's bits seen as a float32, for unitFloat: scratch that keeps no state between calls (two new
// typed arrays per sample made normal(key, 128) take about 70 µs; with the scratch, about 8 µs).
const wordBits = new Uint32Array(1);
const wordFloat = new Float32Array(wordBits.buffer);

/** Float32 in [1, 2) from the top 23 bits, minus one: JAX's uniform mantissa trick. */
function unitFloat(word: number): number {
  wordBits[0] = (word >>> 9) | 0x3f800000;
  return Math.fround(wordFloat[0] - 1);
}

/** Options of {@link uniform}. */
export interface UniformOptions {
  /** Lower bound (inclusive), default 0. */
  readonly low?: number;
  /** Upper bound (exclusive), default 1. */
  readonly high?: number;
}

/**
 * `n` float32 samples from U[low, high), computed in float32 as JAX does.
 *
 * @param key the key to consume
 * @param n how many samples
 * @param options bounds
 * @returns the samples
 */
export function uniform(
  key: Key,
  n: number,
  options: UniformOptions = {},
): Float32Array {
  const low = Math.fround(options.low ?? 0);
  const high = Math.fround(options.high ?? 1);
  if (!(high > low)) {
    throw new RangeError(`uniform needs low < high, got [${low}, ${high})`);
  }
  const words = bits(key, n);
  const out = new Float32Array(n);
  const width = Math.fround(high - low);
  for (let i = 0; i < n; i++) {
    out[i] = Math.max(
      low,
      Math.fround(Math.fround(unitFloat(words[i]) * width) + low),
    );
  }
  return out;
}

/** Inverse error function, Giles (2010) single-precision polynomial, as XLA computes it. */
export function erfinv(x: number): number {
  let w = -log(Math.fround((1 - x) * (1 + x)));
  let p: number;
  if (w < 5) {
    w -= 2.5;
    p = 2.81022636e-08;
    p = 3.43273939e-07 + p * w;
    p = -3.5233877e-06 + p * w;
    p = -4.39150654e-06 + p * w;
    p = 0.00021858087 + p * w;
    p = -0.00125372503 + p * w;
    p = -0.00417768164 + p * w;
    p = 0.246640727 + p * w;
    p = 1.50140941 + p * w;
  } else {
    w = Math.sqrt(w) - 3;
    p = -0.000200214257;
    p = 0.000100950558 + p * w;
    p = 0.00134934322 + p * w;
    p = -0.00367342844 + p * w;
    p = 0.00573950773 + p * w;
    p = -0.0076224613 + p * w;
    p = 0.00943887047 + p * w;
    p = 1.00167406 + p * w;
    p = 2.83297682 + p * w;
  }
  return p * x;
}

const NORMAL_LOW = Math.fround(-1 + 2 ** -24); // nextafter(-1, 0) in float32

/**
 * `n` float32 standard-normal samples: √2·erfinv(u) with u ~ U(−1, 1), as JAX does.
 *
 * @param key the key to consume
 * @param n how many samples
 * @returns the samples
 * @example
 * ```ts
 * import { keyFromSeed, normal } from "./rng.ts";
 * normal(keyFromSeed(0), 3); // ≈ [-0.3721109, 0.26423115, -0.18252768], as JAX
 * ```
 */
export function normal(key: Key, n: number): Float32Array {
  const u = uniform(key, n, { low: NORMAL_LOW, high: 1 });
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.SQRT2 * erfinv(u[i]);
  return out;
}

/** Options of {@link randint}. */
export interface RandintOptions {
  /** Exclusive upper bound, an integer in [1, 2^32]. */
  readonly high: number;
}

/**
 * `n` integers uniform on [0, high), by multiply-shift of a uint32 word (bias below high/2^32).
 *
 * @param key the key to consume
 * @param n how many integers
 * @param options the exclusive upper bound
 * @returns the integers
 */
export function randint(
  key: Key,
  n: number,
  options: RandintOptions,
): Uint32Array {
  const { high } = options;
  if (!Number.isInteger(high) || high < 1 || high > TWO_POW_32) {
    throw new RangeError(
      `randint needs an integer high in [1, 2^32], got ${high}`,
    );
  }
  const words = bits(key, n);
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = Math.floor((words[i] / TWO_POW_32) * high);
  }
  return out;
}
