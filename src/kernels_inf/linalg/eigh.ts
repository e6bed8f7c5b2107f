/**
 * Symmetric eigendecomposition in f64 on the host: Householder reduction to tridiagonal form,
 * then the implicit QL algorithm with Wilkinson-style shifts (the EISPACK tql2 scheme;
 * Golub & Van Loan, "Matrix Computations", sections 8.3 and 8.5). About 4 n^3 flops: n = 1,000
 * takes a few seconds in JavaScript. Kernel matrices of the sizes the experiments use fit; for
 * larger ones prefer Cholesky (`t = Infinity`).
 *
 * @example
 * ```ts
 * import { eighHost } from "./eigh.ts";
 * const { values, vectors } = eighHost(Float64Array.from([2, 1, 1, 2]), 2);
 * console.log(values); // Float64Array [1, 3]
 * console.log(Math.abs(vectors[0]).toFixed(4)); // "0.7071"
 * ```
 * @module
 */
import { InvalidArgumentError, NonFiniteError } from "../../errors.ts";

/**
 * Eigenvalues (ascending) and eigenvectors of a symmetric matrix.
 *
 * @example
 * ```ts
 * import type { Eigh } from "./eigh.ts";
 * const e: Eigh = { values: Float64Array.of(1), vectors: Float64Array.of(1), n: 1 };
 * console.log(e.n); // 1
 * ```
 */
export interface Eigh {
  /** Eigenvalues in ascending order. */
  values: Float64Array;
  /** Row-major n x n; column j (`vectors[i * n + j]`) is the eigenvector of `values[j]`. */
  vectors: Float64Array;
  /** Matrix size. */
  n: number;
}

function checkSquare(a: ArrayLike<number>, n: number, where: string): void {
  if (!Number.isInteger(n) || n < 0) {
    throw new InvalidArgumentError(`${where}: n must be a non-negative integer, got ${n}`);
  }
  if (a.length !== n * n) {
    throw new InvalidArgumentError(
      `${where}: matrix has ${a.length} entries, expected n * n = ${n * n}`,
    );
  }
}

/**
 * Eigenvalues and eigenvectors of a symmetric tridiagonal matrix by implicit QL.
 * `d` (diagonal, length n) and `e` (`e[i]` = entry (i, i-1), `e[0]` ignored) are overwritten;
 * `zt`, if given, holds n row vectors (row i = `zt[i*n .. i*n+n)`) that receive the same
 * rotations (start from the identity to get the eigenvectors of T, or from Q^T of a Householder
 * reduction to get those of the original matrix). Returns the eigenvalues (unsorted, in `d`).
 *
 * @example
 * ```ts
 * import { tridiagonalEigen } from "./eigh.ts";
 * const d = Float64Array.of(0, 0), e = Float64Array.of(0, 1);
 * tridiagonalEigen(d, e, null, 2);
 * console.log([...d].sort()); // [-1, 1]
 * ```
 */
export function tridiagonalEigen(
  d: Float64Array,
  e: Float64Array,
  zt: Float64Array | null,
  n: number,
): Float64Array {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  if (n > 0) e[n - 1] = 0;
  let f = 0, tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]) > eps * tst1) m++;
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 60) {
          throw new NonFiniteError(
            `eigh: QL iteration did not converge for eigenvalue ${l} (matrix has NaN/Inf?)`,
          );
        }
        // Shift from the leading 2x2 block.
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        // Implicit QL sweep from m up to l.
        p = d[m];
        let c = 1, c2 = 1, c3 = 1, s = 0, s2 = 0;
        const el1 = e[l + 1];
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          if (zt) {
            const oi = i * n, oj = (i + 1) * n;
            for (let k = 0; k < n; k++) {
              const zi = zt[oi + k], zj = zt[oj + k];
              zt[oj + k] = s * zi + c * zj;
              zt[oi + k] = c * zi - s * zj;
            }
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
  return d;
}

