/**
 * Underdamped Langevin dynamics with a Metropolis-Hastings correction: one leapfrog step per
 * transition with a partial momentum refresh `p <- sqrt(1 - beta) p + sqrt(beta) xi`, and the
 * momentum negated on rejection (Horowitz 1991). With the defaults of google/wide_bnn_sampling
 * (`config.py`: `stepsize = 0.1`, `mcmc_beta = 0.01`, one leapfrog step in `main.py`) it is the
 * sampler of Hron et al. (2022). The step size is passed per step (see `run_chains.ts`);
 * {@link LANGEVIN_DEFAULT_STEP_SIZE} is the reference default.
 *
 * @example
 * ```ts
 * import { langevin } from "./langevin.ts";
 * const s = langevin();
 * console.log(s.name, s.gradientsPerStep); // "langevin" 1
 * ```
 * @module
 */
import { z } from "zod";
import { parseOptions } from "../../options.ts";
import { generalizedHmc } from "./hmc.ts";
import type { Sampler } from "./sampler.ts";

/** The reference implementation's default step size (google/wide_bnn_sampling `config.py`). */
export const LANGEVIN_DEFAULT_STEP_SIZE = 0.1;

const langevinOptionsSchema = z.strictObject({
  refresh: z.number().gt(0).lte(1).default(0.01),
  leapfrogSteps: z.number().int().positive().default(1),
});

/** Options of {@link langevin}. */
export interface LangevinOptions {
  /** Momentum refresh fraction beta in (0, 1] per step (reference default 0.01). */
  refresh?: number;
  /** Leapfrog steps per transition (reference: 1). */
  leapfrogSteps?: number;
}

/**
 * The Metropolis-adjusted underdamped Langevin sampler.
 *
 * @example
 * ```ts
 * import { langevin } from "./langevin.ts";
 * const s = langevin({ refresh: 0.1 });
 * console.log(s.gradientsPerStep); // 1
 * ```
 */
export function langevin(options: LangevinOptions = {}): Sampler {
  const o = parseOptions(langevinOptionsSchema, options, "langevin");
  return generalizedHmc("langevin", o.leapfrogSteps, o.refresh);
}
