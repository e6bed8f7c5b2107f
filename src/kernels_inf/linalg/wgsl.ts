/**
 * WGSL for the blocked GPU linear algebra: Cholesky diagonal-block factorization and panel
 * solve, triangular diagonal-block solves, in-place block updates, and small helpers.
 * Matrices are row-major f32 in one buffer; blocks are addressed by offsets in the uniform
 * block. The heavy O(n^3) part (trailing updates) runs on the core's register-blocked matmul.
 *
 * @example
 * ```ts
 * import { cholDiagKernel } from "./wgsl.ts";
 * console.log(cholDiagKernel().inputs, cholDiagKernel().outputs); // 0 2
 * ```
 * @module
 */
import type { KernelSpec } from "../../gpu/mod.ts";
import { ENTRY, LINEAR_INDEX } from "../../gpu/kernels/indexing.ts";

/** Largest diagonal block the workgroup-memory kernels handle. */
export const MAX_BLOCK = 64;

const P = `struct P { n: u32, k0: u32, nb: u32, m: u32, r0: u32, c0: u32, w: u32, ld: u32,
  total: u32, flag: u32, pad0: u32, pad1: u32, reg: f32, pad2: f32, pad3: f32, pad4: f32 };
@group(0) @binding(0) var<uniform> p: P;`;

let diagSpec: KernelSpec | null = null;

/**
 * Unblocked Cholesky of the diagonal block W[k0:k0+nb, k0:k0+nb] in workgroup memory (one
 * workgroup). A pivot that is not > 0 (or NaN) records its index in `status` (atomicMin) and is
 * replaced by 1 so no NaN spreads; the caller reads `status` and throws.
 * Bindings: W (rw), status (rw atomic). Params: n, k0, nb.
 *
 * @example
 * ```ts
 * import { cholDiagKernel } from "./wgsl.ts";
 * console.log(cholDiagKernel().code.includes("atomicMin")); // true
 * ```
 */
export function cholDiagKernel(): KernelSpec {
  diagSpec ??= {
    inputs: 0,
    outputs: 2,
    code: `${P}
@group(0) @binding(1) var<storage, read_write> W: array<f32>;
@group(0) @binding(2) var<storage, read_write> status: array<atomic<u32>>;
var<workgroup> S: array<f32, ${MAX_BLOCK * MAX_BLOCK}>;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32) {
  let n = p.n; let k0 = p.k0; let nb = p.nb;
  for (var e = lid; e < nb * nb; e += 256u) {
    let r = e / nb; let c = e - r * nb;
    S[e] = W[(k0 + r) * n + k0 + c];
  }
  workgroupBarrier();
  for (var j = 0u; j < nb; j++) {
    if (lid == 0u) {
      let d = S[j * nb + j];
      if (!(d > 0.0) || !(d < 3.0e38)) {
        atomicMin(&status[0], k0 + j);
        S[j * nb + j] = 1.0;
      } else {
        S[j * nb + j] = sqrt(d);
      }
    }
    workgroupBarrier();
    let dj = S[j * nb + j];
    for (var i = j + 1u + lid; i < nb; i += 256u) { S[i * nb + j] = S[i * nb + j] / dj; }
    workgroupBarrier();
    let m = nb - j - 1u;
    for (var e = lid; e < m * m; e += 256u) {
      let a = e / m; let b = e - a * m;
      if (b <= a) {
        let i = j + 1u + a; let l = j + 1u + b;
        S[i * nb + l] = S[i * nb + l] - S[i * nb + j] * S[l * nb + j];
      }
    }
    workgroupBarrier();
  }
  for (var e = lid; e < nb * nb; e += 256u) {
    let r = e / nb; let c = e - r * nb;
    W[(k0 + r) * n + k0 + c] = select(0.0, S[e], c <= r);
  }
}`,
  };
  return diagSpec;
}

let panelSpec: KernelSpec | null = null;

/**
 * Panel solve of the blocked Cholesky: rows i >= k0+nb of W[:, k0:k0+nb] become
 * A21 L11^{-T} (one thread per row; L11 staged in workgroup memory).
 * Bindings: W (rw). Params: n, k0, nb.
 *
 * @example
 * ```ts
 * import { cholPanelKernel } from "./wgsl.ts";
 * console.log(cholPanelKernel().outputs); // 1
 * ```
 */