/**
 * Householder reduction of a symmetric matrix to tridiagonal form, A = Q T Q^T. Returns the
 * diagonal `d`, sub-diagonal `e` (`e[i]` = T(i, i-1)) and Q^T as rows (`qt[i*n + k]` = Q(k, i)).
 *
 * @example
 * ```ts
 * import { tridiagonalize } from "./eigh.ts";
 * const { d, e } = tridiagonalize(Float64Array.from([4, 1, 2, 1, 3, 0, 2, 0, 1]), 3);
 * console.log(d.length, e.length); // 3 3
 * ```
 */
export function tridiagonalize(
  a: ArrayLike<number>,
  n: number,
): { d: Float64Array; e: Float64Array; qt: Float64Array } {
  checkSquare(a, n, "tridiagonalize");
  const A = Float64Array.from(a);
  const qt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) qt[i * n + i] = 1;
  const v = new Float64Array(n), w = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    // x = A[k+1.., k]
    let norm2 = 0;
    for (let i = k + 1; i < n; i++) norm2 += A[i * n + k] * A[i * n + k];
    const x0 = A[(k + 1) * n + k];
    const norm = Math.sqrt(norm2);
    if (norm2 === 0 || norm - Math.abs(x0) <= 1e-300) continue; // already tridiagonal here
    const alpha = x0 > 0 ? -norm : norm;
    v.fill(0);
    for (let i = k + 1; i < n; i++) v[i] = A[i * n + k];
    v[k + 1] -= alpha;
    let vv = 0;
    for (let i = k + 1; i < n; i++) vv += v[i] * v[i];
    const beta = 2 / vv;
    // w = beta * A22 v ; K = beta/2 * v.w ; q = w - K v ; A22 -= v q^T + q v^T
    for (let i = k + 1; i < n; i++) {
      let s = 0;
      const oi = i * n;
      for (let j = k + 1; j < n; j++) s += A[oi + j] * v[j];
      w[i] = beta * s;
    }
    let vw = 0;
    for (let i = k + 1; i < n; i++) vw += v[i] * w[i];
    const K = 0.5 * beta * vw;
    for (let i = k + 1; i < n; i++) w[i] -= K * v[i];
    for (let i = k + 1; i < n; i++) {
      const oi = i * n, vi = v[i], wi = w[i];
      for (let j = k + 1; j < n; j++) A[oi + j] -= vi * w[j] + wi * v[j];
    }
    A[(k + 1) * n + k] = alpha;
    A[k * n + k + 1] = alpha;
    for (let i = k + 2; i < n; i++) A[i * n + k] = A[k * n + i] = 0;
    // Q <- Q H: rows of Q^T: Qt[i, :] for i in k+1.. get Qt <- H Qt (H symmetric).
    // (H Qt)[i, c] = Qt[i, c] - beta v_i (v^T Qt[:, c])
    for (let c = 0; c < n; c++) w[c] = 0;
    for (let i = k + 1; i < n; i++) {
      const vi = v[i], oi = i * n;
      for (let c = 0; c < n; c++) w[c] += vi * qt[oi + c];
    }
    for (let i = k + 1; i < n; i++) {
      const f = beta * v[i], oi = i * n;
      for (let c = 0; c < n; c++) qt[oi + c] -= f * w[c];
    }
  }
  const d = new Float64Array(n), e = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    d[i] = A[i * n + i];
    if (i > 0) e[i] = A[i * n + i - 1];
  }
  return { d, e, qt };
}

/**
 * Eigendecomposition of a symmetric n x n matrix (row-major, read from the lower and upper
 * triangles alike) in f64. Throws a NonFiniteError for NaN or infinite entries.
 *
 * @example
 * ```ts
 * import { eighHost } from "./eigh.ts";
 * const { values } = eighHost([4, 1, 1, 3], 2);
 * console.log(values[0].toFixed(4), values[1].toFixed(4)); // "2.3820" "4.6180"
 * ```
 */
