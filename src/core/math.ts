/**
 * `sin`, `cos`, `exp` and `log` computed from IEEE 754 additions, multiplications and divisions alone, so
 * that they give the same bits on every JavaScript engine. `Math.sin` and its kin are not specified to the
 * bit: Deno's V8 and Chromium's V8 of the same version differ in the last bit of `sin`, `cos`, `exp`,
 * `log`, `atan2` and others for some arguments (measured on 2026-12-03: a training run on Pendulum-v1
 * drifted from the CLI's in its 27th episode), which is enough to make two runs of one seed diverge. The
 * core, the environments and the engine call these instead, so a seed gives one run everywhere.
 *
 * The algorithms are the classic ones of Sun's fdlibm (the argument reductions, and the minimax polynomial
 * coefficients, which are numbers from that library): `exp` reduces by multiples of ln 2 and uses a
 * rational approximation of degree 5; `log` normalises to [√2/2, √2) and uses a degree-14 odd series in
 * `s = f/(2+f)`; `sin` and `cos` reduce modulo π/2 in two or three pieces of π/2 (Cody–Waite), or, beyond
 * 2¹⁹·π/2, exactly with integer arithmetic on a 1216-bit π/2, then use degree-13 and degree-14 kernels.
 * Errors are below one unit in the last place. JavaScript numbers are binary64 with round-to-nearest and no
 * fused multiply-add, so the same sequence of operations gives the same bits on any conforming engine.
 *
 * Checked against Chromium 150's V8, whose `Math.sin`, `Math.cos`, `Math.exp` and `Math.log` are ports of
 * fdlibm: the same bits on every argument tried (see `math_test.ts`), except `sin` and `cos` beyond
 * 2¹⁹·π/2 ≈ 823550, where fdlibm reduces with its Payne–Hanek routine and this module exactly (so the two
 * can differ in the last bit there; no environment here gets near). Deno 2.9.6's `Math` functions, built
 * on another libm, differ from both by one ulp on 1–10% of arguments.
 *
 * @module
 */

const buffer = new DataView(new ArrayBuffer(8));

/** The high 32 bits of a double, as a signed integer. */
function high(x: number): number {
  buffer.setFloat64(0, x);
  return buffer.getInt32(0);
}

/** The low 32 bits of a double, unsigned. */
function low(x: number): number {
  buffer.setFloat64(0, x);
  return buffer.getUint32(4);
}

/** The double with these high and low words. */
function fromWords(hi: number, lo: number): number {
  buffer.setInt32(0, hi);
  buffer.setUint32(4, lo);
  return buffer.getFloat64(0);
}

/** 2^k for an integer k in [−1022, 1023], exactly. */
function pow2(k: number): number {
  return fromWords((k + 1023) << 20, 0);
}

// exp
const LN2_HI = 6.93147180369123816490e-01;
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2 = 1.44269504088896338700e+00;
const P1 = 1.66666666666666019037e-01;
const P2 = -2.77777777770155933842e-03;
const P3 = 6.61375632143793436117e-05;
const P4 = -1.65339022054652515390e-06;
const P5 = 4.13813679705723846039e-08;
const EXP_OVERFLOW = 7.09782712893383973096e+02;
const EXP_UNDERFLOW = -7.45133219101941108420e+02;

/**
 * `e^x`, the same bits on every engine.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exp } from "./math.ts";
 *
 * assert.equal(exp(0), 1);
 * assert.ok(Math.abs(exp(1) - Math.E) <= Number.EPSILON * Math.E);
 * ```
 *
 * @param x any number
 * @returns e raised to x (∞ above about 709.78, 0 below about −745.13)
 */
