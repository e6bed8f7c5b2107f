/**
 * Tailored Activation Transformations (TAT; Zhang, Botev, Martens 2022, "Deep learning without
 * shortcuts: shaping the kernel with tailored rectifiers"), with the conditions and defaults of
 * the reference implementation (deepmind/dks, `dks/base/activation_transform.py`, method "TAT"):
 *
 * - **Leaky ReLU ("TReLU")**: phi_hat(x) = sqrt(2 / (1 + a^2)) leakyRelu_a(x). The output scale
 *   gives Q(q) = q for every q (positive homogeneity), so Q(1) = 1 and C'(1) = 1; the negative
 *   slope a in [0, 1] is the one whose network C map has max over subnetworks C_f(0) = eta
 *   (default 0.9, the reference's `c_val_0_target`). Smaller eta means a more linear network:
 *   eta = 0 gives a = 1, the identity.
 * - **Smooth activations**: phi_hat(x) = gamma (phi(alpha x + beta) + delta) with Q(1) = 1,
 *   Q'(1) = 1, C'(1) = 1 and local C''(1) = kappa, where kappa makes the maximal curvature
 *   function equal tau (default 0.3, the reference's `c_curve_target`); for a chain of D layers
 *   kappa = tau / D, so the global C''(1) = tau. Unlike DKS, C(0) is free: (alpha, beta, delta)
 *   are solved together (Levenberg-Marquardt from the reference's starting points: input scale
 *   in {1, 0.1} x input shift and output shift in {0, 1, -1}, then seeded random ones), and, as
 *   the reference does, a solution with alpha gamma >= 2 is passed over (the reference saw
 *   unstable Q maps there) while another starting point may give one below 2; if none does, the
 *   first solution is kept (the reference then keeps its last). The rule is not invariant under
 *   affine changes of phi: sigmoid(x) = (1 + tanh(x / 2)) / 2 has tanh's solution at 4 times
 *   its alpha gamma, so sigmoid ends in that fallback.
 *
 * ReLU is not supported (the reference refuses it too: use leaky_relu), nor selu, whose
 * derivative jumps at 0 so C''(1) is infinite.
 *
 * @example
 * ```ts
 * import { tatTransform } from "./tat.ts";
 * import { globalCMap } from "./local_maps.ts";
 * const t = tatTransform({ activation: "leaky_relu", depth: 20 });
 * console.log(+globalCMap(t, 20, 0).toFixed(9)); // 0.9
 * ```
 * @module
 */
import { InvalidArgumentError } from "../../errors.ts";
import { baseActivation, checkActivationName, type DksActivationName } from "./base_activations.ts";
import { SHAPING_TOL, solveIncreasing, solveSquareSystem, startingPoints } from "./root_finding.ts";
import { type DksActivation, shapedActivation } from "./shaped_activation.ts";
import { shapingConditions } from "./shaping_conditions.ts";
import { chainSubnetMax, maxCurvatureFunction, type SubnetMaxFunction } from "./subnet_max.ts";

/**
 * Options of {@link tatTransform}.
 *
 * @example
 * ```ts
 * import type { TatOptions } from "./tat.ts";
 * const o: TatOptions = { activation: "leaky_relu", depth: 50, eta: 0.9 };
 * console.log(o.depth); // 50
 * ```
 */
export interface TatOptions {
  /** The base activation (leaky_relu, or a smooth one; not relu or selu). */
  activation: DksActivationName;
  /** D, the number of nonlinear layers of the chain (integer >= 1). */
  depth: number;
  /** Leaky ReLU: target C_f(0), maximized over subnetworks, in [0, 1] (default 0.9). */
  eta?: number;
  /** Smooth activations: target C_f''(1), maximized over subnetworks, > 0 (default 0.3). */
  tau?: number;
  /**
   * The architecture's subnetwork maximizing function (see `subnet_max.ts`, e.g.
   * `residualSubnetMax`). Default: a chain of `depth` layers.
   */
  subnetMaxFunction?: SubnetMaxFunction;
}

/**
 * The local C map of leaky ReLU with negative slope a for inputs with q = 1, in closed form
 * (the arc-cosine kernel of Cho & Saul 2009 mixed with the linear part; the same formula as the
 * reference's `_leaky_relu_cmap`):
 * C(c) = ((1 - a)^2 (sqrt(1 - c^2) + (pi - arccos c) c) / pi + 2 a c) / (1 + a^2).
 *
 * @example
 * ```ts
 * import { leakyReluCMap } from "./tat.ts";
 * console.log(+leakyReluCMap(0, 0).toFixed(12), leakyReluCMap(0.4, 1)); // 0.318309886184 0.4
 * ```
 */
export function leakyReluCMap(c: number, negativeSlope: number): number {
  if (!(Number.isFinite(c) && c >= -1 && c <= 1)) {
    throw new InvalidArgumentError(`leakyReluCMap: c must be a number in [-1, 1], got ${c}`);
  }
  if (!Number.isFinite(negativeSlope)) {
    throw new InvalidArgumentError(
      `leakyReluCMap: negativeSlope must be finite, got ${negativeSlope}`,
    );
  }
  const a = negativeSlope;
  const arcCos = (Math.sqrt(1 - c * c) + (Math.PI - Math.acos(c)) * c) / Math.PI;
  return ((1 - a) ** 2 * arcCos + 2 * a * c) / (1 + a * a);
}

