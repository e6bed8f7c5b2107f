/**
 * Batched Cholesky factorization on the GPU, right-looking, in df64 (default) or f32 arithmetic,
 * by one of two methods:
 *
 * - `"workgroup"`: one workgroup per matrix (per chain), column by column in global memory. One
 *   dispatch, but only C workgroups: with 8 chains, 8 of an H100's 132 SMs do all the work.
 * - `"blocked"`: panels of {@link LINALG_BLOCK} columns. Per panel, one dispatch factors the
 *   diagonal block and solves the panel below it (grid: chains x (1 + row tiles of 16); every
 *   workgroup factors the 32 x 32 diagonal block redundantly in workgroup memory, so no extra
 *   dispatch is needed), and one dispatch applies the trailing update `A22 -= L21 L21^T` (grid:
 *   chains x 16 x 16 tiles of the lower triangle). The first panel and trailing update read
 *   `a + diag I` straight from `a` (no copy). `2 ceil(m / 32) - 1` dispatches in all: 15 at
 *   m = 256, where the first trailing update has 105 workgroups per chain and the first panel 15.
 *   Every entry sees the same operations in the same order as in the workgroup method, so the two
 *   agree to rounding (bit for bit on Mesa lavapipe).
 *
 * {@link batchedCholeskySolve} also solves `L z = b` and, optionally, computes `L^-1` inside the
 * same dispatches (extra workgroups per panel and trailing update): the factor, the forward solve
 * and the inverse in 15 dispatches at m = 256 instead of 15 + 4 + 8.
 *
 * `"auto"` (default) takes the blocked method when m > {@link BLOCKED_MIN_SIZE} (64): below that,
 * a matrix is at most two panels and the extra dispatches (~20-30 us each on an H100) cost more
 * than the parallelism gains. With thousands of chains the workgroup method fills the GPU by
 * itself; pass `method: "workgroup"` there.
 *
 * The repriorised BNN density needs the Cholesky factor of a Gram matrix that changes at every
 * leapfrog step, for every chain (Hron et al. 2022, Sec. 3). Reading it back to the host would
 * cost a GPU sync per step (DESIGN.md principle 1), so it is factored where it is made. The
 * reference implementation (google/wide_bnn_sampling) factors in float64; WGSL has no f64, so the
 * default here is double-float (df64) arithmetic: the input Gram matrix is f32, the factor, its
 * log-determinant and the triangular solves that follow carry ~48 mantissa bits.
 *
 * A matrix that is not positive definite does not throw (that would need a readback): its
 * `logdet` is NaN, so an MCMC step proposing it is rejected. {@link checkFactor} reads the
 * log-determinants back and throws NotPositiveDefiniteError, for use outside hot loops.
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { batchedCholesky } from "./batched_cholesky.ts";
 * const a = tensor([[[4, 2], [2, 3]]]); // one 2x2 SPD matrix
 * const f = batchedCholesky(a);
 * console.log(await f.logdet.read()); // Float32Array [2.0794...] = log det = log 8
 * ```
 * @module
 */
import { InvalidArgumentError, NotPositiveDefiniteError, ShapeError } from "../../errors.ts";
import { memoKernel, paramWords } from "../../gpu/kernels/indexing.ts";
import type { KernelSpec, Runtime } from "../../gpu/runtime.ts";
import { fmtShape } from "../../gpu/shape.ts";
import { checkOperands, Tensor } from "../../gpu/tensor.ts";
import {
  type CholeskyFactor,
  LINALG_BLOCK,
  LINALG_WG,
  type LinalgMethod,
  linalgMethodFor,
} from "./common.ts";
import { FMA_PROBE, numericWgsl, type Precision, wordsPer } from "./numeric_wgsl.ts";
import { batchedTriInverse } from "./batched_tri_inverse.ts";
import { batchedTriSolve, type TriSolveResult } from "./batched_tri_solve.ts";

export {
  BLOCKED_MIN_SIZE,
  type CholeskyFactor,
  LINALG_BLOCK,
  LINALG_WG,
  type LinalgMethod,
  linalgMethodFor,
} from "./common.ts";

/** Options of {@link batchedCholesky}. */
export interface CholeskyOptions {
  /** Added to every diagonal entry before factoring (a ridge, e.g. the noise variance). */
  diag?: number;
  /** `"df64"` (default, ~48-bit mantissa) or `"f32"`. */
  precision?: Precision;
  /** `"auto"` (default: blocked when m > 64), `"blocked"` or `"workgroup"` (see the module doc). */
  method?: LinalgMethod;
  /**
   * Most workgroups per grid dimension (default: the device's `maxComputeWorkgroupsPerDimension`,
   * 65535 on most). A blocked trailing update with more tiles (m > ~5,800) folds them over a
   * second grid dimension; a lower value only serves to test that folding on small matrices.
   */
  maxGroupsPerDimension?: number;
}

