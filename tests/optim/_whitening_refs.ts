/**
 * Host f64 references for the whitening tests, written independently of the library: dense
 * products, Gauss-Jordan inversion, the inverse matrix square root by the Denman-Beavers
 * iteration (no eigendecomposition), and correlated random data.
 *
 * @module
 */
import { randn } from "../_util.ts";

/** C = A B for row-major A (m x k) and B (k x n). */
export function mm(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number) {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const v = a[i * k + p];
      for (let j = 0; j < n; j++) c[i * n + j] += v * b[p * n + j];
    }
  }
  return c;
}

/** The transpose of an r x c matrix. */
export function tr(a: ArrayLike<number>, r: number, c: number): Float64Array {
  const t = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) t[j * r + i] = a[i * c + j];
  return t;
}

/** The inverse of a non-singular n x n matrix by Gauss-Jordan elimination with pivoting. */
export function inv(a: ArrayLike<number>, n: number): Float64Array {
  const m = Float64Array.from(a);
  const r = new Float64Array(n * n);
  for (let i = 0; i < n; i++) r[i * n + i] = 1;
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let i = c + 1; i < n; i++) if (Math.abs(m[i * n + c]) > Math.abs(m[piv * n + c])) piv = i;
    for (const x of [m, r]) {
      for (let j = 0; j < n; j++) {
        const t = x[c * n + j];
        x[c * n + j] = x[piv * n + j];
        x[piv * n + j] = t;
      }
    }
    const p = m[c * n + c];
    for (let j = 0; j < n; j++) {
      m[c * n + j] /= p;
      r[c * n + j] /= p;
    }
    for (let i = 0; i < n; i++) {
      if (i === c) continue;
      const f = m[i * n + c];
      if (f === 0) continue;
      for (let j = 0; j < n; j++) {
        m[i * n + j] -= f * m[c * n + j];
        r[i * n + j] -= f * r[c * n + j];
      }
    }
  }
  return r;
}

/** A^(-1/2) of a symmetric positive-definite matrix by the Denman-Beavers iteration. */
export function invSqrt(a: ArrayLike<number>, n: number, iters = 60): Float64Array {
  let y = Float64Array.from(a);
  let z = new Float64Array(n * n);
  for (let i = 0; i < n; i++) z[i * n + i] = 1;
  for (let k = 0; k < iters; k++) {
    const yi = inv(y, n), zi = inv(z, n);
    y = y.map((v, i) => 0.5 * (v + zi[i]));
    z = z.map((v, i) => 0.5 * (v + yi[i]));
  }
  return z;
}

/** `rows` x d seeded data with correlated features: N(0, 1) rows times a fixed mixing matrix. */
export function correlated(seed: number, rows: number, d: number): Float32Array {
  const z = randn(seed, rows * d);
  const mix = randn(seed + 1000, d * d, 1 / Math.sqrt(d));
  for (let i = 0; i < d; i++) mix[i * d + i] += 1;
  return Float32Array.from(mm(z, mix, rows, d, d));
}

/** Largest |a_ij - b_ij| over two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
