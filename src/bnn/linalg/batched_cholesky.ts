/**
 * Batched Cholesky factorization on the GPU: one workgroup per matrix (per chain), right-looking,
 * in global memory, in df64 (default) or f32 arithmetic.
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
import type { KernelSpec } from "../../gpu/runtime.ts";
import { fmtShape } from "../../gpu/shape.ts";
import { checkOperands, Tensor } from "../../gpu/tensor.ts";
import { FMA_PROBE, numericWgsl, type Precision, wordsPer } from "./numeric_wgsl.ts";

/** Threads per workgroup of the batched linear-algebra kernels (one workgroup per matrix). */
export const LINALG_WG = 256;

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

/**
 * Factors a batch of symmetric positive-definite matrices `a` (`[C, m, m]`, f32; only the lower
 * triangle is read) plus `diag * I`, one GPU workgroup per matrix.
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { batchedCholesky } from "./batched_cholesky.ts";
 * const f = batchedCholesky(tensor([[[1, 0], [0, 1]], [[2, 1], [1, 2]]]), { diag: 1 });
 * console.log(f.l.shape, f.batch); // [2, 2, 2, 2] 2
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
  const w = wordsPer(precision);
  const l = Tensor.empty(w === 2 ? [C, m, m, 2] : [C, m, m], "f32", "batchedCholesky");
  const logdet = Tensor.empty([C], "f32", "batchedCholesky");
  if (C === 0 || m === 0) return { l, logdet, precision, batch: C, size: m };
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
