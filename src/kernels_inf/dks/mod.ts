/**
 * Deep Kernel Shaping (Martens, Ballard, Desjardins, Swirszcz, Dalibard, Sohl-Dickstein,
 * Schoenholz 2021, "Rapid training of deep neural networks without skip connections or
 * normalization layers using Deep Kernel Shaping") and Tailored Activation Transformations
 * (Zhang, Botev, Martens 2022, "Deep learning without shortcuts: shaping the kernel with tailored
 * rectifiers"): local Q/C maps of an activation by f64 quadrature, the DKS transformation
 * phi_hat(x) = gamma (phi(alpha x + beta) + delta), TAT for leaky ReLU and smooth activations,
 * per-architecture rules (chains and normalizer-free residual networks, with projection shortcuts
 * and the ResNet V2 final activation: maximal slope and curvature functions, the residual global C
 * map), and scaled orthogonal initialization.
 *
 * @example
 * ```ts
 * import { dksTransform, globalCMap, localQMap } from "./mod.ts";
 * const t = dksTransform({ activation: "tanh", depth: 20, zeta: 1.5 });
 * console.log(+localQMap(t, 1).toFixed(9)); // 1
 * console.log(+globalCMap(t, 20, 0).toFixed(9)); // 0
 * ```
 *
 * A residual network of 10 blocks `0.8 shortcut + 0.6 branch` with 2-layer branches, and TAT's
 * leaky ReLU for a 30-layer chain:
 *
 * ```ts
 * import { dksTransform, residualMaxSlope, tatTransform } from "./mod.ts";
 * const arch = { blocks: 10, branchDepth: 2, shortcutWeight: 0.8 };
 * const r = dksTransform({ activation: "softplus", depth: 20, maxSlopeFunction: residualMaxSlope(arch) });
 * const t = tatTransform({ activation: "leaky_relu", depth: 30, eta: 0.9 });
 * console.log(r.alpha > 0, t.negativeSlope! > 0 && t.negativeSlope! < 1); // true true
 * ```
 * @module
 */
export {
  type BaseActivation,
  baseActivation,
  DKS_ACTIVATION_NAMES,
  type DksActivationName,
  type ScalarActivation,
} from "./base_activations.ts";
export { GAUSSIAN_DOMAIN, gaussianExpectation, gaussLegendre } from "./gaussian_expectation.ts";
export {
  bivariateExpectation,
  globalCMap,
  localCMap,
  localCSlope,
  localQMap,
  localQSlope,
} from "./local_maps.ts";
export {
  type DksActivation,
  type DksOptions,
  dksTransform,
  RELU_MAX_SLOPE_POSITIVE_SHIFT,
} from "./transform.ts";
export {
  deltaOrthogonalFromGaussian,
  deltaOrthogonalInit,
  orthogonalFromGaussian,
  orthogonalInit,
} from "./orthogonal_init.ts";
export {
  type ResidualArchitecture,
  residualGlobalCMap,
  residualMaxSlope,
  residualNetworkMap,
  residualSubnetMax,
} from "./residual.ts";
export {
  chainSubnetMax,
  maxCurvatureFunction,
  maxSlopeFunction,
  type SubnetMaxFunction,
} from "./subnet_max.ts";
export { leakyReluCMap, type TatOptions, tatTransform } from "./tat.ts";
export { shapedActivation, type ShapeParameters } from "./shaped_activation.ts";
