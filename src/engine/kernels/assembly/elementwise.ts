// AssemblyScript, not Deno TypeScript: compiled by `deno task build:kernels` (tools/build_kernels.ts) into
// ../elementwise.wasm (and its base64 copy ../_elementwise_wasm.ts), and excluded from Deno's fmt, lint and
// check in deno.json.
//
// The engine's element-wise passes, f32x4 at a time: Adam, the soft target update, ReLU, and the ReLU
// backward mask fused with the bias gradient's column sums. Each is the scalar loop of
// src/engine/elementwise.ts's `referenceElementwise`, bit for bit: every f32x4 add, mul, div and sqrt is the
// correctly rounded float32 operation that the reference gets from a float64 operation and `Math.fround`;
// there is no fused multiply-add, and the column sums add in float64, row after row, as the reference does.
//
// Every operand is a byte offset into this module's own (exported, growable) memory, and every kernel works
// in place there: the host copies its arrays in, calls, and copies the results out. The host's area starts
// at base() (64-byte aligned); reserve() grows the memory. Nothing is imported, and no allocator or runtime
// is used (built with --runtime stub).

const PAGE: usize = 65536;

// @ts-ignore: decorator
@inline function alignUp(x: usize, to: usize): usize {
  return (x + to - 1) & ~(to - 1);
}

/** The first byte of the host's area (64-byte aligned). */
export function base(): usize {
  return alignUp(__heap_base, 64);
}

/**
 * Grows the memory (if needed) so that `bytes` bytes from base() exist.
 *
 * @returns base(), or 0 if the memory could not grow
 */
export function reserve(bytes: usize): usize {
  const end = base() + bytes;
  const have = <usize>memory.size() * PAGE;
  if (end > have) {
    const pages = <i32>((end - have + PAGE - 1) / PAGE);
    if (memory.grow(pages) < 0) return 0;
  }
  return base();
}

/** The smallest positive normal f32, 2⁻¹²⁶. */
const FLT_MIN: f32 = 1.1754943508222875e-38;

/** x, or +0 when |x| < 2⁻¹²⁶. */
// @ts-ignore: decorator
@inline function flush(x: f32): f32 {
  return abs<f32>(x) < FLT_MIN ? 0 : x;
}

/**
 * One Adam step on n elements, in place on p, m and v, from the gradient g; the scalars are float32 values
 * computed by the host (adam.ts):
 *   m ← z(m·β₁ + g·(1−β₁));  v ← z(v·β₂ + (g·g)·(1−β₂));  p ← p + ((m/c₁) / (√v/√c₂ + ε))·(−lr)
 * where z(x) is +0 when |x| < 2⁻¹²⁶ (subnormals and −0) and x otherwise (NaN kept): subnormal operands take
 * a slow path on x86, and a dead ReLU unit's moments decay through them for thousands of steps.
 */
export function adam(
  n: i32,
  p: usize,
  m: usize,
  v: usize,
  g: usize,
  beta1: f32,
  oneMinusBeta1: f32,
  beta2: f32,
  oneMinusBeta2: f32,
  c1: f32,
  sqrtC2: f32,
  eps: f32,
  negLr: f32,
): void {
  const b1 = f32x4.splat(beta1);
  const ob1 = f32x4.splat(oneMinusBeta1);
  const b2 = f32x4.splat(beta2);
  const ob2 = f32x4.splat(oneMinusBeta2);
  const vc1 = f32x4.splat(c1);
  const vc2 = f32x4.splat(sqrtC2);
  const ve = f32x4.splat(eps);
  const vl = f32x4.splat(negLr);
  const tiny = f32x4.splat(FLT_MIN);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    const gi = v128.load(g + at);
    const m0 = f32x4.add(f32x4.mul(v128.load(m + at), b1), f32x4.mul(gi, ob1));
    const v0 = f32x4.add(f32x4.mul(v128.load(v + at), b2), f32x4.mul(f32x4.mul(gi, gi), ob2));
    const mi = v128.andnot(m0, f32x4.lt(f32x4.abs(m0), tiny));
    const vi = v128.andnot(v0, f32x4.lt(f32x4.abs(v0), tiny));
    const u = f32x4.div(f32x4.div(mi, vc1), f32x4.add(f32x4.div(f32x4.sqrt(vi), vc2), ve));
    v128.store(p + at, f32x4.add(v128.load(p + at), f32x4.mul(u, vl)));
    v128.store(m + at, mi);
    v128.store(v + at, vi);
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const gi = load<f32>(g + at);
    const mi = flush(load<f32>(m + at) * beta1 + gi * oneMinusBeta1);
    const vi = flush(load<f32>(v + at) * beta2 + (gi * gi) * oneMinusBeta2);
    const u = (mi / c1) / (sqrt<f32>(vi) / sqrtC2 + eps);
    store<f32>(p + at, load<f32>(p + at) + u * negLr);
    store<f32>(m + at, mi);
    store<f32>(v + at, vi);
  }
}

