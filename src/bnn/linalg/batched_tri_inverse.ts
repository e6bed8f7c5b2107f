/**
 * Batched inverse of the lower-triangular Cholesky factors of {@link batchedCholesky}, in f32:
 * `L^-1` per matrix, one workgroup per matrix, one thread per column (forward substitution on the
 * unit vectors). `A^-1 = L^-T L^-1` then follows from one batched matmul. Used for the gradient
 * of log-determinants (`d log det A = tr(A^-1 dA)`), where f32 suffices: the gradient only steers
 * the leapfrog integrator, and any deterministic gradient keeps it volume-preserving and
 * reversible, so Metropolis-Hastings stays exact for the (df64) energy.
 *
 * Two methods, as for the factorization: `"workgroup"` (one workgroup per matrix, one thread per
 * column) and `"blocked"` (`"auto"` picks it when m > 64): a right-looking forward substitution
 * `L X = I` by panels of {@link LINALG_BLOCK} rows, one dispatch per panel k over chains x
 * (row tile i >= k) x (column tile j <= k); each workgroup solves `L_kk Y = W_kj` in workgroup
 * memory (W: the working right-hand side, identity at the start), then writes `X_kj = Y`
 * (i = k) or `W_ij -= L_ik Y` (i > k). At m = 256 that is 8 dispatches, panel k with
 * `(8 - k)(k + 1)` workgroups per matrix (8 to 20). Right after a blocked factorization,
 * `batchedCholeskySolve(a, b, { inverse: true })` computes the same `L^-1` inside the
 * factorization's own dispatches (no extra ones).
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { batchedCholesky } from "./batched_cholesky.ts";
 * import { batchedTriInverse } from "./batched_tri_inverse.ts";
 * const f = batchedCholesky(tensor([[[4, 0], [0, 16]]]));
 * console.log(await batchedTriInverse(f).read()); // Float32Array [0.5, 0, 0, 0.25]
 * ```
 * @module
 */
import { memoKernel, paramWords } from "../../gpu/kernels/indexing.ts";
import type { KernelSpec } from "../../gpu/runtime.ts";
import { checkOperands, Tensor } from "../../gpu/tensor.ts";
import {
  type CholeskyFactor,
  LINALG_BLOCK,
  LINALG_WG,
  type LinalgMethod,
  linalgMethodFor,
} from "./common.ts";
import type { Precision } from "./numeric_wgsl.ts";

function triInverseKernel(precision: Precision): KernelSpec {
  const hi = precision === "df64" ? "l[lb + $].x" : "l[lb + $]";
  const L = (idx: string) => hi.replace("$", idx);
  const code = `
struct P { m: u32, pad0: u32, pad1: u32, pad2: u32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> l: array<${precision === "df64" ? "vec2<f32>" : "f32"}>;
@group(0) @binding(2) var<storage, read_write> inv: array<f32>;
@compute @workgroup_size(${LINALG_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let m = p.m;
  let lb = wid.x * m * m;
  // balance the triangular work: thread t takes columns t, 2W-1-t, 2W+t, 4W-1-t, ...
  for (var q = 0u; q * ${LINALG_WG}u < m; q++) {
    var j = q * ${LINALG_WG}u + tid;
    if (q % 2u == 1u) { j = q * ${LINALG_WG}u + ${LINALG_WG - 1}u - tid; }
    if (j >= m) { continue; }
    for (var i = 0u; i < j; i++) { inv[lb + i * m + j] = 0.0; }
    inv[lb + j * m + j] = 1.0 / ${L("j * m + j")};
    for (var i = j + 1u; i < m; i++) {
      var s = 0.0;
      for (var t = j; t < i; t++) { s += ${L("i * m + t")} * inv[lb + t * m + j]; }
      inv[lb + i * m + j] = -s / ${L("i * m + i")};
    }
  }
}`;
  return { code, inputs: 1, outputs: 1 };
}

const invK = memoKernel(triInverseKernel);

// ---- blocked method --------------------------------------------------------------------------
const B = LINALG_BLOCK;

