/**
 * Residual BNNs without normalisation layers, with branch scaling, in NTK parameterization.
 *
 * A dense stem maps the input to `width` units; then `blocks` residual blocks
 * `h <- sqrt(1 - a_k^2) h + a_k * branch_k(h)` with `branch(h) = Dense(act(Dense(act(h))))`;
 * the readout sees `h` itself (no final nonlinearity), as in the reference's wide ResNet
 * (google/wide_bnn_sampling `models.py`). The branch weights `a_k` follow the reference's
 * `resid_scaling` options after Shao et al. (2020): `"progressive"` (default,
 * `a_k = 1 / sqrt(k + c)` with c = 1, the reference's `progressive_one`) or `"uniform"`
 * (`a_k = 1 / sqrt 2`). The reference's blocks are 3x3 convolutions on images; on flattened
 * MNIST inputs the same block structure is built from dense layers.
 *
 * @example
 * ```ts
 * import { random } from "../../gpu/mod.ts";
 * import { resNet } from "./resnet.ts";
 * const net = resNet({ inputDim: 5, width: 8, blocks: 2, outputDim: 2 });
 * const q = net.init(random.key(0), 3);
 * console.log(net.apply(q, random.normal(random.key(1), [4, 5])).shape); // [3, 4, 2]
 * ```
 * @module
 */
import { z } from "zod";
import { add, mul, type Tensor } from "../../gpu/mod.ts";
import type { ChainParams } from "../chain_params.ts";
import { parseOptions } from "../../options.ts";
import { activate, denseAct } from "./dense.ts";
import { type BnnBaseOptions, bnnBaseSchema, type BnnModel, modelFromHidden } from "./model.ts";

const resNetSchema = bnnBaseSchema.extend({
  blocks: z.number().int().positive().default(2),
  residualScaling: z.enum(["progressive", "uniform"]).default("progressive"),
  wStdStem: z.number().positive().default(1),
});

/** Options of {@link resNet}. */
export interface ResNetOptions extends BnnBaseOptions {
  /** Number of residual blocks, each with two dense layers (default 2). */
  blocks?: number;
  /** Branch scaling: "progressive" (a_k = 1/sqrt(k + 1), default) or "uniform" (1/sqrt 2). */
  residualScaling?: "progressive" | "uniform";
  /** Weight scale of the stem (reference: 1). */
  wStdStem?: number;
}

/**
 * The branch weight of block k (1-based) for a scaling rule.
 *
 * @example
 * ```ts
 * import { branchScale } from "./resnet.ts";
 * console.log(branchScale(1, "progressive"), branchScale(3, "uniform")); // 0.7071... 0.7071...
 * ```
 */
export function branchScale(k: number, rule: "progressive" | "uniform"): number {
  return rule === "uniform" ? Math.SQRT1_2 : 1 / Math.sqrt(k + 1);
}

/**
 * Builds a residual BNN.
 *
 * @example
 * ```ts
 * import { resNet } from "./resnet.ts";
 * const net = resNet({ inputDim: 10, width: 32, outputDim: 10 });
 * console.log(Object.keys(net.paramShapes).length); // 11: stem, 2 blocks x 2 dense, readout
 * ```
 */
export function resNet(options: ResNetOptions): BnnModel {
  const o = parseOptions(resNetSchema, options, "resNet");
  const w = o.width;
  const shapes: Record<string, number[]> = { stem_w: [o.inputDim, w], stem_b: [1, w] };
  for (let k = 1; k <= o.blocks; k++) {
    for (const j of [1, 2]) {
      shapes[`blk${k}_w${j}`] = [w, w];
      shapes[`blk${k}_b${j}`] = [1, w];
    }
  }
  shapes.readout = [w + 1, o.outputDim];
  const hidden = (q: ChainParams, x: Tensor): Tensor => {
    let h = denseAct(x, q.stem_w, q.stem_b, o.wStdStem, o.bStd, "identity");
    for (let k = 1; k <= o.blocks; k++) {
      const a = branchScale(k, o.residualScaling);
      const u = denseAct(
        activate(o.activation, h),
        q[`blk${k}_w1`],
        q[`blk${k}_b1`],
        o.wStd,
        o.bStd,
        o.activation,
      );
      const v = denseAct(u, q[`blk${k}_w2`], q[`blk${k}_b2`], o.wStd, o.bStd, "identity");
      h = add(mul(h, Math.sqrt(1 - a * a)), mul(v, a));
    }
    return h;
  };
  return modelFromHidden({
    kind: "resnet",
    width: w,
    outputDim: o.outputDim,
    paramShapes: shapes,
    hidden,
    wStdOut: o.wStdOut,
    bStdOut: o.bStdOut,
  });
}
