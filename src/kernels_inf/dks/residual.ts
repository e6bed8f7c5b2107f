/**
 * Kernel maps of a normalizer-free residual network, for shaping its activation with DKS or TAT
 * (Martens et al. 2021, section on general architectures and "Application to various modified
 * ResNets"; the reference implementation deepmind/dks weights its blocks the same way).
 *
 * The network: inputs with q = |x|^2 / dim = 1, then `blocks` blocks, each
 *
 *   h <- w_s h + w_r W_k phi(... W_1 phi(h)),   w_s^2 + w_r^2 = 1,
 *
 * a branch of `branchDepth` nonlinear layers (pre-activation order: phi then a dense layer with
 * weight variance 1/fanIn) added to the identity shortcut. When Q(1) = 1 every block keeps
 * q = 1: the branch output has q = 1, and its cross term with the shortcut vanishes because the
 * branch ends with fresh zero-mean weights. So the cosine similarity of two inputs follows the
 * weighted-sum rule C_out = w_s^2 C_in + w_r^2 C^k(C_in), and the network's global C map is that
 * block map applied `blocks` times.
 *
 * @example
 * ```ts
 * import { residualMaxSlope } from "./residual.ts";
 * import { dksTransform } from "./transform.ts";
 * import { residualGlobalCMap } from "./residual.ts";
 * const arch = { blocks: 8, branchDepth: 2, shortcutWeight: 0.8 };
 * const t = dksTransform({ activation: "tanh", depth: 16, maxSlopeFunction: residualMaxSlope(arch) });
 * console.log(+residualGlobalCMap(t, arch, 0).toFixed(9)); // 0
 * ```
 * @module
 */
import { InvalidArgumentError } from "../../errors.ts";
import type { ScalarActivation } from "./base_activations.ts";
import { localCMap } from "./local_maps.ts";
import { maxSlopeFunction, type SubnetMaxFunction } from "./subnet_max.ts";

/**
 * A residual network of `blocks` blocks `w_s * shortcut + w_r * branch` (see the module doc).
 *
 * @example
 * ```ts
 * import type { ResidualArchitecture } from "./residual.ts";
 * const a: ResidualArchitecture = { blocks: 16, branchDepth: 2, shortcutWeight: 0.9 };
 * console.log(a.blocks * a.branchDepth); // 32 nonlinear layers
 * ```
 */
export interface ResidualArchitecture {
  /** B, the number of residual blocks (integer >= 1). */
  blocks: number;
  /** k, the nonlinear layers in each residual branch (integer >= 1). */
  branchDepth: number;
  /** w_s, the shortcut weight in [0, 1]; the branch weight is w_r = sqrt(1 - w_s^2). */
  shortcutWeight: number;
}

function checkArchitecture(where: string, arch: ResidualArchitecture): void {
  const { blocks, branchDepth, shortcutWeight } = arch ?? {};
  if (!Number.isInteger(blocks) || blocks < 1) {
    throw new InvalidArgumentError(`${where}: blocks must be an integer >= 1, got ${blocks}`);
  }
  if (!Number.isInteger(branchDepth) || branchDepth < 1) {
    throw new InvalidArgumentError(
      `${where}: branchDepth must be an integer >= 1, got ${branchDepth}`,
    );
  }
  if (!(shortcutWeight >= 0 && shortcutWeight <= 1)) {
    throw new InvalidArgumentError(
      `${where}: shortcutWeight must be a number in [0, 1], got ${shortcutWeight}`,
    );
  }
}

/**
 * The whole network's composition rule on a scalar: x mapped through each block as
 * w_s^2 x + w_r^2 r^k(x). With r the local C map this is the global C map (see
 * {@link residualGlobalCMap}); with r(y) = s y and x = 1 it is the global C'(1).
 *
 * @example
 * ```ts
 * import { residualNetworkMap } from "./residual.ts";
 * // One block, w_s^2 = 0.36: 0.36 * 1 + 0.64 * 2^2.
 * console.log(residualNetworkMap({ blocks: 1, branchDepth: 2, shortcutWeight: 0.6 }, (y) => 2 * y, 1));
 * // 2.92
 * ```
 */
