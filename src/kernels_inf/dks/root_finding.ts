/**
 * Host f64 root finding for the activation transformations of DKS and TAT: Levenberg-Marquardt
 * for a small square system (the shaping conditions in 1-3 unknowns), and bisection for an
 * increasing scalar function (the local target that makes a maximal slope, curvature or C(0)
 * function hit its global target).
 *
 * @example
 * ```ts
 * import { solveIncreasing, solveSquareSystem } from "./root_finding.ts";
 * console.log(+solveIncreasing((x) => x ** 3, 8, 0).toFixed(12)); // 2
 * const p = solveSquareSystem((v) => [v[0] * v[0] - 2], [1], 1e-12);
 * console.log(+p![0].toFixed(12)); // 1.414213562373
 * ```
 * @module
 */
import { InvalidArgumentError, NotPositiveDefiniteError } from "../../errors.ts";
import { mulberry32 } from "../../nn/host_rng.ts";
import { choleskyHost } from "../linalg/cholesky.ts";
import { choSolveHost } from "../linalg/triangular.ts";

const MAX_ITERATIONS = 200;
const MAX_DAMPING_TRIES = 30;

/** Max |residual| at which DKS and TAT accept a solution of their shaping conditions. */
export const SHAPING_TOL = 1e-11;

/**
 * The starting points DKS and TAT solve from, as deepmind/dks does: the `fixed` ones, then
 * seeded random ones from `sample` (seed 123) up to `total` in all.
 *
 * @example
 * ```ts
 * import { startingPoints } from "./root_finding.ts";
 * const s = startingPoints([[1, 0]], (r) => [2 * r(), 0], 3);
 * console.log(s.length, s[0]); // 3 [1, 0]
 * ```
 */
export function startingPoints(
  fixed: readonly number[][],
  sample: (random: () => number) => number[],
  total = 50,
): number[][] {
  const rand = mulberry32(123);
  const starts = [...fixed];
  while (starts.length < total) starts.push(sample(rand));
  return starts;
}

/**
 * Solves residual(p) = 0 for p with as many unknowns as residuals, by Levenberg-Marquardt with a
 * central-difference Jacobian, from `start`, until max |residual| < `tol`. Returns null when it
 * does not converge, or when `residual` returns null (a parameter outside its domain).
 *
 * @example
 * ```ts
 * import { solveSquareSystem } from "./root_finding.ts";
 * // x + y = 3, x y = 2 from (0, 4): the root (1, 2).
 * const p = solveSquareSystem((v) => [v[0] + v[1] - 3, v[0] * v[1] - 2], [0, 4], 1e-12)!;
 * console.log(p.map((x) => +x.toFixed(9))); // [1, 2]
 * ```
 */
export function solveSquareSystem(
  residual: (p: number[]) => number[] | null,
  start: readonly number[],
  tol: number,
): number[] | null {
  let p = start.slice();
  let r = residual(p);
  if (!r) return null;
  const n = p.length;
  const sq = (v: number[]) => v.reduce((s, x) => s + x * x, 0);
  const converged = (v: number[]) => Math.max(...v.map(Math.abs)) < tol;
  let lambda = 1e-3;
  for (let it = 0; it < MAX_ITERATIONS && !converged(r); it++) {
    const J: number[][] = r.map(() => new Array(n).fill(0));
    for (let j = 0; j < n; j++) {
      const h = 1e-6 * Math.max(1, Math.abs(p[j]));
      const pp = p.slice(), pm = p.slice();
      pp[j] += h;
      pm[j] -= h;
      const rp = residual(pp), rm = residual(pm);
      if (!rp || !rm) return null;
      for (let i = 0; i < r.length; i++) J[i][j] = (rp[i] - rm[i]) / (2 * h);
    }
    // Damped normal equations (J^T J + lambda diag(J^T J)) d = -J^T r: symmetric positive
    // definite for lambda > 0 unless a column of J vanishes, so Cholesky solves them.
    const A = new Float64Array(n * n);
    const g = new Float64Array(n);
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) A[a * n + b] = J.reduce((s, row) => s + row[a] * row[b], 0);
      g[a] = -J.reduce((s, row, i) => s + row[a] * r![i], 0);
    }
    let improved = false;
    for (let tries = 0; tries < MAX_DAMPING_TRIES && !improved; tries++) {
      const M = A.map((v, k) => k % (n + 1) === 0 ? v * (1 + lambda) + 1e-300 : v);
      const d = stepOrNull(M, n, g);
      const q = d ? p.map((v, j) => v + d[j]) : null;
      const rq = q && q.every(Number.isFinite) ? residual(q) : null;
      if (q && rq && rq.every(Number.isFinite) && sq(rq) < sq(r)) {
        p = q;
        r = rq;
        lambda = Math.max(lambda / 3, 1e-12);
        improved = true;
      } else {
        lambda *= 4;
      }
    }
    if (!improved) return null;
  }
  return converged(r) ? p : null;
}

function stepOrNull(M: Float64Array, n: number, g: Float64Array): Float64Array | null {
  try {
    return choSolveHost(choleskyHost(M, n), n, g, 1);
  } catch (e) {
    if (e instanceof NotPositiveDefiniteError) return null;
    throw e;
  }
}

/**
 * Solves fn(x) = target for x >= `lo`, where fn is increasing and fn(lo) <= target: brackets by
 * doubling the step above `lo`, then bisects to relative width 1e-15. Throws
 * InvalidArgumentError naming `what` when fn never reaches the target (tried up to lo + 2^200).
 *
 * @example
 * ```ts
 * import { solveIncreasing } from "./root_finding.ts";
 * console.log(+solveIncreasing((x) => 1.5 ** x, 1.5 ** 2.5, 1).toFixed(12)); // 2.5
 * ```
 */
export function solveIncreasing(
  fn: (x: number) => number,
  target: number,
  lo: number,
  what = "function",
): number {
  let step = 1, hi = lo + step;
  for (let i = 0; i < 200 && fn(hi) < target; i++) {
    lo = hi;
    step *= 2;
    hi = lo + step;
  }
  if (!(fn(hi) >= target)) {
    throw new InvalidArgumentError(
      `${what} never reaches ${target} (it must be increasing and unbounded above)`,
    );
  }
  for (let i = 0; i < 200 && hi - lo > 1e-15 * Math.max(1, Math.abs(hi)); i++) {
    const mid = 0.5 * (lo + hi);
    if (fn(mid) < target) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}
