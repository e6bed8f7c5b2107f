/**
 * The form shared by the DKS and TAT activation transformations (Martens et al. 2021; Zhang,
 * Botev, Martens 2022): phi_hat(x) = gamma (phi(alpha x + beta) + delta), with phi a base
 * activation (for leaky ReLU, with its negative slope as one more parameter).
 *
 * @example
 * ```ts
 * import { shapedActivation } from "./shaped_activation.ts";
 * const t = shapedActivation({ name: "tanh", alpha: 2, beta: 0, gamma: 3, delta: 0 });
 * console.log(t.f(0.5) === 3 * Math.tanh(1)); // true
 * ```
 * @module
 */
import { add, mul, type Tensor } from "../../gpu/mod.ts";
import {
  baseActivation,
  type DksActivationName,
  type ScalarActivation,
} from "./base_activations.ts";

/**
 * Parameters of {@link shapedActivation}.
 *
 * @example
 * ```ts
 * import type { ShapeParameters } from "./shaped_activation.ts";
 * const p: ShapeParameters = { name: "erf", alpha: 1, beta: 0, gamma: 1, delta: 0 };
 * console.log(p.name); // "erf"
 * ```
 */
export interface ShapeParameters {
  /** The base activation's name. */
  name: DksActivationName;
  /** Input scale (> 0). */
  alpha: number;
  /** Input shift. */
  beta: number;
  /** Output scale. */
  gamma: number;
  /** Output shift (added before the output scale). */
  delta: number;
  /** Leaky ReLU's (solved) negative slope (ignored by, and undefined for, the others). */
  negativeSlope?: number;
  /** The local C map slope at 1 the solve targeted (zeta^(1/D) for a DKS chain; default 1). */
  localCSlopeTarget?: number;
  /** TAT with a smooth activation: the local C map curvature C''(1) the solve targeted. */
  localCCurvatureTarget?: number;
}

/**
 * A DKS- or TAT-transformed activation: the parameters, the host f64 form, and the tensor form.
 *
 * @example
 * ```ts
 * import { dksTransform } from "./transform.ts";
 * const t = dksTransform({ activation: "relu", depth: 4 });
 * console.log(t.beta); // 1
 * ```
 */
export interface DksActivation extends ScalarActivation, ShapeParameters {
  /** The local C map slope at 1 the solve targeted (zeta^(1/D) for a DKS chain; 1 for TAT). */
  localCSlopeTarget: number;
  /** Second derivative of phi_hat, where the base activation has one (see `BaseActivation`). */
  d2f?: (x: number) => number;
  /** phi_hat on tensors. */
  apply: (x: Tensor) => Tensor;
}

/**
 * phi_hat(x) = gamma (phi(alpha x + beta) + delta) on the host (value, first and second
 * derivatives, kinks moved to phi_hat's input) and on tensors.
 *
 * @example
 * ```ts
 * import { shapedActivation } from "./shaped_activation.ts";
 * const t = shapedActivation({
 *   name: "leaky_relu", alpha: 1, beta: 0, gamma: 2, delta: 0, negativeSlope: 0.5,
 * });
 * console.log(t.f(-1), t.df(-1), t.kinks); // -1 1 [0]
 * ```
 */
export function shapedActivation(p: ShapeParameters): DksActivation {
  const { name, alpha, beta, gamma, delta } = p;
  const base = baseActivation(name, p.negativeSlope);
  const d2 = base.d2f;
  return {
    name,
    alpha,
    beta,
    gamma,
    delta,
    negativeSlope: name === "leaky_relu" ? p.negativeSlope : undefined,
    localCSlopeTarget: p.localCSlopeTarget ?? 1,
    localCCurvatureTarget: p.localCCurvatureTarget,
    f: (x) => gamma * (base.f(alpha * x + beta) + delta),
    df: (x) => gamma * alpha * base.df(alpha * x + beta),
    d2f: d2 && ((x) => gamma * alpha * alpha * d2(alpha * x + beta)),
    kinks: base.kinks.map((k) => (k - beta) / alpha),
    apply: (x) => mul(add(base.apply(add(mul(x, alpha), beta)), delta), gamma),
  };
}