const SMOOTH_STARTS: number[][] = [1, 0.1].flatMap((scale) =>
  [0, 1, -1].flatMap((shift) => [0, 1, -1].map((outShift) => [scale, shift, outShift]))
);
/** The reference rejects solutions with input scale x output scale at or above this. */
const MAX_SCALE_PRODUCT = 2;

/**
 * Solves the TAT conditions for `options.activation` and returns the transformed activation.
 * Throws {@link InvalidArgumentError} naming the field for bad options, when eta is above what
 * a ReLU network of this architecture reaches (too shallow for that much nonlinearity), or when
 * no smooth solution is found from any starting point.
 *
 * @example
 * ```ts
 * import { tatTransform } from "./tat.ts";
 * import { localCSlope, localQMap, localQSlope } from "./local_maps.ts";
 * const t = tatTransform({ activation: "softplus", depth: 10, tau: 0.3 });
 * console.log(+localQMap(t, 1).toFixed(9), +localQSlope(t).toFixed(9), +localCSlope(t).toFixed(9));
 * // 1 1 1
 * console.log(+t.localCCurvatureTarget!.toFixed(12)); // 0.03
 * ```
 */
export function tatTransform(options: TatOptions): DksActivation {
  const { activation: name, depth } = options;
  checkActivationName("tatTransform", name);
  if (!Number.isInteger(depth) || depth < 1) {
    throw new InvalidArgumentError(`tatTransform: depth must be an integer >= 1, got ${depth}`);
  }
  const m = options.subnetMaxFunction;
  if (m !== undefined && typeof m !== "function") {
    throw new InvalidArgumentError("tatTransform: subnetMaxFunction must be a function");
  }
  const subnetMax = m ?? chainSubnetMax(depth);
  return name === "leaky_relu"
    ? leakyTat(options.eta ?? 0.9, subnetMax)
    : smoothTat(name, depth, options.tau ?? 0.3, subnetMax);
}

function leakyTat(eta: number, subnetMax: SubnetMaxFunction): DksActivation {
  if (!(eta >= 0 && eta <= 1)) {
    throw new InvalidArgumentError(`tatTransform: eta must be a number in [0, 1], got ${eta}`);
  }
  // C_f(0) over subnetworks falls from its ReLU value (a = 0) to 0 (a = 1, the identity), since
  // each local C(c) = c + (1 - a)^2 / (1 + a^2) (C_relu(c) - c) falls with a on [0, 1].
  const c0 = (a: number) => subnetMax(0, (c) => Math.min(1, leakyReluCMap(c, a)));
  const reluC0 = c0(0);
  if (eta > reluC0) {
    throw new InvalidArgumentError(
      `tatTransform: eta must be at most ${reluC0} for this architecture (C_f(0) of its ReLU ` +
        `network, the largest a leaky ReLU reaches), got ${eta}: lower eta or deepen the network`,
    );
  }
  const a = eta === reluC0 ? 0 : solveIncreasing((s) => -c0(s), -eta, 0, "tatTransform: C_f(0)");
  return shapedActivation({
    name: "leaky_relu",
    alpha: 1,
    beta: 0,
    gamma: Math.sqrt(2 / (1 + a * a)),
    delta: 0,
    negativeSlope: a,
  });
}

function smoothResult(name: DksActivationName, p: number[], kappa: number): DksActivation {
  return shapedActivation({
    name,
    alpha: p[0],
    beta: p[1],
    gamma: shapingConditions(name, p[0], p[1], 0, p[2])!.gamma,
    delta: p[2],
    localCSlopeTarget: 1,
    localCCurvatureTarget: kappa,
  });
}

function smoothTat(
  name: DksActivationName,
  depth: number,
  tau: number,
  subnetMax: SubnetMaxFunction,
): DksActivation {
  if (name === "relu" || !baseActivation(name).d2f) {
    throw new InvalidArgumentError(
      `tatTransform: activation must be leaky_relu or one with a continuous derivative ` +
        `(C''(1) is infinite otherwise), got ${JSON.stringify(name)}` +
        (name === "relu" ? ": use leaky_relu" : ""),
    );
  }
  if (!(Number.isFinite(tau) && tau > 0)) {
    throw new InvalidArgumentError(`tatTransform: tau must be a finite number > 0, got ${tau}`);
  }
  const kappa = solveIncreasing(maxCurvatureFunction(subnetMax), tau, 0, "tatTransform: C_f''(1)");
  const conditions = (p: number[]) => shapingConditions(name, p[0], p[1], 0, p[2], true);
  const residual = (p: number[]): number[] | null => {
    const s = conditions(p);
    return s ? [s.qSlope - 1, s.cSlope - 1, s.cCurvature! - kappa] : null;
  };
  const starts = startingPoints(SMOOTH_STARTS, (r) => [2 * r(), -3 + 6 * r(), -3 + 6 * r()]);
  let fallback: number[] | null = null;
  for (const start of starts) {
    const p = solveSquareSystem(residual, start, SHAPING_TOL);
    if (!p) continue;
    if (p[0] * conditions(p)!.gamma < MAX_SCALE_PRODUCT) return smoothResult(name, p, kappa);
    fallback ??= p;
  }
  if (fallback) return smoothResult(name, fallback, kappa);
  throw new InvalidArgumentError(
    `tatTransform: no parameters found for activation ${name} with depth ${depth}, tau ${tau} ` +
      `(tried ${starts.length} starting points)`,
  );
}
