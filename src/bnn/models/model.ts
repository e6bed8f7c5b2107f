/**
 * The interface of a BNN in NTK parameterization for many chains: raw parameters with an
 * N(0, I) prior, a readout layer that is linear in the readout features
 * `Phi = [wStdOut / sqrt(width) * g(x), bStdOut]` (`[C, n, width + 1]`), and outputs
 * `f = Phi @ readout`. Repriorisation (Hron et al. 2022) only needs `embed` and the readout
 * parameter `readout` (`[C, width + 1, k]`: weights stacked over the bias).
 *
 * @example
 * ```ts
 * import { random } from "../../gpu/mod.ts";
 * import { fcNet } from "./fc.ts";
 * import type { BnnModel } from "./model.ts";
 * const net: BnnModel = fcNet({ inputDim: 4, width: 8, outputDim: 2 });
 * const q = net.init(random.key(0), 3);
 * console.log(net.embed(q, random.normal(random.key(1), [5, 4])).shape); // [3, 5, 9]
 * ```
 * @module
 */
import { z } from "zod";
import { concat, full, matmul, mul, random, type Tensor } from "../../gpu/mod.ts";
import type { ChainParams } from "../chain_params.ts";

/** Nonlinearities of the BNN models (the reference's choices). */
export type Activation = "relu" | "gelu" | "erf";

/** Shared hyperparameters of the BNN models (defaults: google/wide_bnn_sampling `config.py`). */
export interface BnnBaseOptions {
  /** Input dimension. */
  inputDim: number;
  /** Hidden width. */
  width: number;
  /** Output dimension k. */
  outputDim: number;
  /** Hidden-layer nonlinearity (reference default "gelu"). */
  activation?: Activation;
  /** Weight scale of the pre-readout layers (reference sqrt 2). */
  wStd?: number;
  /** Bias scale of the pre-readout layers (reference 0.1). */
  bStd?: number;
  /** Weight scale of the readout (reference 1). */
  wStdOut?: number;
  /** Bias scale of the readout (reference 0.1). */
  bStdOut?: number;
}

/** @internal The zod schema of {@link BnnBaseOptions}. */
export const bnnBaseSchema: ReturnType<typeof baseSchema> = baseSchema();
function baseSchema() {
  return z.strictObject({
    inputDim: z.number().int().positive(),
    width: z.number().int().positive(),
    outputDim: z.number().int().positive(),
    activation: z.enum(["relu", "gelu", "erf"]).default("gelu"),
    wStd: z.number().positive().default(Math.SQRT2),
    bStd: z.number().nonnegative().default(0.1),
    wStdOut: z.number().positive().default(1),
    bStdOut: z.number().nonnegative().default(0.1),
  });
}

/** A BNN over C chains (see the module doc). */
export interface BnnModel {
  /** "fc" or "resnet". */
  readonly kind: string;
  /** Hidden width. */
  readonly width: number;
  /** Output dimension k. */
  readonly outputDim: number;
  /** Readout feature dimension `width + 1`. */
  readonly readoutDim: number;
  /** Shapes of the parameters for one chain, by name (`readout` is `[width + 1, k]`). */
  readonly paramShapes: Readonly<Record<string, readonly number[]>>;
  /** Raw parameters for `chains` chains drawn from the N(0, I) prior. */
  init(key: random.Key, chains: number): Record<string, Tensor>;
  /** Readout features `Phi` `[C, n, width + 1]` of inputs `x` `[n, inputDim]` (ignores `readout`). */
  embed(q: ChainParams, x: Tensor): Tensor;
  /** Network outputs `[C, n, k]`. */
  apply(q: ChainParams, x: Tensor): Tensor;
  /**
   * The last hidden representation `g` `[C, n, width]` the readout features are made of
   * (`Phi = [wStdOut / sqrt(width) g, bStdOut]`); with {@link BnnModel.readoutScales} it lets
   * the likelihood run as one fused op (`readout_nll.ts`). Optional for custom models.
   */
  hidden?(q: ChainParams, x: Tensor): Tensor;
  /** The readout scales `wStdOut` and `bStdOut` of the features (with `hidden`). */
  readonly readoutScales?: { readonly wStdOut: number; readonly bStdOut: number };
}