function choleskyKernel(precision: Precision): KernelSpec {
  const code = `${numericWgsl(precision)}
struct P { m: u32, zero: u32, diag: f32, probe: f32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read_write> l: array<R>;
@group(0) @binding(3) var<storage, read_write> info: array<f32>;
var<workgroup> piv: R;
@compute @workgroup_size(${LINALG_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  r_init(p.probe, p.zero);
  let m = p.m;
  let base = wid.x * m * m;
  for (var e = tid; e < m * m; e += ${LINALG_WG}u) {
    let i = e / m;
    let k = e % m;
    var v = r_from(0.0);
    if (k <= i) {
      v = r_from(a[base + e]);
      if (k == i) { v = r_add(v, r_from(p.diag)); }
    }
    l[base + e] = v;
  }
  storageBarrier();
  var logdet = r_from(0.0);
  var bad = false;
  for (var j = 0u; j < m; j++) {
    if (tid == 0u) {
      let ajj = l[base + j * m + j];
      if (!(r_hi(ajj) > 0.0) || !(r_hi(ajj) < 3.0e38)) { bad = true; }
      let s = r_sqrt(ajj);
      l[base + j * m + j] = s;
      piv = s;
      logdet = r_add(logdet, r_log(s));
    }
    workgroupBarrier();
    storageBarrier();
    let d = piv;
    for (var i = j + 1u + tid; i < m; i += ${LINALG_WG}u) {
      l[base + i * m + j] = r_div(l[base + i * m + j], d);
    }
    storageBarrier();
    let r = m - j - 1u;
    for (var e = tid; e < r * r; e += ${LINALG_WG}u) {
      let i = j + 1u + e / r;
      let k = j + 1u + e % r;
      if (k <= i) {
        let o = base + i * m + k;
        l[o] = r_sub(l[o], r_mul(l[base + i * m + j], l[base + k * m + j]));
      }
    }
    storageBarrier();
  }
  if (tid == 0u) {
    info[wid.x] = select(2.0 * r_f32(logdet), bitcast<f32>(0x7fc00000u), bad);
  }
}`;
  return { code, inputs: 1, outputs: 2 };
}

const cholK = memoKernel(choleskyKernel);

// ---- blocked method --------------------------------------------------------------------------
const B = LINALG_BLOCK;
/** Rows per workgroup in the panel solve below the diagonal block (and the extras' row tiles). */
const PANEL_ROWS = 16;
/** Side of the square tiles of the trailing update (TRAIL_TILE^2 = LINALG_WG threads). */
const TRAIL_TILE = 16;
/** Right-hand-side (and inverse) columns a workgroup holds in workgroup memory at a time. */
const CHUNK = 16;
/** R words per chain of the blocked method's scratch: next diagonal block + 4 accumulators. */
const SCRATCH = B * B + 4;

/**
 * Uniform block shared by the panel and trailing-update kernels (the host fills it in
 * {@link blockedCholesky}): `first` = the panel at column 0 (read `a + diag I` instead of l),
 * `last` = no rows below, `nrt` = row tiles of 16 below the panel, `ntri` = trailing tiles,
 * `total` = workgroups of the trailing update (its grid may fold them over z, see
 * {@link foldedGrid}).
 */
const PARAMS = `struct P {
  m: u32, zero: u32, k0: u32, last: u32,
  probe: f32, first: u32, diag: f32, k: u32,
  rhsStride: u32, nrt: u32, ntri: u32, total: u32,
};
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> a: array<f32>;`;

/** Entry (i, k) of `a + diag I` (f32 input) as a working value, as the first panel reads it. */
const A_ENTRY = `fn a_entry(base: u32, i: u32, k: u32) -> R {
  var v = r_from(a[base + i * p.m + k]);
  if (k == i) { v = r_add(v, r_from(p.diag)); }
  return v;
}`;

/** Storage bindings after `p` and `a`, in order: optional rhs (read), then the read-write ones. */
function bindings(rw: [string, string][], rhs: boolean): string {
  const lines: string[] = [];
  let b = 2;
  if (rhs) lines.push(`@group(0) @binding(${b++}) var<storage, read> rhs: array<f32>;`);
  for (const [name, type] of rw) {
    lines.push(`@group(0) @binding(${b++}) var<storage, read_write> ${name}: array<${type}>;`);
  }
  return lines.join("\n");
}

/**
 * One panel (columns k0 .. k0 + bw). Every workgroup loads the diagonal block (from `a + diag I`
 * on the first panel, else from the copy the previous trailing update left in `scr`) and factors
 * it redundantly in workgroup memory; then, by workgroup x:
 * - 0: writes the factored block (and zeros right of it) into l, carries log det in `scr`;
 * - 1 .. nrt: solves its tile of PANEL_ROWS rows below, `L21 = A21 L11^-T`;
 * - with `rhs`, nrt + 1: solves `L11 y = w` for the panel's rows of the right-hand side (held in
 *   x: `b` on the first panel, updated by the trailing kernels after), writes x, x32 and adds the
 *   squares up as the blocked solve does;
 * - with `inv`, the next kb + 1: column tile tj of `L^-1` (f32): `L11 Y = W_kj`, written to inv
 *   (which holds the working W below the solved rows), zeros right of the diagonal block.
 * Each entry sees the operations of the one-workgroup kernels (and the blocked solve and inverse)
 * in the same order.
 */
