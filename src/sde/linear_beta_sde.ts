/**
 * The shared part of the VP and sub-VP SDEs (Song et al. 2021): the linear noise schedule
 * beta(t) = beta_min + t (beta_max - beta_min), the drift -beta(t) x / 2 and the mean
 * coefficient m(t) with log m(t) = -t^2 (beta_max - beta_min) / 4 - t beta_min / 2. The
 * subclasses differ in their diffusion, marginal std and discretization.
 *
 * @example
 * ```ts
 * import { VPSDE } from "./vp.ts";
 * import { LinearBetaSde } from "./linear_beta_sde.ts";
 * console.log(new VPSDE() instanceof LinearBetaSde); // true
 * ```
 * @module
 */
import { z } from "zod";
import { exp, mul, neg, type Tensor } from "../gpu/mod.ts";
import { parseOptions } from "../options.ts";
import { affineT, Sde } from "./sde.ts";

/** Options of the linear-schedule SDEs (defaults from score_sde `sde_lib`). */
export interface LinearBetaOptions {
  /** beta(0) (default 0.1). */
  betaMin?: number;
  /** beta(1) (default 20). */
  betaMax?: number;
  /** Discretization steps (default 1000). */
  N?: number;
}

const linearBetaSchema = z.strictObject({
  betaMin: z.number().positive().default(0.1),
  betaMax: z.number().positive().default(20),
  N: z.number().int().min(1).default(1000),
});

/**
 * Base class of {@link VPSDE}-like SDEs with a linear beta schedule.
 *
 * @example
 * ```ts
 * import { SubVPSDE } from "./subvp.ts";
 * const sde = new SubVPSDE({ betaMax: 10 });
 * console.log(sde.beta(1)); // 10
 * ```
 */
export abstract class LinearBetaSde extends Sde {
  /** beta(0). */
  readonly betaMin: number;
  /** beta(1). */
  readonly betaMax: number;
  /** 1e-3 (score_sde run_lib.py `sampling_eps` for VP and sub-VP). */
  readonly samplingEps: number = 1e-3;
  /** 1: the prior is N(0, I). */
  readonly priorStd: number = 1;

  /** Validates the options (zod; errors name `where`) and builds the SDE. */
  constructor(options: LinearBetaOptions, where: string) {
    const o = parseOptions(linearBetaSchema, options, where);
    super(o.N);
    this.betaMin = o.betaMin;
    this.betaMax = o.betaMax;
  }

  /** beta(t). */
  beta(t: number): number {
    return this.betaMin + t * (this.betaMax - this.betaMin);
  }
  /** log m(t). */
  logMeanCoef(t: number): number {
    return -0.25 * t * t * (this.betaMax - this.betaMin) - 0.5 * t * this.betaMin;
  }
  /** a(t) = -beta(t) / 2. */
  driftCoef(t: number): number {
    return -0.5 * this.beta(t);
  }
  /** m(t). */
  meanCoef(t: number): number {
    return Math.exp(this.logMeanCoef(t));
  }

  /** log m(t) for a tensor of times: -t (beta_min / 2 + t (beta_max - beta_min) / 4). */
  protected logMeanCoefT(t: Tensor): Tensor {
    return neg(mul(t, affineT(t, 0.5 * this.betaMin, 0.25 * (this.betaMax - this.betaMin))));
  }
  /** a(t) for a tensor of times. */
  driftCoefT(t: Tensor): Tensor {
    return affineT(t, -0.5 * this.betaMin, -0.5 * (this.betaMax - this.betaMin));
  }
  /** m(t) for a tensor of times. */
  meanCoefT(t: Tensor): Tensor {
    return exp(this.logMeanCoefT(t));
  }
}
