/**
 * Batched triangular solves with the Cholesky factors of {@link batchedCholesky}: `L X = B`
 * (forward substitution) or `L^T X = B` (back substitution), one workgroup per matrix, in the
 * factor's precision. The right-hand side may be shared by all matrices (`[1, m, k]`), may carry
 * df64 precision from a previous solve (chaining `L^-T (L^-1 B)` without rounding), and may have
 * a scaled f32 addend (the repriorisation map `L^-T (L^-1 Phi^T y + sqrt(lambda) phi)`).
 *
 * Besides X it returns the per-matrix sum of squares `sum X^2` (accumulated in the solve's
 * precision): with a forward solve of `B`, that is `B^T A^-1 B`, the quadratic form a Gaussian
 * log-density needs.
 *
 * Like the factorization, a solve runs one workgroup per matrix (`method: "workgroup"`, one
 * dispatch) or blocked (`"blocked"`; `"auto"` picks it when m > 64): one dispatch per two panels
 * of {@link LINALG_BLOCK} rows (4 at m = 256), in which every workgroup solves the two panels'
 * diagonal blocks in turn (in workgroup memory) and all but one then subtract their contribution
 * from their own tile of rows further on (grid: chains x remaining row tiles). Each entry sees the
 * same operations in the same order as in the workgroup method; only the sum of squares is added
 * up in another order. (A forward solve right after a factorization is cheaper still inside it:
 * `batchedCholeskySolve`.)
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { batchedCholesky } from "./batched_cholesky.ts";
 * import { batchedTriSolve } from "./batched_tri_solve.ts";
 * const f = batchedCholesky(tensor([[[4, 2], [2, 3]]]));
 * const z = batchedTriSolve(f, tensor([[[2], [1]]]));           // L z = b
 * const x = batchedTriSolve(f, z.precise, { transpose: true });  // L^T x = z  ->  A x = b
 * console.log(await x.x.read()); // Float32Array [0.5, 0]
 * ```
 * @module
 */
import { InvalidArgumentError, ShapeError } from "../../errors.ts";
import { memoKernel, paramWords } from "../../gpu/kernels/indexing.ts";
import type { KernelSpec } from "../../gpu/runtime.ts";
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

/** Options of {@link batchedTriSolve}. */
export interface TriSolveOptions {
  /** Solve `L^T X = B` (back substitution) instead of `L X = B`. */
  transpose?: boolean;
  /** Adds `addendScale * addend` (f32 `[C or 1, m, k]`) to the right-hand side first. */
  addend?: Tensor;
  /** Scale of `addend` (default 1). */
  addendScale?: number;
  /** `"auto"` (default: blocked when m > 64), `"blocked"` or `"workgroup"`. */
  method?: LinalgMethod;
}

/** Result of {@link batchedTriSolve}. */
export interface TriSolveResult {
  /** The solution rounded to f32, `[C, m, k]`. */
  x: Tensor;
  /** The solution in the factor's precision: `[C, m, k, 2]` (df64) or the same tensor as `x`. */
  precise: Tensor;
  /** sum of X^2 over each matrix's solution, `[C]` (accumulated in the factor's precision). */
  sumSquares: Tensor;
}