export function cholPanelKernel(): KernelSpec {
  panelSpec ??= {
    inputs: 0,
    outputs: 1,
    code: `${P}
@group(0) @binding(1) var<storage, read_write> W: array<f32>;
var<workgroup> S: array<f32, ${MAX_BLOCK * MAX_BLOCK}>;
@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let n = p.n; let k0 = p.k0; let nb = p.nb;
  for (var e = lid; e < nb * nb; e += 64u) {
    let r = e / nb; let c = e - r * nb;
    S[e] = W[(k0 + r) * n + k0 + c];
  }
  workgroupBarrier();
  let g = wid.x + wid.y * nwg.x;
  let i = k0 + nb + g * 64u + lid;
  if (i >= n) { return; }
  var x: array<f32, ${MAX_BLOCK}>;
  let row = i * n + k0;
  for (var r = 0u; r < nb; r++) {
    var s = W[row + r];
    for (var q = 0u; q < r; q++) { s = s - S[r * nb + q] * x[q]; }
    x[r] = s / S[r * nb + r];
    W[row + r] = x[r];
  }
}`,
  };
  return panelSpec;
}

const subCache = new Map<string, KernelSpec>();

/**
 * In-place block update `W[r0 + i, c0 + j] -= M[i, j]` over an h x w block (M row-major, width
 * w; W has leading dimension ld). With `lower`, only entries with r0 + i >= c0 + j change.
 * Bindings: M (read), W (rw). Params: total = h*w, r0, c0, w, ld.
 *
 * @example
 * ```ts
 * import { subtractBlockKernel } from "./wgsl.ts";
 * console.log(subtractBlockKernel(true).inputs); // 1
 * ```
 */
export function subtractBlockKernel(lower: boolean): KernelSpec {
  const key = `sub${lower}`;
  let s = subCache.get(key);
  if (!s) {
    s = {
      inputs: 1,
      outputs: 1,
      code: `${P}
@group(0) @binding(1) var<storage, read> M: array<f32>;
@group(0) @binding(2) var<storage, read_write> W: array<f32>;
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= p.total) { return; }
  let a = i / p.w; let b = i - a * p.w;
  let r = p.r0 + a; let c = p.c0 + b;
  ${lower ? "if (c > r) { return; }" : ""}
  W[r * p.ld + c] = W[r * p.ld + c] - M[i];
}`,
    };
    subCache.set(key, s);
  }
  return s;
}

let copySpec: KernelSpec | null = null;

/**
 * `W = A + reg * R[0] * I` for an n x n matrix (R: a one-element f32 buffer, e.g. the mean
 * diagonal for a scaled regularizer); with flag = 1, entries above the diagonal become 0 (used
 * to clear the upper triangle of a factor).
 * Bindings: A (read), R (read), W (rw). Params: n, total = n*n, flag, reg.
 *
 * @example
 * ```ts
 * import { copyDiagKernel } from "./wgsl.ts";
 * console.log(copyDiagKernel().inputs); // 2
 * ```
 */
export function copyDiagKernel(): KernelSpec {
  copySpec ??= {
    inputs: 2,
    outputs: 1,
    code: `${P}
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> R: array<f32>;
@group(0) @binding(3) var<storage, read_write> W: array<f32>;
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= p.total) { return; }
  let r = i / p.n; let c = i - r * p.n;
  var v = A[i];
  if (r == c) { v = v + p.reg * R[0]; }
  if (p.flag == 1u && c > r) { v = 0.0; }
  W[i] = v;
}`,
  };
  return copySpec;
}

const triCache = new Map<string, KernelSpec>();

/**
 * Triangular solve of one diagonal block for every right-hand-side column (one thread per
 * column): `trans = false` solves L11 X = B[k0:k0+nb] forward, `trans = true` solves
 * L11^T X = B[k0:k0+nb] backward. L is the n x n lower factor, B is n x m, overwritten.
 * Bindings: L (read), B (rw). Params: n, k0, nb, m.
 *
 * @example
 * ```ts
 * import { triDiagKernel } from "./wgsl.ts";
 * console.log(triDiagKernel(false).inputs); // 1
 * ```
 */
