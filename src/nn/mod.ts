/**
 * Neural networks on the gpusci tensor core: parameter trees and initialisers (NTK and standard
 * parameterizations, orthogonal), layers as pure `(init, apply)` pairs, losses, optimizers as
 * `(init, update)` pairs with schedules and clipping, offline data sets (MNIST, toy 2-D sets,
 * synthetic regression), seeded batching, and a GPU-resident training loop.
 *
 * Conventions:
 * - A layer is `{ init(key, inShape) -> { params, outShape }, apply(params, x) }`; `inShape`
 *   is one example's shape (`[784]`), `apply` takes any leading batch dims. `mlp(sizes)` takes
 *   the OUTPUT widths: a 784-256-10 net is `mlp([256, 10]).init(key, [784])`.
 * - `dense` defaults to neural-tangents' NTK parameterization (`wStd` 1, `bStd` 0); pass
 *   `parameterization: "standard"` for the usual `y = x W + b` with fan-in-scaled init.
 * - Optimizers are pure: `update(grads, state, params)` returns new `{ params, state }` trees
 *   and never frees its inputs. Learning rates may be schedules `step -> lr` (host numbers that
 *   travel in a kernel's uniform block: no upload, no sync).
 * - Nothing here reads the GPU back unless asked: losses and metrics are GPU scalars, and
 *   `train` accumulates the loss on the GPU and reads it every `readEvery` steps.
 * - Memory: wrap steps in `scope` (as `train` does) or dispose results; losses and layers
 *   called outside any scope and outside gradient traces free their own intermediates.
 * - Bad input (mismatched trees, integer params, unknown names, batch sizes above the data set
 *   size) throws typed errors from `src/errors.ts` naming the field, value and expectation.
 *
 * @example
 * ```ts
 * import { random } from "../gpu/mod.ts";
 * import { adam, batches, mlp, softmaxCrossEntropy, train, twoMoonsLabeled } from "./mod.ts";
 * const { x, labels } = twoMoonsLabeled(0, 256, { noise: 0.1 });
 * const net = mlp([32, 2], { parameterization: "standard" });
 * const { params } = net.init(random.key(0), [2]);
 * const { params: trained, history } = await train({
 *   params,
 *   loss: (p, b) => softmaxCrossEntropy(net.apply(p, b.x), b.y),
 *   optimizer: adam({ lr: 1e-2 }),
 *   batches: batches(random.key(1), { x, y: labels }, 64),
 *   steps: 20,
 *   readEvery: 10,
 * });
 * console.log(history.loss.length, trained.length); // 2 3
 * ```
 * @module
 */
export type { Key } from "../gpu/random.ts";
export { type HostRng, hostRng, type KeyOrSeed, mulberry32, toKey } from "./host_rng.ts";
export {
  checkDim,
  denseInit,
  type DenseOptions,
  type DenseParams,
  normalInit,
  orthogonalHost,
  orthogonalInit,
  type Parameterization,
} from "./init.ts";
export { checkInShape, type Layer, type LayerInit, type Params } from "./layer.ts";
export { dense, denseApply } from "./dense.ts";
export {
  activation,
  ACTIVATION_NAMES,
  activationFn,
  type ActivationName,
  type ActivationOptions,
} from "./activation.ts";
export { serial } from "./serial.ts";
export { layerNorm, type LayerNormOptions, type LayerNormParams } from "./layer_norm.ts";
export { residual } from "./residual.ts";
export { fourierEmbedding, type FourierParams } from "./fourier.ts";
export { mlp, type MlpOptions } from "./mlp.ts";
export {
  accuracy,
  labelsAsOneHot,
  mse,
  type Reduction,
  sigmoidCrossEntropy,
  softmaxCrossEntropy,
} from "./losses.ts";
export * from "./optimizers.ts";
export {
  assertFloatTree,
  assertSameStructure,
  countParams,
  type TreeLeaf,
  treePaths,
} from "./tree_check.ts";
export {
  loadMnist,
  loadMnistHost,
  type Mnist,
  MNIST_PIXELS,
  MNIST_SIZE,
  mnistDigits,
  type MnistHost,
  type MnistOptions,
} from "./datasets/mnist.ts";
export {
  checkerboard,
  type CheckerboardOptions,
  gaussianMixture,
  type MixtureOptions,
  type MoonsOptions,
  rings,
  type RingsOptions,
  swissRoll,
  type SwissRollOptions,
  toy2d,
  TOY2D_NAMES,
  type Toy2dHost,
  toy2dHost,
  type Toy2dName,
  twoMoons,
  twoMoonsLabeled,
} from "./datasets/toy2d.ts";
export {
  linearRegression,
  type LinearRegressionOptions,
  regression,
  type RegressionData,
  type RegressionName,
  sineRegression,
  type SineRegressionOptions,
} from "./datasets/regression.ts";
export {
  batches,
  type BatchOptions,
  datasetSize,
  sequentialBatches,
  shuffled,
} from "./datasets/batches.ts";
export {
  type EvalMetrics,
  type ProgressLike,
  train,
  type TrainHistory,
  type TrainOptions,
  type TrainProgress,
  type TrainResult,
} from "./train.ts";