function triSolveKernel(precision: Precision, transpose: boolean, rhsPrecise: boolean): KernelSpec {
  const rhsType = rhsPrecise ? "R" : "f32";
  const rhsLoad = rhsPrecise ? "rhs[rb + e]" : "r_from(rhs[rb + e])";
  const sweep = transpose
    ? `for (var ii = 0u; ii < m; ii++) {
    let i = m - 1u - ii;
    let d = l[lb + i * m + i];
    for (var c = tid; c < k; c += ${LINALG_WG}u) { x[xb + i * k + c] = r_div(x[xb + i * k + c], d); }
    storageBarrier();
    for (var e = tid; e < i * k; e += ${LINALG_WG}u) {
      let row = e / k;
      let c = e % k;
      x[xb + e] = r_sub(x[xb + e], r_mul(l[lb + i * m + row], x[xb + i * k + c]));
    }
    storageBarrier();
  }`
    : `for (var i = 0u; i < m; i++) {
    let d = l[lb + i * m + i];
    for (var c = tid; c < k; c += ${LINALG_WG}u) { x[xb + i * k + c] = r_div(x[xb + i * k + c], d); }
    storageBarrier();
    let rest = (m - i - 1u) * k;
    for (var e = tid; e < rest; e += ${LINALG_WG}u) {
      let row = i + 1u + e / k;
      let c = e % k;
      let o = xb + row * k + c;
      x[o] = r_sub(x[o], r_mul(l[lb + row * m + i], x[xb + i * k + c]));
    }
    storageBarrier();
  }`;
  const code = `${numericWgsl(precision)}
struct P { m: u32, k: u32, rhsStride: u32, addStride: u32, addScale: f32, probe: f32, zero: u32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> l: array<R>;
@group(0) @binding(2) var<storage, read> rhs: array<${rhsType}>;
@group(0) @binding(3) var<storage, read> addend: array<f32>;
@group(0) @binding(4) var<storage, read_write> x: array<R>;
@group(0) @binding(5) var<storage, read_write> x32: array<f32>;
@group(0) @binding(6) var<storage, read_write> ss: array<f32>;
var<workgroup> red: array<R, ${LINALG_WG}>;
@compute @workgroup_size(${LINALG_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  r_init(p.probe, p.zero);
  let m = p.m;
  let k = p.k;
  let lb = wid.x * m * m;
  let xb = wid.x * m * k;
  let rb = wid.x * p.rhsStride;
  let ab = wid.x * p.addStride;
  for (var e = tid; e < m * k; e += ${LINALG_WG}u) {
    var v = ${rhsLoad};
    if (p.addScale != 0.0) { v = r_add(v, r_mul(r_from(addend[ab + e]), r_from(p.addScale))); }
    x[xb + e] = v;
  }
  storageBarrier();
  ${sweep}
  var acc = r_from(0.0);
  for (var e = tid; e < m * k; e += ${LINALG_WG}u) {
    let v = x[xb + e];
    x32[xb + e] = r_f32(v);
    acc = r_add(acc, r_mul(v, v));
  }
  red[tid] = acc;
  workgroupBarrier();
  for (var s = ${LINALG_WG / 2}u; s > 0u; s >>= 1u) {
    if (tid < s) { red[tid] = r_add(red[tid], red[tid + s]); }
    workgroupBarrier();
  }
  if (tid == 0u) { ss[wid.x] = r_f32(red[0]); }
}`;
  return { code, inputs: 3, outputs: 3 };
}

const solveK = memoKernel(triSolveKernel);

// ---- blocked method --------------------------------------------------------------------------
const B = LINALG_BLOCK;
/** Right-hand-side columns a blocked-solve workgroup holds in workgroup memory at a time. */
const RHS_CHUNK = 16;

/** Panels of {@link LINALG_BLOCK} rows one blocked-solve dispatch solves in turn. */
const PANELS_PER_DISPATCH = 2;

/**
 * One dispatch of the blocked solve: `ng` (1 or 2) consecutive panels in solve order, A (rows
 * k0 .. k0 + bw) and then B (the next panel down, or up with `transpose`). Every workgroup loads
 * the working right-hand side of A's rows (from `rhs` plus the addend in the first dispatch, from
 * `w` after), solves A's diagonal block in workgroup memory, then takes B's rows minus A's
 * contribution and solves B's diagonal block; then workgroup 0 writes the solution rows (x, x32)
 * and adds their squares to `acc` panel by panel, and workgroup t > 0 subtracts both panels'
 * contributions from the t-th row tile after them (before them, with `transpose`) into `w`.
 * Every entry sees the operations of the one-panel-per-dispatch order.
 */
