/**
 * Dynamical-systems analysis of a GRU learned optimizer (Maheswaranathan et al. 2021, section 4:
 * fixed points, linearization, timescales), in f64 on the host for one parameter's GRU:
 *
 * - the fixed point `h*` of `h -> F(h, g = 0)` (where the optimizer rests when gradients vanish),
 *   found by iterating the map and refined by Newton's method;
 * - the linearization `h_{t+1} - h* ~ J (h_t - h*) + b g_t` with `J = dF/dh`, `b = dF/dg`
 *   (central differences in f64);
 * - its linear impulse response `step_tau = stepMult * wOut . J^tau b`: the momentum kernel the
 *   dynamics implement, comparable with the black-box `momentumKernel`;
 * - the spectral radius of J (power iteration) and its timescale `-1 / ln(rho)` in steps: the
 *   slowest memory of the optimizer;
 * - the update function at the fixed point, `step(F(h*, g))` against g: bounded GRU units make
 *   it saturate for large gradients, which is gradient clipping.
 *
 * @example
 * ```ts
 * import { gruLopt } from "./gru_lopt.ts";
 * import { gruFixedPointAnalysis } from "./gru_analysis.ts";
 * const lopt = gruLopt({ hidden: 4 });
 * const a = gruFixedPointAnalysis(lopt, lopt.initThetaHost(0), { lags: 5 });
 * console.log(a.impulseResponse.length, a.fixedPoint.length); // 5 4
 * ```
 * @module
 */
import { z } from "zod";
import { parseOptions } from "../../options.ts";
import { gruHost, type GruLopt } from "./gru_lopt.ts";

const schema = z.strictObject({
  lags: z.number().int().min(1).max(100_000).default(40),
  maxIterations: z.number().int().min(1).max(1_000_000).default(5000),
  tolerance: z.number().positive().default(1e-10),
  responseRange: z.number().positive().finite().default(5),
  responsePoints: z.number().int().min(5).max(100_001).refine((v) => v % 2 === 1, {
    message: "expected an odd number",
  }).default(41),
});

/** Options of {@link gruFixedPointAnalysis}. */
export interface GruAnalysisOptions {
  /** Lags of the impulse response [40]. */
  lags?: number;
  /** Iterations of the map before Newton refinement [5000]. */
  maxIterations?: number;
  /** Residual `|F(h*) - h*|` accepted as a fixed point [1e-10]. */
  tolerance?: number;
  /** The update function is evaluated for gradients in [-range, range] [5]. */
  responseRange?: number;
  /** Number of gradient values, odd [41]. */
  responsePoints?: number;
}

/** What {@link gruFixedPointAnalysis} returns. */
export interface GruAnalysis {
  /** The fixed point h* at zero gradient. */
  fixedPoint: number[];
  /** Max-norm residual `|F(h*, 0) - h*|`. */
  residual: number;
  /** Whether the residual is within the tolerance. */
  converged: boolean;
  /** The step taken at rest (nonzero: a drift the optimizer applies without gradient). */
  restStep: number;
  /** The Jacobian `dF/dh` at h*, row-major `[H][H]`. */
  jacobian: number[][];
  /** Spectral radius of the Jacobian. */
  spectralRadius: number;
  /** Slowest timescale `-1 / ln(rho)` in steps (Infinity if rho >= 1). */
  timescale: number;
  /** Linear response of the step to a unit gradient tau steps ago, tau = 0 .. lags - 1. */
  impulseResponse: number[];
  /** Mean lag `sum tau r / sum r` of the impulse response. */
  meanLag: number;
  /** Heavy-ball decay with the same mean lag, `meanLag / (1 + meanLag)`. */
  effectiveBeta: number;
  /** Gradients of the update function. */
  gradient: number[];
  /** The step after one gradient g from rest, minus the rest step. */
  updateFunction: number[];
  /** Outer-quarter slope over the slope at 0 (1 linear, < 1 saturating). */
  saturation: number;
}

/**
 * Runs the fixed-point analysis (see the module doc) of `lopt` with weights `theta` (host).
 *
 * @example
 * ```ts
 * import { gruLopt } from "./gru_lopt.ts";
 * import { gruFixedPointAnalysis } from "./gru_analysis.ts";
 * const lopt = gruLopt({ hidden: 3 });
 * const a = gruFixedPointAnalysis(lopt, lopt.initThetaHost(1));
 * console.log(a.converged, a.spectralRadius < 1); // true true
 * ```
 */