export function triDiagKernel(trans: boolean): KernelSpec {
  const key = `tri${trans}`;
  let s = triCache.get(key);
  if (!s) {
    const loop = trans
      ? `for (var rr = 0u; rr < nb; rr++) {
    let r = nb - 1u - rr;
    var s = B[(k0 + r) * m + c];
    for (var q = r + 1u; q < nb; q++) { s = s - L[(k0 + q) * n + k0 + r] * B[(k0 + q) * m + c]; }
    B[(k0 + r) * m + c] = s / L[(k0 + r) * n + k0 + r];
  }`
      : `for (var r = 0u; r < nb; r++) {
    var s = B[(k0 + r) * m + c];
    for (var q = 0u; q < r; q++) { s = s - L[(k0 + r) * n + k0 + q] * B[(k0 + q) * m + c]; }
    B[(k0 + r) * m + c] = s / L[(k0 + r) * n + k0 + r];
  }`;
    s = {
      inputs: 1,
      outputs: 1,
      code: `${P}
@group(0) @binding(1) var<storage, read> L: array<f32>;
@group(0) @binding(2) var<storage, read_write> B: array<f32>;
${ENTRY} {
  ${LINEAR_INDEX}
  let c = i;
  let n = p.n; let k0 = p.k0; let nb = p.nb; let m = p.m;
  if (c >= m) { return; }
  ${loop}
}`,
    };
    triCache.set(key, s);
  }
  return s;
}

/** Uniform block of the Jacobi kernels: padded size N, logical size n, round, count. */
const PJ = `struct P { N: u32, n: u32, round: u32, total: u32 };
@group(0) @binding(0) var<uniform> p: P;`;

/**
 * The two indices of pair `k` in round `r` of the round-robin (circle-method) tournament on N
 * players (N even): player N-1 stays put and meets player r; the others meet mirrored around r.
 * Over rounds 0..N-2 every pair of indices meets exactly once (Brent & Luk 1985, "The solution
 * of singular-value and symmetric eigenvalue problems on multiprocessor arrays").
 */
const PAIR_FN = `fn pairOf(k: u32, r: u32, N: u32) -> vec2<u32> {
  if (k == 0u) { return vec2<u32>(N - 1u, r); }
  let m = N - 1u;
  return vec2<u32>((r + k) % m, (r + m - k) % m);
}
// Jacobi rotation (c, s) that zeroes A[p, q] in J^T A J, J = [[c, s], [-s, c]] on (p, q)
// (Golub & Van Loan, "Matrix Computations", 4th ed., Algorithm 8.5.1 symSchur2). Returns
// (c, s, t = s / c). Entries already negligible next to the diagonal are left alone.
fn rotation(app: f32, aqq: f32, apq: f32) -> vec3<f32> {
  if (abs(apq) <= 1.0e-7 * sqrt(abs(app * aqq)) || apq == 0.0) { return vec3<f32>(1.0, 0.0, 0.0); }
  let tau = (aqq - app) / (2.0 * apq);
  var t: f32;
  if (abs(tau) > 1.0e15) { t = 0.5 / tau; } else {
    t = select(-1.0, 1.0, tau >= 0.0) / (abs(tau) + sqrt(1.0 + tau * tau));
  }
  let c = 1.0 / sqrt(1.0 + t * t);
  return vec3<f32>(c, t * c, t);
}`;

let jacobiInitSpec: KernelSpec | null = null;

/**
 * Start of a Jacobi eigendecomposition: copies the n x n input A into the top-left corner of
 * the N x N work matrix W (zeros elsewhere; N = n rounded up to even) and sets V = I.
 * Bindings: A (read), W (rw), V (rw). Params: N, n, total = N*N.
 *
 * @example
 * ```ts
 * import { jacobiInitKernel } from "./wgsl.ts";
 * console.log(jacobiInitKernel().inputs, jacobiInitKernel().outputs); // 1 2
 * ```
 */