function blockedSolveKernel(
  precision: Precision,
  transpose: boolean,
  rhsPrecise: boolean,
): KernelSpec {
  const K = RHS_CHUNK;
  const G = PANELS_PER_DISPATCH;
  const rhsType = rhsPrecise ? "R" : "f32";
  const rhsLoad = rhsPrecise
    ? "rhs[p.rhsStride * chain + e]"
    : "r_from(rhs[p.rhsStride * chain + e])";
  // the diagonal block's sweep on y[yo ..] (bw rows x kc columns), dl = L[k0.., k0..]
  const sweep = transpose
    ? `for (var jj = 0u; jj < bw; jj++) {
    let j = bw - 1u - jj;
    let d = dl[j * ${B}u + j];
    for (var c = tid; c < kc; c += ${LINALG_WG}u) { y[yo + j * ${K}u + c] = r_div(y[yo + j * ${K}u + c], d); }
    workgroupBarrier();
    for (var e = tid; e < j * kc; e += ${LINALG_WG}u) {
      let i = e / kc;
      let c = e % kc;
      y[yo + i * ${K}u + c] = r_sub(y[yo + i * ${K}u + c], r_mul(dl[j * ${B}u + i], y[yo + j * ${K}u + c]));
    }
    workgroupBarrier();
  }`
    : `for (var j = 0u; j < bw; j++) {
    let d = dl[j * ${B}u + j];
    for (var c = tid; c < kc; c += ${LINALG_WG}u) { y[yo + j * ${K}u + c] = r_div(y[yo + j * ${K}u + c], d); }
    workgroupBarrier();
    for (var e = tid; e < (bw - j - 1u) * kc; e += ${LINALG_WG}u) {
      let i = j + 1u + e / kc;
      let c = e % kc;
      y[yo + i * ${K}u + c] = r_sub(y[yo + i * ${K}u + c], r_mul(dl[i * ${B}u + j], y[yo + j * ${K}u + c]));
    }
    workgroupBarrier();
  }`;
  // v minus the contribution of the panel at k0 (solution y[yo ..]) to row `row`, column c:
  // pivots in the workgroup method's order
  const update = transpose
    ? `for (var jj = 0u; jj < bw; jj++) {
    let j = bw - 1u - jj;
    r = r_sub(r, r_mul(l[lb + (k0 + j) * p.m + row], y[yo + j * ${K}u + c]));
  }`
    : `for (var j = 0u; j < bw; j++) {
    r = r_sub(r, r_mul(l[lb + row * p.m + k0 + j], y[yo + j * ${K}u + c]));
  }`;
  const code = `${numericWgsl(precision)}
struct P {
  m: u32, k: u32, rhsStride: u32, addStride: u32, addScale: f32, probe: f32, zero: u32,
  k0: u32, first: u32, last: u32, ng: u32,
};
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> l: array<R>;
@group(0) @binding(2) var<storage, read> rhs: array<${rhsType}>;
@group(0) @binding(3) var<storage, read> addend: array<f32>;
@group(0) @binding(4) var<storage, read_write> w: array<R>;
@group(0) @binding(5) var<storage, read_write> x: array<R>;
@group(0) @binding(6) var<storage, read_write> x32: array<f32>;
@group(0) @binding(7) var<storage, read_write> ss: array<f32>;
@group(0) @binding(8) var<storage, read_write> acc: array<R>;
// dl also serves as the reduction buffer once the sweeps are done
var<workgroup> dl: array<R, ${B * B}>;
var<workgroup> y: array<R, ${G * B * K}>;
// Entry (row, c) of chain's working right-hand side at this dispatch.
fn load_rhs(chain: u32, row: u32, c: u32) -> R {
  if (p.first == 0u) { return w[chain * p.m * p.k + row * p.k + c]; }
  let e = row * p.k + c;
  var v = ${rhsLoad};
  if (p.addScale != 0.0) {
    v = r_add(v, r_mul(r_from(addend[p.addStride * chain + e]), r_from(p.addScale)));
  }
  return v;
}
fn load_block(lb: u32, k0: u32, bw: u32, tid: u32) {
  for (var e = tid; e < bw * bw; e += ${LINALG_WG}u) {
    let i = e / bw;
    let j = e % bw;
    if (j <= i) { dl[i * ${B}u + j] = l[lb + (k0 + i) * p.m + k0 + j]; }
  }
}
fn sweep(yo: u32, bw: u32, kc: u32, tid: u32) {
  ${sweep}
}
fn contrib(v: R, lb: u32, k0: u32, bw: u32, yo: u32, row: u32, c: u32) -> R {
  var r = v;
  ${update}
  return r;
}
// sum over the workgroup of v (in dl), in the order of the one-panel kernel
fn reduce(v: R, tid: u32) -> R {
  workgroupBarrier();
  dl[tid] = v;
  workgroupBarrier();
  for (var s = ${LINALG_WG / 2}u; s > 0u; s >>= 1u) {
    if (tid < s) { dl[tid] = r_add(dl[tid], dl[tid + s]); }
    workgroupBarrier();
  }
  let total = dl[0];
  workgroupBarrier();
  return total;
}
@compute @workgroup_size(${LINALG_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  r_init(p.probe, p.zero);
  let m = p.m;
  let k = p.k;
  let ng = p.ng;
  let chain = wid.y;
  let lb = chain * m * m;
  let xb = chain * m * k;
  let diagGroup = wid.x == 0u;
  // the group's panels: g = 0 at p.k0, g = 1 the next one in solve order
  var kp = array<u32, ${G}>();
  var bp = array<u32, ${G}>();
  for (var g = 0u; g < ng; g++) {
    kp[g] = ${transpose ? `p.k0 - g * ${B}u` : `p.k0 + g * ${B}u`};
    bp[g] = min(${B}u, m - kp[g]);
  }
  let t0 = ${transpose ? `kp[ng - 1u] - wid.x * ${B}u` : `kp[ng - 1u] + wid.x * ${B}u`};
  let nr = min(${B}u, m - t0);
  var sq = array<R, ${G}>();
  for (var g = 0u; g < ng; g++) { sq[g] = r_from(0.0); }
  for (var c0 = 0u; c0 < k; c0 += ${K}u) {
    let kc = min(${K}u, k - c0);
    for (var g = 0u; g < ng; g++) {
      workgroupBarrier();
      load_block(lb, kp[g], bp[g], tid);
      let yo = g * ${B * K}u;
      for (var e = tid; e < bp[g] * kc; e += ${LINALG_WG}u) {
        let row = kp[g] + e / kc;
        let c = e % kc;
        var v = load_rhs(chain, row, c0 + c);
        for (var h = 0u; h < g; h++) { v = contrib(v, lb, kp[h], bp[h], h * ${B * K}u, row, c); }
        y[yo + (e / kc) * ${K}u + c] = v;
      }
      workgroupBarrier();
      sweep(yo, bp[g], kc, tid);
    }
    if (diagGroup) {
      for (var g = 0u; g < ng; g++) {
        for (var e = tid; e < bp[g] * kc; e += ${LINALG_WG}u) {
          let v = y[g * ${B * K}u + (e / kc) * ${K}u + e % kc];
          let o = xb + (kp[g] + e / kc) * k + c0 + e % kc;
          x[o] = v;
          x32[o] = r_f32(v);
          sq[g] = r_add(sq[g], r_mul(v, v));
        }
      }
    } else {
      for (var e = tid; e < nr * kc; e += ${LINALG_WG}u) {
        let row = t0 + e / kc;
        let c = e % kc;
        var v = load_rhs(chain, row, c0 + c);
        for (var g = 0u; g < ng; g++) { v = contrib(v, lb, kp[g], bp[g], g * ${B * K}u, row, c); }
        w[xb + row * k + c0 + c] = v;
      }
    }
  }
  if (diagGroup) {
    var total = acc[chain];
    for (var g = 0u; g < ng; g++) {
      let part = reduce(sq[g], tid);
      if (p.first != 0u && g == 0u) { total = part; } else { total = r_add(total, part); }
    }
    if (tid == 0u) {
      if (p.last != 0u) { ss[chain] = r_f32(total); } else { acc[chain] = total; }
    }
  }
}`;
  return { code, inputs: 3, outputs: 5 };
}