function blockedPanelKernel(precision: Precision, rhs: boolean, inv: boolean): KernelSpec {
  const K = CHUNK;
  const rw: [string, string][] = [["l", "R"], ["info", "f32"], ["scr", "R"]];
  if (rhs) rw.push(["x", "R"], ["x32", "f32"], ["ss", "f32"]);
  if (inv) rw.push(["inv", "f32"]);
  const rhsPart = !rhs ? "" : `
  if (wid.x == p.nrt + 1u) {
    // forward solve of the panel's rows of the right-hand side (y: the free rows array)
    let k = p.k;
    let xb = chain * m * k;
    var sq = r_from(0.0);
    for (var c0 = 0u; c0 < k; c0 += ${K}u) {
      let kc = min(${K}u, k - c0);
      for (var e = tid; e < bw * kc; e += ${LINALG_WG}u) {
        let row = k0 + e / kc;
        let c = c0 + e % kc;
        var v = x[xb + row * k + c];
        if (p.first != 0u) { v = r_from(rhs[p.rhsStride * chain + row * k + c]); }
        rows[(e / kc) * ${K}u + e % kc] = v;
      }
      workgroupBarrier();
      for (var j = 0u; j < bw; j++) {
        let d = dg[j * ${B}u + j];
        for (var c = tid; c < kc; c += ${LINALG_WG}u) {
          rows[j * ${K}u + c] = r_div(rows[j * ${K}u + c], d);
        }
        workgroupBarrier();
        for (var e = tid; e < (bw - j - 1u) * kc; e += ${LINALG_WG}u) {
          let i = j + 1u + e / kc;
          let c = e % kc;
          rows[i * ${K}u + c] = r_sub(rows[i * ${K}u + c], r_mul(dg[i * ${B}u + j], rows[j * ${K}u + c]));
        }
        workgroupBarrier();
      }
      for (var e = tid; e < bw * kc; e += ${LINALG_WG}u) {
        let v = rows[(e / kc) * ${K}u + e % kc];
        let o = xb + (k0 + e / kc) * k + c0 + e % kc;
        x[o] = v;
        x32[o] = r_f32(v);
        sq = r_add(sq, r_mul(v, v));
      }
      workgroupBarrier();
    }
    red[tid] = sq;
    workgroupBarrier();
    for (var s = ${LINALG_WG / 2}u; s > 0u; s >>= 1u) {
      if (tid < s) { red[tid] = r_add(red[tid], red[tid + s]); }
      workgroupBarrier();
    }
    if (tid == 0u) {
      var total = red[0];
      if (p.first == 0u) { total = r_add(scr[sb + ${B * B + 2}u], total); }
      if (p.last != 0u) { ss[chain] = r_f32(total); } else { scr[sb + ${B * B + 2}u] = total; }
    }
  }`;
  const invStart = rhs ? "(p.nrt + 2u)" : "(p.nrt + 1u)";
  const invPart = !inv ? "" : `
  if (wid.x >= ${invStart}) {
    // column tile tj of L^-1 in f32 (the factor's high words), CHUNK columns at a time
    let c0 = (wid.x - ${invStart}) * ${B}u;
    let nc = min(${B}u, m - c0);
    for (var h = 0u; h < nc; h += ${K}u) {
      let kc = min(${K}u, nc - h);
      for (var e = tid; e < bw * kc; e += ${LINALG_WG}u) {
        let i = e / kc;
        let c = e % kc;
        var v = select(0.0, 1.0, i == h + c); // identity block in the diagonal column tile
        if (c0 != k0) { v = inv[base + (k0 + i) * m + c0 + h + c]; }
        yi[i * ${K}u + c] = v;
      }
      workgroupBarrier();
      for (var j = 0u; j < bw; j++) {
        let d = r_hi(dg[j * ${B}u + j]);
        for (var c = tid; c < kc; c += ${LINALG_WG}u) { yi[j * ${K}u + c] = yi[j * ${K}u + c] / d; }
        workgroupBarrier();
        for (var e = tid; e < (bw - j - 1u) * kc; e += ${LINALG_WG}u) {
          let i = j + 1u + e / kc;
          let c = e % kc;
          yi[i * ${K}u + c] -= r_hi(dg[i * ${B}u + j]) * yi[j * ${K}u + c];
        }
        workgroupBarrier();
      }
      for (var e = tid; e < bw * kc; e += ${LINALG_WG}u) {
        inv[base + (k0 + e / kc) * m + c0 + h + e % kc] = yi[(e / kc) * ${K}u + e % kc];
      }
      workgroupBarrier();
    }
    if (c0 == k0) { // zeros right of the diagonal block
      let rest = m - k0 - bw;
      for (var e = tid; e < bw * rest; e += ${LINALG_WG}u) {
        inv[base + (k0 + e / rest) * m + k0 + bw + e % rest] = 0.0;
      }
    }
  }`;
  const code = `${numericWgsl(precision)}
${PARAMS}
${bindings(rw, rhs)}
var<workgroup> dg: array<R, ${B * B}>;
var<workgroup> rows: array<R, ${PANEL_ROWS * B}>;
${rhs ? `var<workgroup> red: array<R, ${LINALG_WG}>;` : ""}
${inv ? `var<workgroup> yi: array<f32, ${B * K}>;` : ""}
${A_ENTRY}
@compute @workgroup_size(${LINALG_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  r_init(p.probe, p.zero);
  let m = p.m;
  let k0 = p.k0;
  let bw = min(${B}u, m - k0);
  let chain = wid.y;
  let base = chain * m * m;
  let sb = chain * ${SCRATCH}u;
  let diagGroup = wid.x == 0u;
  var r0 = 0u;
  var nr = 0u;
  if (wid.x >= 1u && wid.x <= p.nrt) {
    r0 = k0 + bw + (wid.x - 1u) * ${PANEL_ROWS}u;
    nr = min(${PANEL_ROWS}u, m - r0);
  }
  for (var e = tid; e < bw * bw; e += ${LINALG_WG}u) {
    let i = e / bw;
    let j = e % bw;
    if (j <= i) {
      if (p.first != 0u) {
        dg[i * ${B}u + j] = a_entry(base, k0 + i, k0 + j);
      } else {
        dg[i * ${B}u + j] = scr[sb + i * ${B}u + j];
      }
    }
  }
  for (var e = tid; e < nr * bw; e += ${LINALG_WG}u) {
    let i = e / bw;
    let j = e % bw;
    if (p.first != 0u) {
      rows[i * ${B}u + j] = a_entry(base, r0 + i, k0 + j);
    } else {
      rows[i * ${B}u + j] = l[base + (r0 + i) * m + k0 + j];
    }
  }
  var logdet = r_from(0.0);
  var bad = false;
  if (diagGroup && tid == 0u && p.first == 0u) {
    logdet = scr[sb + ${B * B}u];
    bad = r_hi(scr[sb + ${B * B + 1}u]) != 0.0;
  }
  workgroupBarrier();
  for (var j = 0u; j < bw; j++) {
    if (tid == 0u) {
      let ajj = dg[j * ${B}u + j];
      if (!(r_hi(ajj) > 0.0) || !(r_hi(ajj) < 3.0e38)) { bad = true; }
      let s = r_sqrt(ajj);
      dg[j * ${B}u + j] = s;
      logdet = r_add(logdet, r_log(s));
    }
    workgroupBarrier();
    let d = dg[j * ${B}u + j];
    for (var i = j + 1u + tid; i < bw; i += ${LINALG_WG}u) {
      dg[i * ${B}u + j] = r_div(dg[i * ${B}u + j], d);
    }
    for (var i = tid; i < nr; i += ${LINALG_WG}u) {
      rows[i * ${B}u + j] = r_div(rows[i * ${B}u + j], d);
    }
    workgroupBarrier();
    let r = bw - j - 1u;
    for (var e = tid; e < r * r; e += ${LINALG_WG}u) {
      let i = j + 1u + e / r;
      let k = j + 1u + e % r;
      if (k <= i) {
        dg[i * ${B}u + k] = r_sub(dg[i * ${B}u + k], r_mul(dg[i * ${B}u + j], dg[k * ${B}u + j]));
      }
    }
    for (var e = tid; e < nr * r; e += ${LINALG_WG}u) {
      let i = e / r;
      let k = j + 1u + e % r;
      rows[i * ${B}u + k] = r_sub(rows[i * ${B}u + k], r_mul(rows[i * ${B}u + j], dg[k * ${B}u + j]));
    }
    workgroupBarrier();
  }
  if (diagGroup) {
    // The panel's rows of L: the factored block, zeros right of the diagonal. (Every workgroup
    // read the block from a or scr, so writing l here races with nothing.)
    let w = m - k0;
    for (var e = tid; e < bw * w; e += ${LINALG_WG}u) {
      let i = e / w;
      let j = e % w;
      var v = r_from(0.0);
      if (j <= i) { v = dg[i * ${B}u + j]; }
      l[base + (k0 + i) * m + k0 + j] = v;
    }
    if (tid == 0u) {
      if (p.last != 0u) {
        info[chain] = select(2.0 * r_f32(logdet), bitcast<f32>(0x7fc00000u), bad);
      } else {
        scr[sb + ${B * B}u] = logdet;
        scr[sb + ${B * B + 1}u] = r_from(select(0.0, 1.0, bad));
      }
    }
  }
  for (var e = tid; e < nr * bw; e += ${LINALG_WG}u) {
    let i = e / bw;
    l[base + (r0 + i) * m + k0 + e % bw] = rows[i * ${B}u + e % bw];
  }${rhsPart}${invPart}
}`;
  return { code, inputs: rhs ? 2 : 1, outputs: rw.length };
}

