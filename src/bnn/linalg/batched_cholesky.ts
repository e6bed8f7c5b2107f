/**
 * Batched Cholesky factorization on the GPU, right-looking, in df64 (default) or f32 arithmetic,
 * by one of two methods:
 *
 * - `"workgroup"`: one workgroup per matrix (per chain), column by column in global memory. One
 *   dispatch, but only C workgroups: with 8 chains, 8 of an H100's 132 SMs do all the work.
 * - `"blocked"`: an elementwise copy of `a + diag I` into the factor, then panels of
 *   {@link LINALG_BLOCK} columns. Per panel, one dispatch factors the diagonal block and solves
 *   the panel below it (grid: chains x (1 + row tiles of 16); every workgroup factors the 32 x 32
 *   diagonal block redundantly in workgroup memory, so no extra dispatch is needed), and one
 *   dispatch applies the trailing update `A22 -= L21 L21^T` (grid: chains x 16 x 16 tiles of the
 *   lower triangle). `2 ceil(m / 32)` dispatches in all: 16 at m = 256, where the first trailing
 *   update has 105 workgroups per chain and the first panel 15. Every entry sees the same
 *   operations in the same order as in the workgroup method, so the two agree to rounding (bit
 *   for bit on Mesa lavapipe).
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
import { FMA_PROBE, numericWgsl, type Precision, wordsPer } from "./numeric_wgsl.ts";

/** Threads per workgroup of the batched linear-algebra kernels (one workgroup per matrix). */
export const LINALG_WG = 256;

/**
 * Panel width (columns) of the blocked factorization, solves and inverse.
 *
 * @example
 * ```ts
 * import { LINALG_BLOCK } from "./batched_cholesky.ts";
 * console.log(Math.ceil(256 / LINALG_BLOCK)); // 8 panels for a 256 x 256 Gram matrix
 * ```
 */
export const LINALG_BLOCK = 32;

/**
 * `"auto"` uses the blocked kernels for matrices larger than this (see {@link linalgMethodFor}).
 *
 * @example
 * ```ts
 * import { BLOCKED_MIN_SIZE } from "./batched_cholesky.ts";
 * console.log(BLOCKED_MIN_SIZE); // 64
 * ```
 */
export const BLOCKED_MIN_SIZE = 64;

/**
 * How the batched kernels spread a factorization or solve over the GPU: `"workgroup"` (one
 * workgroup per matrix, one dispatch), `"blocked"` (panels of {@link LINALG_BLOCK} columns, many
 * workgroups per matrix, a few dispatches per panel) or `"auto"` (blocked when m > 64).
 *
 * @example
 * ```ts
 * import type { LinalgMethod } from "./batched_cholesky.ts";
 * const m: LinalgMethod = "blocked";
 * console.log(m); // "blocked"
 * ```
 */
export type LinalgMethod = "auto" | "blocked" | "workgroup";

/**
 * Resolves `"auto"` for a matrix of size m: `"blocked"` when m > {@link BLOCKED_MIN_SIZE}, else
 * `"workgroup"`. Throws InvalidArgumentError for an unknown method.
 *
 * @example
 * ```ts
 * import { linalgMethodFor } from "./batched_cholesky.ts";
 * console.log(linalgMethodFor("auto", 256), linalgMethodFor("auto", 48)); // "blocked" "workgroup"
 * ```
 */
export function linalgMethodFor(
  method: LinalgMethod | undefined,
  m: number,
  where = "linalg",
): "blocked" | "workgroup" {
  const v = method ?? "auto";
  if (v === "auto") return m > BLOCKED_MIN_SIZE ? "blocked" : "workgroup";
  if (v === "blocked" || v === "workgroup") return v;
  throw new InvalidArgumentError(
    `${where}: method must be "auto", "blocked" or "workgroup", got ${JSON.stringify(v)}`,
  );
}