const blockedSolveK = memoKernel(blockedSolveKernel);

function batchOf(t: Tensor, C: number, m: number, k: number, what: string, precise: boolean) {
  const tail = precise ? [m, k, 2] : [m, k];
  const ok = t.dtype === "f32" && t.rank === tail.length + 1 &&
    tail.every((d, i) => t.shape[i + 1] === d) && (t.shape[0] === C || t.shape[0] === 1);
  if (!ok) {
    throw new ShapeError(
      `batchedTriSolve: ${what} must be f32 [${C} or 1, ${tail.join(", ")}] to match the factor ` +
        `(batch ${C}, size ${m}), got ${t.dtype} ${fmtShape(t.shape)}`,
    );
  }
  return t.shape[0] === 1 && C > 1 ? 0 : m * k;
}

/**
 * Solves `L X = B` (or `L^T X = B` with `transpose`) for every factor in the batch.
 * `b` is f32 `[C or 1, m, k]`, or a df64 `[C, m, k, 2]` result of a previous solve with a df64
 * factor (its `precise` field).
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { batchedCholesky } from "./batched_cholesky.ts";
 * import { batchedTriSolve } from "./batched_tri_solve.ts";
 * const f = batchedCholesky(tensor([[[4, 0], [0, 9]]]));
 * const r = batchedTriSolve(f, tensor([[[2], [3]]]));
 * console.log(await r.x.read(), await r.sumSquares.read()); // [1, 1] [2]
 * ```
 */
