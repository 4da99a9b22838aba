// AssemblyScript, not Deno TypeScript: compiled by `deno task build:kernels` (tools/build_kernels.ts) into
// ../gemm.wasm, and excluded from Deno's fmt, lint and check in deno.json.
//
// C ← α·op(A)·op(B) + β·C on row-major float32 matrices, the `Gemm.sgemm` contract of src/engine/gemm.ts,
// with every matrix addressed by a byte offset into this module's own (exported, growable) memory.
//
// The scheme is the usual packed one. For each NC-wide column block of C and each KC-deep slice of the
// inner dimension, the slice of op(B) is packed into NR-wide panels (row p of a panel is NR consecutive
// floats); for each MC-high row block, the slice of op(A) is packed into MR-high panels (column p of a
// panel is MR consecutive floats). Packing is where transA / transB are dealt with, so the micro-kernel
// only ever reads two contiguous streams. Partial panels are zero-padded, so the micro-kernel always
// computes a full MR × NR tile; only the store back into C looks at the true tile size.
//
// The micro-kernel is 4 × 8: eight f32x4 accumulators, two f32x4 loads of B and four splat loads of A
// per step of p, separate multiply and add (no fused multiply-add, so the result does not depend on
// relaxed-SIMD support). α and β are applied when a tile is stored: the first KC slice stores
// α·acc + β·C (β = 0 stores α·acc without reading C, so NaNs in the old C are ignored), the later
// slices add α·acc.
//
// Memory layout, from the first 64-byte boundary at or above __heap_base:
//   packed A   MC·KC floats
//   packed B   KC·NC floats
//   tile       MR·NR floats (partial tiles are staged here)
//   user area  from userBase(): free for the host, which places A, B and C there (or its whole arenas)
// No allocator and no runtime are used (built with --runtime stub), and nothing is imported.

const MR: i32 = 4;
const NR: i32 = 8;
const KC: i32 = 256;
const MC: i32 = 64;
const NC: i32 = 512;

const PAGE: usize = 65536;

// @ts-ignore: decorator
@inline function alignUp(x: usize, to: usize): usize {
  return (x + to - 1) & ~(to - 1);
}

// @ts-ignore: decorator
@inline function packABase(): usize {
  return alignUp(__heap_base, 64);
}

// @ts-ignore: decorator
@inline function packBBase(): usize {
  return packABase() + <usize>(MC * KC) * 4;
}

// @ts-ignore: decorator
@inline function tileBase(): usize {
  return packBBase() + <usize>(KC * NC) * 4;
}

/** The first byte of the area the host may use (64-byte aligned); everything below it is the kernel's. */
export function userBase(): usize {
  return alignUp(tileBase() + <usize>(MR * NR) * 4, 64);
}

/**
 * Grows the memory (if needed) so that `bytes` bytes from userBase() exist.
 *
 * @returns userBase(), or 0 if the memory could not grow
 */
export function reserve(bytes: usize): usize {
  const end = userBase() + bytes;
  const have = <usize>memory.size() * PAGE;
  if (end > have) {
    const pages = <i32>((end - have + PAGE - 1) / PAGE);
    if (memory.grow(pages) < 0) return 0;
  }
  return userBase();
}

// Packs rows [i0, i0 + mc) and inner indices [p0, p0 + kc) of op(A) into MR-high panels at packABase().
function packA(transA: bool, a: usize, lda: i32, i0: i32, p0: i32, mc: i32, kc: i32): void {
  let dst = packABase();
  for (let ir = 0; ir < mc; ir += MR) {
    const mr = min(MR, mc - ir);
    const i = i0 + ir;
    if (mr == MR) {
      if (transA) {
        // op(A)[i + r][p] = A[p][i + r]: the MR values of one p are adjacent in memory.
        let src = a + (<usize>p0 * <usize>lda + <usize>i) * 4;
        const step = <usize>lda * 4;
        for (let p = 0; p < kc; p++) {
          v128.store(dst, v128.load(src));
          src += step;
          dst += 16;
        }
      } else {
        // op(A)[i + r][p] = A[i + r][p]: four row streams, interleaved.
        const row = <usize>lda * 4;
        let r0 = a + (<usize>i * <usize>lda + <usize>p0) * 4;
        let r1 = r0 + row;
        let r2 = r1 + row;
        let r3 = r2 + row;
        let p = 0;
        for (; p + 4 <= kc; p += 4) {
          // four p at a time: a 4 × 4 transpose of rows r0..r3
          const x0 = v128.load(r0);
          const x1 = v128.load(r1);
          const x2 = v128.load(r2);
          const x3 = v128.load(r3);
          const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
          const t1 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
          const t2 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
          const t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
          v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
          v128.store(dst, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), 16);
          v128.store(dst, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), 32);
          v128.store(dst, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), 48);
          r0 += 16;
          r1 += 16;
          r2 += 16;
          r3 += 16;
          dst += 64;
        }
        for (; p < kc; p++) {
          store<f32>(dst, load<f32>(r0));
          store<f32>(dst, load<f32>(r1), 4);
          store<f32>(dst, load<f32>(r2), 8);
          store<f32>(dst, load<f32>(r3), 12);
          r0 += 4;
          r1 += 4;
          r2 += 4;
          r3 += 4;
          dst += 16;
        }
      }
    } else {
      // a partial panel: the rows past mr are zeros
      for (let p = 0; p < kc; p++) {
        for (let r = 0; r < MR; r++) {
          let v: f32 = 0;
          if (r < mr) {
            const at = transA
              ? <usize>(p0 + p) * <usize>lda + <usize>(i + r)
              : <usize>(i + r) * <usize>lda + <usize>(p0 + p);
            v = load<f32>(a + at * 4);
          }
          store<f32>(dst, v);
          dst += 4;
        }
      }
    }
  }
}

