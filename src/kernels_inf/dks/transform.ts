/**
 * The Deep Kernel Shaping activation transformation (Martens et al. 2021, section 5 and
 * appendix; defaults and special cases as in the reference implementation deepmind/dks,
 * `dks/base/activation_transform.py`):
 *
 *   phi_hat(x) = gamma (phi(alpha x + beta) + delta)
 *
 * chosen so that, for inputs with q = 1,
 *
 * 1. Q(1) = E[phi_hat(z)^2] = 1 (the Q map has its fixed point at 1): gamma closed form;
 * 2. C(0) = E[phi_hat(z)]^2 = 0 (zero mean): delta = -E[phi(alpha z + beta)];
 * 3. Q'(1) = `localQSlopeTarget` (default 1, as the paper and the reference);
 * 4. C'(1) = zeta^(1/D) for a chain of D identical nonlinear layers, so the global C map slope is
 *    C_f'(1) = C'(1)^D = zeta (default zeta = 1.5, the reference's `c_slope_1_target`). For
 *    other architectures pass the paper's maximal slope function instead.
 *
 * Conditions 3-4 fix (alpha, beta), solved on the host by Levenberg-Marquardt on the 2x2
 * residual system with a central-difference Jacobian, from the reference's starting points
 * (input scale in {1, 0.1} x shift in {0, 1, -1}, then seeded random ones in [0, 2] x [-3, 3])
 * until the residual is below 1e-11. Special cases follow the reference: ReLU has one degree of
 * freedom less (positive homogeneity), so its shift is fixed to +1 (or -1 when the target local
 * slope exceeds 1.466942206924260361, the largest a positive shift reaches) and only alpha is
 * solved, with the Q slope condition dropped (DKS with plain ReLU is discouraged; prefer
 * leaky_relu). Leaky ReLU solves (negative slope, beta) with alpha = 1.
 *
 * @example
 * ```ts
 * import { dksTransform } from "./transform.ts";
 * import { localCSlope, localQMap, localQSlope } from "./local_maps.ts";
 * const t = dksTransform({ activation: "tanh", depth: 10 });
 * console.log(+localQMap(t, 1).toFixed(9), +localQSlope(t).toFixed(9)); // 1 1
 * console.log(+(localCSlope(t) ** 10).toFixed(9)); // 1.5
 * ```
 * @module
 */
import { InvalidArgumentError } from "../../errors.ts";
import { mulberry32 } from "../../nn/host_rng.ts";
import { add, mul, type Tensor } from "../../gpu/mod.ts";
import {
  baseActivation,
  DKS_ACTIVATION_NAMES,
  type DksActivationName,
  type ScalarActivation,
} from "./base_activations.ts";
import { gaussianExpectation } from "./gaussian_expectation.ts";

/**
 * Options of {@link dksTransform}.
 *
 * @example
 * ```ts
 * import type { DksOptions } from "./transform.ts";
 * const o: DksOptions = { activation: "softplus", depth: 30, zeta: 1.5 };
 * console.log(o.depth); // 30
 * ```
 */
export interface DksOptions {
  /** The base activation. */
  activation: DksActivationName;
  /** D, the number of nonlinear layers of the chain (integer >= 1). */
  depth: number;
  /** Target slope of the global C map at 1 (> 1; default 1.5, the reference's default). */
  zeta?: number;
  /** Target local Q map slope at 1 (> 0; default 1). Ignored for relu (as the reference). */
  localQSlopeTarget?: number;
  /**
   * The paper's maximal slope function: the largest global C'(1) over subnetworks as a function
   * of the common local slope x (increasing, 1 at x = 1). Default x^depth (a plain chain).
   */
  maxSlopeFunction?: (x: number) => number;
}

/**
 * A DKS-transformed activation: the parameters, the host f64 form, and the tensor form.
 *
 * @example
 * ```ts
 * import { dksTransform } from "./transform.ts";
 * const t = dksTransform({ activation: "relu", depth: 4 });
 * console.log(t.beta); // 1
 * ```
 */
export interface DksActivation extends ScalarActivation {
  /** The base activation's name. */
  name: DksActivationName;
  /** Input scale. */
  alpha: number;
  /** Input shift. */
  beta: number;
  /** Output scale. */
  gamma: number;
  /** Output shift. */
  delta: number;
  /** Leaky ReLU's solved negative slope (undefined for other activations). */
  negativeSlope?: number;
  /** The local C map slope at 1 the solve targeted (zeta^(1/D) for a chain). */
  localCSlopeTarget: number;
  /** phi_hat on tensors. */
  apply: (x: Tensor) => Tensor;
}