export function exp(x: number): number {
  const hx = high(x);
  const negative = hx < 0;
  const ix = hx & 0x7fffffff;
  if (ix >= 0x40862e42) {
    // |x| ≥ 709.78…: NaN, ±∞, overflow or underflow.
    if (Number.isNaN(x)) return x;
    if (x === Infinity) return x;
    if (x === -Infinity) return 0;
    if (x > EXP_OVERFLOW) return Infinity;
    if (x < EXP_UNDERFLOW) return 0;
  }
  let hi = 0;
  let lo = 0;
  let k = 0;
  if (ix > 0x3fd62e42) {
    // |x| > ln2 / 2: x = k·ln2 + r with |r| ≤ ln2 / 2, r = hi − lo.
    if (ix < 0x3ff0a2b2) {
      // The steps below give e one ulp high; e itself is correctly rounded (as V8's fdlibm port has it).
      if (x === 1) return Math.E;
      hi = negative ? x + LN2_HI : x - LN2_HI;
      lo = negative ? -LN2_LO : LN2_LO;
      k = negative ? -1 : 1;
    } else {
      k = Math.trunc(INV_LN2 * x + (negative ? -0.5 : 0.5));
      hi = x - k * LN2_HI;
      lo = k * LN2_LO;
    }
    x = hi - lo;
  } else if (ix < 0x3e300000) {
    // |x| < 2⁻²⁸: 1 + x is exact to the last bit.
    return 1 + x;
  }
  const t = x * x;
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k === 0) return 1 - ((x * c) / (c - 2) - x);
  const y = 1 - ((lo - (x * c) / (2 - c)) - hi);
  // y · 2^k, in two exact steps where 2^k alone would be subnormal or overflow.
  if (k >= -1021) return k === 1024 ? y * 2 * pow2(1023) : y * pow2(k);
  return y * pow2(k + 1000) * pow2(-1000);
}

// log
const TWO54 = 1.80143985094819840000e+16;
const LG1 = 6.666666666666735130e-01;
const LG2 = 3.999999999940941908e-01;
const LG3 = 2.857142874366239149e-01;
const LG4 = 2.222219843214978396e-01;
const LG5 = 1.818357216161805012e-01;
const LG6 = 1.531383769920937332e-01;
const LG7 = 1.479819860511658591e-01;

/**
 * The natural logarithm, the same bits on every engine.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { log } from "./math.ts";
 *
 * assert.equal(log(1), 0);
 * assert.equal(log(0), -Infinity);
 * assert.ok(Number.isNaN(log(-1)));
 * ```
 *
 * @param x any number
 * @returns ln x (−∞ at 0, NaN below 0)
 */
