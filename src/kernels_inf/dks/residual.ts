/**
 * Kernel maps of a normalizer-free residual network, for shaping its activation with DKS or TAT
 * (Martens et al. 2021, section on general architectures and "Application to various modified
 * ResNets"; the reference implementation deepmind/dks weights its blocks the same way).
 *
 * The network: inputs with q = |x|^2 / dim = 1, then `blocks` blocks, each
 *
 *   h <- w_s S(h) + w_r W_k phi(... W_1 phi(h)),   w_s^2 + w_r^2 = 1,
 *
 * a branch of `branchDepth` nonlinear layers (pre-activation order: phi then a dense layer with
 * weight variance 1/fanIn) added to a shortcut S: the identity, or in the blocks listed in
 * `projectionBlocks` a projection S(h) = W_p phi(h), a dense layer (or 1x1 convolution) of the
 * activated input, as the first block of a ResNet V2 group that changes width. With
 * `finalActivation` the network ends with phi once more (V2's activation before the readout).
 *
 * When Q(1) = 1 every block keeps q = 1: the branch and a projection shortcut output q = 1, and
 * their cross term vanishes because each ends with its own fresh zero-mean weights. So the cosine
 * similarity of two inputs follows the weighted-sum rule C_out = w_s^2 C_in + w_r^2 C^k(C_in)
 * (w_s^2 C(C_in) in a projection block), and the network's global C map is these block maps in
 * turn, then C once more with the final activation: deepmind/dks's `subnet_max_func` of its
 * modified ResNet with the local C map for r.
 *
 * @example
 * ```ts
 * import { residualMaxSlope } from "./residual.ts";
 * import { dksTransform } from "./transform.ts";
 * import { residualGlobalCMap } from "./residual.ts";
 * const arch = { blocks: 8, branchDepth: 2, shortcutWeight: 0.8 };
 * const t = dksTransform({ activation: "tanh", depth: 16, maxSlopeFunction: residualMaxSlope(arch) });
 * console.log(+residualGlobalCMap(t, arch, 0).toFixed(9)); // 0
 * // A V2 network whose blocks 0 and 4 start a group with a projection shortcut.
 * const v2 = { ...arch, projectionBlocks: [0, 4], finalActivation: true };
 * const t2 = dksTransform({ activation: "tanh", depth: 17, maxSlopeFunction: residualMaxSlope(v2) });
 * console.log(+residualGlobalCMap(t2, v2, 0).toFixed(9)); // 0
 * ```
 * @module
 */
import { InvalidArgumentError } from "../../errors.ts";
import type { ScalarActivation } from "./base_activations.ts";
import { localCMap } from "./local_maps.ts";
import { maxSlopeFunction, type SubnetMaxFunction } from "./subnet_max.ts";

/**
 * A residual network of `blocks` blocks `w_s * shortcut + w_r * branch` (see the module doc).
 * The optional fields describe a ResNet V2: omitted, every shortcut is the identity and the
 * network ends with the last block.
 *
 * @example
 * ```ts
 * import type { ResidualArchitecture } from "./residual.ts";
 * const a: ResidualArchitecture = { blocks: 16, branchDepth: 2, shortcutWeight: 0.9 };
 * console.log(a.blocks * a.branchDepth); // 32 nonlinear layers
 * // Four groups of four blocks; each later group's first block projects to the new width.
 * const v2: ResidualArchitecture = { ...a, projectionBlocks: [4, 8, 12], finalActivation: true };
 * console.log(v2.projectionBlocks!.length); // 3
 * ```
 */
export interface ResidualArchitecture {
  /** B, the number of residual blocks (integer >= 1). */
  blocks: number;
  /** k, the nonlinear layers in each residual branch (integer >= 1). */
  branchDepth: number;
  /** w_s, the shortcut weight in [0, 1]; the branch weight is w_r = sqrt(1 - w_s^2). */
  shortcutWeight: number;
  /**
   * 0-based indices (distinct integers in [0, blocks)) of the blocks whose shortcut is a dense
   * layer of the activated input, W_p phi(h), instead of the identity. Default: none.
   */
  projectionBlocks?: readonly number[];
  /** Whether phi is applied once more after the last block (ResNet V2). Default false. */
  finalActivation?: boolean;
}

