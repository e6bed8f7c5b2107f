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
 * dispatch) or blocked (`"blocked"`; `"auto"` picks it when m > 64): one dispatch per panel of
 * {@link LINALG_BLOCK} rows, in which every workgroup solves the panel's diagonal block (in
 * workgroup memory) and all but one then subtract its contribution from their own tile of rows
 * further on (grid: chains x remaining row tiles). Each entry sees the same operations in the same
 * order as in the workgroup method; only the sum of squares is added up in another order.
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
} from "./batched_cholesky.ts";
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

/**
 * One panel (rows k0 .. k0 + bw) of the blocked solve. Every workgroup loads the working
 * right-hand side of the panel's rows (from `rhs` plus the addend on the first panel, from `w`
 * after), solves the diagonal block in workgroup memory, and then: workgroup 0 writes the
 * solution rows (x, x32) and adds their squares to `acc`; workgroup t > 0 subtracts the panel's
 * contribution from the t-th row tile after the panel (before it, with `transpose`) into `w`.
 */
function blockedSolveKernel(
  precision: Precision,
  transpose: boolean,
  rhsPrecise: boolean,
): KernelSpec {
  const K = RHS_CHUNK;
  const rhsType = rhsPrecise ? "R" : "f32";
  const rhsLoad = rhsPrecise
    ? "rhs[p.rhsStride * chain + e]"
    : "r_from(rhs[p.rhsStride * chain + e])";
  // the diagonal block's sweep, on y (bw rows x kc columns) with dl = L[k0.., k0..]
  const sweep = transpose
    ? `for (var jj = 0u; jj < bw; jj++) {
      let j = bw - 1u - jj;
      let d = dl[j * ${B}u + j];
      for (var c = tid; c < kc; c += ${LINALG_WG}u) { y[j * ${K}u + c] = r_div(y[j * ${K}u + c], d); }
      workgroupBarrier();
      for (var e = tid; e < j * kc; e += ${LINALG_WG}u) {
        let i = e / kc;
        let c = e % kc;
        y[i * ${K}u + c] = r_sub(y[i * ${K}u + c], r_mul(dl[j * ${B}u + i], y[j * ${K}u + c]));
      }
      workgroupBarrier();
    }`
    : `for (var j = 0u; j < bw; j++) {
      let d = dl[j * ${B}u + j];
      for (var c = tid; c < kc; c += ${LINALG_WG}u) { y[j * ${K}u + c] = r_div(y[j * ${K}u + c], d); }
      workgroupBarrier();
      for (var e = tid; e < (bw - j - 1u) * kc; e += ${LINALG_WG}u) {
        let i = j + 1u + e / kc;
        let c = e % kc;
        y[i * ${K}u + c] = r_sub(y[i * ${K}u + c], r_mul(dl[i * ${B}u + j], y[j * ${K}u + c]));
      }
      workgroupBarrier();
    }`;
  // the contribution of the panel to row `row` (column c): pivots in the workgroup method's order
  const update = transpose
    ? `for (var jj = 0u; jj < bw; jj++) {
          let j = bw - 1u - jj;
          v = r_sub(v, r_mul(l[lb + (k0 + j) * m + row], y[j * ${K}u + c]));
        }`
    : `for (var j = 0u; j < bw; j++) {
          v = r_sub(v, r_mul(l[lb + row * m + k0 + j], y[j * ${K}u + c]));
        }`;
  const code = `${numericWgsl(precision)}
struct P {
  m: u32, k: u32, rhsStride: u32, addStride: u32, addScale: f32, probe: f32, zero: u32,
  k0: u32, first: u32, last: u32,
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
var<workgroup> dl: array<R, ${B * B}>;
var<workgroup> y: array<R, ${B * K}>;
var<workgroup> red: array<R, ${LINALG_WG}>;
// Entry (row, c) of chain's working right-hand side at this panel.
fn load_rhs(chain: u32, row: u32, c: u32) -> R {
  if (p.first == 0u) { return w[chain * p.m * p.k + row * p.k + c]; }
  let e = row * p.k + c;
  var v = ${rhsLoad};
  if (p.addScale != 0.0) {
    v = r_add(v, r_mul(r_from(addend[p.addStride * chain + e]), r_from(p.addScale)));
  }
  return v;
}
@compute @workgroup_size(${LINALG_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  r_init(p.probe, p.zero);
  let m = p.m;
  let k = p.k;
  let k0 = p.k0;
  let bw = min(${B}u, m - k0);
  let chain = wid.y;
  let lb = chain * m * m;
  let xb = chain * m * k;
  let diagGroup = wid.x == 0u;
  let t0 = ${transpose ? `k0 - wid.x * ${B}u` : `k0 + wid.x * ${B}u`};
  let nr = min(${B}u, m - t0);
  for (var e = tid; e < bw * bw; e += ${LINALG_WG}u) {
    let i = e / bw;
    let j = e % bw;
    if (j <= i) { dl[i * ${B}u + j] = l[lb + (k0 + i) * m + k0 + j]; }
  }
  var sq = r_from(0.0);
  for (var c0 = 0u; c0 < k; c0 += ${K}u) {
    let kc = min(${K}u, k - c0);
    for (var e = tid; e < bw * kc; e += ${LINALG_WG}u) {
      y[(e / kc) * ${K}u + e % kc] = load_rhs(chain, k0 + e / kc, c0 + e % kc);
    }
    workgroupBarrier();
    ${sweep}
    if (diagGroup) {
      for (var e = tid; e < bw * kc; e += ${LINALG_WG}u) {
        let v = y[(e / kc) * ${K}u + e % kc];
        let o = xb + (k0 + e / kc) * k + c0 + e % kc;
        x[o] = v;
        x32[o] = r_f32(v);
        sq = r_add(sq, r_mul(v, v));
      }
    } else {
      for (var e = tid; e < nr * kc; e += ${LINALG_WG}u) {
        let row = t0 + e / kc;
        let c = e % kc;
        var v = load_rhs(chain, row, c0 + c);
        ${update}
        w[xb + row * k + c0 + c] = v;
      }
    }
    workgroupBarrier();
  }
  if (diagGroup) {
    red[tid] = sq;
    workgroupBarrier();
    for (var s = ${LINALG_WG / 2}u; s > 0u; s >>= 1u) {
      if (tid < s) { red[tid] = r_add(red[tid], red[tid + s]); }
      workgroupBarrier();
    }
    if (tid == 0u) {
      var total = red[0];
      if (p.first == 0u) { total = r_add(acc[chain], total); }
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
    for (let q = 0; q < panels; q++) {
      const kb = transpose ? panels - 1 - q : q; // panel index
      const p = params();
      p.u[7] = kb * B;
      p.u[8] = q === 0 ? 1 : 0;
      p.u[9] = q === panels - 1 ? 1 : 0;
      rt.dispatch(
        blockedSolveK(factor.precision, transpose, precise),
        [factor.l.buffer("batchedTriSolve"), b.buffer("batchedTriSolve"), addBuf],
        [work.buffer(), x.buffer(), x32.buffer(), ss.buffer(), acc.buffer()],
        p.u,
        [transpose ? kb + 1 : panels - kb, C, 1],
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
