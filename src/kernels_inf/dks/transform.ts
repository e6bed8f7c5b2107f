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
 *    other architectures pass the paper's maximal slope function instead (`residualMaxSlope`
 *    for normalizer-free residual networks, or `maxSlopeFunction` of a subnetwork maximizing
 *    function).
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
import { checkActivationName, type DksActivationName } from "./base_activations.ts";
import { SHAPING_TOL, solveIncreasing, solveSquareSystem, startingPoints } from "./root_finding.ts";
import { type DksActivation, shapedActivation } from "./shaped_activation.ts";
import { shapingConditions } from "./shaping_conditions.ts";

export type { DksActivation } from "./shaped_activation.ts";

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
   * of the common local slope x (increasing, 1 at x = 1). Default x^depth (a plain chain); see
   * `residualMaxSlope` (residual.ts) and `maxSlopeFunction` (subnet_max.ts).
   */
  maxSlopeFunction?: (x: number) => number;
}

/** Largest C'(1) a ReLU with a positive input shift reaches (reference constant). */
export const RELU_MAX_SLOPE_POSITIVE_SHIFT = 1.466942206924260361;

const STARTS: Record<"smooth" | "leaky", number[][]> = {
  smooth: [[1, 0], [1, 1], [1, -1], [0.1, 0], [0.1, 1], [0.1, -1]],
  leaky: [[0, 0], [0, 1], [0, -1], [0.5, 0], [0.5, 1], [0.5, -1]],
};

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
  checkActivationName("dksTransform", name);
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
    ? solveIncreasing(options.maxSlopeFunction, zeta, 1, "dksTransform: maxSlopeFunction")
    : zeta ** (1 / depth);

  let unpack: (p: number[]) => [number, number, number];
  let fixed: number[][];
  let useQ = true;
  let sample: (r: () => number) => number[];
  if (name === "relu") {
    const beta = cTarget < RELU_MAX_SLOPE_POSITIVE_SHIFT ? 1 : -1;
    unpack = (p) => [p[0], beta, 0];
    fixed = [[1], [0.1]];
    sample = (r) => [2 * r()];
    useQ = false;
  } else if (name === "leaky_relu") {
    unpack = (p) => [1, p[1], p[0]];
    fixed = STARTS.leaky;
    sample = (r) => [r(), -3 + 6 * r()];
  } else {
    unpack = (p) => [p[0], p[1], 0];
    fixed = STARTS.smooth;
    sample = (r) => [2 * r(), -3 + 6 * r()];
  }
  const conditions = (p: number[]) => {
    const [alpha, beta, negativeSlope] = unpack(p);
    return shapingConditions(name, alpha, beta, negativeSlope, "zero mean");
  };
  const residual = (p: number[]): number[] | null => {
    const s = conditions(p);
    if (!s) return null;
    return useQ ? [s.qSlope - qTarget, s.cSlope - cTarget] : [s.cSlope - cTarget];
  };
  const starts = startingPoints(fixed, sample);
  for (const start of starts) {
    const p = solveSquareSystem(residual, start, SHAPING_TOL);
    if (!p) continue;
    const [alpha, beta, negativeSlope] = unpack(p);
    const { gamma, delta } = conditions(p)!;
    return shapedActivation({
      name,
      alpha,
      beta,
      gamma,
      delta,
      negativeSlope,
      localCSlopeTarget: cTarget,
    });
  }
  throw new InvalidArgumentError(
    `dksTransform: no parameters found for activation ${name} with depth ${depth}, ` +
      `zeta ${zeta}, localQSlopeTarget ${qTarget} (tried ${starts.length} starting points)`,
  );
}