export function log(x: number): number {
  let hx = high(x);
  const lx = low(x);
  let k = 0;
  if (hx < 0x00100000) {
    // x < 2⁻¹⁰²² (or negative, zero, NaN with the sign bit)
    if (((hx & 0x7fffffff) | lx) === 0) return -Infinity;
    if (hx < 0) return NaN;
    k -= 54;
    x *= TWO54; // subnormal: scale up
    hx = high(x);
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const i = (hx + 0x95f64) & 0x100000;
  // x's mantissa as a number in [√2/2, √2): f = x − 1.
  x = fromWords(hx | (i ^ 0x3ff00000), low(x));
  k += i >> 20;
  const f = x - 1;
  const dk = k;
  if ((0x000fffff & (2 + hx)) < 3) {
    // |f| < 2⁻²⁰
    if (f === 0) return k === 0 ? 0 : dk * LN2_HI + dk * LN2_LO;
    const r = f * f * (0.5 - 0.33333333333333333 * f);
    return k === 0 ? f - r : dk * LN2_HI - ((r - dk * LN2_LO) - f);
  }
  const s = f / (2 + f);
  const z = s * s;
  const w = z * z;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  const r = t2 + t1;
  if (((hx - 0x6147a) | (0x6b851 - hx)) > 0) {
    const hfsq = 0.5 * f * f;
    return k === 0
      ? f - (hfsq - s * (hfsq + r))
      : dk * LN2_HI - ((hfsq - (s * (hfsq + r) + dk * LN2_LO)) - f);
  }
  return k === 0 ? f - s * (f - r) : dk * LN2_HI - ((s * (f - r) - dk * LN2_LO) - f);
}

// sin and cos kernels on [−π/4, π/4], the argument given as x + y (|y| below half an ulp of x).
const S1 = -1.66666666666666324348e-01;
const S2 = 8.33333333332248946124e-03;
const S3 = -1.98412698298579493134e-04;
const S4 = 2.75573137070700676789e-06;
const S5 = -2.50507602534068634195e-08;
const S6 = 1.58969099521155010221e-10;
const C1 = 4.16666666666666019037e-02;
const C2 = -1.38888888888741095749e-03;
const C3 = 2.48015872894767294178e-05;
const C4 = -2.75573143513906633035e-07;
const C5 = 2.08757232129817482790e-09;
const C6 = -1.13596475577881948265e-11;

/** sin(x + y); `tail` says whether y is a reduction's tail (else y = 0 and a shorter form is used). */
function kernelSin(x: number, y: number, tail: boolean): number {
  if ((high(x) & 0x7fffffff) < 0x3e400000) return x; // |x| < 2⁻²⁷
  const z = x * x;
  const v = z * x;
  const r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
  return tail ? x - ((z * (0.5 * y - v * r) - y) - v * S1) : x + v * (S1 + z * r);
}

function kernelCos(x: number, y: number): number {
  const ix = high(x) & 0x7fffffff;
  if (ix < 0x3e400000) return 1; // |x| < 2⁻²⁷
  const z = x * x;
  const r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
  if (ix < 0x3fd33333) return 1 - (0.5 * z - (z * r - x * y)); // |x| < 0.3
  // 1 − z/2 = (1 − q) − (z/2 − q) with q = x²/4 rounded to a short value (or 0.28125): less cancellation.
  const q = ix > 0x3fe90000 ? 0.28125 : fromWords(ix - 0x00200000, 0);
  return (1 - q) - ((0.5 * z - q) - (z * r - x * y));
}

// Argument reduction modulo π/2.
const INV_PIO2 = 6.36619772367581382433e-01;
const PIO2_1 = 1.57079632673412561417e+00; // the first 33 bits of π/2
const PIO2_1T = 6.07710050650619224932e-11; // π/2 − PIO2_1
const PIO2_2 = 6.07710050630396597660e-11; // the next 33 bits
const PIO2_2T = 2.02226624879595063154e-21;
const PIO2_3 = 2.02226624871116645580e-21; // and the next 33
const PIO2_3T = 8.47842766036889956997e-32;

/** x reduced modulo π/2: x = n·π/2 + y0 + y1. */
interface Reduced {
  readonly n: number;
  readonly y0: number;
  readonly y1: number;
}

/** High words of n·π/2 for n = 1…32: near them the first reduction step cancels too much. */
const NPIO2_HW = Array.from({ length: 32 }, (_, i) => high((i + 1) * (Math.PI / 2)));

function reduce(x: number): Reduced {
  const hx = high(x);
  const ix = hx & 0x7fffffff;
  if (ix <= 0x3fe921fb) return { n: 0, y0: x, y1: 0 }; // |x| ≤ π/4
  if (ix < 0x4002d97c) {
    // |x| < 3π/4: one step, with the second piece of π/2 near ±π/2
    const sign = hx > 0 ? 1 : -1;
    let z = x - sign * PIO2_1;
    if (ix !== 0x3ff921fb) {
      const y0 = z - sign * PIO2_1T;
      return { n: sign, y0, y1: (z - y0) - sign * PIO2_1T };
    }
    z -= sign * PIO2_2;
    const y0 = z - sign * PIO2_2T;
    return { n: sign, y0, y1: (z - y0) - sign * PIO2_2T };
  }
  if (ix >= 0x7ff00000) return { n: 0, y0: NaN, y1: NaN };
  if (ix > 0x413921fb) return reduceExactly(x); // |x| > 2¹⁹·π/2
  const t = Math.abs(x);
  const n = Math.trunc(t * INV_PIO2 + 0.5);
  const fn = n;
  let r = t - fn * PIO2_1;
  let w = fn * PIO2_1T;
  let y0 = r - w;
  if (n >= 32 || ix === NPIO2_HW[n - 1]) {
    // x may be close to n·π/2: where the first step lost more than 16 bits, subtract the next pieces of
    // π/2 too (and where the second lost more than 49, the third).
    const j = ix >> 20;
    if (j - ((high(y0) >> 20) & 0x7ff) > 16) {
      let tt = r;
      w = fn * PIO2_2;
      r = tt - w;
      w = fn * PIO2_2T - ((tt - r) - w);
      y0 = r - w;
      if (j - ((high(y0) >> 20) & 0x7ff) > 49) {
        tt = r;
        w = fn * PIO2_3;
        r = tt - w;
        w = fn * PIO2_3T - ((tt - r) - w);
        y0 = r - w;
      }
    }
  }
  const y1 = (r - y0) - w;
  return hx < 0 ? { n: -n, y0: -y0, y1: -y1 } : { n, y0, y1 };
}

/** Bits of π/2 after the binary point and 2 as an integer: ⌊π/2 · 2^PIO2_BITS⌋, computed once. */
const PIO2_BITS = 1216n;
let pio2Scaled: bigint | undefined;

/** ⌊π · 2^bits⌋ from Machin's formula, π = 16·atan(1/5) − 4·atan(1/239), with guard bits. */
function piScaled(bits: bigint): bigint {
  const guard = 64n;
  const one = 1n << (bits + guard);
  const atanInv = (m: bigint) => {
    // atan(1/m) = Σ (−1)^k / ((2k+1)·m^(2k+1))
    let sum = 0n;
    let power = one / m;
    const m2 = m * m;
    for (let k = 0n; power !== 0n; k++) {
      const term = power / (2n * k + 1n);
      sum += k % 2n === 0n ? term : -term;
      power /= m2;
    }
    return sum;
  };
  return (16n * atanInv(5n) - 4n * atanInv(239n)) >> guard;
}

/**
 * x mod π/2 for |x| > 2¹⁹·π/2, exactly: x = m·2^e with an integer m, so x·(2/π) is taken in integers
 * against 1216 bits of 2/π… here done as the remainder of m·2^e by π/2 scaled to 2^1216, which holds every
 * bit that matters for the largest doubles (2^1024 needs 1024 bits above the point plus 53 + 64 below).
 */
function reduceExactly(x: number): Reduced {
  pio2Scaled ??= piScaled(PIO2_BITS) >> 1n;
  const negative = x < 0;
  const ax = Math.abs(x);
  const e = ((high(ax) >> 20) & 0x7ff) - 1075; // ax = m · 2^e, m < 2^53
  const m = (BigInt(high(ax) & 0x000fffff | 0x00100000) << 32n) | BigInt(low(ax));
  // ax · 2^1216 = m · 2^(e + 1216), an integer; its quotient and remainder by π/2 · 2^1216.
  const scaled = m << BigInt(e + 1216);
  const q = scaled / pio2Scaled;
  const rem = scaled - q * pio2Scaled; // in [0, π/2 · 2^1216)
  // Round to the nearest multiple: remainders above π/4 go to the next quadrant, negatively.
  const half = pio2Scaled >> 1n;
  const [n, r] = rem > half ? [q + 1n, rem - pio2Scaled] : [q, rem];
  // r / 2^1216 as a double-double: the top 53 bits, then the next 53.
  const toDouble = (v: bigint) => {
    const sign = v < 0n ? -1 : 1;
    let a = v < 0n ? -v : v;
    let shift = 0n;
    const width = BigInt(a.toString(2).length);
    if (width > 53n) {
      shift = width - 53n;
      a >>= shift;
    }
    return { value: sign * Number(a), shift };
  };
  const head = toDouble(r);
  const y0 = head.value * 2 ** Number(head.shift - PIO2_BITS);
  const rest = r - (BigInt(head.value) << head.shift);
  const tail = toDouble(rest);
  const y1 = tail.value * 2 ** Number(tail.shift - PIO2_BITS);
  const quadrant = Number(n % 4n);
  return negative ? { n: -quadrant, y0: -y0, y1: -y1 } : { n: quadrant, y0, y1 };
}

/**
 * The sine, the same bits on every engine.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sin } from "./math.ts";
 *
 * assert.equal(sin(0), 0);
 * assert.ok(Math.abs(sin(Math.PI / 6) - 0.5) <= Number.EPSILON);
 * ```
 *
 * @param x an angle in radians
 * @returns sin x (NaN for ±∞ and NaN)
 */
export function sin(x: number): number {
  if ((high(x) & 0x7fffffff) <= 0x3fe921fb) return kernelSin(x, 0, false);
  const { n, y0, y1 } = reduce(x);
  switch (n & 3) {
    case 0:
      return kernelSin(y0, y1, true);
    case 1:
      return kernelCos(y0, y1);
    case 2:
      return -kernelSin(y0, y1, true);
    default:
      return -kernelCos(y0, y1);
  }
}

/**
 * The cosine, the same bits on every engine.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cos } from "./math.ts";
 *
 * assert.equal(cos(0), 1);
 * assert.ok(Math.abs(cos(Math.PI / 3) - 0.5) <= Number.EPSILON);
 * ```
 *
 * @param x an angle in radians
 * @returns cos x (NaN for ±∞ and NaN)
 */
export function cos(x: number): number {
  if ((high(x) & 0x7fffffff) <= 0x3fe921fb) return kernelCos(x, 0);
  const { n, y0, y1 } = reduce(x);
  switch (n & 3) {
    case 0:
      return kernelCos(y0, y1);
    case 1:
      return -kernelSin(y0, y1, true);
    case 2:
      return -kernelCos(y0, y1);
    default:
      return kernelSin(y0, y1, true);
  }
}
