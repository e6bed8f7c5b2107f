/**
 * The experiment registry the CLI runs: `experiments` holds the implemented ones,
 * `plannedExperiments` the ones on the roadmap that do not exist yet.
 *
 * To add an experiment: import it below, append it to `experiments`, and delete its
 * entry from `plannedExperiments`.
 *
 * @example
 * ```ts
 * import { experiments, plannedExperiments } from "./experiments.ts";
 * const names = [...experiments, ...plannedExperiments].map((e) => e.name);
 * console.log(names.includes("sde-gmm")); // true
 * ```
 * @module
 */

import type { Experiment, PlannedExperiment } from "./report/experiment.ts";
import { pesInfluence } from "./optim/experiments/pes_influence.ts";
import { pesLrSchedule } from "./optim/experiments/pes_lr_schedule.ts";
import { loptTrain } from "./optim/experiments/lopt_train.ts";
import { localParallelMnist } from "./optim/experiments/local_parallel_mnist.ts";
import { whiteningGeneralization } from "./optim/experiments/whitening_generalization.ts";
import { bnnEss } from "./bnn/experiments/bnn_ess.ts";
import { nngpMnist } from "./kernels_inf/experiments/nngp_mnist.ts";
import { dksDeepMlp } from "./kernels_inf/experiments/dks_deep_mlp.ts";
import { dksDeepCnn } from "./kernels_inf/experiments/dks_deep_cnn.ts";
import { sdeGmm } from "./sde/experiments/sde_gmm.ts";
import { sdeMnist } from "./sde/experiments/sde_mnist.ts";
import { augmentRobustness } from "./text/experiments/augment_robustness.ts";

/**
 * Implemented experiments, in the order `run all` runs them.
 *
 * @example
 * ```ts
 * import { experiments } from "./experiments.ts";
 * for (const e of experiments) console.log(e.name, e.keyMetric);
 * ```
 */
export const experiments: Experiment[] = [
  pesInfluence,
  pesLrSchedule,
  loptTrain,
  localParallelMnist,
  whiteningGeneralization,
  bnnEss,
  nngpMnist,
  dksDeepMlp,
  dksDeepCnn,
  sdeGmm,
  sdeMnist,
  augmentRobustness,
];

/**
 * Experiments that are planned but not implemented yet; `run all` lists them as
 * "not yet implemented".
 *
 * @example
 * ```ts
 * import { plannedExperiments } from "./experiments.ts";
 * console.log(plannedExperiments.map((e) => e.name)); // roadmap items without code yet
 * ```
 */
export const plannedExperiments: PlannedExperiment[] = [];
