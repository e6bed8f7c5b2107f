/**
 * The "subnetwork maximizing function" M(x, r) of an architecture (Zhang, Botev, Martens 2022,
 * "Deep learning without shortcuts: shaping the kernel with tailored rectifiers", appendix on
 * activation transformations; the reference implementation deepmind/dks calls it
 * `subnet_max_func`): the network's composition rule applied to a scalar x, with every
 * nonlinear layer replaced by r and every weighted sum of branches (weights w_i^2 summing to 1)
 * by the same weighted sum of the branch values, maximized over the subnetworks that matter.
 *
 * With r a local C map, M(c, r) is the largest global C map value over subnetworks. Replacing r
 * by other rules gives the functions the transformations solve against (as the reference does):
 *
 * - DKS's maximal slope function (Martens et al. 2021): x -> M(1, y -> x y), because slopes at
 *   c = 1 multiply under composition and add with the same weights under weighted sums;
 * - TAT's maximal curvature function: x -> M(0, y -> x + y), because when every local C'(1) = 1
 *   the curvatures C''(1) add under composition ((f o g)'' = f'' g'^2 + f' g'');
 * - TAT's leaky ReLU C(0): M(0, leaky ReLU C map).
 *
 * @example
 * ```ts
 * import { chainSubnetMax, maxCurvatureFunction, maxSlopeFunction } from "./subnet_max.ts";
 * const m = chainSubnetMax(10);
 * console.log(+maxSlopeFunction(m)(1.5 ** 0.1).toFixed(12)); // 1.5
 * console.log(+maxCurvatureFunction(m)(0.03).toFixed(12)); // 0.3
 * ```
 * @module
 */
import { InvalidArgumentError } from "../../errors.ts";

/**
 * M(x, r): the architecture's composition rule on a scalar, maximized over subnetworks.
 *
 * @example
 * ```ts
 * import type { SubnetMaxFunction } from "./subnet_max.ts";
 * // Two parallel chains of depth 2 and 3 averaged with weights 1/2, 1/2.
 * const m: SubnetMaxFunction = (x, r) => 0.5 * r(r(x)) + 0.5 * r(r(r(x)));
 * console.log(m(1, (y) => 2 * y)); // 6
 * ```
 */
export type SubnetMaxFunction = (x: number, r: (y: number) => number) => number;

/**
 * M(x, r) = r^depth(x) for a chain of `depth` identical nonlinear layers (each a dense layer then
 * the activation); its subnetworks are shorter chains, never larger for the rules above.
 *
 * @example
 * ```ts
 * import { chainSubnetMax } from "./subnet_max.ts";
 * console.log(chainSubnetMax(3)(1, (y) => 2 * y)); // 8
 * ```
 */
export function chainSubnetMax(depth: number): SubnetMaxFunction {
  if (!Number.isInteger(depth) || depth < 1) {
    throw new InvalidArgumentError(`chainSubnetMax: depth must be an integer >= 1, got ${depth}`);
  }
  return (x, r) => {
    for (let i = 0; i < depth; i++) x = r(x);
    return x;
  };
}

/**
 * DKS's maximal slope function x -> M(1, y -> x y): the largest global C'(1) over subnetworks when
 * every local C map has slope x at 1 (pass it to `dksTransform` as `maxSlopeFunction`).
 *
 * @example
 * ```ts
 * import { chainSubnetMax, maxSlopeFunction } from "./subnet_max.ts";
 * console.log(maxSlopeFunction(chainSubnetMax(4))(2)); // 16
 * ```
 */
export function maxSlopeFunction(subnetMax: SubnetMaxFunction): (x: number) => number {
  return (x) => subnetMax(1, (y) => x * y);
}

/**
 * TAT's maximal curvature function x -> M(0, y -> x + y): the largest global C''(1) over
 * subnetworks when every local C map has C'(1) = 1 and C''(1) = x.
 *
 * @example
 * ```ts
 * import { chainSubnetMax, maxCurvatureFunction } from "./subnet_max.ts";
 * console.log(maxCurvatureFunction(chainSubnetMax(4))(0.25)); // 1
 * ```
 */
export function maxCurvatureFunction(subnetMax: SubnetMaxFunction): (x: number) => number {
  return (x) => subnetMax(0, (y) => x + y);
}