export function jacobiInitKernel(): KernelSpec {
  jacobiInitSpec ??= {
    inputs: 1,
    outputs: 2,
    code: `${PJ}
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read_write> W: array<f32>;
@group(0) @binding(3) var<storage, read_write> V: array<f32>;
${ENTRY} {
  ${LINEAR_INDEX}
  if (i >= p.total) { return; }
  let r = i / p.N; let c = i - r * p.N;
  W[i] = select(0.0, A[r * p.n + c], r < p.n && c < p.n);
  V[i] = select(0.0, 1.0, r == c);
}`,
  };
  return jacobiInitSpec;
}

let jacobiRoundSpec: KernelSpec | null = null;

/**
 * One round of the parallel cyclic Jacobi method: the N/2 disjoint pairs of the round-robin
 * ordering are rotated at once, `A' = J^T A J` and `V' = V J` with J the product of the N/2
 * rotations. Thread (P, R) owns the 2 x 2 blocks at rows of pair P and columns of pair R; each
 * thread recomputes both rotations from A's diagonal and pivot entries, so one dispatch per
 * round suffices. Reads A, V and writes A', V' (ping-pong buffers, no races); only blocks with
 * P <= R are computed, and mirrored, so A' stays exactly symmetric.
 * Bindings: A (read), V (read), A' (rw), V' (rw). Params: N, round. Grid: 16 x 16 threads per
 * workgroup over (P, R) in [0, N/2)^2.
 *
 * @example
 * ```ts
 * import { jacobiRoundKernel } from "./wgsl.ts";
 * console.log(jacobiRoundKernel().inputs, jacobiRoundKernel().outputs); // 2 2
 * ```
 */
export function jacobiRoundKernel(): KernelSpec {
  jacobiRoundSpec ??= {
    inputs: 2,
    outputs: 2,
    code: `${PJ}
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> V: array<f32>;
@group(0) @binding(3) var<storage, read_write> B: array<f32>;
@group(0) @binding(4) var<storage, read_write> U: array<f32>;
${PAIR_FN}
@compute @workgroup_size(16, 16)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let N = p.N; let h = N / 2u;
  let kp = gid.y; let kr = gid.x;
  if (kp >= h || kr >= h) { return; }
  let P = pairOf(kp, p.round, N); let R = pairOf(kr, p.round, N);
  let a = P.x; let b = P.y; let r = R.x; let s = R.y;
  let jr = rotation(A[r * N + r], A[s * N + s], A[r * N + s]);
  let c2 = jr.x; let s2 = jr.y;
  // V' = V J on columns (r, s), rows a and b.
  for (var e = 0u; e < 2u; e++) {
    let i = select(b, a, e == 0u);
    let vr = V[i * N + r]; let vs = V[i * N + s];
    U[i * N + r] = c2 * vr - s2 * vs;
    U[i * N + s] = s2 * vr + c2 * vs;
  }
  if (kp > kr) { return; }
  if (kp == kr) {
    // Diagonal block: the pivot vanishes; the diagonal moves by t * A[a, b].
    let apq = A[a * N + b];
    B[a * N + a] = A[a * N + a] - jr.z * apq;
    B[b * N + b] = A[b * N + b] + jr.z * apq;
    B[a * N + b] = 0.0;
    B[b * N + a] = 0.0;
    return;
  }
  let jp = rotation(A[a * N + a], A[b * N + b], A[a * N + b]);
  let c1 = jp.x; let s1 = jp.y;
  // Y = J_P^T X (rows a, b), then Z = Y J_R (columns r, s).
  let xar = A[a * N + r]; let xas = A[a * N + s]; let xbr = A[b * N + r]; let xbs = A[b * N + s];
  let yar = c1 * xar - s1 * xbr; let yas = c1 * xas - s1 * xbs;
  let ybr = s1 * xar + c1 * xbr; let ybs = s1 * xas + c1 * xbs;
  let zar = c2 * yar - s2 * yas; let zas = s2 * yar + c2 * yas;
  let zbr = c2 * ybr - s2 * ybs; let zbs = s2 * ybr + c2 * ybs;
  B[a * N + r] = zar; B[r * N + a] = zar;
  B[a * N + s] = zas; B[s * N + a] = zas;
  B[b * N + r] = zbr; B[r * N + b] = zbr;
  B[b * N + s] = zbs; B[s * N + b] = zbs;
}`,
  };
  return jacobiRoundSpec;
}
