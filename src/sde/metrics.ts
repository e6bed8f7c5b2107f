/**
 * Sample-quality metrics on the host (f64): the sliced Wasserstein-2 distance between two point
 * sets, and moment summaries. Samples are read back once, after a GPU-resident sampler finished.
 *
 * @example
 * ```ts
 * import { slicedWasserstein } from "./metrics.ts";
 * const a = [0, 0, 1, 1, 2, 2], b = [0, 0, 1, 1, 2, 2];
 * console.log(slicedWasserstein(a, b, 2)); // 0
 * ```
 * @module
 */
import { InvalidArgumentError } from "../errors.ts";
import { mulberry32 } from "../nn/host_rng.ts";

/** Options of {@link slicedWasserstein}. */
export interface SlicedWassersteinOptions {
  /** Number of projection directions (default 128). */
  projections?: number;
  /** Seed of the random directions (dimension > 2; default 0). */
  seed?: number;
}

function directions(dim: number, count: number, seed: number): Float64Array[] {
  if (dim === 1) return [Float64Array.of(1)];
  if (dim === 2) {
    // evenly spaced angles in [0, pi): a deterministic, low-variance quadrature of the circle
    return Array.from({ length: count }, (_, k) => {
      const a = (Math.PI * (k + 0.5)) / count;
      return Float64Array.of(Math.cos(a), Math.sin(a));
    });
  }
  const r = mulberry32(seed);
  return Array.from({ length: count }, () => {
    const v = new Float64Array(dim);
    let n = 0;
    for (let j = 0; j < dim; j++) {
      v[j] = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
      n += v[j] * v[j];
    }
    n = Math.sqrt(n);
    for (let j = 0; j < dim; j++) v[j] /= n;
    return v;
  });
}

function project(x: ArrayLike<number>, dim: number, v: Float64Array): Float64Array {
  const n = x.length / dim;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += x[i * dim + j] * v[j];
    out[i] = s;
  }
  return out.sort();
}

function quantile(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos), hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Sliced Wasserstein-2 distance sqrt(E_theta W_2^2(theta^T a, theta^T b)) between point sets `a`
 * and `b` given flat (n x dim, row-major). Directions: evenly spaced angles in 2-D, seeded
 * random unit vectors otherwise; different sizes are compared by quantiles.
 *
 * @example
 * ```ts
 * import { slicedWasserstein } from "./metrics.ts";
 * // shifting a point set by (1, 0): W2 of the projections is |cos theta|, mean square 1/2
 * console.log(slicedWasserstein([0, 0, 5, 5], [1, 0, 6, 5], 2).toFixed(3)); // "0.707"
 * ```
 */
export function slicedWasserstein(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  dim: number,
  options: SlicedWassersteinOptions = {},
): number {
  if (!Number.isInteger(dim) || dim < 1) {
    throw new InvalidArgumentError(`slicedWasserstein: dim must be a positive integer, got ${dim}`);
  }
  if (a.length % dim !== 0 || b.length % dim !== 0 || a.length === 0 || b.length === 0) {
    throw new InvalidArgumentError(
      `slicedWasserstein: sample lengths ${a.length} and ${b.length} must be non-zero multiples ` +
        `of dim ${dim}`,
    );
  }
  const count = options.projections ?? 128;
  let total = 0;
  const dirs = directions(dim, count, options.seed ?? 0);
  for (const v of dirs) {
    const pa = project(a, dim, v), pb = project(b, dim, v);
    const n = Math.max(pa.length, pb.length);
    let s = 0;
    if (pa.length === pb.length) { for (let i = 0; i < n; i++) s += (pa[i] - pb[i]) ** 2; }
    else {
      for (let i = 0; i < n; i++) {
        const q = n === 1 ? 0.5 : i / (n - 1);
        s += (quantile(pa, q) - quantile(pb, q)) ** 2;
      }
    }
    total += s / n;
  }
  return Math.sqrt(total / dirs.length);
}

/**
 * Mean (length dim) and covariance (dim x dim, divisor n) of a flat point set.
 *
 * @example
 * ```ts
 * import { moments } from "./metrics.ts";
 * console.log(moments([0, 0, 2, 2], 2)); // { mean: [1, 1], cov: [[1, 1], [1, 1]] }
 * ```
 */
export function moments(x: ArrayLike<number>, dim: number): { mean: number[]; cov: number[][] } {
  const n = x.length / dim;
  const mean = new Array(dim).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j] += x[i * dim + j] / n;
  const cov = Array.from({ length: dim }, () => new Array(dim).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) {
      for (let k = 0; k < dim; k++) {
        cov[j][k] += ((x[i * dim + j] - mean[j]) * (x[i * dim + k] - mean[k])) / n;
      }
    }
  }
  return { mean, cov };
}