/**
 * Trailing update after the panel at k0, by workgroup x:
 * - x < ntri: `A[i][k] -= sum_j L[i][j] L[k][j]` over the panel's columns j (in order) on one
 *   TRAIL_TILE x TRAIL_TILE tile of the lower triangle below the panel (from `a + diag I` after
 *   the first panel); the tiles of the next diagonal block also copy it to `scr`, where the next
 *   panel's workgroups read it;
 * - with `rhs`, the next nrt: `w_i -= L_ik y_k` on a tile of 16 right-hand-side rows below the
 *   panel (y_k: the panel's solved rows in x), as the blocked solve does;
 * - with `inv`, the next nrt x ceil(s0 / 16): `W_ij -= L_ik X_kj` on a 16 x 16 tile of the working
 *   rows of `L^-1` below the panel, left of its end s0 (f32), as the blocked inverse does.
 */
function blockedTrailKernel(precision: Precision, rhs: boolean, inv: boolean): KernelSpec {
  const T = TRAIL_TILE, K = CHUNK;
  const rw: [string, string][] = [["l", "R"], ["scr", "R"]];
  if (rhs) rw.push(["x", "R"]);
  if (inv) rw.push(["inv", "f32"]);
  const rhsPart = !rhs ? "" : `
  if (g < p.ntri + p.nrt) {
    let r0 = s0 + (g - p.ntri) * ${T}u;
    let k = p.k;
    let xb = wid.y * m * k;
    for (var e = tid; e < ${T}u * bw; e += ${LINALG_WG}u) {
      let rr = e / bw;
      if (r0 + rr < m) { li[rr * ${B}u + e % bw] = l[base + (r0 + rr) * m + k0 + e % bw]; }
    }
    let r = tid / ${K}u;
    let c = tid % ${K}u;
    let row = r0 + r;
    for (var c0 = 0u; c0 < k; c0 += ${K}u) {
      let kc = min(${K}u, k - c0);
      for (var e = tid; e < bw * kc; e += ${LINALG_WG}u) {
        lk[(e / kc) * ${K}u + e % kc] = x[xb + (k0 + e / kc) * k + c0 + e % kc];
      }
      workgroupBarrier();
      if (row < m && c < kc) {
        let o = xb + row * k + c0 + c;
        var v = x[o];
        if (p.first != 0u) { v = r_from(rhs[p.rhsStride * wid.y + row * k + c0 + c]); }
        for (var j = 0u; j < bw; j++) { v = r_sub(v, r_mul(li[r * ${B}u + j], lk[j * ${K}u + c])); }
        x[o] = v;
      }
      workgroupBarrier();
    }
    return;
  }`;
  const invPart = !inv ? "" : `
  {
    let q = g - p.ntri - ${rhs ? "p.nrt" : "0u"};
    let nch = (s0 + ${K - 1}u) / ${K}u;
    let r0 = s0 + (q / nch) * ${T}u;
    let cb = (q % nch) * ${K}u;
    for (var e = tid; e < ${T}u * bw; e += ${LINALG_WG}u) {
      let rr = e / bw;
      if (r0 + rr < m) { lf[rr * ${B}u + e % bw] = r_hi(l[base + (r0 + rr) * m + k0 + e % bw]); }
    }
    for (var e = tid; e < bw * ${K}u; e += ${LINALG_WG}u) {
      let cc = e % ${K}u;
      if (cb + cc < s0) { yf[e] = inv[base + (k0 + e / ${K}u) * m + cb + cc]; }
    }
    workgroupBarrier();
    let r = tid / ${K}u;
    let c = tid % ${K}u;
    let row = r0 + r;
    let col = cb + c;
    if (row < m && col < s0) {
      let o = base + row * m + col;
      var v = 0.0; // W_ij is zero until panel j
      if (col < k0) { v = inv[o]; }
      for (var j = 0u; j < bw; j++) { v -= lf[r * ${B}u + j] * yf[j * ${K}u + c]; }
      inv[o] = v;
    }
  }`;
  const code = `${numericWgsl(precision)}
${PARAMS}
${bindings(rw, rhs)}
var<workgroup> li: array<R, ${T * B}>;
var<workgroup> lk: array<R, ${T * B}>;
${inv ? `var<workgroup> lf: array<f32, ${T * B}>;\nvar<workgroup> yf: array<f32, ${B * K}>;` : ""}
${A_ENTRY}
@compute @workgroup_size(${LINALG_WG})
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) tid: u32,
) {
  let g = wid.x + wid.z * nwg.x; // the grid may fold the workgroups over z
  if (g >= p.total) { return; }
  r_init(p.probe, p.zero);
  let m = p.m;
  let k0 = p.k0;
  let bw = min(${B}u, m - k0);
  let s0 = k0 + bw;
  let base = wid.y * m * m;
  if (g < p.ntri) {
    // tile x of the lower triangle, row-major: (ti, tk) with tk <= ti
    var ti = u32((sqrt(8.0 * f32(g) + 1.0) - 1.0) * 0.5);
    while ((ti + 1u) * (ti + 2u) / 2u <= g) { ti++; }
    while (ti * (ti + 1u) / 2u > g) { ti--; }
    let tk = g - ti * (ti + 1u) / 2u;
    let ri = s0 + ti * ${T}u;
    let rk = s0 + tk * ${T}u;
    for (var e = tid; e < ${T}u * bw; e += ${LINALG_WG}u) {
      let r = e / bw;
      let j = e % bw;
      if (ri + r < m) { li[r * ${B}u + j] = l[base + (ri + r) * m + k0 + j]; }
      if (rk + r < m) { lk[r * ${B}u + j] = l[base + (rk + r) * m + k0 + j]; }
    }
    workgroupBarrier();
    let r = tid / ${T}u;
    let c = tid % ${T}u;
    let i = ri + r;
    let k = rk + c;
    if (i < m && k <= i) {
      let o = base + i * m + k;
      var v = l[o];
      if (p.first != 0u) { v = a_entry(base, i, k); }
      for (var j = 0u; j < bw; j++) { v = r_sub(v, r_mul(li[r * ${B}u + j], lk[c * ${B}u + j])); }
      l[o] = v;
      if (i < s0 + ${B}u && k < s0 + ${B}u) {
        scr[wid.y * ${SCRATCH}u + (i - s0) * ${B}u + k - s0] = v;
      }
    }
    return;
  }${rhsPart}${invPart}
}`;
  return { code, inputs: rhs ? 2 : 1, outputs: rw.length };
}

