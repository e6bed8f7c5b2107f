/**
 * Correctors of the predictor-corrector samplers (Song et al. 2021, Algorithms 4 and 5; score_sde
 * `sampling.py`): Langevin MCMC with the signal-to-noise-ratio step-size rule
 * eps = 2 alpha (r ||z|| / ||s||)^2 (batch-mean norms, computed and used on the GPU), and
 * annealed Langevin dynamics with eps = 2 alpha (r sigma(t))^2. alpha = 1 - beta_i for VP and
 * sub-VP, 1 for VE. score_sde's default snr is 0.16 (VE, CIFAR-10); the paper tunes it per SDE.
 *
 * @example
 * ```ts
 * import { langevin } from "./correctors.ts";
 * import { VESDE } from "./ve.ts";
 * const c = langevin(new VESDE(), { snr: 0.16, nSteps: 1 });
 * console.log(c.name, c.nSteps); // "langevin" 1
 * ```
 * @module
 */
import { z } from "zod";
import { UnknownNameError } from "../errors.ts";
import type { Tensor } from "../gpu/mod.ts";
import { batchMeanNorms } from "./kernels/row_norms.ts";
import { sdeUpdate, type UpdateArgs } from "./kernels/update.ts";
import { parseOptions } from "../options.ts";
import type { StepNoise } from "./predictors.ts";
import type { ScoreFn, Sde } from "./sde.ts";
import { SubVPSDE } from "./subvp.ts";
import { VPSDE } from "./vp.ts";

/** Names accepted by {@link getCorrector}. */
export type CorrectorName = "langevin" | "annealed-langevin" | "none";

/** The corrector names. */
export const CORRECTORS: readonly CorrectorName[] = ["langevin", "annealed-langevin", "none"];

/** Options of a corrector. */
export interface CorrectorOptions {
  /** Signal-to-noise ratio r (default 0.16, score_sde's VE setting). */
  snr?: number;
  /** Corrector steps per time step (default 1). */
  nSteps?: number;
}

const corrSchema = z.strictObject({
  snr: z.number().positive().default(0.16),
  nSteps: z.number().int().min(0).default(1),
});

/** A corrector: `nSteps` Langevin-type updates at a fixed time t. */
export interface Corrector {
  /** Its name. */
  readonly name: CorrectorName;
  /** Updates per time step (each one score evaluation). */
  readonly nSteps: number;
  /** Signal-to-noise ratio. */
  readonly snr: number;
  /**
   * One corrector update at time t (`noise.step` must be unique in the trajectory).
   * Returns the new x; the caller owns it.
   */
  update(score: ScoreFn, x: Tensor, t: number, noise: StepNoise): Tensor;
}

function alphaOf(sde: Sde, t: number): number {
  if (sde instanceof VPSDE || sde instanceof SubVPSDE) return sde.alpha(sde.timestepIndex(t));
  return 1;
}

function masking(sde: Sde, t: number, noise: StepNoise): Partial<UpdateArgs> {
  if (!noise.masked) return {};
  return {
    masked: {
      ...noise.masked,
      meanCoef: sde.meanCoef(t),
      std: noise.final ? 0 : sde.std(t),
    },
  };
}

/**
 * Langevin corrector (score_sde `LangevinCorrector`): step size from the ratio of the batch-mean
 * noise norm to the batch-mean score norm, computed on the GPU (no readback).
 *
 * @example
 * ```ts
 * import { random } from "../gpu/mod.ts";
 * import { langevin } from "./correctors.ts";
 * import { VPSDE } from "./vp.ts";
 * const c = langevin(new VPSDE(), { snr: 0.1 });
 * const y = c.update((x) => x, random.normal(random.key(0), [8, 2]), 0.5, { key: random.key(1), step: 0 });
 * console.log(y.shape); // [8, 2]
 * ```
 */
export function langevin(sde: Sde, options: CorrectorOptions = {}): Corrector {
  const o = parseOptions(corrSchema, options, "langevin");
  return {
    name: "langevin",
    nSteps: o.nSteps,
    snr: o.snr,
    update(score, x, t, noise) {
      const s = score(x, t);
      const norms = batchMeanNorms(s, noise.key, noise.step);
      const out = sdeUpdate(x, s, {
        cx: 1,
        langevin: { norms, snr: o.snr, alpha: alphaOf(sde, t) },
        noise: noise.final ? undefined : { key: noise.key, step: noise.step },
        ...masking(sde, t, noise),
      });
      s.dispose();
      norms.dispose();
      return out;
    },
  };
}

/**
 * Annealed Langevin dynamics (score_sde `AnnealedLangevinDynamics`, NCSN's sampler):
 * eps = 2 alpha (snr sigma(t))^2 with the marginal std sigma(t).
 *
 * @example
 * ```ts
 * import { random } from "../gpu/mod.ts";
 * import { annealedLangevin } from "./correctors.ts";
 * import { VESDE } from "./ve.ts";
 * const c = annealedLangevin(new VESDE(), { snr: 0.16, nSteps: 2 });
 * const y = c.update((x) => x, random.normal(random.key(0), [8, 2]), 0.5, { key: random.key(1), step: 0 });
 * console.log(y.shape); // [8, 2]
 * ```
 */
export function annealedLangevin(sde: Sde, options: CorrectorOptions = {}): Corrector {
  const o = parseOptions(corrSchema, options, "annealedLangevin");
  return {
    name: "annealed-langevin",
    nSteps: o.nSteps,
    snr: o.snr,
    update(score, x, t, noise) {
      const std = sde.std(t);
      const eps = 2 * alphaOf(sde, t) * (o.snr * std) ** 2;
      const s = score(x, t);
      const out = sdeUpdate(x, s, {
        cx: 1,
        cs: eps,
        cz: Math.sqrt(2 * eps),
        noise: noise.final ? undefined : { key: noise.key, step: noise.step },
        ...masking(sde, t, noise),
      });
      s.dispose();
      return out;
    },
  };
}

/**
 * A corrector by name ("none" gives null: predictor-only sampling).
 *
 * @example
 * ```ts
 * import { getCorrector } from "./correctors.ts";
 * import { VESDE } from "./ve.ts";
 * console.log(getCorrector("langevin", new VESDE())?.snr); // 0.16
 * ```
 */
export function getCorrector(
  name: CorrectorName,
  sde: Sde,
  options: CorrectorOptions = {},
): Corrector | null {
  switch (name) {
    case "langevin":
      return langevin(sde, options);
    case "annealed-langevin":
      return annealedLangevin(sde, options);
    case "none":
      return null;
    default:
      throw new UnknownNameError(
        `getCorrector: unknown corrector "${name}"; expected one of ${CORRECTORS.join(", ")}`,
      );
  }
}