export function eighHost(a: ArrayLike<number>, n: number): Eigh {
  checkSquare(a, n, "eigh");
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) {
      throw new NonFiniteError(
        `eigh: entry (${Math.floor(i / n)}, ${i % n}) is ${a[i]}; expected finite values`,
      );
    }
  }
  const { d, e, qt } = tridiagonalize(a, n);
  // Rows of qt hold Q^T; the QL rotations act on columns of Q, i.e. on rows of Q^T... but the
  // rotations mix eigenvector columns, so apply them to Z^T = rows: store Z^T with Z = Q.
  // tridiagonalEigen rotates rows i, i+1 of its argument, which must therefore be Z^T = Q^T.
  tridiagonalEigen(d, e, qt, n);
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => d[x] - d[y]);
  const values = new Float64Array(n), vectors = new Float64Array(n * n);
  order.forEach((src, j) => {
    values[j] = d[src];
    for (let k = 0; k < n; k++) vectors[k * n + j] = qt[src * n + k];
  });
  return { values, vectors, n };
}

/**
 * Gauss-Hermite nodes and weights for the standard normal measure (sum of weights = 1), by the
 * Golub-Welsch method: eigenvalues of the Jacobi matrix of the probabilists' Hermite
 * polynomials (sub-diagonal sqrt(i)), weights from the eigenvectors' first components.
 *
 * @example
 * ```ts
 * import { gaussHermite } from "./eigh.ts";
 * const { nodes, weights } = gaussHermite(3);
 * console.log(nodes.map((x) => +x.toFixed(4)), weights.map((w) => +w.toFixed(4)));
 * // [-1.7321, 0, 1.7321] [0.1667, 0.6667, 0.1667]
 * ```
 */
export function gaussHermite(degree: number): { nodes: Float64Array; weights: Float64Array } {
  if (!Number.isInteger(degree) || degree < 1 || degree > 200) {
    throw new InvalidArgumentError(
      `gaussHermite: degree must be an integer in 1..200, got ${degree}`,
    );
  }
  const e = new Float64Array(degree);
  for (let i = 1; i < degree; i++) e[i] = Math.sqrt(i);
  return golubWelsch(e, 1);
}

/**
 * Gauss quadrature for a symmetric measure from the sub-diagonal of its Jacobi matrix (zero
 * diagonal), by Golub-Welsch: nodes are the matrix's eigenvalues, weights `mu0 v_0^2` with v_0
 * the eigenvectors' first components and `mu0` the measure's total mass. Nodes ascend; the rule
 * is symmetrised to remove round-off asymmetry.
 *
 * @example
 * ```ts
 * import { golubWelsch } from "./eigh.ts";
 * // Legendre, 2 nodes: sub-diagonal 1 / sqrt(3), mass 2 on [-1, 1]
 * const { nodes, weights } = golubWelsch(Float64Array.of(0, 1 / Math.sqrt(3)), 2);
 * console.log(nodes.map((x) => +x.toFixed(6)), weights.map((w) => +w.toFixed(9))); // [-0.57735, 0.57735] [1, 1]
 * ```
 * @param subDiagonal Length n; entry i (i >= 1) couples polynomials i - 1 and i; entry 0 unused.
 * @param mu0 Total mass of the measure.
 * @returns Nodes and weights.
 */
export function golubWelsch(
  subDiagonal: Float64Array,
  mu0: number,
): { nodes: Float64Array; weights: Float64Array } {
  const n = subDiagonal.length;
  const d = new Float64Array(n), e = Float64Array.from(subDiagonal);
  const zt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) zt[i * n + i] = 1;
  tridiagonalEigen(d, e, zt, n);
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => d[x] - d[y]);
  const nodes = new Float64Array(n), weights = new Float64Array(n);
  order.forEach((src, j) => {
    nodes[j] = d[src];
    weights[j] = mu0 * zt[src * n] * zt[src * n];
  });
  for (let j = 0; j < n >> 1; j++) {
    const x = 0.5 * (nodes[n - 1 - j] - nodes[j]);
    const w = 0.5 * (weights[j] + weights[n - 1 - j]);
    nodes[j] = -x;
    nodes[n - 1 - j] = x;
    weights[j] = weights[n - 1 - j] = w;
  }
  if (n % 2 === 1) nodes[n >> 1] = 0;
  return { nodes, weights };
}