// Packs inner indices [p0, p0 + kc) and columns [j0, j0 + nc) of op(B) into NR-wide panels at packBBase().
function packB(transB: bool, b: usize, ldb: i32, p0: i32, j0: i32, kc: i32, nc: i32): void {
  let dst = packBBase();
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    const j = j0 + jr;
    if (nr == NR && !transB) {
      // op(B)[p][j..j + NR) = B[p][j..j + NR): one contiguous run per p.
      let src = b + (<usize>p0 * <usize>ldb + <usize>j) * 4;
      const step = <usize>ldb * 4;
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        src += step;
        dst += 32;
      }
    } else if (nr == NR) {
      // op(B)[p][j + c] = B[j + c][p]: eight row streams; four p at a time by 4 × 4 transposes.
      const row = <usize>ldb * 4;
      let s0 = b + (<usize>j * <usize>ldb + <usize>p0) * 4;
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        for (let half = 0; half < 2; half++) {
          const base = s0 + <usize>(half * 4) * row;
          const x0 = v128.load(base);
          const x1 = v128.load(base + row);
          const x2 = v128.load(base + 2 * row);
          const x3 = v128.load(base + 3 * row);
          const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
          const t1 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
          const t2 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
          const t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
          const o = dst + <usize>(half * 16);
          v128.store(o, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
          v128.store(o, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), 32);
          v128.store(o, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), 64);
          v128.store(o, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), 96);
        }
        s0 += 16;
        dst += 128;
      }
      for (; p < kc; p++) {
        let src = s0;
        for (let c = 0; c < NR; c++) {
          store<f32>(dst, load<f32>(src));
          src += row;
          dst += 4;
        }
        s0 += 4;
      }
    } else {
      // a partial panel: the columns past nr are zeros
      for (let p = 0; p < kc; p++) {
        for (let c = 0; c < NR; c++) {
          let v: f32 = 0;
          if (c < nr) {
            const at = transB
              ? <usize>(j + c) * <usize>ldb + <usize>(p0 + p)
              : <usize>(p0 + p) * <usize>ldb + <usize>(j + c);
            v = load<f32>(b + at * 4);
          }
          store<f32>(dst, v);
          dst += 4;
        }
      }
    }
  }
}

// Stores one accumulator row (8 values) at dst: α·acc + β·old (β = 0: old not read; β = 1: old + α·acc).
// @ts-ignore: decorator
@inline function storeRow(dst: usize, lo: v128, hi: v128, va: v128, vb: v128, mode: i32): void {
  if (mode == 0) {
    v128.store(dst, f32x4.mul(va, lo));
    v128.store(dst, f32x4.mul(va, hi), 16);
  } else if (mode == 1) {
    v128.store(dst, f32x4.add(v128.load(dst), f32x4.mul(va, lo)));
    v128.store(dst, f32x4.add(v128.load(dst, 16), f32x4.mul(va, hi)), 16);
  } else {
    v128.store(dst, f32x4.add(f32x4.mul(va, lo), f32x4.mul(vb, v128.load(dst))));
    v128.store(dst, f32x4.add(f32x4.mul(va, hi), f32x4.mul(vb, v128.load(dst, 16))), 16);
  }
}

