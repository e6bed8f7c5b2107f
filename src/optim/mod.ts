/**
 * Gradient estimators for unrolled computation graphs (Vicol, Metz & Sohl-Dickstein 2021,
 * "Unbiased Gradient Estimation in Unrolled Computation Graphs with Persistent Evolution
 * Strategies"): truncated backprop (TBPTT), full-unroll backprop, antithetic truncated ES,
 * PES and PES-A, over vectorized unrolled systems with episode resets, plus the outer
 * (meta-training) loop. Everything of a truncation runs on the GPU; the outer loop reads back
 * only every `readEvery` iterations.
 *
 * The same interface carries learned-optimizer meta-training: theta is the optimizer's weights,
 * the state holds many inner tasks, and the estimators are learned_optimization's outer
 * trainers (truncated_grad, full_grad, truncated_es, truncated_pes).
 *
 * @example
 * ```ts
 * import { influenceBalancing, metaTrain, pes } from "./mod.ts";
 * import { sgd } from "../nn/optimizers.ts";
 * import { key } from "../gpu/random.ts";
 * const task = influenceBalancing();
 * const estimator = pes(task, { particles: 200, truncationLength: 1, sigma: 0.1 });
 * const r = await metaTrain({
 *   estimator, theta0: [0.5], optimizer: sgd({ lr: 1e-4 }), iterations: 20, key: key(0),
 * });
 * console.log(r.history.at(-1)?.theta, task.optimalTheta()); // moving towards -1/6
 * estimator.dispose();
 * ```
 * @module
 */