/** Largest C'(1) a ReLU with a positive input shift reaches (reference constant). */
export const RELU_MAX_SLOPE_POSITIVE_SHIFT = 1.466942206924260361;

const STARTS: Record<"smooth" | "leaky", number[][]> = {
  smooth: [[1, 0], [1, 1], [1, -1], [0.1, 0], [0.1, 1], [0.1, -1]],
  leaky: [[0, 0], [0, 1], [0, -1], [0.5, 0], [0.5, 1], [0.5, -1]],
};
const NUM_TRIES = 50;
const RESIDUAL_TOL = 1e-11;

interface Shaped {
  alpha: number;
  beta: number;
  negativeSlope: number;
  gamma: number;
  delta: number;
  cSlope: number;
  qSlope: number;
}

/** Output shift/scale in closed form, then the two local slopes of the result. */
function shape(name: DksActivationName, alpha: number, beta: number, ns: number): Shaped | null {
  if (!(alpha > 0) || !Number.isFinite(beta) || !Number.isFinite(ns)) return null;
  const base = baseActivation(name, ns);
  const kinks = base.kinks.map((k) => (k - beta) / alpha);
  const g = (z: number) => base.f(alpha * z + beta);
  const dg = (z: number) => base.df(alpha * z + beta);
  const mean = gaussianExpectation(g, kinks);
  const variance = gaussianExpectation((z) => (g(z) - mean) ** 2, kinks);
  if (!(variance > 0) || !Number.isFinite(variance)) return null;
  const gamma = 1 / Math.sqrt(variance);
  const cSlope = gamma * gamma * alpha * alpha * gaussianExpectation((z) => dg(z) ** 2, kinks);
  const qSlope = gamma * gamma * alpha *
    gaussianExpectation((z) => z * (g(z) - mean) * dg(z), kinks);
  return { alpha, beta, negativeSlope: ns, gamma, delta: -mean, cSlope, qSlope };
}