// One MR × NR tile: C[0..mr)[0..nr) at c (row stride ldc floats) from a packed A panel and a packed B panel.
function micro(kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, mr: i32, nr: i32, alpha: f32, beta: f32): void {
  let c00 = f32x4.splat(0);
  let c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0);
  let c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0);
  let c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0);
  let c31 = f32x4.splat(0);
  let p = 0;
  for (; p + 2 <= kc; p += 2) {
    // two steps of p per trip, to halve the loop's own instructions
    let b0 = v128.load(pb);
    let b1 = v128.load(pb, 16);
    let av = v128.load32_splat(pa);
    c00 = f32x4.add(c00, f32x4.mul(av, b0));
    c01 = f32x4.add(c01, f32x4.mul(av, b1));
    av = v128.load32_splat(pa, 4);
    c10 = f32x4.add(c10, f32x4.mul(av, b0));
    c11 = f32x4.add(c11, f32x4.mul(av, b1));
    av = v128.load32_splat(pa, 8);
    c20 = f32x4.add(c20, f32x4.mul(av, b0));
    c21 = f32x4.add(c21, f32x4.mul(av, b1));
    av = v128.load32_splat(pa, 12);
    c30 = f32x4.add(c30, f32x4.mul(av, b0));
    c31 = f32x4.add(c31, f32x4.mul(av, b1));
    b0 = v128.load(pb, 32);
    b1 = v128.load(pb, 48);
    av = v128.load32_splat(pa, 16);
    c00 = f32x4.add(c00, f32x4.mul(av, b0));
    c01 = f32x4.add(c01, f32x4.mul(av, b1));
    av = v128.load32_splat(pa, 20);
    c10 = f32x4.add(c10, f32x4.mul(av, b0));
    c11 = f32x4.add(c11, f32x4.mul(av, b1));
    av = v128.load32_splat(pa, 24);
    c20 = f32x4.add(c20, f32x4.mul(av, b0));
    c21 = f32x4.add(c21, f32x4.mul(av, b1));
    av = v128.load32_splat(pa, 28);
    c30 = f32x4.add(c30, f32x4.mul(av, b0));
    c31 = f32x4.add(c31, f32x4.mul(av, b1));
    pa += 32;
    pb += 64;
  }
  if (p < kc) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let av = v128.load32_splat(pa);
    c00 = f32x4.add(c00, f32x4.mul(av, b0));
    c01 = f32x4.add(c01, f32x4.mul(av, b1));
    av = v128.load32_splat(pa, 4);
    c10 = f32x4.add(c10, f32x4.mul(av, b0));
    c11 = f32x4.add(c11, f32x4.mul(av, b1));
    av = v128.load32_splat(pa, 8);
    c20 = f32x4.add(c20, f32x4.mul(av, b0));
    c21 = f32x4.add(c21, f32x4.mul(av, b1));
    av = v128.load32_splat(pa, 12);
    c30 = f32x4.add(c30, f32x4.mul(av, b0));
    c31 = f32x4.add(c31, f32x4.mul(av, b1));
  }
  const mode: i32 = beta == 0 ? 0 : beta == 1 ? 1 : 2;
  const va = f32x4.splat(alpha);
  const vb = f32x4.splat(beta);
  if (mr == MR && nr == NR) {
    const row = <usize>ldc * 4;
    storeRow(c, c00, c01, va, vb, mode);
    storeRow(c + row, c10, c11, va, vb, mode);
    storeRow(c + 2 * row, c20, c21, va, vb, mode);
    storeRow(c + 3 * row, c30, c31, va, vb, mode);
    return;
  }
  // a partial tile: stage it, then store the valid part one value at a time
  const t = tileBase();
  v128.store(t, c00);
  v128.store(t, c01, 16);
  v128.store(t, c10, 32);
  v128.store(t, c11, 48);
  v128.store(t, c20, 64);
  v128.store(t, c21, 80);
  v128.store(t, c30, 96);
  v128.store(t, c31, 112);
  for (let r = 0; r < mr; r++) {
    const dst = c + <usize>r * <usize>ldc * 4;
    const src = t + <usize>(r * NR) * 4;
    for (let j = 0; j < nr; j++) {
      const at = dst + <usize>j * 4;
      const v = alpha * load<f32>(src + <usize>j * 4);
      if (mode == 0) store<f32>(at, v);
      else if (mode == 1) store<f32>(at, load<f32>(at) + v);
      else store<f32>(at, v + beta * load<f32>(at));
    }
  }
}

/**
 * C ← α·op(A)·op(B) + β·C, with A, B and C given as byte offsets into this memory (16-byte alignment is
 * not required). Returns 0, or -1 if the packing scratch could not be allocated.
 */
export function sgemm(
  transA: i32,
  transB: i32,
  m: i32,
  n: i32,
  k: i32,
  alpha: f32,
  a: usize,
  lda: i32,
  b: usize,
  ldb: i32,
  beta: f32,
  c: usize,
  ldc: i32,
): i32 {
  if (m <= 0 || n <= 0) return 0;
  if (reserve(0) == 0) return -1;
  if (k <= 0) {
    // no products: C ← β·C (β = 0 writes zeros)
    for (let i = 0; i < m; i++) {
      const row = c + <usize>i * <usize>ldc * 4;
      for (let j = 0; j < n; j++) {
        const at = row + <usize>j * 4;
        store<f32>(at, beta == 0 ? <f32>0 : beta * load<f32>(at));
      }
    }
    return 0;
  }
  const ta = transA != 0;
  const tb = transB != 0;
  const pa0 = packABase();
  const pb0 = packBBase();
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const bk: f32 = pc == 0 ? beta : 1;
      packB(tb, b, ldb, pc, jc, kc, nc);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA(ta, a, lda, ic, pc, mc, kc);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const pb = pb0 + <usize>(jr * kc) * 4;
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const pa = pa0 + <usize>(ir * kc) * 4;
            const cAt = c + (<usize>(ic + ir) * <usize>ldc + <usize>(jc + jr)) * 4;
            micro(kc, pa, pb, cAt, ldc, mr, nr, alpha, bk);
          }
        }
      }
    }
  }
  return 0;
}