export function gruFixedPointAnalysis(
  lopt: GruLopt,
  theta: ArrayLike<number>,
  options: GruAnalysisOptions = {},
): GruAnalysis {
  const o = parseOptions(schema, options, "gruFixedPointAnalysis");
  const f = gruHost(lopt, theta);
  const H = lopt.options.hidden;
  const maxAbs = (v: number[]) => v.reduce((a, x) => Math.max(a, Math.abs(x)), 0);
  const residualOf = (h: number[]) => maxAbs(f.next(h, 0).map((v, i) => v - h[i]));

  // 1. Fixed point: iterate, then Newton steps on F(h) - h = 0.
  let h = new Array(H).fill(0);
  for (let i = 0; i < o.maxIterations && residualOf(h) > o.tolerance; i++) h = f.next(h, 0);
  for (let k = 0; k < 20 && residualOf(h) > o.tolerance; k++) {
    const J = jacobianAt(f, h, H);
    const Fh = f.next(h, 0);
    const A = J.map((row, i) => row.map((v, j) => v - (i === j ? 1 : 0)));
    const delta = solve(A, Fh.map((v, i) => -(v - h[i])));
    if (!delta) break;
    h = h.map((v, i) => v + delta[i]);
  }
  const residual = residualOf(h);

  // 2. Linearization and its impulse response.
  const J = jacobianAt(f, h, H);
  const eps = 1e-6;
  const hp = f.next(h, eps), hm = f.next(h, -eps);
  const b = hp.map((v, i) => (v - hm[i]) / (2 * eps));
  const rest = f.step(h);
  const readout = (v: number[]) => f.step(v) - rest; // linear in v
  const impulse: number[] = [];
  let v = b;
  for (let tau = 0; tau < o.lags; tau++) {
    impulse.push(readout(v.map((x, i) => x + h[i])));
    v = matVec(J, v);
  }
  const total = impulse.reduce((a, x) => a + x, 0);
  const meanLag = impulse.reduce((a, x, tau) => a + tau * x, 0) / total;
  const rho = spectralRadius(J);

  // 3. Update function from rest.
  const m = o.responsePoints, R = o.responseRange;
  const gradient = Array.from({ length: m }, (_, i) => -R + (2 * R * i) / (m - 1));
  const updateFunction = gradient.map((g) => f.step(f.next(h, g)) - rest);
  const c = (m - 1) / 2, q = Math.max(1, Math.round((m - 1) / 4));
  const slope0 = (updateFunction[c + 1] - updateFunction[c - 1]) /
    (gradient[c + 1] - gradient[c - 1]);
  const outer = ((updateFunction[m - 1] - updateFunction[m - 1 - q]) +
    (updateFunction[q] - updateFunction[0])) / (2 * (gradient[m - 1] - gradient[m - 1 - q]));

  return {
    fixedPoint: h,
    residual,
    converged: residual <= o.tolerance,
    restStep: rest,
    jacobian: J,
    spectralRadius: rho,
    timescale: rho < 1 ? -1 / Math.log(rho) : Infinity,
    impulseResponse: impulse,
    meanLag,
    effectiveBeta: meanLag / (1 + meanLag),
    gradient,
    updateFunction,
    saturation: outer / slope0,
  };
}

/** dF/dh at h (central differences, f64). */
function jacobianAt(
  f: { next(h: readonly number[], g: number): number[] },
  h: number[],
  H: number,
): number[][] {
  const eps = 1e-6;
  const J = Array.from({ length: H }, () => new Array(H).fill(0));
  for (let j = 0; j < H; j++) {
    const up = h.slice(), dn = h.slice();
    up[j] += eps;
    dn[j] -= eps;
    const fu = f.next(up, 0), fd = f.next(dn, 0);
    for (let i = 0; i < H; i++) J[i][j] = (fu[i] - fd[i]) / (2 * eps);
  }
  return J;
}

function matVec(A: number[][], v: number[]): number[] {
  return A.map((row) => row.reduce((s, a, j) => s + a * v[j], 0));
}

/**
 * Spectral radius of a real square matrix: `|A^k v|^(1/k)` growth of power iteration, which
 * also handles a dominant complex-conjugate pair (the norm still grows like rho^k).
 *
 * @example
 * ```ts
 * import { spectralRadius } from "./gru_analysis.ts";
 * console.log(spectralRadius([[0, -0.5], [0.5, 0]]).toFixed(4)); // "0.5000" (eigenvalues +-0.5i)
 * ```
 */
export function spectralRadius(A: number[][], iterations = 2000): number {
  const n = A.length;
  let v = Array.from({ length: n }, (_, i) => 1 / Math.sqrt(n) + 1e-3 * (i + 1));
  let logGrowth = 0, counted = 0;
  const burn = Math.floor(iterations / 2);
  for (let k = 0; k < iterations; k++) {
    const w = matVec(A, v);
    const norm = Math.sqrt(w.reduce((s, x) => s + x * x, 0));
    if (norm === 0) return 0;
    if (k >= burn) {
      logGrowth += Math.log(norm);
      counted++;
    }
    v = w.map((x) => x / norm);
  }
  return Math.exp(logGrowth / counted);
}

/** Solves A x = b by Gaussian elimination with partial pivoting (null if singular). */
function solve(A: number[][], b: number[]): number[] | null {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    if (Math.abs(M[p][c]) < 1e-300) return null;
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = c + 1; r < n; r++) {
      const k = M[r][c] / M[c][c];
      for (let j = c; j <= n; j++) M[r][j] -= k * M[c][j];
    }
  }
  const x = new Array(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r][n];
    for (let j = r + 1; j < n; j++) s -= M[r][j] * x[j];
    x[r] = s / M[r][r];
  }
  return x;
}