/** Levenberg-Marquardt for a square system of n <= 2 unknowns; null if it does not converge. */
function solveSquare(
  residual: (p: number[]) => number[] | null,
  start: number[],
): number[] | null {
  let p = start.slice();
  let r = residual(p);
  if (!r) return null;
  const norm = (v: number[]) => v.reduce((s, x) => s + x * x, 0);
  let lambda = 1e-3;
  for (let it = 0; it < 200; it++) {
    if (Math.max(...r.map(Math.abs)) < RESIDUAL_TOL) return p;
    const n = p.length;
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
    // Normal equations (J^T J + lambda diag(J^T J)) d = -J^T r, solved directly (n <= 2).
    const A = Array.from(
      { length: n },
      (_, a) => Array.from({ length: n }, (_, b) => J.reduce((s, row) => s + row[a] * row[b], 0)),
    );
    const g = Array.from({ length: n }, (_, a) => J.reduce((s, row, i) => s + row[a] * r![i], 0));
    let improved = false;
    for (let tries = 0; tries < 30 && !improved; tries++) {
      const M = A.map((row, a) => row.map((v, b) => a === b ? v * (1 + lambda) + 1e-300 : v));
      const d = n === 1 ? [-g[0] / M[0][0]] : (() => {
        const det = M[0][0] * M[1][1] - M[0][1] * M[1][0];
        return [
          -(M[1][1] * g[0] - M[0][1] * g[1]) / det,
          -(-M[1][0] * g[0] + M[0][0] * g[1]) / det,
        ];
      })();
      const q = p.map((v, j) => v + d[j]);
      const rq = d.every(Number.isFinite) ? residual(q) : null;
      if (rq && rq.every(Number.isFinite) && norm(rq) < norm(r)) {
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
  return Math.max(...r.map(Math.abs)) < RESIDUAL_TOL ? p : null;
}

/** Solves maxSlope(x) = zeta for x >= 1 (increasing function) by bracketing and bisection. */
function localSlopeFor(maxSlope: (x: number) => number, zeta: number): number {
  let lo = 1, hi = 2;
  for (let i = 0; i < 200 && maxSlope(hi) < zeta; i++) {
    lo = hi;
    hi *= 2;
  }
  if (!(maxSlope(hi) >= zeta)) {
    throw new InvalidArgumentError(
      `dksTransform: maxSlopeFunction never reaches zeta = ${zeta} (must be increasing)`,
    );
  }
  for (let i = 0; i < 200 && hi - lo > 1e-15 * hi; i++) {
    const mid = 0.5 * (lo + hi);
    if (maxSlope(mid) < zeta) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/**
 * Solves the DKS conditions for `options.activation` and returns the transformed activation.
 * Throws {@link InvalidArgumentError} naming the field for bad options, or when no solution is
 * found from any starting point.
 *
 * @example
 * ```ts
 * import { dksTransform } from "./transform.ts";
 * import { localCMap } from "./local_maps.ts";
 * const t = dksTransform({ activation: "softplus", depth: 5 });
 * console.log(Math.abs(localCMap(t, 0)) < 1e-12); // true: C(0) = 0
 * ```
 */
export function dksTransform(options: DksOptions): DksActivation {
  const { activation: name, depth } = options;
  const zeta = options.zeta ?? 1.5;
  const qTarget = options.localQSlopeTarget ?? 1;
  if (!(DKS_ACTIVATION_NAMES as readonly string[]).includes(name)) {
    throw new InvalidArgumentError(
      `dksTransform: activation must be one of ${DKS_ACTIVATION_NAMES.join(", ")}, got ${
        JSON.stringify(name)
      }`,
    );
  }
  if (!Number.isInteger(depth) || depth < 1) {
    throw new InvalidArgumentError(`dksTransform: depth must be an integer >= 1, got ${depth}`);
  }
  if (!(Number.isFinite(zeta) && zeta > 1)) {
    throw new InvalidArgumentError(`dksTransform: zeta must be a finite number > 1, got ${zeta}`);
  }
  if (!(Number.isFinite(qTarget) && qTarget > 0)) {
    throw new InvalidArgumentError(
      `dksTransform: localQSlopeTarget must be a finite number > 0, got ${qTarget}`,
    );
  }
  if (options.maxSlopeFunction !== undefined && typeof options.maxSlopeFunction !== "function") {
    throw new InvalidArgumentError("dksTransform: maxSlopeFunction must be a function");
  }
  const cTarget = options.maxSlopeFunction
    ? localSlopeFor(options.maxSlopeFunction, zeta)
    : zeta ** (1 / depth);

  let unpack: (p: number[]) => [number, number, number];
  let starts: number[][];
  let useQ = true;
  let sample: (r: () => number) => number[];
  if (name === "relu") {
    const beta = cTarget < RELU_MAX_SLOPE_POSITIVE_SHIFT ? 1 : -1;
    unpack = (p) => [p[0], beta, 0];
    starts = [[1], [0.1]];
    sample = (r) => [2 * r()];
    useQ = false;
  } else if (name === "leaky_relu") {
    unpack = (p) => [1, p[1], p[0]];
    starts = STARTS.leaky;
    sample = (r) => [r(), -3 + 6 * r()];
  } else {
    unpack = (p) => [p[0], p[1], 0];
    starts = STARTS.smooth;
    sample = (r) => [2 * r(), -3 + 6 * r()];
  }
  const residual = (p: number[]): number[] | null => {
    const s = shape(name, ...unpack(p));
    if (!s || !Number.isFinite(s.cSlope) || !Number.isFinite(s.qSlope)) return null;
    return useQ ? [s.qSlope - qTarget, s.cSlope - cTarget] : [s.cSlope - cTarget];
  };
  const rand = mulberry32(123); // the seeded starting points after the fixed ones
  while (starts.length < NUM_TRIES) starts = [...starts, sample(rand)];
  for (const start of starts) {
    const p = solveSquare(residual, start);
    if (!p) continue;
    const s = shape(name, ...unpack(p))!;
    const base = baseActivation(name, s.negativeSlope);
    const { alpha, beta, gamma, delta } = s;
    return {
      name,
      alpha,
      beta,
      gamma,
      delta,
      negativeSlope: name === "leaky_relu" ? s.negativeSlope : undefined,
      localCSlopeTarget: cTarget,
      f: (x) => gamma * (base.f(alpha * x + beta) + delta),
      df: (x) => gamma * alpha * base.df(alpha * x + beta),
      kinks: base.kinks.map((k) => (k - beta) / alpha),
      apply: (x) => mul(add(base.apply(add(mul(x, alpha), beta)), delta), gamma),
    };
  }
  throw new InvalidArgumentError(
    `dksTransform: no parameters found for activation ${name} with depth ${depth}, ` +
      `zeta ${zeta}, localQSlopeTarget ${qTarget} (tried ${starts.length} starting points)`,
  );
}
