/**
 * Score-based generative modeling through SDEs (Song, Sohl-Dickstein, Kingma, Kumar, Ermon and
 * Poole, ICLR 2021), on the gpusci tensor core. Formulas and defaults follow the reference
 * implementation yang-song/score_sde.
 *
 * - SDEs: {@link VESDE}, {@link VPSDE}, {@link SubVPSDE} (drift, diffusion, marginals, prior,
 *   discretization, reverse SDE and probability-flow ODE).
 * - Score models: {@link scoreMlp} (Fourier time embedding, output scaled by 1/s(t)), any
 *   `(x, t) => Tensor` function, or the exact score of a Gaussian mixture ({@link gmmScore}).
 * - Training: {@link dsmLoss} (default and likelihood weighting, the latter optionally with
 *   importance-sampled times, {@link likelihoodImportanceTime}), {@link trainScore}.
 * - Samplers, GPU-resident with no per-step readback: {@link pcSample} (Euler-Maruyama, reverse
 *   diffusion, ancestral predictors; Langevin and annealed Langevin correctors), {@link odeSample}
 *   (probability-flow ODE with GPU-controlled adaptive {@link rk45}, fixed-step {@link rk4} and
 *   {@link heun}).
 * - Likelihood: {@link logLikelihood} (Hutchinson-Skilling or exact divergence), {@link bitsPerDim}.
 * - Controllable generation: {@link inpaint}, {@link classConditionalSample}.
 *
 * @example
 * ```ts
 * import { random } from "../gpu/mod.ts";
 * import { GaussianMixture, gmmScore, pcSample, slicedWasserstein, VPSDE } from "./mod.ts";
 * const sde = new VPSDE({ N: 100 });
 * const gmm = GaussianMixture.isotropic([[-2, 0], [2, 0]], 0.1);
 * const { samples, nfe } = pcSample(sde, gmmScore(gmm, sde), random.key(0), { shape: [256, 2] });
 * const data = await gmm.sample(random.key(1), 256).read();
 * console.log(nfe, slicedWasserstein(await samples.read(), data, 2) < 0.3); // 200 true
 * ```
 * @module
 */
export {
  checkTime,
  type Discretization,
  perSample,
  type ReverseSde,
  type ScoreFn,
  Sde,
  type SdeKind,
  type TimeArg,
} from "./sde.ts";
export { VESDE, type VESDEOptions } from "./ve.ts";
export { type LinearBetaOptions, LinearBetaSde } from "./linear_beta_sde.ts";
export { VPSDE, type VPSDEOptions } from "./vp.ts";
export { SubVPSDE, type SubVPSDEOptions } from "./subvp.ts";
export { GaussianMixture, type GaussianMixtureSpec, symEig } from "./gmm.ts";
export { gmmScore, type GmmScoreFn } from "./gmm_score.ts";
export {
  type GaussianBaseline,
  gaussianBaseline,
  type GaussianBaselineOptions,
  type ScoreMlp,
  scoreMlp,
  type ScoreMlpLayer,
  type ScoreMlpOptions,
  type ScoreMlpParams,
} from "./score_mlp.ts";
export { dsmLoss, type DsmLossOptions } from "./dsm_loss.ts";
export { type ImportanceTimeSampler, likelihoodImportanceTime } from "./importance_time.ts";
export {
  trainScore,
  type TrainScoreHooks,
  type TrainScoreOptions,
  type TrainScoreResult,
} from "./train_score.ts";
export {
  ancestralSampling,
  eulerMaruyama,
  getPredictor,
  type Predictor,
  type PredictorName,
  PREDICTORS,
  predictorUpdate,
  reverseDiffusion,
  type StepNoise,
  type UpdateCoefficients,
} from "./predictors.ts";
export {
  annealedLangevin,
  type Corrector,
  type CorrectorName,
  type CorrectorOptions,
  CORRECTORS,
  getCorrector,
  langevin,
} from "./correctors.ts";
export {
  type PcLoopExtras,
  pcSample,
  type PcSamplerOptions,
  type SampleResult,
} from "./pc_sampler.ts";
export { probabilityFlow } from "./probability_flow.ts";
export {
  type OdeMethod,
  odeSample,
  type OdeSampleResult,
  type OdeSamplerOptions,
} from "./ode_sampler.ts";
export type { OdeFn, OdeResult } from "./ode/types.ts";
export { rk4 } from "./ode/rk4.ts";
export { heun } from "./ode/heun.ts";
export { rk45, type Rk45Options, type Rk45Result } from "./ode/rk45.ts";
export {
  type DivergenceMethod,
  exactDivergence,
  hasDivergence,
  hutchinsonDivergence,
  type ScoreWithDivergence,
} from "./divergence.ts";
export {
  augmentedFlow,
  bitsPerDim,
  dequantize,
  type LikelihoodOptions,
  type LikelihoodResult,
  logLikelihood,
} from "./likelihood.ts";
export { inpaint } from "./inpaint.ts";
export {
  classConditionalSample,
  classifierGuidedScore,
  classLogProb,
  type NoisyClassifier,
} from "./conditional.ts";
export { moments, slicedWasserstein, type SlicedWassersteinOptions } from "./metrics.ts";
export { sdeUpdate, type UpdateArgs } from "./kernels/update.ts";
export { FUSED_ACTIVATIONS, type FusedActivation } from "./kernels/mlp_fused.ts";
export { crc32, encodeGrayPng, type GridOptions, imageGrid } from "./png.ts";
export { gmmExperimentMixture, sdeGmm, type SdeGmmConfig } from "./experiments/sde_gmm.ts";
export { sdeMnist, type SdeMnistConfig } from "./experiments/sde_mnist.ts";
/** Tensor-core types (re-exported: every function here takes and returns tensors). */
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
/** The experiment contract of `src/report` (the two experiments implement it). */
export type {
  ConfigIssue,
  ConfigSchema,
  Experiment,
  ExperimentContext,
  ExperimentResult,
  MetricValue,
  Progress,
  ResultChart,
  ResultImage,
  ResultTable,
} from "../report/experiment.ts";
/** The random key type of the core (re-exported: samplers and losses take keys). */
export type { Key } from "../gpu/random.ts";
/** Training-loop types of `src/nn` used by {@link trainScore}. */
export type { ProgressLike, TrainHistory } from "../nn/train.ts";