export {
  broadcastTheta,
  checkSystem,
  type InitContext,
  selectParticles,
  type StepContext,
  type StepOutput,
  tileReplicas,
  type UnrollContext,
  type UnrolledSystem,
  type UnrollOutput,
} from "./unrolled_system.ts";
export {
  EpisodeClock,
  initialOffsets,
  stepEndMask,
  stepTimes,
  tileHost,
  truncationEnded,
  type TruncationPlan,
  validateOffsets,
} from "./episode_clock.ts";
export { runTruncation, type RunTruncationOptions } from "./truncation.ts";
export { valueAndGradWithAux, vjpWithAux } from "./grad_with_aux.ts";
export type {
  EsOptions,
  EstimateOut,
  GradientEstimator,
  TruncationOptions,
} from "./estimators/estimator.ts";
// Core and nn types that appear in this module's signatures (re-exported for the docs).
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
export type { Key } from "../gpu/random.ts";
export type { Grads, Optimizer } from "../nn/optimizers.ts";
export type { Params } from "../nn/layer.ts";
export { tbptt, type TbpttOptions } from "./estimators/tbptt.ts";
export { fullUnroll, type FullUnrollOptions } from "./estimators/full_unroll.ts";
export { truncatedEs, type TruncatedEsOptions } from "./estimators/truncated_es.ts";
export { nextAccumulator, pes, type PesEstimator, type PesOptions } from "./estimators/pes.ts";
export { pesAnalytic, type PesAnalyticOptions } from "./estimators/pes_analytic.ts";
export {
  antitheticThetas,
  esCombine,
  type EsCombined,
  pairWeights,
  samplePerturbations,
} from "./estimators/antithetic.ts";
export {
  metaTrain,
  type MetaTrainOptions,
  type MetaTrainRecord,
  type MetaTrainResult,
} from "./outer_loop.ts";
export {
  type InfluenceBalancing,
  influenceBalancing,
  type InfluenceOptions,
} from "./tasks/influence_balancing.ts";
export {
  type LrScheduleOptions,
  type LrScheduleRegression,
  lrScheduleRegression,
  toyLoss,
} from "./tasks/lr_schedule_regression.ts";
export { type SinusoidMlp, sinusoidMlp, type SinusoidMlpOptions } from "./tasks/sinusoid_mlp.ts";
export { episodeLoss } from "./episode_loss.ts";
// Learned optimizers (Metz et al. 2019/2020) and their reverse engineering (Maheswaranathan et al. 2021).
export {
  LOPT_DECAYS,
  LOPT_FEATURE_NAMES,
  LOPT_FEATURES,
  LOPT_TENSOR_FEATURES,
  LOPT_TIMESCALES,
  type LoptSlot,
  type MlpLopt,
  mlpLopt,
  type MlpLoptOptions,
  normalizePerSegment,
} from "./lopt/mlp_lopt.ts";
export {
  HIER_TENSOR_FEATURES,
  type HierarchicalLopt,
  hierarchicalLopt,
  type HierarchicalLoptOptions,
} from "./lopt/hierarchical_lopt.ts";
export { asOptimizer, type LoptOptimizer, type LoptOptimizerState } from "./lopt/as_optimizer.ts";
export {
  checkSegments,
  type LearnedOptimizer,
  type LoptUpdateInput,
  type LoptUpdateOutput,
} from "./lopt/learned_optimizer.ts";
export type { TaskFamily, TaskLossAndGrad } from "./lopt/task_family.ts";
export type { KeyOrSeed } from "../nn/host_rng.ts";
export {
  type LinearRegressionFamily,
  linearRegressionFamily,
  type LinearRegressionFamilyOptions,
  type LinearRegressionTasks,
} from "./tasks/linear_regression_family.ts";
export {
  type TwoMoonsFamily,
  twoMoonsFamily,
  type TwoMoonsFamilyOptions,
  type TwoMoonsTasks,
} from "./tasks/two_moons_family.ts";
export { adamRule, loptRule, sgdMomentumRule, type UpdateRule } from "./lopt/update_rules.ts";
export {
  familyRows,
  type LearnedOptimizerState,
  learnedOptimizerSystem,
  type LearnedOptimizerSystemOptions,
  type MixtureState,
  mixtureSystem,
} from "./lopt/lopt_system.ts";
export { type EvaluateOptions, type EvaluateResult, evaluateRule } from "./lopt/evaluate.ts";
export {
  learnedSchedule,
  type LearnedScheduleOptions,
  type MomentumKernel,
  momentumKernel,
  type MomentumKernelOptions,
  type UpdateResponse,
  updateResponse,
  type UpdateResponseOptions,
} from "./lopt/analysis.ts";
export {
  gruHost,
  type GruLayout,
  type GruLopt,
  gruLopt,
  type GruLoptOptions,
} from "./lopt/gru_lopt.ts";
export {
  type GruAnalysis,
  type GruAnalysisOptions,
  gruFixedPointAnalysis,
  spectralRadius,
} from "./lopt/gru_analysis.ts";
// Local parallelism: chunked local updates (Laskin et al. 2020).
export {
  checkChunkIndex,
  checkLocalNetwork,
  type ChunkedLocalLoss,
  chunkedLocalLoss,
  type ChunkPlan,
  chunkPlan,
  type ChunkPlanOptions,
  denseForwardFlops,
  equalChunkSizes,
  type HeadLoss,
  initLocalParams,
  localForward,
  type LocalNetwork,
  type LocalParams,
  type LocalStep,
  localValueAndGrad,
  type PipelineCost,
  pipelineCost,
  type PipelineCostInput,
  reachedBlocks,
  reachStart,
} from "./local/mod.ts";
export type { Layer, LayerInit } from "../nn/layer.ts";
// Whitening and second-order optimization (Wadia et al. 2021).
export {
  applyGroupMlp,
  fitWhitening,
  fitWhiteningHost,
  gaussNewtonDirection,
  type GaussNewtonOptions,
  gaussNewtonStep,
  type GroupMlpActivation,
  type GroupMlpParams,
  type GroupMlpShape,
  groupSquaredLoss,
  type HostPreconditioner,
  initGroupMlp,
  type LinearCheckpointOptions,
  linearLeastSquaresCheckpoints,
  type LinearLeastSquaresOptions,
  type NewtonDampingOptions,
  newtonPreconditioner,
  newtonPreconditionerHost,
  secondMomentHost,
  trainGaussNewton,
  trainGroupMlp,
  type TrainGroupMlpOptions,
  trainLinearLeastSquares,
  type TrainTestWhiteningOptions,
  type WhitenedSplit,
  whiteningFromMoment,
  type WhiteningOptions,
  WhiteningTransform,
  whitenTrainTest,
} from "./whitening/mod.ts";
