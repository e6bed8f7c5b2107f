/**
 * Wide-BNN posterior sampling with repriorisation (Hron, Novak, Pennington and Sohl-Dickstein
 * 2022, "Wide Bayesian neural networks have a simple weight posterior: theory and accelerated
 * sampling"; reference implementation google/wide_bnn_sampling).
 *
 * - Models: fully connected and residual BNNs in NTK parameterization for C chains at once
 *   (`fcNet`, `resNet`), N(0, I) prior, Gaussian likelihood (`standardTarget`).
 * - Repriorisation: the data-dependent readout map and its energy (`repriorTarget`,
 *   `repriorMap`, `repriorEnergy`), on batched df64 GPU Cholesky factorizations
 *   (`batchedCholesky`, `batchedTriSolve`, `batchedTriInverse`).
 * - Samplers, GPU-resident for many chains: HMC, Metropolis-adjusted underdamped Langevin, MALA,
 *   dual-averaging step-size adaptation, and the thinning/readback loop `runChains`.
 * - Diagnostics (host, f64): multi-chain ESS (Geyer's initial monotone sequence, bulk/tail),
 *   rank-normalized split R-hat.
 * - The `bnn-ess` experiment (standard vs repriorised ESS across widths).
 *
 * @example
 * ```ts
 * import { random } from "../gpu/mod.ts";
 * import { fcNet, mnistRegression, sampleBnn } from "./mod.ts";
 * const data = mnistRegression({ train: 16, test: 2, downsample: 4 });
 * const net = fcNet({ inputDim: data.inputDim, width: 16, outputDim: 10 });
 * const r = await sampleBnn({
 *   model: net, data: data.train, xTest: data.test.x, parameterization: "reprior",
 *   chains: 2, warmup: 4, steps: 8, key: random.key(0),
 * });
 * console.log(r.steps, r.acceptProb > 0); // 8 true
 * ```
 * @module
 */
export { checkDraws, componentDraws, type Draws, splitChains } from "./diagnostics/chains.ts";
export { autocovariance } from "./diagnostics/autocov.ts";
export { ess, essBasic, type EssMethod, essOfComponents } from "./diagnostics/ess.ts";
export { normalCdf, normalQuantile } from "./diagnostics/normal.ts";
export { rankNormalize } from "./diagnostics/rank_normalize.ts";
export { rhat, type RhatMethod } from "./diagnostics/rhat.ts";
export {
  batchedCholesky,
  batchedCholeskySolve,
  BLOCKED_MIN_SIZE,
  checkFactor,
  type CholeskyFactor,
  type CholeskyOptions,
  type CholeskySolveOptions,
  type CholeskySolveResult,
  disposeFactor,
  LINALG_BLOCK,
  type LinalgMethod,
  linalgMethodFor,
} from "./linalg/batched_cholesky.ts";
export {
  batchedTriSolve,
  type TriSolveOptions,
  type TriSolveResult,
} from "./linalg/batched_tri_solve.ts";
export { batchedTriInverse, type TriInverseOptions } from "./linalg/batched_tri_inverse.ts";
export { type Precision } from "./linalg/numeric_wgsl.ts";
export {
  energyPartials,
  kick,
  kickDrift,
  metropolisFromPartials,
  partialColumns,
  selectFlip,
  selectPair,
} from "./samplers/fused_updates.ts";
export {
  kickDriftLeaves,
  kickEnergyLeaves,
  leafGroups,
  metropolisKey,
  selectLeaves,
  setLeafBufferLimit,
} from "./samplers/leaf_fused.ts";
export {
  axpy,
  chainCount,
  type ChainParams,
  type ChainScalar,
  chainSum,
  chainSumSquares,
  halfSquareDiff,
  mapParams,
  normalLike,
  perChain,
  scale,
  selectChains,
} from "./chain_params.ts";
export { potentialTarget, type Target, type TargetEval } from "./target.ts";
export {
  type ChainState,
  disposeState,
  disposeStateExcept,
  type Sampler,
  type StepResult,
} from "./samplers/sampler.ts";
export { fullGradient, leapfrog, type PhasePoint } from "./samplers/leapfrog.ts";
export { metropolis } from "./samplers/metropolis.ts";
export { generalizedHmc, hmc, type HmcOptions } from "./samplers/hmc.ts";
export { langevin, LANGEVIN_DEFAULT_STEP_SIZE, type LangevinOptions } from "./samplers/langevin.ts";
export { mala } from "./samplers/mala.ts";
export { DualAveraging, type DualAveragingOptions } from "./dual_averaging.ts";
export { runChains, type RunChainsOptions, type RunChainsResult } from "./run_chains.ts";
export {
  type Activation,
  type BnnBaseOptions,
  type BnnModel,
  readout,
  readoutFeatures,
} from "./models/model.ts";
export { activate, denseAct, denseNtk } from "./models/dense.ts";
export { readoutNll, type ReadoutNllScales } from "./models/readout_nll.ts";
export { fcNet, type FcOptions } from "./models/fc.ts";
export { branchScale, resNet, type ResNetOptions } from "./models/resnet.ts";
export {
  checkRegression,
  negLogLikelihood,
  negLogPosterior,
  type RegressionData,
  standardTarget,
} from "./log_density.ts";
export { marginalEnergy, type MarginalEnergyOptions } from "./marginal_energy.ts";
export {
  repriorEnergy,
  repriorLogJacobian,
  repriorMap,
  type RepriorOptions,
  repriorTarget,
  repriorTargetEnergy,
  TILED_MAP_THRESHOLD,
} from "./reprior.ts";
export { tiledCholesky, type TiledFactor, tiledSolve } from "./linalg/tiled_cholesky.ts";
export { type MnistRegression, mnistRegression, type MnistRegressionOptions } from "./data.ts";
export { type BnnRecorder, bnnRecorder, type RecorderOptions } from "./recorder.ts";
export {
  makeSampler,
  sampleBnn,
  type SampleBnnOptions,
  type SampleBnnResult,
  type SamplerConfig,
} from "./sample_bnn.ts";
export { bnnEss, type BnnEssConfig } from "./experiments/bnn_ess.ts";
/** The random key type of the tensor core (re-exported: samplers and models take keys). */
export type { Key } from "../gpu/random.ts";
