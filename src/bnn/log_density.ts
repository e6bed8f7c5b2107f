/**
 * The BNN posterior in the standard parameterization: N(0, I) prior on all raw parameters and a
 * Gaussian likelihood with noise standard deviation sigma on regression targets `y` `[n, k]`:
 * `-log p(theta | y) = |theta|^2 / 2 + |y - f(theta)|^2 / (2 sigma^2) + const`, per chain.
 *
 * As a {@link Target} it has `standardNormalPrior` (the samplers add `|theta|^2/2`), and `evaluate`
 * returns the likelihood term and its gradient by autodiff.
 *
 * @example
 * ```ts
 * import { random, tensor } from "../gpu/mod.ts";
 * import { fcNet } from "./models/fc.ts";
 * import { standardTarget } from "./log_density.ts";
 * const net = fcNet({ inputDim: 2, width: 8, outputDim: 1 });
 * const data = { x: tensor([[0, 1], [1, 0]]), y: tensor([[1], [-1]]) };
 * const t = standardTarget(net, data, 0.1);
 * const { u } = t.evaluate(net.init(random.key(0), 3));
 * console.log(u.shape); // [3]
 * ```
 * @module
 */
import { InvalidArgumentError, ShapeError } from "../errors.ts";
import { add, mul, square, sub, sum, type Tensor } from "../gpu/mod.ts";
import { type ChainParams, chainSumSquares } from "./chain_params.ts";
import type { BnnModel } from "./models/model.ts";
import { readoutNll } from "./models/readout_nll.ts";
import { potentialTarget, type Target } from "./target.ts";

/** Regression data on the GPU: inputs `x` `[n, d]` and targets `y` `[n, k]`. */
export interface RegressionData {
  /** Inputs `[n, d]`. */
  x: Tensor;
  /** Targets `[n, k]`. */
  y: Tensor;
}

/**
 * Checks `noiseStd` and the data shapes against the model.
 *
 * @example
 * ```ts
 * import { ones } from "../gpu/mod.ts";
 * import { checkRegression } from "./log_density.ts";
 * checkRegression({ x: ones([3, 2]), y: ones([3, 1]) }, 0.1, 1, "demo"); // ok
 * ```
 */
export function checkRegression(
  data: RegressionData,
  noiseStd: number,
  outputDim: number,
  where: string,
): void {
  if (!(noiseStd > 0) || !Number.isFinite(noiseStd)) {
    throw new InvalidArgumentError(`${where}: noiseStd must be a positive number, got ${noiseStd}`);
  }
  const { x, y } = data;
  if (x.rank !== 2 || y.rank !== 2 || x.shape[0] !== y.shape[0] || y.shape[1] !== outputDim) {
    throw new ShapeError(
      `${where}: expected x [n, d] and y [n, ${outputDim}] with the same n, got x ` +
        `[${x.shape.join(", ")}] and y [${y.shape.join(", ")}]`,
    );
  }
}

/**
 * `|y - f(theta)|^2 / (2 sigma^2)` per chain `[C]` (the negative log-likelihood up to a constant).
 *
 * @example
 * ```ts
 * import { random, tensor } from "../gpu/mod.ts";
 * import { fcNet } from "./models/fc.ts";
 * import { negLogLikelihood } from "./log_density.ts";
 * const net = fcNet({ inputDim: 1, width: 4, outputDim: 1 });
 * const nll = negLogLikelihood(net, net.init(random.key(0), 2), { x: tensor([[1]]), y: tensor([[0]]) }, 1);
 * console.log(nll.shape); // [2]
 * ```
 */
export function negLogLikelihood(
  model: BnnModel,
  q: ChainParams,
  data: RegressionData,
  noiseStd: number,
): Tensor {
  if (model.hidden && model.readoutScales) {
    return readoutNll(model.hidden(q, data.x), q.readout, data.y, {
      ...model.readoutScales,
      noiseStd,
    });
  }
  const r = sub(model.apply(q, data.x), data.y);
  return mul(sum(square(r), [1, 2]), 1 / (2 * noiseStd * noiseStd));
}

/**
 * The full negative log posterior `|theta|^2/2 + |y - f|^2/(2 sigma^2)` per chain (for checks and
 * reporting; samplers use {@link standardTarget}).
 *
 * @example
 * ```ts
 * import { random, tensor } from "../gpu/mod.ts";
 * import { fcNet } from "./models/fc.ts";
 * import { negLogPosterior } from "./log_density.ts";
 * const net = fcNet({ inputDim: 1, width: 4, outputDim: 1 });
 * const e = negLogPosterior(net, net.init(random.key(0), 2), { x: tensor([[1]]), y: tensor([[0]]) }, 1);
 * console.log(e.shape); // [2]
 * ```
 */
export function negLogPosterior(
  model: BnnModel,
  q: ChainParams,
  data: RegressionData,
  noiseStd: number,
): Tensor {
  return add(mul(chainSumSquares(q), 0.5), negLogLikelihood(model, q, data, noiseStd));
}

/**
 * The standard-parameterization posterior as a sampling target.
 *
 * @example
 * ```ts
 * import { tensor } from "../gpu/mod.ts";
 * import { fcNet } from "./models/fc.ts";
 * import { standardTarget } from "./log_density.ts";
 * const net = fcNet({ inputDim: 1, width: 4, outputDim: 1 });
 * console.log(standardTarget(net, { x: tensor([[1]]), y: tensor([[0]]) }, 0.1).standardNormalPrior); // true
 * ```
 */
export function standardTarget(model: BnnModel, data: RegressionData, noiseStd: number): Target {
  checkRegression(data, noiseStd, model.outputDim, "standardTarget");
  return potentialTarget((q) => negLogLikelihood(model, q, data, noiseStd), {
    standardNormalPrior: true,
  });
}
