/**
 * Batched inverse of the lower-triangular Cholesky factors of {@link batchedCholesky}, in f32:
 * `L^-1` per matrix, one workgroup per matrix, one thread per column (forward substitution on the
 * unit vectors). `A^-1 = L^-T L^-1` then follows from one batched matmul. Used for the gradient
 * of log-determinants (`d log det A = tr(A^-1 dA)`), where f32 suffices: the gradient only steers
 * the leapfrog integrator, and any deterministic gradient keeps it volume-preserving and
 * reversible, so Metropolis-Hastings stays exact for the (df64) energy.
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
import { type CholeskyFactor, LINALG_WG } from "./batched_cholesky.ts";
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
 * ```
 */
export function batchedTriInverse(factor: CholeskyFactor): Tensor {
  const rt = checkOperands("batchedTriInverse", factor.l);
  const C = factor.batch, m = factor.size;
  const out = Tensor.empty([C, m, m], "f32", "batchedTriInverse");
  if (C === 0 || m === 0) return out;
  const p = paramWords();
  p.u[0] = m;
  rt.dispatch(invK(factor.precision), [factor.l.buffer("batchedTriInverse")], [out.buffer()], p.u, [
    C,
    1,
    1,
  ]);
  return out;
}
