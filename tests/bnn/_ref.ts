/**
 * Host f64 references for the bnn tests: dense linear algebra on row-major Float64Arrays.
 *
 * @module
 */

/** C = A B for row-major A [n, k], B [k, m]. */
export function matmul64(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  n: number,
  k: number,
  m: number,
) {
  const c = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const v = a[i * k + t];
      if (v === 0) continue;
      for (let j = 0; j < m; j++) c[i * m + j] += v * b[t * m + j];
    }
  }
  return c;
}

/** Transpose of row-major [n, m]. */
export function transpose64(a: ArrayLike<number>, n: number, m: number): Float64Array {
  const t = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) t[j * n + i] = a[i * m + j];
  return t;
}

/** Lower Cholesky factor of a row-major SPD [m, m] (throws if not PD). */
export function cholesky64(a: ArrayLike<number>, m: number): Float64Array {
  const l = new Float64Array(m * m);
  for (let j = 0; j < m; j++) {
    let s = a[j * m + j];
    for (let k = 0; k < j; k++) s -= l[j * m + k] ** 2;
    if (!(s > 0)) throw new Error(`cholesky64: not PD at ${j}`);
    const d = Math.sqrt(s);
    l[j * m + j] = d;
    for (let i = j + 1; i < m; i++) {
      let t = a[i * m + j];
      for (let k = 0; k < j; k++) t -= l[i * m + k] * l[j * m + k];
      l[i * m + j] = t / d;
    }
  }
  return l;
}

/** Solves L X = B (or L^T X = B) for lower L [m, m], B [m, k]. */
export function triSolve64(
  l: ArrayLike<number>,
  b: ArrayLike<number>,
  m: number,
  k: number,
  transpose = false,
): Float64Array {
  const x = Float64Array.from(b);
  if (!transpose) {
    for (let i = 0; i < m; i++) {
      for (let c = 0; c < k; c++) {
        let s = x[i * k + c];
        for (let t = 0; t < i; t++) s -= l[i * m + t] * x[t * k + c];
        x[i * k + c] = s / l[i * m + i];
      }
    }
  } else {
    for (let i = m - 1; i >= 0; i--) {
      for (let c = 0; c < k; c++) {
        let s = x[i * k + c];
        for (let t = i + 1; t < m; t++) s -= l[t * m + i] * x[t * k + c];
        x[i * k + c] = s / l[i * m + i];
      }
    }
  }
  return x;
}

/** Solves A X = B for SPD A via Cholesky. */
export function spdSolve64(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number) {
  const l = cholesky64(a, m);
  return triSolve64(l, triSolve64(l, b, m, k), m, k, true);
}

/** log det of SPD A. */
export function logdet64(a: ArrayLike<number>, m: number): number {
  const l = cholesky64(a, m);
  let s = 0;
  for (let i = 0; i < m; i++) s += 2 * Math.log(l[i * m + i]);
  return s;
}

/** Max |a - b| / max(|b|) over arrays. */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / (den || 1);
}

/**
 * A random SPD matrix Q diag(eigs) Q^T with eigenvalues log-spaced in [1/cond, 1], rounded to
 * f32 (and then exactly symmetric), from a seeded Gram-Schmidt basis.
 */
export function randomSpd(m: number, cond: number, normal: () => number): Float32Array {
  const q = new Float64Array(m * m);
  for (let j = 0; j < m; j++) {
    const v = Float64Array.from({ length: m }, normal);
    for (let t = 0; t < j; t++) {
      let d = 0;
      for (let i = 0; i < m; i++) d += v[i] * q[i * m + t];
      for (let i = 0; i < m; i++) v[i] -= d * q[i * m + t];
    }
    const nrm = Math.hypot(...v);
    for (let i = 0; i < m; i++) q[i * m + j] = v[i] / nrm;
  }
  const a = new Float32Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let t = 0; t < m; t++) {
        const e = m === 1 ? 1 : Math.pow(cond, -t / (m - 1));
        s += q[i * m + t] * e * q[j * m + t];
      }
      a[i * m + j] = a[j * m + i] = s;
    }
  }
  return a;
}

/** Seeded standard normals in f64 (Box-Muller over mulberry32). */
export function normals(seed: number): () => number {
  let a = seed >>> 0;
  const r = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}