/**
 * Grid of `total` workgroups per chain for C chains (y) with at most `limit` per dimension: x
 * alone when it fits, else folded over z (workgroup `x + z * nx`; the kernel skips those past
 * `total`). The first trailing update of an m = 10,000 factor has 194,376 tiles.
 */
function foldedGrid(total: number, C: number, limit: number): [number, number, number] {
  if (total <= limit) return [total, C, 1];
  const z = Math.ceil(total / limit);
  if (z > limit) {
    throw new InvalidArgumentError(
      `batchedCholesky: ${total} workgroups per matrix exceed ${limit}^2 (matrix too large)`,
    );
  }
  return [Math.ceil(total / z), C, z];
}

const panelK = memoKernel(blockedPanelKernel);
const trailK = memoKernel(blockedTrailKernel);

/** The optional right-hand side of a blocked factorization (see {@link batchedCholeskySolve}). */
interface BlockedRhs {
  b: Tensor;
  stride: number;
  k: number;
  x: Tensor;
  x32: Tensor;
  ss: Tensor;
}

/**
 * Records the blocked factorization of `a + diag I` into `l` and `logdet` (see the module doc),
 * with the forward solve of `rhs` and the inverse `L^-1` into `inv` folded in when given.
 */
function blockedCholesky(
  rt: Runtime,
  a: Tensor,
  l: Tensor,
  logdet: Tensor,
  precision: Precision,
  diag: number,
  groupLimit: number,
  rhs: BlockedRhs | null = null,
  inv: Tensor | null = null,
): void {
  const [C, m] = a.shape;
  const scr = Tensor.empty([C, SCRATCH, wordsPer(precision)], "f32", "batchedCholesky");
  const ins = [a.buffer("batchedCholesky")];
  if (rhs) ins.push(rhs.b.buffer("batchedCholesky"));
  const panels = Math.ceil(m / B);
  for (let kb = 0; kb < panels; kb++) {
    const k0 = kb * B;
    const s0 = Math.min(m, k0 + B);
    const below = m - s0;
    const nrt = Math.ceil(below / PANEL_ROWS);
    const nt = Math.ceil(below / TRAIL_TILE);
    const ntri = (nt * (nt + 1)) / 2;
    const p = paramWords();
    p.u[0] = m;
    p.u[2] = k0;
    p.u[3] = below === 0 ? 1 : 0;
    p.f[4] = FMA_PROBE;
    p.u[5] = kb === 0 ? 1 : 0;
    p.f[6] = diag;
    p.u[7] = rhs?.k ?? 0;
    p.u[8] = rhs?.stride ?? 0;
    p.u[9] = nrt;
    p.u[10] = ntri;
    const outs = [l.buffer(), logdet.buffer(), scr.buffer()];
    if (rhs) outs.push(rhs.x.buffer(), rhs.x32.buffer(), rhs.ss.buffer());
    if (inv) outs.push(inv.buffer());
    rt.dispatch(panelK(precision, rhs !== null, inv !== null), ins, outs, p.u, [
      1 + nrt + (rhs ? 1 : 0) + (inv ? kb + 1 : 0),
      C,
      1,
    ]);
    if (below === 0) break;
    const touts = [l.buffer(), scr.buffer()];
    if (rhs) touts.push(rhs.x.buffer());
    if (inv) touts.push(inv.buffer());
    const total = ntri + (rhs ? nrt : 0) + (inv ? nrt * Math.ceil(s0 / CHUNK) : 0);
    p.u[11] = total;
    rt.dispatch(
      trailK(precision, rhs !== null, inv !== null),
      ins,
      touts,
      p.u,
      foldedGrid(total, C, groupLimit),
    );
  }
  scr.dispose();
}

