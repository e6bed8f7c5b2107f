/**
 * Small f64 dense-matrix helpers for the host (row-major Float64Arrays): products with optional
 * transposes and transposition. Loops are ordered so the innermost runs over contiguous memory.
 *
 * @example
 * ```ts
 * import { matmulHost } from "./host_matrix.ts";
 * console.log(matmulHost([1, 2, 3, 4], [1, 0, 0, 1], 2, 2, 2)); // Float64Array [1, 2, 3, 4]
 * ```
 * @module
 */
import { ShapeError } from "../../errors.ts";

/**
 * C = op(A) op(B) with op(A) m x k and op(B) k x n. A is stored m x k (or k x m with
 * `transA`), B is stored k x n (or n x k with `transB`).
 *
 * @example
 * ```ts
 * import { matmulHost } from "./host_matrix.ts";
 * // [1 2] [1 2]^T = [5]
 * console.log(matmulHost([1, 2], [1, 2], 1, 2, 1, false, true)); // Float64Array [5]
 * ```
 */
export function matmulHost(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  m: number,
  k: number,
  n: number,
  transA = false,
  transB = false,
): Float64Array {
  if (a.length !== m * k || b.length !== k * n) {
    throw new ShapeError(
      `matmulHost: A has ${a.length} entries (expected ${m} x ${k}), B has ${b.length} ` +
        `(expected ${k} x ${n})`,
    );
  }
  const c = new Float64Array(m * n);
  const B = transB ? transposeHost(b, n, k) : b; // now k x n row-major
  for (let i = 0; i < m; i++) {
    const oc = i * n;
    for (let p = 0; p < k; p++) {
      const av = transA ? a[p * m + i] : a[i * k + p];
      if (av === 0) continue;
      const ob = p * n;
      for (let j = 0; j < n; j++) c[oc + j] += av * B[ob + j];
    }
  }
  return c;
}

/**
 * The transpose of an r x c row-major matrix (c x r).
 *
 * @example
 * ```ts
 * import { transposeHost } from "./host_matrix.ts";
 * console.log(transposeHost([1, 2, 3, 4, 5, 6], 2, 3)); // Float64Array [1, 4, 2, 5, 3, 6]
 * ```
 */
export function transposeHost(a: ArrayLike<number>, r: number, c: number): Float64Array {
  const t = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) t[j * r + i] = a[i * c + j];
  return t;
}