/** One panel (rows k0 .. k0 + bw) of the blocked inverse; see the module doc. */
function blockedInverseKernel(precision: Precision): KernelSpec {
  const L = (idx: string) => precision === "df64" ? `l[lb + ${idx}].x` : `l[lb + ${idx}]`;
  const code = `
struct P { m: u32, k0: u32, kb: u32, pad: u32 };
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> l: array<${precision === "df64" ? "vec2<f32>" : "f32"}>;
@group(0) @binding(2) var<storage, read_write> inv: array<f32>;
@group(0) @binding(3) var<storage, read_write> w: array<f32>;
var<workgroup> dl: array<f32, ${B * B}>;
var<workgroup> y: array<f32, ${B * B}>;
var<workgroup> lik: array<f32, ${B * B}>;
@compute @workgroup_size(${LINALG_WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let m = p.m;
  let k0 = p.k0;
  let kb = p.kb;
  let bw = min(${B}u, m - k0);
  let lb = wid.y * m * m;
  let ti = kb + wid.x / (kb + 1u); // row tile (>= kb)
  let tj = wid.x % (kb + 1u); // column tile (<= kb)
  let r0 = ti * ${B}u;
  let nr = min(${B}u, m - r0);
  let c0 = tj * ${B}u;
  let nc = min(${B}u, m - c0);
  for (var e = tid; e < bw * bw; e += ${LINALG_WG}u) {
    let i = e / bw;
    let j = e % bw;
    if (j <= i) { dl[i * ${B}u + j] = ${L("(k0 + i) * m + k0 + j")}; }
  }
  // W_kj: still the identity's block in column tile kb, else updated by the earlier panels
  for (var e = tid; e < bw * nc; e += ${LINALG_WG}u) {
    let i = e / nc;
    let c = e % nc;
    var v = select(0.0, 1.0, i == c);
    if (tj != kb) { v = w[lb + (k0 + i) * m + c0 + c]; }
    y[i * ${B}u + c] = v;
  }
  if (ti != kb) {
    for (var e = tid; e < nr * bw; e += ${LINALG_WG}u) {
      let i = e / bw;
      let j = e % bw;
      lik[i * ${B}u + j] = ${L("(r0 + i) * m + k0 + j")};
    }
  }
  workgroupBarrier();
  for (var j = 0u; j < bw; j++) {
    let d = dl[j * ${B}u + j];
    for (var c = tid; c < nc; c += ${LINALG_WG}u) { y[j * ${B}u + c] = y[j * ${B}u + c] / d; }
    workgroupBarrier();
    for (var e = tid; e < (bw - j - 1u) * nc; e += ${LINALG_WG}u) {
      let i = j + 1u + e / nc;
      let c = e % nc;
      y[i * ${B}u + c] -= dl[i * ${B}u + j] * y[j * ${B}u + c];
    }
    workgroupBarrier();
  }
  if (ti == kb) {
    for (var e = tid; e < bw * nc; e += ${LINALG_WG}u) {
      let i = e / nc;
      let c = e % nc;
      inv[lb + (k0 + i) * m + c0 + c] = y[i * ${B}u + c];
    }
    if (tj == kb) { // zeros right of the diagonal block
      let rest = m - k0 - bw;
      for (var e = tid; e < bw * rest; e += ${LINALG_WG}u) {
        inv[lb + (k0 + e / rest) * m + k0 + bw + e % rest] = 0.0;
      }
    }
  } else {
    for (var e = tid; e < nr * nc; e += ${LINALG_WG}u) {
      let i = e / nc;
      let c = e % nc;
      let o = lb + (r0 + i) * m + c0 + c;
      var v = 0.0; // W_ij is zero until panel j
      if (tj != kb) { v = w[o]; }
      for (var j = 0u; j < bw; j++) { v -= lik[i * ${B}u + j] * y[j * ${B}u + c]; }
      w[o] = v;
    }
  }
}`;
  return { code, inputs: 1, outputs: 2 };
}

const blockedInvK = memoKernel(blockedInverseKernel);

/**
 * Options of {@link batchedTriInverse}.
 *
 * @example
 * ```ts
 * import type { TriInverseOptions } from "./batched_tri_inverse.ts";
 * const o: TriInverseOptions = { method: "workgroup" }; // one workgroup per matrix
 * console.log(o.method); // "workgroup"
 * ```
 */
export interface TriInverseOptions {
  /** `"auto"` (default: blocked when m > 64), `"blocked"` or `"workgroup"`. */
  method?: LinalgMethod;
}

/**
 * `L^-1` for every factor in the batch, as f32 `[C, m, m]` (zero above the diagonal).
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { batchedCholesky } from "./batched_cholesky.ts";
 * import { batchedTriInverse } from "./batched_tri_inverse.ts";
 * const inv = batchedTriInverse(batchedCholesky(tensor([[[1, 0], [0, 1]]]), { precision: "f32" }));
 * console.log(inv.shape); // [1, 2, 2]
 * const f = batchedCholesky(tensor([[[4, 0], [0, 16]]]));
 * console.log(await batchedTriInverse(f, { method: "blocked" }).read()); // [0.5, 0, 0, 0.25]
 * ```
 */
export function batchedTriInverse(factor: CholeskyFactor, options: TriInverseOptions = {}): Tensor {
  const rt = checkOperands("batchedTriInverse", factor.l);
  const C = factor.batch, m = factor.size;
  const method = linalgMethodFor(options.method, m, "batchedTriInverse");
  const out = Tensor.empty([C, m, m], "f32", "batchedTriInverse");
  if (C === 0 || m === 0) return out;
  if (method === "blocked") {
    const work = Tensor.empty([C, m, m], "f32", "batchedTriInverse");
    const panels = Math.ceil(m / B);
    for (let kb = 0; kb < panels; kb++) {
      const p = paramWords();
      p.u[0] = m;
      p.u[1] = kb * B;
      p.u[2] = kb;
      rt.dispatch(
        blockedInvK(factor.precision),
        [factor.l.buffer("batchedTriInverse")],
        [out.buffer(), work.buffer()],
        p.u,
        [(panels - kb) * (kb + 1), C, 1],
      );
    }
    work.dispose();
    return out;
  }
  const p = paramWords();
  p.u[0] = m;
  rt.dispatch(invK(factor.precision), [factor.l.buffer("batchedTriInverse")], [out.buffer()], p.u, [
    C,
    1,
    1,
  ]);
  return out;
}