/**
 * Factors a batch of symmetric positive-definite matrices `a` (`[C, m, m]`, f32; only the lower
 * triangle is read) plus `diag * I`: one GPU workgroup per matrix, or blocked over many
 * workgroups per matrix when m > 64 (`options.method`, see the module doc).
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { batchedCholesky } from "./batched_cholesky.ts";
 * const f = batchedCholesky(tensor([[[1, 0], [0, 1]], [[2, 1], [1, 2]]]), { diag: 1 });
 * console.log(f.l.shape, f.batch); // [2, 2, 2, 2] 2
 * const g = batchedCholesky(tensor([[[4, 2], [2, 3]]]), { method: "blocked" });
 * console.log(await g.logdet.read()); // Float32Array [2.0794...] = log 8, as above
 * ```
 */
export function batchedCholesky(a: Tensor, options: CholeskyOptions = {}): CholeskyFactor {
  const { rt, precision, diag, method, C, m, l, logdet, groupLimit } = prepare(
    "batchedCholesky",
    a,
    options,
  );
  const factor = { l, logdet, precision, batch: C, size: m };
  if (C === 0 || m === 0) return factor;
  if (method === "blocked") {
    blockedCholesky(rt, a, l, logdet, precision, diag, groupLimit);
    return factor;
  }
  const p = paramWords();
  p.u[0] = m;
  p.f[2] = diag;
  p.f[3] = FMA_PROBE;
  rt.dispatch(
    cholK(precision),
    [a.buffer("batchedCholesky")],
    [l.buffer(), logdet.buffer()],
    p.u,
    [C, 1, 1],
  );
  return factor;
}