/**
 * A batch of lower-triangular Cholesky factors `A_c + diag I = L_c L_c^T` living on the GPU.
 *
 * @example
 * ```ts
 * import { eye, reshape } from "../../gpu/mod.ts";
 * import { batchedCholesky, type CholeskyFactor } from "./batched_cholesky.ts";
 * const f: CholeskyFactor = batchedCholesky(reshape(eye(3), [1, 3, 3]), { precision: "f32" });
 * console.log(f.l.shape); // [1, 3, 3]
 * ```
 */
export interface CholeskyFactor {
  /** L: `[C, m, m]` (f32) or `[C, m, m, 2]` (df64 hi/lo pairs); zero above the diagonal. */
  readonly l: Tensor;
  /** log det(A_c + diag I) = 2 sum log L_ii, per matrix `[C]` (NaN when not positive definite). */
  readonly logdet: Tensor;
  /** Arithmetic the factor was computed (and is stored) in. */
  readonly precision: Precision;
  /** Number of matrices C. */
  readonly batch: number;
  /** Matrix size m. */
  readonly size: number;
}

/** Options of {@link batchedCholesky}. */
export interface CholeskyOptions {
  /** Added to every diagonal entry before factoring (a ridge, e.g. the noise variance). */
  diag?: number;
  /** `"df64"` (default, ~48-bit mantissa) or `"f32"`. */
  precision?: Precision;
  /** `"auto"` (default: blocked when m > 64), `"blocked"` or `"workgroup"` (see the module doc). */
  method?: LinalgMethod;
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
/** Rows per workgroup in the panel solve below the diagonal block. */
const PANEL_ROWS = 16;
/** Side of the square tiles of the trailing update (TRAIL_TILE^2 = LINALG_WG threads). */
const TRAIL_TILE = 16;

/** Copies `a + diag I` (lower triangle) into the factor's storage, zero above the diagonal. */
function blockedInitKernel(precision: Precision): KernelSpec {
  const code = `${numericWgsl(precision)}
struct P { m: u32, zero: u32, diag: f32, probe: f32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read_write> l: array<R>;
@compute @workgroup_size(${LINALG_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  r_init(p.probe, p.zero);
  let m = p.m;
  let e = wid.x * ${LINALG_WG}u + tid;
  if (e >= m * m) { return; }
  let i = e / m;
  let k = e % m;
  let o = wid.y * m * m + e;
  var v = r_from(0.0);
  if (k <= i) {
    v = r_from(a[o]);
    if (k == i) { v = r_add(v, r_from(p.diag)); }
  }
  l[o] = v;
}`;
  return { code, inputs: 1, outputs: 1 };
}

/**
 * One panel (columns k0 .. k0 + bw): workgroup x = 0 factors the diagonal block and writes it;
 * workgroup x > 0 factors the same block (redundantly, in workgroup memory) and solves its tile of
 * PANEL_ROWS rows below it, `L21 = A21 L11^-T`, column by column as the workgroup method does.
 * The log-determinant and the not-positive-definite flag travel between panels in `acc`.
 */
function blockedPanelKernel(precision: Precision): KernelSpec {
  const code = `${numericWgsl(precision)}
struct P { m: u32, zero: u32, k0: u32, last: u32, probe: f32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> l: array<R>;
@group(0) @binding(2) var<storage, read_write> info: array<f32>;
@group(0) @binding(3) var<storage, read_write> acc: array<R>;
@group(0) @binding(4) var<storage, read_write> dblk: array<R>;
var<workgroup> dg: array<R, ${B * B}>;
var<workgroup> rows: array<R, ${PANEL_ROWS * B}>;
@compute @workgroup_size(${LINALG_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  r_init(p.probe, p.zero);
  let m = p.m;
  let k0 = p.k0;
  let bw = min(${B}u, m - k0);
  let chain = wid.y;
  let base = chain * m * m;
  let diagGroup = wid.x == 0u;
  var r0 = 0u;
  var nr = 0u;
  if (!diagGroup) {
    r0 = k0 + bw + (wid.x - 1u) * ${PANEL_ROWS}u;
    nr = min(${PANEL_ROWS}u, m - r0);
  }
  for (var e = tid; e < bw * bw; e += ${LINALG_WG}u) {
    let i = e / bw;
    let j = e % bw;
    if (j <= i) { dg[i * ${B}u + j] = l[base + (k0 + i) * m + k0 + j]; }
  }
  for (var e = tid; e < nr * bw; e += ${LINALG_WG}u) {
    let i = e / bw;
    rows[i * ${B}u + e % bw] = l[base + (r0 + i) * m + k0 + e % bw];
  }
  var logdet = r_from(0.0);
  var bad = false;
  if (diagGroup && tid == 0u && k0 > 0u) {
    logdet = acc[2u * chain];
    bad = r_hi(acc[2u * chain + 1u]) != 0.0;
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
    // Other workgroups of this dispatch may still be reading the unfactored block from l: while
    // there are rows below, the factored block goes to dblk and the trailing update copies it.
    for (var e = tid; e < bw * bw; e += ${LINALG_WG}u) {
      let i = e / bw;
      let j = e % bw;
      if (j <= i) {
        if (p.last != 0u) {
          l[base + (k0 + i) * m + k0 + j] = dg[i * ${B}u + j];
        } else {
          dblk[chain * ${B * B}u + i * ${B}u + j] = dg[i * ${B}u + j];
        }
      }
    }
    if (tid == 0u) {
      if (p.last != 0u) {
        info[chain] = select(2.0 * r_f32(logdet), bitcast<f32>(0x7fc00000u), bad);
      } else {
        acc[2u * chain] = logdet;
        acc[2u * chain + 1u] = r_from(select(0.0, 1.0, bad));
      }
    }
  }
  for (var e = tid; e < nr * bw; e += ${LINALG_WG}u) {
    let i = e / bw;
    l[base + (r0 + i) * m + k0 + e % bw] = rows[i * ${B}u + e % bw];
  }
}`;
  return { code, inputs: 0, outputs: 4 };
}

/**
 * Trailing update after the panel at k0: `A[i][k] -= sum_j L[i][j] L[k][j]` over the panel's
 * columns j (in order), for the lower triangle of the rows and columns below the panel; one
 * workgroup per TRAIL_TILE x TRAIL_TILE tile (x: tile index in the lower triangle, y: chain).
 * Workgroup 0 also copies the panel's factored diagonal block from `dblk` into l.
 */
function blockedTrailKernel(precision: Precision): KernelSpec {
  const T = TRAIL_TILE;
  const code = `${numericWgsl(precision)}
struct P { m: u32, zero: u32, k0: u32, pad: u32, probe: f32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> l: array<R>;
@group(0) @binding(2) var<storage, read_write> dblk: array<R>;
var<workgroup> li: array<R, ${T * B}>;
var<workgroup> lk: array<R, ${T * B}>;
@compute @workgroup_size(${LINALG_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  r_init(p.probe, p.zero);
  let m = p.m;
  let k0 = p.k0;
  let bw = min(${B}u, m - k0);
  let s0 = k0 + bw;
  // tile x of the lower triangle, row-major: (ti, tk) with tk <= ti
  let x = wid.x;
  var ti = u32((sqrt(8.0 * f32(x) + 1.0) - 1.0) * 0.5);
  while ((ti + 1u) * (ti + 2u) / 2u <= x) { ti++; }
  while (ti * (ti + 1u) / 2u > x) { ti--; }
  let tk = x - ti * (ti + 1u) / 2u;
  let base = wid.y * m * m;
  if (x == 0u) {
    for (var e = tid; e < bw * bw; e += ${LINALG_WG}u) {
      let i = e / bw;
      let j = e % bw;
      if (j <= i) { l[base + (k0 + i) * m + k0 + j] = dblk[wid.y * ${B * B}u + i * ${B}u + j]; }
    }
  }
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
    for (var j = 0u; j < bw; j++) { v = r_sub(v, r_mul(li[r * ${B}u + j], lk[c * ${B}u + j])); }
    l[o] = v;
  }
}`;
  return { code, inputs: 0, outputs: 2 };
}

const initK = memoKernel(blockedInitKernel);
const panelK = memoKernel(blockedPanelKernel);
const trailK = memoKernel(blockedTrailKernel);

/** Records the blocked factorization of `a + diag I` into `l` and `logdet` (see the module doc). */
function blockedCholesky(
  rt: Runtime,
  a: Tensor,
  l: Tensor,
  logdet: Tensor,
  precision: Precision,
  diag: number,
): void {
  const [C, m] = a.shape;
  const w = wordsPer(precision);
  const acc = Tensor.empty([C, 2, w], "f32", "batchedCholesky");
  const dblk = Tensor.empty([C, B * B, w], "f32", "batchedCholesky");
  let p = paramWords();
  p.u[0] = m;
  p.f[2] = diag;
  p.f[3] = FMA_PROBE;
  rt.dispatch(
    initK(precision),
    [a.buffer("batchedCholesky")],
    [l.buffer()],
    p.u,
    [Math.ceil((m * m) / LINALG_WG), C, 1],
  );
  for (let k0 = 0; k0 < m; k0 += B) {
    const below = m - Math.min(m, k0 + B);
    p = paramWords();
    p.u[0] = m;
    p.u[2] = k0;
    p.u[3] = below === 0 ? 1 : 0;
    p.f[4] = FMA_PROBE;
    rt.dispatch(
      panelK(precision),
      [],
      [l.buffer(), logdet.buffer(), acc.buffer(), dblk.buffer()],
      p.u,
      [1 + Math.ceil(below / PANEL_ROWS), C, 1],
    );
    if (below === 0) break;
    const nt = Math.ceil(below / TRAIL_TILE);
    rt.dispatch(
      trailK(precision),
      [],
      [l.buffer(), dblk.buffer()],
      p.u,
      [(nt * (nt + 1)) / 2, C, 1],
    );
  }
  acc.dispose();
  dblk.dispose();
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
  const rt = checkOperands("batchedCholesky", a);
  const precision = options.precision ?? "df64";
  if (precision !== "df64" && precision !== "f32") {
    throw new InvalidArgumentError(
      `batchedCholesky: precision must be "df64" or "f32", got ${JSON.stringify(precision)}`,
    );
  }
  const diag = options.diag ?? 0;
  if (!Number.isFinite(diag)) {
    throw new InvalidArgumentError(`batchedCholesky: diag must be a finite number, got ${diag}`);
  }
  if (a.dtype !== "f32" || a.rank !== 3 || a.shape[1] !== a.shape[2]) {
    throw new ShapeError(
      `batchedCholesky: a must be an f32 batch of square matrices [C, m, m], got ${a.dtype} ` +
        fmtShape(a.shape),
    );
  }
  const [C, m] = a.shape;
  if (C > 65535) {
    throw new InvalidArgumentError(`batchedCholesky: at most 65535 matrices per call, got ${C}`);
  }
  const method = linalgMethodFor(options.method, m, "batchedCholesky");
  const w = wordsPer(precision);
  const l = Tensor.empty(w === 2 ? [C, m, m, 2] : [C, m, m], "f32", "batchedCholesky");
  const logdet = Tensor.empty([C], "f32", "batchedCholesky");
  if (C === 0 || m === 0) return { l, logdet, precision, batch: C, size: m };
  if (method === "blocked") {
    blockedCholesky(rt, a, l, logdet, precision, diag);
    return { l, logdet, precision, batch: C, size: m };
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
  return { l, logdet, precision, batch: C, size: m };
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