/** A validated architecture, copied so later edits of the caller's object change nothing. */
interface CheckedArchitecture {
  blocks: number;
  branchDepth: number;
  /** w_s^2. */
  ws2: number;
  /** projection[b]: block b's shortcut is r(x) rather than x. */
  projection: boolean[];
  finalActivation: boolean;
}

function checkArchitecture(where: string, arch: ResidualArchitecture): CheckedArchitecture {
  const { blocks, branchDepth, shortcutWeight, projectionBlocks, finalActivation } = arch ?? {};
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
  const projection = new Array<boolean>(blocks).fill(false);
  if (projectionBlocks !== undefined) {
    if (!Array.isArray(projectionBlocks)) {
      throw new InvalidArgumentError(
        `${where}: projectionBlocks must be an array of block indices, got ${projectionBlocks}`,
      );
    }
    projectionBlocks.forEach((b, i) => {
      if (!Number.isInteger(b) || b < 0 || b >= blocks) {
        throw new InvalidArgumentError(
          `${where}: projectionBlocks[${i}] must be an integer in [0, ${blocks}), got ${b}`,
        );
      }
      if (projection[b]) {
        throw new InvalidArgumentError(
          `${where}: projectionBlocks must list each block once, got ${b} twice`,
        );
      }
      projection[b] = true;
    });
  }
  if (finalActivation !== undefined && typeof finalActivation !== "boolean") {
    throw new InvalidArgumentError(
      `${where}: finalActivation must be a boolean, got ${finalActivation}`,
    );
  }
  return {
    blocks,
    branchDepth,
    ws2: shortcutWeight ** 2,
    projection,
    finalActivation: finalActivation ?? false,
  };
}

/** r^k(x): one residual branch on its own. */
function branchMap(a: CheckedArchitecture, r: (y: number) => number, x: number): number {
  for (let i = 0; i < a.branchDepth; i++) x = r(x);
  return x;
}

/** The composition rule of the whole network (see {@link residualNetworkMap}). */
function wholeNetwork(a: CheckedArchitecture, r: (y: number) => number, x: number): number {
  for (let b = 0; b < a.blocks; b++) {
    const shortcut = a.projection[b] ? r(x) : x;
    x = a.ws2 * shortcut + (1 - a.ws2) * branchMap(a, r, x);
  }
  return a.finalActivation ? r(x) : x;
}

/**
 * The whole network's composition rule on a scalar: x mapped through each block as
 * w_s^2 x + w_r^2 r^k(x) (w_s^2 r(x) + w_r^2 r^k(x) in a projection block), then through r once
 * more with `finalActivation`. With r the local C map this is the global C map (see
 * {@link residualGlobalCMap}); with r(y) = s y and x = 1 it is the global C'(1).
 *
 * @example
 * ```ts
 * import { residualNetworkMap } from "./residual.ts";
 * // One block, w_s^2 = 0.36: 0.36 * 1 + 0.64 * 2^2.
 * console.log(residualNetworkMap({ blocks: 1, branchDepth: 2, shortcutWeight: 0.6 }, (y) => 2 * y, 1));
 * // 2.92
 * // With a projection shortcut and the final activation: 2 * (0.25 * 2 + 0.75 * 2^2).
 * const v2 = { blocks: 1, branchDepth: 2, shortcutWeight: 0.5, projectionBlocks: [0], finalActivation: true };
 * console.log(residualNetworkMap(v2, (y) => 2 * y, 1)); // 7
 * ```
 */
export function residualNetworkMap(
  arch: ResidualArchitecture,
  r: (y: number) => number,
  x: number,
): number {
  return wholeNetwork(checkArchitecture("residualNetworkMap", arch), r, x);
}