/**
 * The readout features from the last hidden representation `g` (`[C, n, width]`):
 * `[wStdOut / sqrt(width) * g, bStdOut * 1]`.
 *
 * @example
 * ```ts
 * import { ones } from "../../gpu/mod.ts";
 * import { readoutFeatures } from "./model.ts";
 * console.log(await readoutFeatures(ones([1, 1, 4]), 2, 0.5).read()); // [1, 1, 1, 1, 0.5]
 * ```
 */
export function readoutFeatures(g: Tensor, wStdOut: number, bStdOut: number): Tensor {
  const [C, n, w] = g.shape;
  return concat([mul(g, wStdOut / Math.sqrt(w)), full([C, n, 1], bStdOut)], 2);
}

/**
 * `Phi @ readout`: outputs `[C, n, k]` from features `[C, n, d]` and readout `[C, d, k]`.
 *
 * @example
 * ```ts
 * import { ones } from "../../gpu/mod.ts";
 * import { readout } from "./model.ts";
 * console.log(readout(ones([2, 3, 5]), ones([2, 5, 4])).shape); // [2, 3, 4]
 * ```
 */
export function readout(phi: Tensor, theta: Tensor): Tensor {
  return matmul(phi, theta);
}

/** What {@link modelFromHidden} needs: the architecture's own parts. */
export interface HiddenModelParts {
  /** "fc", "resnet", ... */
  kind: string;
  /** Hidden width (the readout has `width + 1` rows). */
  width: number;
  /** Output dimension k. */
  outputDim: number;
  /** Parameter shapes for one chain, by name, including `readout`. */
  paramShapes: Record<string, readonly number[]>;
  /** The last hidden representation `[C, n, width]`. */
  hidden(q: ChainParams, x: Tensor): Tensor;
  /** Readout weight scale. */
  wStdOut: number;
  /** Readout bias scale. */
  bStdOut: number;
}

/**
 * A {@link BnnModel} from an architecture's hidden map: N(0, I) init of every parameter, readout
 * features `[wStdOut / sqrt(width) g, bStdOut]` and a linear readout. The FC and residual nets
 * differ only in `hidden` and their parameter shapes.
 *
 * @example
 * ```ts
 * import { ones, random, reshape } from "../../gpu/mod.ts";
 * import { modelFromHidden } from "./model.ts";
 * const m = modelFromHidden({
 *   kind: "identity", width: 2, outputDim: 1, paramShapes: { readout: [3, 1] },
 *   hidden: (_q, x) => reshape(x, [1, ...x.shape]), wStdOut: 1, bStdOut: 0,
 * });
 * const q = m.init(random.key(0), 1);
 * console.log(m.apply(q, ones([4, 2])).shape); // [1, 4, 1]
 * ```
 */
export function modelFromHidden(parts: HiddenModelParts): BnnModel {
  const { hidden, wStdOut, bStdOut, paramShapes } = parts;
  const embed = (q: ChainParams, x: Tensor) => readoutFeatures(hidden(q, x), wStdOut, bStdOut);
  return {
    kind: parts.kind,
    width: parts.width,
    outputDim: parts.outputDim,
    readoutDim: parts.width + 1,
    paramShapes,
    init(key: random.Key, chains: number) {
      const names = Object.keys(paramShapes);
      const keys = random.split(key, names.length);
      const q: Record<string, Tensor> = {};
      names.forEach((n, i) => (q[n] = random.normal(keys[i], [chains, ...paramShapes[n]])));
      return q;
    },
    embed,
    apply: (q, x) => readout(embed(q, x), q.readout),
    hidden,
    readoutScales: { wStdOut, bStdOut },
  };
}