export function residualNetworkMap(
  arch: ResidualArchitecture,
  r: (y: number) => number,
  x: number,
): number {
  checkArchitecture("residualNetworkMap", arch);
  const ws2 = arch.shortcutWeight ** 2;
  for (let b = 0; b < arch.blocks; b++) {
    let branch = x;
    for (let i = 0; i < arch.branchDepth; i++) branch = r(branch);
    x = ws2 * x + (1 - ws2) * branch;
  }
  return x;
}

/**
 * The subnetwork maximizing function of the residual network: the larger of the whole network
 * and a single residual branch on its own (r^k(x)), as the reference's modified ResNet takes it
 * (deepmind/dks, `subnet_max_func`). The branch alone wins for few blocks or a large shortcut
 * weight: e.g. one block has slope w_s^2 + w_r^2 x^k < x^k.
 *
 * @example
 * ```ts
 * import { residualSubnetMax } from "./residual.ts";
 * const m = residualSubnetMax({ blocks: 1, branchDepth: 2, shortcutWeight: 0.6 });
 * console.log(m(1, (y) => 2 * y)); // 4: the branch alone beats the whole block (2.92)
 * ```
 */
export function residualSubnetMax(arch: ResidualArchitecture): SubnetMaxFunction {
  checkArchitecture("residualSubnetMax", arch);
  const { blocks, branchDepth, shortcutWeight } = arch;
  return (x, r) => {
    let branch = x;
    for (let i = 0; i < branchDepth; i++) branch = r(branch);
    return Math.max(residualNetworkMap({ blocks, branchDepth, shortcutWeight }, r, x), branch);
  };
}

/**
 * DKS's maximal slope function of the residual network: x -> the largest global C'(1) over its
 * subnetworks when every local C map has slope x at 1, i.e.
 * max((w_s^2 + w_r^2 x^k)^B, x^k). Pass it to `dksTransform` as `maxSlopeFunction`.
 *
 * @example
 * ```ts
 * import { residualMaxSlope } from "./residual.ts";
 * const mu = residualMaxSlope({ blocks: 3, branchDepth: 2, shortcutWeight: 0.6 });
 * console.log(+mu(2).toFixed(12)); // 24.897088: (0.36 + 0.64 * 4)^3
 * ```
 */
export function residualMaxSlope(arch: ResidualArchitecture): (x: number) => number {
  checkArchitecture("residualMaxSlope", arch);
  return maxSlopeFunction(residualSubnetMax(arch));
}

/**
 * The residual network's global C map for inputs with q = 1, in f64: the block map
 * c -> w_s^2 c + w_r^2 C^k(c) applied B times, with C the local C map of `phi` (by quadrature).
 * Meaningful when Q(1) = 1, as for DKS and TAT activations.
 *
 * @example
 * ```ts
 * import { residualGlobalCMap } from "./residual.ts";
 * const id = { f: (x: number) => x, df: () => 1, kinks: [] };
 * console.log(+residualGlobalCMap(id, { blocks: 4, branchDepth: 2, shortcutWeight: 0.5 }, 0.3).toFixed(12));
 * // 0.3
 * ```
 */
export function residualGlobalCMap(
  phi: ScalarActivation,
  arch: ResidualArchitecture,
  c: number,
): number {
  checkArchitecture("residualGlobalCMap", arch);
  if (!(Number.isFinite(c) && c >= -1 && c <= 1)) {
    throw new InvalidArgumentError(`residualGlobalCMap: c must be a number in [-1, 1], got ${c}`);
  }
  // Clamp only the quadrature's rounding (|C| <= 1 exactly for a q-preserving activation).
  return residualNetworkMap(arch, (y) => Math.min(1, Math.max(-1, localCMap(phi, y))), c);
}
