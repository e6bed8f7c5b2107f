/**
 * The local quantities the DKS and TAT conditions constrain, for phi_hat(x) = gamma (phi(alpha x +
 * beta) + delta) with gamma chosen so that Q(1) = E[phi_hat(z)^2] = 1, by f64 quadrature:
 *
 * - Q'(1) = E[z phi_hat(z) phi_hat'(z)];
 * - C'(1) = E[phi_hat'(z)^2] (Q(1) = 1);
 * - C''(1) = E[phi_hat''(z)^2] (Price's theorem twice), where phi has a second derivative.
 *
 * The output shift delta is either given (TAT's smooth case solves for it) or "zero mean", the
 * DKS choice delta = -E[phi(alpha z + beta)] that gives C(0) = E[phi_hat]^2 = 0.
 *
 * @example
 * ```ts
 * import { shapingConditions } from "./shaping_conditions.ts";
 * // Identity-like: leaky ReLU with slope 1 has Q'(1) = C'(1) = 1.
 * const s = shapingConditions("leaky_relu", 1, 0, 1, 0)!;
 * console.log(+s.gamma.toFixed(12), +s.qSlope.toFixed(12), +s.cSlope.toFixed(12)); // 1 1 1
 * ```
 * @module
 */
import { baseActivation, type DksActivationName } from "./base_activations.ts";
import { gaussianExpectation } from "./gaussian_expectation.ts";

/**
 * The output of {@link shapingConditions}.
 *
 * @example
 * ```ts
 * import type { ShapingConditions } from "./shaping_conditions.ts";
 * const s: ShapingConditions = { gamma: 1, delta: 0, qSlope: 1, cSlope: 1 };
 * console.log(s.cSlope); // 1
 * ```
 */
export interface ShapingConditions {
  /** Output scale giving Q(1) = 1. */
  gamma: number;
  /** Output shift (the given one, or -E[phi(alpha z + beta)] for "zero mean"). */
  delta: number;
  /** Local Q map slope at q = 1. */
  qSlope: number;
  /** Local C map slope at c = 1. */
  cSlope: number;
  /** Local C map second derivative at c = 1 (only when asked for and phi has one). */
  cCurvature?: number;
}

/**
 * The output scale, output shift and local slopes (and optionally curvature) of phi_hat; null
 * when alpha <= 0, a parameter is not finite, or phi_hat would be constant (Q(1) not reachable).
 *
 * @example
 * ```ts
 * import { shapingConditions } from "./shaping_conditions.ts";
 * const s = shapingConditions("tanh", 1, 0, 0, "zero mean", true)!;
 * console.log(s.delta, s.cCurvature! > 0); // 0 true
 * ```
 */
export function shapingConditions(
  name: DksActivationName,
  alpha: number,
  beta: number,
  negativeSlope: number,
  delta: number | "zero mean",
  withCurvature = false,
): ShapingConditions | null {
  if (!(alpha > 0) || !Number.isFinite(alpha) || !Number.isFinite(beta)) return null;
  if (!Number.isFinite(negativeSlope) || (delta !== "zero mean" && !Number.isFinite(delta))) {
    return null;
  }
  const base = baseActivation(name, negativeSlope);
  const kinks = base.kinks.map((k) => (k - beta) / alpha);
  const g = (z: number) => base.f(alpha * z + beta);
  const dg = (z: number) => base.df(alpha * z + beta);
  const shift = delta === "zero mean" ? -gaussianExpectation(g, kinks) : delta;
  const q = gaussianExpectation((z) => (g(z) + shift) ** 2, kinks);
  if (!(q > 0) || !Number.isFinite(q)) return null;
  const g2 = 1 / q; // gamma^2
  const out: ShapingConditions = {
    gamma: Math.sqrt(g2),
    delta: shift,
    qSlope: g2 * alpha * gaussianExpectation((z) => z * (g(z) + shift) * dg(z), kinks),
    cSlope: g2 * alpha * alpha * gaussianExpectation((z) => dg(z) ** 2, kinks),
  };
  const d2 = base.d2f;
  if (withCurvature && d2) {
    out.cCurvature = g2 * alpha ** 4 *
      gaussianExpectation((z) => d2(alpha * z + beta) ** 2, kinks);
  }
  if (![out.qSlope, out.cSlope, out.cCurvature ?? 0].every(Number.isFinite)) return null;
  return out;
}