/** Validates the arguments of a factorization and allocates the factor's tensors. */
function prepare(where: string, a: Tensor, options: CholeskyOptions) {
  const rt = checkOperands(where, a);
  const precision = options.precision ?? "df64";
  if (precision !== "df64" && precision !== "f32") {
    throw new InvalidArgumentError(
      `${where}: precision must be "df64" or "f32", got ${JSON.stringify(precision)}`,
    );
  }
  const diag = options.diag ?? 0;
  if (!Number.isFinite(diag)) {
    throw new InvalidArgumentError(`${where}: diag must be a finite number, got ${diag}`);
  }
  if (a.dtype !== "f32" || a.rank !== 3 || a.shape[1] !== a.shape[2]) {
    throw new ShapeError(
      `${where}: a must be an f32 batch of square matrices [C, m, m], got ${a.dtype} ` +
        fmtShape(a.shape),
    );
  }
  const [C, m] = a.shape;
  if (C > 65535) {
    throw new InvalidArgumentError(`${where}: at most 65535 matrices per call, got ${C}`);
  }
  const method = linalgMethodFor(options.method, m, where);
  const deviceLimit = rt.summary.limits.maxComputeWorkgroupsPerDimension ?? 65535;
  const groupLimit = options.maxGroupsPerDimension ?? deviceLimit;
  if (!Number.isInteger(groupLimit) || groupLimit < 1 || groupLimit > deviceLimit) {
    throw new InvalidArgumentError(
      `${where}: maxGroupsPerDimension must be an integer in [1, ${deviceLimit}] (the device's ` +
        `limit), got ${groupLimit}`,
    );
  }
  const w = wordsPer(precision);
  const l = Tensor.empty(w === 2 ? [C, m, m, 2] : [C, m, m], "f32", where);
  const logdet = Tensor.empty([C], "f32", where);
  return { rt, precision, diag, method, C, m, l, logdet, groupLimit };
}

/**
 * Options of {@link batchedCholeskySolve}: those of {@link batchedCholesky}, and whether to
 * return `L^-1` as well.
 *
 * @example
 * ```ts
 * import type { CholeskySolveOptions } from "./batched_cholesky.ts";
 * const o: CholeskySolveOptions = { diag: 0.01, inverse: true };
 * console.log(o.inverse); // true
 * ```
 */
export interface CholeskySolveOptions extends CholeskyOptions {
  /** Also compute `L^-1` (f32 `[C, m, m]`, as {@link batchedTriInverse} returns it). */
  inverse?: boolean;
}

/**
 * Result of {@link batchedCholeskySolve}.
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { batchedCholeskySolve, type CholeskySolveResult } from "./batched_cholesky.ts";
 * const r: CholeskySolveResult = batchedCholeskySolve(tensor([[[4]]]), tensor([[[2]]]));
 * console.log(r.inverse); // null
 * ```
 */
export interface CholeskySolveResult {
  /** The factor, as {@link batchedCholesky} returns it. */
  readonly factor: CholeskyFactor;
  /** `L z = b`, as `batchedTriSolve(factor, b)` returns it. */
  readonly solve: TriSolveResult;
  /** `L^-1` (f32 `[C, m, m]`) with `options.inverse`, else null. */
  readonly inverse: Tensor | null;
}

/** Storage buffers per shader stage the fused factor + solve + inverse kernels bind. */
const FUSED_STORAGE_BUFFERS = 9;

