/**
 * Deep Kernel Shaping for fully connected networks (Martens, Ballard, Desjardins, Swirszcz,
 * Dalibard, Sohl-Dickstein, Schoenholz 2021, "Rapid training of deep neural networks without
 * skip connections or normalization layers using Deep Kernel Shaping"): local Q/C maps of an
 * activation by f64 quadrature, the DKS activation transformation phi_hat(x) = gamma (phi(alpha x
 * + beta) + delta), and scaled orthogonal initialization of dense weights.
 *
 * @example
 * ```ts
 * import { dksTransform, globalCMap, localQMap } from "./mod.ts";
 * const t = dksTransform({ activation: "tanh", depth: 20, zeta: 1.5 });
 * console.log(+localQMap(t, 1).toFixed(9)); // 1
 * console.log(+globalCMap(t, 20, 0).toFixed(9)); // 0
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
export { orthogonalFromGaussian, orthogonalInit } from "./orthogonal_init.ts";