/** Polyak averaging on n elements, in place on t: t ← t·keep + o·take. */
export function softUpdate(n: i32, t: usize, o: usize, keep: f32, take: f32): void {
  const vk = f32x4.splat(keep);
  const vt = f32x4.splat(take);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    v128.store(t + at, f32x4.add(f32x4.mul(v128.load(t + at), vk), f32x4.mul(v128.load(o + at), vt)));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    store<f32>(t + at, load<f32>(t + at) * keep + load<f32>(o + at) * take);
  }
}

/** ReLU on n elements, in place: z ← z > 0 ? z : +0 (NaN and −0 give +0), without branches. */
export function relu(n: i32, z: usize): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = z + (<usize>i << 2);
    const x = v128.load(at);
    v128.store(at, v128.and(x, f32x4.gt(x, zero)));
  }
  for (; i < n; i++) {
    const at = z + (<usize>i << 2);
    const x = load<f32>(at);
    store<f32>(at, x > 0 ? x : 0);
  }
}

/**
 * The backward of a ReLU layer and its bias gradient, in one pass over a rows × cols matrix (row-major):
 * dh ← dh > 0 where z > 0, else +0 (in place), and db[j] ← db[j] + Σ_r dh[r][j] if accumulate, else
 * Σ_r dh[r][j], summed in float64 in the order r = 0, 1, … and rounded to float32 once. `acc` is scratch for
 * the cols float64 sums (8-byte aligned).
 */
export function maskColumnSums(
  rows: i32,
  cols: i32,
  dh: usize,
  z: usize,
  db: usize,
  acc: usize,
  accumulate: i32,
): void {
  for (let j = 0; j < cols; j++) {
    store<f64>(acc + (<usize>j << 3), accumulate != 0 ? <f64>load<f32>(db + (<usize>j << 2)) : 0);
  }
  const zero = f32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    const row = <usize>r * <usize>cols << 2;
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const at = row + (<usize>j << 2);
      const x = v128.and(v128.load(dh + at), f32x4.gt(v128.load(z + at), zero));
      v128.store(dh + at, x);
      const a = acc + (<usize>j << 3);
      v128.store(a, f64x2.add(v128.load(a), f64x2.promote_low_f32x4(x)));
      v128.store(a, f64x2.add(v128.load(a, 16), f64x2.promote_low_f32x4(v128.shuffle<f32>(x, x, 2, 3, 0, 1))), 16);
    }
    for (; j < cols; j++) {
      const at = row + (<usize>j << 2);
      const x: f32 = load<f32>(z + at) > 0 ? load<f32>(dh + at) : 0;
      store<f32>(dh + at, x);
      const a = acc + (<usize>j << 3);
      store<f64>(a, load<f64>(a) + <f64>x);
    }
  }
  for (let j = 0; j < cols; j++) {
    store<f32>(db + (<usize>j << 2), <f32>load<f64>(acc + (<usize>j << 3)));
  }
}