export function batchedTriSolve(
  factor: CholeskyFactor,
  b: Tensor,
  options: TriSolveOptions = {},
): TriSolveResult {
  const rt = checkOperands("batchedTriSolve", factor.l, b);
  const C = factor.batch, m = factor.size;
  const precise = factor.precision === "df64" && b.rank === 4;
  if (b.rank === 4 && factor.precision !== "df64") {
    throw new ShapeError(
      `batchedTriSolve: a df64 right-hand side ${fmtShape(b.shape)} needs a df64 factor`,
    );
  }
  const k = b.shape[2];
  if (b.rank < 3) {
    throw new ShapeError(`batchedTriSolve: b must be [C or 1, m, k], got ${fmtShape(b.shape)}`);
  }
  const rhsStride = batchOf(b, C, m, k, "b", precise);
  let addStride = 0;
  const scale = options.addend ? (options.addendScale ?? 1) : 0;
  if (!Number.isFinite(scale)) {
    throw new InvalidArgumentError(`batchedTriSolve: addendScale must be finite, got ${scale}`);
  }
  if (options.addend) {
    checkOperands("batchedTriSolve", options.addend);
    addStride = batchOf(options.addend, C, m, k, "addend", false);
  }
  const df = factor.precision === "df64";
  const x = Tensor.empty(df ? [C, m, k, 2] : [C, m, k], "f32", "batchedTriSolve");
  const x32 = Tensor.empty([C, m, k], "f32", "batchedTriSolve");
  const ss = Tensor.empty([C], "f32", "batchedTriSolve");
  const result = () => {
    if (df) return { x: x32, precise: x, sumSquares: ss };
    x.dispose(); // f32: the working copy equals x32
    return { x: x32, precise: x32, sumSquares: ss };
  };
  if (C === 0 || m === 0 || k === 0) return result();
  const params = () => {
    const p = paramWords();
    p.u[0] = m;
    p.u[1] = k;
    p.u[2] = rhsStride;
    p.u[3] = addStride;
    p.f[4] = scale;
    p.f[5] = FMA_PROBE;
    return p;
  };
  const addBuf = (options.addend ?? b).buffer("batchedTriSolve");
  const transpose = options.transpose ?? false;
  if (linalgMethodFor(options.method, m, "batchedTriSolve") === "blocked") {
    const w = wordsPer(factor.precision);
    const work = Tensor.empty([C, m, k, w], "f32", "batchedTriSolve");
    const acc = Tensor.empty([C, w], "f32", "batchedTriSolve");
    const panels = Math.ceil(m / B);
    for (let q = 0; q < panels; q += PANELS_PER_DISPATCH) {
      const ng = Math.min(PANELS_PER_DISPATCH, panels - q);
      const kb = transpose ? panels - 1 - q : q; // the first panel's index
      const kbLast = transpose ? kb - ng + 1 : kb + ng - 1;
      const p = params();
      p.u[7] = kb * B;
      p.u[8] = q === 0 ? 1 : 0;
      p.u[9] = q + ng === panels ? 1 : 0;
      p.u[10] = ng;
      rt.dispatch(
        blockedSolveK(factor.precision, transpose, precise),
        [factor.l.buffer("batchedTriSolve"), b.buffer("batchedTriSolve"), addBuf],
        [work.buffer(), x.buffer(), x32.buffer(), ss.buffer(), acc.buffer()],
        p.u,
        [transpose ? kbLast + 1 : panels - kbLast, C, 1],
      );
    }
    work.dispose();
    acc.dispose();
    return result();
  }
  const p = params();
  rt.dispatch(
    solveK(factor.precision, transpose, precise),
    [factor.l.buffer("batchedTriSolve"), b.buffer("batchedTriSolve"), addBuf],
    [x.buffer(), x32.buffer(), ss.buffer()],
    p.u,
    [C, 1, 1],
  );
  return result();
}