/**
 * The subnetwork maximizing function of the residual network: the larger of the whole network
 * (projection shortcuts and final activation included) and a single residual branch on its own
 * (r^k(x)), as the reference's modified ResNet takes it (deepmind/dks, `subnet_max_func`). The
 * branch alone wins for few blocks or a large shortcut weight: e.g. one block has slope
 * w_s^2 + w_r^2 x^k < x^k.
 *
 * @example
 * ```ts
 * import { residualSubnetMax } from "./residual.ts";
 * const m = residualSubnetMax({ blocks: 1, branchDepth: 2, shortcutWeight: 0.6 });
 * console.log(m(1, (y) => 2 * y)); // 4: the branch alone beats the whole block (2.92)
 * const v2 = residualSubnetMax({ blocks: 1, branchDepth: 2, shortcutWeight: 0.6, finalActivation: true });
 * console.log(m(1, (y) => 2 * y) < v2(1, (y) => 2 * y)); // true: 5.84, the whole network wins
 * ```
 */
export function residualSubnetMax(arch: ResidualArchitecture): SubnetMaxFunction {
  const a = checkArchitecture("residualSubnetMax", arch);
  return (x, r) => Math.max(wholeNetwork(a, r, x), branchMap(a, r, x));
}

/**
 * DKS's maximal slope function of the residual network: x -> the largest global C'(1) over its
 * subnetworks when every local C map has slope x at 1, i.e.
 * max(x^F prod_b (w_s^2 x^(p_b) + w_r^2 x^k), x^k), with p_b = 1 for a projection block and 0
 * otherwise, and F = 1 with the final activation (else 0); without either, max((w_s^2 +
 * w_r^2 x^k)^B, x^k). Pass it to `dksTransform` as `maxSlopeFunction`.
 *
 * @example
 * ```ts
 * import { residualMaxSlope } from "./residual.ts";
 * const mu = residualMaxSlope({ blocks: 3, branchDepth: 2, shortcutWeight: 0.6 });
 * console.log(+mu(2).toFixed(12)); // 24.897088: (0.36 + 0.64 * 4)^3
 * const v2 = residualMaxSlope({ blocks: 2, branchDepth: 2, shortcutWeight: 0.5, projectionBlocks: [1] });
 * console.log(v2(2)); // 11.375: (0.25 + 0.75 * 4) (0.25 * 2 + 0.75 * 4)
 * ```
 */
export function residualMaxSlope(arch: ResidualArchitecture): (x: number) => number {
  checkArchitecture("residualMaxSlope", arch);
  return maxSlopeFunction(residualSubnetMax(arch));
}

/**
 * The residual network's global C map for inputs with q = 1, in f64: the block maps
 * c -> w_s^2 c + w_r^2 C^k(c) (w_s^2 C(c) + w_r^2 C^k(c) in a projection block) in turn, then C
 * once more with `finalActivation`, with C the local C map of `phi` (by quadrature). Meaningful
 * when Q(1) = 1, as for DKS and TAT activations.
 *
 * @example
 * ```ts
 * import { residualGlobalCMap } from "./residual.ts";
 * const id = { f: (x: number) => x, df: () => 1, kinks: [] };
 * console.log(+residualGlobalCMap(id, { blocks: 4, branchDepth: 2, shortcutWeight: 0.5 }, 0.3).toFixed(12));
 * // 0.3
 * const v2 = { blocks: 4, branchDepth: 2, shortcutWeight: 0.5, projectionBlocks: [0, 2], finalActivation: true };
 * console.log(+residualGlobalCMap(id, v2, 0.3).toFixed(12)); // 0.3: C(c) = c for the identity
 * ```
 */
export function residualGlobalCMap(
  phi: ScalarActivation,
  arch: ResidualArchitecture,
  c: number,
): number {
  const a = checkArchitecture("residualGlobalCMap", arch);
  if (!(Number.isFinite(c) && c >= -1 && c <= 1)) {
    throw new InvalidArgumentError(`residualGlobalCMap: c must be a number in [-1, 1], got ${c}`);
  }
  // Clamp only the quadrature's rounding (|C| <= 1 exactly for a q-preserving activation).
  return wholeNetwork(a, (y) => Math.min(1, Math.max(-1, localCMap(phi, y))), c);
}
