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
import { bnnEss } from "./bnn/experiments/bnn_ess.ts";
import { nngpMnist } from "./kernels_inf/experiments/nngp_mnist.ts";

/**
 * Implemented experiments, in the order `run all` runs them.
 *
 * @example
 * ```ts
 * import { experiments } from "./experiments.ts";
 * for (const e of experiments) console.log(e.name, e.keyMetric);
 * ```
 */
export const experiments: Experiment[] = [pesInfluence, pesLrSchedule, bnnEss, nngpMnist];

/**
 * Experiments that are planned but not implemented yet; `run all` lists them as
 * "not yet implemented".
 *
 * @example
 * ```ts
 * import { plannedExperiments } from "./experiments.ts";
 * console.log(plannedExperiments.length > 0); // true
 * ```
 */
export const plannedExperiments: PlannedExperiment[] = [
  {
    name: "sde-gmm",
    module: "sde",
    description:
      "Score-based SDE sampling and likelihood on a 2-D Gaussian mixture (Song et al. 2021)",
  },
  {
    name: "sde-mnist",
    module: "sde",
    description: "Score-based SDE generation on MNIST digits (Song et al. 2021)",
  },
  {
    name: "augment-robustness",
    module: "text",
    description: "Classifier robustness under NL-Augmenter transformations (Dhole et al. 2021)",
  },
];
