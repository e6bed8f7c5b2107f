/**
 * Infinite-width neural networks: NNGP and NTK kernels from a stax-style layer algebra (dense,
 * pointwise, convolutional (strides, dilation), average pooling, flatten and global average pooling
 * layers: the FC, CNN-VEC and CNN-GAP kernels),
 * empirical and Monte Carlo kernels of finite networks, GP inference and gradient-descent
 * predictions, GPU/host linear algebra (Cholesky solves in f32 or double-float on the GPU, or f64
 * on the host: `precision`), and ZCA whitening (Lee et al. 2020, "Finite Versus
 * Infinite Neural Networks: an Empirical Study"; the neural-tangents model of Novak et al. 2020);
 * and the Q/C maps and activation transforms of Deep Kernel Shaping (Martens et al. 2021,
 * `dksTransform`, for chains and residual networks via `residualMaxSlope`) and Tailored
 * Activation Transformations (Zhang et al. 2022, `tatTransform`).
 *
 * One description builds a finite network and its infinite-width kernels:
 *
 * @example
 * ```ts
 * import * as stax from "./mod.ts";
 * import { random } from "../gpu/mod.ts";
 * const [kx, kw] = random.split(random.key(0));
 * const x = random.normal(kx, [4, 16]);
 * const net = stax.serial(stax.dense(512, { wStd: 1.5, bStd: 0.05 }), stax.relu(), stax.dense(1));
 * const params = net.init(kw, [16]);
 * console.log(net.apply(params, x).shape); // [4, 1]
 * const { nngp, ntk } = net.kernel(x, x); // Tensors on the GPU
 * console.log(nngp.shape, ntk!.shape); // [4, 4] [4, 4]
 * // the infinitely wide network's test predictions, solved in double-float on the GPU
 * const y = random.normal(random.key(1), [4, 1]);
 * const r = await stax.gpInference(
 *   { kTrainTrain: { nngp, ntk }, kTestTrain: { nngp, ntk }, yTrain: y },
 *   { diagReg: 1e-4, precision: "df64" },
 * );
 * console.log(r.method, r.nngp!.mean.shape); // "gpu-df64-cholesky" [4, 1]
 * ```
 * @module
 */
export {
  disposeKernel,
  entriesPerPair,
  inputKernel,
  type InputKernelOptions,
  type Kernel,
  kernelLocations,
  maxKernelBlock,
} from "./kernel.ts";
export {
  abReluDual,
  absDual,
  cosDual,
  type DualActivation,
  erfDual,
  geluDual,
  identityDual,
  leakyReluDual,
  monomialDual,
  rbfDual,
  reluDual,
  sigmoidLikeDual,
  sinDual,
} from "./dual_activations.ts";
export { numericalDual, type NumericalDualOptions } from "./numerical_dual.ts";
export { applyStages, type Stage, STAGE_PARAM_CAPACITY, type StageTarget } from "./fused_stages.ts";
export {
  type ApplyFn,
  type Flow,
  type HeadStages,
  initEnsemble,
  type KernelOptions,
  type Key,
  type Layer,
  type LayerSpec,
  makeLayer,
  type Params,
  type ShapeFlow,
} from "./stax/layer.ts";
export { dense, type DenseConfig, type DenseOptions, denseStage } from "./stax/dense.ts";
export {
  abRelu,
  abs,
  activation,
  activationStage,
  cos,
  elementwiseNumerical,
  erf,
  gelu,
  identity,
  leakyRelu,
  monomial,
  rbf,
  relu,
  sigmoidLike,
  sin,
} from "./stax/activations.ts";
export { fanInConcat, fanInSum, fanOut, parallel, serial } from "./stax/combinators.ts";
export { layerNorm, layerNormStage } from "./stax/layer_norm.ts";
export { dropout } from "./stax/dropout.ts";
export { conv, type ConvOptions, patchKernel } from "./stax/conv.ts";
export { flatten, flattenKernel } from "./stax/flatten.ts";
export { globalAvgPool, poolKernel } from "./stax/global_avg_pool.ts";
export { avgPool, type AvgPoolOptions, poolWindowKernel } from "./stax/avg_pool.ts";
export {
  checkFilterShape,
  pairedWindowMean,
  type WindowGeometry,
  windowGeometry,
  windowMean,
  type WindowOptions,
  type WindowPadding,
} from "./window_mean.ts";
export { type Eigh, eighHost, gaussHermite } from "./linalg/eigh.ts";
export { eighGpu, eighGpuToHost, type GpuEigh, type JacobiOptions } from "./linalg/jacobi.ts";
export { erf as erfHost, normalCdf, normalPdf } from "./special_functions.ts";
export { type BatchedKernelOptions, kernelBatched, kernelToHost } from "./batched_kernel.ts";
export { type ApplyNet, empiricalNngp, empiricalNtk } from "./empirical.ts";
export { monteCarloKernel, type MonteCarloOptions } from "./monte_carlo.ts";
export {
  checkCholeskyStatus,
  choleskyGpu,
  choleskyGpuAsync,
  choleskyHost,
  DIAG_REG_HINT,
  type GpuCholesky,
} from "./linalg/cholesky.ts";
export {
  choSolveGpu,
  choSolveHost,
  solveTriangularGpu,
  solveTriangularHost,
} from "./linalg/triangular.ts";
export { matmulHost, transposeHost } from "./linalg/host_matrix.ts";
export {
  logdet,
  logdetHost,
  type Precision,
  type PsdSolve,
  type SolveOptions,
  solvePsd,
} from "./linalg/psd_solve.ts";
export { factorPsdGpu, type PsdFactor, type PsdSolution } from "./linalg/psd_factor.ts";
export { matmulDf64 } from "./linalg/df64_matmul.ts";
export {
  type EighMethod,
  type GdEnsembleOptions,
  type GdEnsemblePredictor,
  type GdMseInputs,
  type GdMseOptions,
  gpInference,
  type GpInferenceOptions,
  gradientDescentMse,
  gradientDescentMseEnsemble,
  type InferenceInput,
  type InferenceResult,
  type KernelPair,
  type PredictAtOptions,
  type Prediction,
} from "./predict.ts";
export { standardizeRows, type ZcaOptions, zcaWhiten } from "./zca.ts";
// Core types that appear in this module's signatures (re-exported for the docs).
export type {
  AnyTypedArray,
  DType,
  GradNode,
  MapTree,
  MapTreeStep,
  NestedArray,
  Tensor,
  Trace,
  Tree,
  TreeOf,
} from "../gpu/mod.ts";
export {
  type BaseActivation,
  baseActivation,
  bivariateExpectation,
  chainSubnetMax,
  deltaOrthogonalFromGaussian,
  deltaOrthogonalInit,
  DKS_ACTIVATION_NAMES,
  type DksActivation,
  type DksActivationName,
  type DksOptions,
  dksTransform,
  GAUSSIAN_DOMAIN,
  gaussianExpectation,
  gaussLegendre,
  globalCMap,
  leakyReluCMap,
  localCMap,
  localCSlope,
  localQMap,
  localQSlope,
  maxCurvatureFunction,
  maxSlopeFunction,
  orthogonalFromGaussian,
  orthogonalInit,
  RELU_MAX_SLOPE_POSITIVE_SHIFT,
  type ResidualArchitecture,
  residualGlobalCMap,
  residualMaxSlope,
  residualNetworkMap,
  residualSubnetMax,
  type ScalarActivation,
  shapedActivation,
  type ShapeParameters,
  type SubnetMaxFunction,
  type TatOptions,
  tatTransform,
} from "./dks/mod.ts";
