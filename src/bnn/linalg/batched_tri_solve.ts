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
import { type CholeskyFactor, LINALG_WG } from "./batched_cholesky.ts";
import { FMA_PROBE, numericWgsl, type Precision } from "./numeric_wgsl.ts";

/** Options of {@link batchedTriSolve}. */
export interface TriSolveOptions {
  /** Solve `L^T X = B` (back substitution) instead of `L X = B`. */
  transpose?: boolean;
  /** Adds `addendScale * addend` (f32 `[C or 1, m, k]`) to the right-hand side first. */
  addend?: Tensor;
  /** Scale of `addend` (default 1). */
  addendScale?: number;
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
  const p = paramWords();
  p.u[0] = m;
  p.u[1] = k;
  p.u[2] = rhsStride;
  p.u[3] = addStride;
  p.f[4] = scale;
  p.f[5] = FMA_PROBE;
  const addBuf = (options.addend ?? b).buffer("batchedTriSolve");
  rt.dispatch(
    solveK(factor.precision, options.transpose ?? false, precise),
    [factor.l.buffer("batchedTriSolve"), b.buffer("batchedTriSolve"), addBuf],
    [x.buffer(), x32.buffer(), ss.buffer()],
    p.u,
    [C, 1, 1],
  );
  return result();
}