/**
 * Factors `a + diag I = L L^T` (as {@link batchedCholesky}) and solves `L z = b` (as
 * `batchedTriSolve(factor, b)`), optionally also computing `L^-1` (as `batchedTriInverse`). With
 * the blocked method the solve and the inverse ride along in the factorization's dispatches
 * (extra workgroups in each panel and trailing-update dispatch, same operations in the same
 * order), so the three cost the `2 ceil(m / 32) - 1` dispatches of the factorization alone
 * instead of `3 ceil(m / 32) - 1` more; the one-workgroup method calls the three in turn. `b` is
 * f32 `[C or 1, m, k]`.
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { batchedCholeskySolve } from "./batched_cholesky.ts";
 * const { factor, solve, inverse } = batchedCholeskySolve(
 *   tensor([[[4, 2], [2, 3]]]),
 *   tensor([[[2], [1]]]),
 *   { method: "blocked", inverse: true },
 * );
 * console.log(await factor.logdet.read(), await solve.x.read()); // [2.0794...] [1, 0]
 * console.log(await inverse!.read()); // [0.5, 0, -0.3535..., 0.7071...]
 * ```
 */
export function batchedCholeskySolve(
  a: Tensor,
  b: Tensor,
  options: CholeskySolveOptions = {},
): CholeskySolveResult {
  checkOperands("batchedCholeskySolve", a, b);
  const [C, m] = a.shape;
  const method = linalgMethodFor(options.method, a.shape[1] ?? 0, "batchedCholeskySolve");
  const k = b.shape[2];
  const fused = method === "blocked" && a.rank === 3 && b.dtype === "f32" && b.rank === 3 &&
    (b.shape[0] === C || b.shape[0] === 1) && b.shape[1] === m && C > 0 && m > 0 && k > 0;
  if (!fused) {
    // the one-workgroup method, an empty batch, or arguments the calls below reject (typed)
    const factor = batchedCholesky(a, options);
    const solve = batchedTriSolve(factor, b, { method });
    const inverse = options.inverse ? batchedTriInverse(factor, { method }) : null;
    return { factor, solve, inverse };
  }
  const { rt, precision, diag, l, logdet, groupLimit } = prepare(
    "batchedCholeskySolve",
    a,
    options,
  );
  const factor: CholeskyFactor = { l, logdet, precision, batch: C, size: m };
  const df = precision === "df64";
  const where = "batchedCholeskySolve";
  const x = Tensor.empty(df ? [C, m, k, 2] : [C, m, k], "f32", where);
  const x32 = Tensor.empty([C, m, k], "f32", where);
  const ss = Tensor.empty([C], "f32", where);
  const rhs = { b, stride: b.shape[0] === 1 && C > 1 ? 0 : m * k, k, x, x32, ss };
  // an adapter with fewer storage buffers per stage than the fused kernels bind (the WebGPU
  // minimum is 8) gets the inverse from its own dispatches
  const fuseInverse = (options.inverse ?? false) &&
    (rt.summary.limits.maxStorageBuffersPerShaderStage ?? 8) >= FUSED_STORAGE_BUFFERS;
  let inverse = fuseInverse ? Tensor.empty([C, m, m], "f32", where) : null;
  blockedCholesky(rt, a, l, logdet, precision, diag, groupLimit, rhs, inverse);
  if (options.inverse && !fuseInverse) inverse = batchedTriInverse(factor, { method });
  if (df) return { factor, solve: { x: x32, precise: x, sumSquares: ss }, inverse };
  x.dispose(); // f32: the working copy equals x32
  return { factor, solve: { x: x32, precise: x32, sumSquares: ss }, inverse };
}

/**
 * Reads the log-determinants back and throws NotPositiveDefiniteError naming the first batch
 * entry that failed (NaN). One GPU sync: use it in setup and tests, not inside sampling loops.
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { batchedCholesky, checkFactor } from "./batched_cholesky.ts";
 * await checkFactor(batchedCholesky(tensor([[[1, 0], [0, 1]]]))); // ok
 * ```
 */
export async function checkFactor(f: CholeskyFactor, what = "matrix"): Promise<void> {
  const ld = await f.logdet.read();
  const bad = ld.findIndex((v) => Number.isNaN(v));
  if (bad >= 0) {
    throw new NotPositiveDefiniteError(
      `batchedCholesky: ${what} ${bad} of ${f.batch} (size ${f.size}) is not positive definite ` +
        `in ${f.precision}; add a larger diag (ridge) or check the inputs for NaN`,
    );
  }
}

/**
 * Frees the factor's tensors.
 *
 * @example
 * ```ts
 * import { eye, reshape } from "../../gpu/mod.ts";
 * import { batchedCholesky, disposeFactor } from "./batched_cholesky.ts";
 * const f = batchedCholesky(reshape(eye(2), [1, 2, 2]));
 * disposeFactor(f);
 * console.log(f.l.disposed); // true
 * ```
 */
export function disposeFactor(f: CholeskyFactor): void {
  f.l.dispose();
  f.logdet.dispose();
}
