/**
 * Fully connected BNNs in NTK parameterization (Jacot et al. 2018): `depth` hidden layers of
 * `width` units with a nonlinearity, then a linear readout, N(0, I) prior on all raw parameters.
 * Matches the reference's `fcn` architecture (google/wide_bnn_sampling `models.py`, built with
 * neural-tangents `stax.Dense(..., parameterization='ntk')`).
 *
 * @example
 * ```ts
 * import { random } from "../../gpu/mod.ts";
 * import { fcNet } from "./fc.ts";
 * const net = fcNet({ inputDim: 6, width: 16, depth: 2, outputDim: 3 });
 * const q = net.init(random.key(0), 4);                       // 4 chains
 * const f = net.apply(q, random.normal(random.key(1), [7, 6]));
 * console.log(Object.keys(q), f.shape); // ["w0", "b0", "w1", "b1", "readout"] [4, 7, 3]
 * ```
 * @module
 */
import { z } from "zod";
import type { Tensor } from "../../gpu/mod.ts";
import type { ChainParams } from "../chain_params.ts";
import { parseOptions } from "../../options.ts";
import { denseAct } from "./dense.ts";
import { type BnnBaseOptions, bnnBaseSchema, type BnnModel, modelFromHidden } from "./model.ts";

const fcSchema = bnnBaseSchema.extend({
  depth: z.number().int().positive().default(1),
});

/** Options of {@link fcNet}. */
export interface FcOptions extends BnnBaseOptions {
  /** Number of hidden layers (reference default 1). */
  depth?: number;
}

/**
 * Builds a fully connected BNN.
 *
 * @example
 * ```ts
 * import { fcNet } from "./fc.ts";
 * const net = fcNet({ inputDim: 784, width: 64, outputDim: 10 });
 * console.log(net.readoutDim, net.paramShapes.w0); // 65 [784, 64]
 * ```
 */
export function fcNet(options: FcOptions): BnnModel {
  const o = parseOptions(fcSchema, options, "fcNet");
  const shapes: Record<string, number[]> = {};
  let fan = o.inputDim;
  for (let l = 0; l < o.depth; l++) {
    shapes[`w${l}`] = [fan, o.width];
    shapes[`b${l}`] = [1, o.width];
    fan = o.width;
  }
  shapes.readout = [o.width + 1, o.outputDim];
  const hidden = (q: ChainParams, x: Tensor): Tensor => {
    let h = x;
    for (let l = 0; l < o.depth; l++) {
      h = denseAct(h, q[`w${l}`], q[`b${l}`], o.wStd, o.bStd, o.activation);
    }
    return h;
  };
  return modelFromHidden({
    kind: "fc",
    width: o.width,
    outputDim: o.outputDim,
    paramShapes: shapes,
    hidden,
    wStdOut: o.wStdOut,
    bStdOut: o.bStdOut,
  });
}
