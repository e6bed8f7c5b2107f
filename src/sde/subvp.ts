/**
 * The sub-VP SDE of Song et al. (2021), eq. (29): the VP drift with diffusion
 * g(t)^2 = beta(t) (1 - exp(-2 beta_min t - (beta_max - beta_min) t^2)); its marginal variance is
 * bounded by the VP one. Defaults beta_min = 0.1, beta_max = 20, N = 1000 (score_sde
 * `sde_lib.subVPSDE`).
 *
 * @example
 * ```ts
 * import { SubVPSDE } from "./subvp.ts";
 * const sde = new SubVPSDE();
 * console.log(sde.std(0.5) < Math.sqrt(1 - sde.meanCoef(0.5) ** 2)); // true
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError } from "../errors.ts";
import { exp, expm1, mul, neg, sqrt, type Tensor } from "../gpu/mod.ts";
import { parseOptions } from "./options.ts";
import { affineT, type Discretization, Sde } from "./sde.ts";

/** Options of {@link SubVPSDE}. */
export interface SubVPSDEOptions {
  /** beta(0) (default 0.1). */
  betaMin?: number;
  /** beta(1) (default 20). */
  betaMax?: number;
  /** Discretization steps (default 1000). */
  N?: number;
}

const subVpSchema = z.strictObject({
  betaMin: z.number().positive().default(0.1),
  betaMax: z.number().positive().default(20),
  N: z.number().int().min(1).default(1000),
});

/**
 * sub-VP SDE: x_t = m(t) x_0 + s(t) z with the VP m(t) and s(t) = 1 - m(t)^2.
 *
 * @example
 * ```ts
 * import { SubVPSDE } from "./subvp.ts";
 * console.log(new SubVPSDE().kind); // "subvp"
 * ```
 */
export class SubVPSDE extends Sde {
  /** "subvp". */
  readonly kind = "subvp" as const;
  /** beta(0). */
  readonly betaMin: number;
  /** beta(1). */
  readonly betaMax: number;
  /** 1e-3 (score_sde run_lib.py `sampling_eps` for sub-VP). */
  readonly samplingEps: number = 1e-3;
  /** 1: the prior is N(0, I). */
  readonly priorStd: number = 1;

  /** Validates the options (zod) and builds the SDE. */
  constructor(options: SubVPSDEOptions = {}) {
    const o = parseOptions(subVpSchema, options, "SubVPSDE");
    super(o.N);
    this.betaMin = o.betaMin;
    this.betaMax = o.betaMax;
  }

  /** beta(t). */
  beta(t: number): number {
    return this.betaMin + t * (this.betaMax - this.betaMin);
  }
  /** log m(t) (as VP). */
  logMeanCoef(t: number): number {
    return -0.25 * t * t * (this.betaMax - this.betaMin) - 0.5 * t * this.betaMin;
  }
  /** a(t) = -beta(t) / 2. */
  driftCoef(t: number): number {
    return -0.5 * this.beta(t);
  }
  /** g(t) = sqrt(beta(t) (1 - exp(4 log m(t)))). */
  diffusion(t: number): number {
    return Math.sqrt(this.beta(t) * -Math.expm1(4 * this.logMeanCoef(t)));
  }
  /** m(t). */
  meanCoef(t: number): number {
    return Math.exp(this.logMeanCoef(t));
  }
  /** s(t) = 1 - m(t)^2. */
  std(t: number): number {
    return -Math.expm1(2 * this.logMeanCoef(t));
  }
  /** VP alpha_i = 1 - beta_i on the DDPM grid (used by the Langevin corrector's step size). */
  alpha(i: number): number {
    const lo = this.betaMin / this.N, hi = this.betaMax / this.N;
    if (hi >= 1) {
      throw new InvalidArgumentError(
        `SubVPSDE: the Langevin step size needs beta_max / N < 1, got N=${this.N}`,
      );
    }
    return 1 - (this.N === 1 ? lo : lo + (i * (hi - lo)) / (this.N - 1));
  }
  /** Euler-Maruyama discretization (score_sde's default): f = a(t) x / N, G = g(t) / sqrt(N). */
  discretize(t: number): Discretization {
    const dt = this.T / this.N;
    return { fCoef: this.driftCoef(t) * dt, g: this.diffusion(t) * Math.sqrt(dt) };
  }

  #lmcT(t: Tensor): Tensor {
    return neg(mul(t, affineT(t, 0.5 * this.betaMin, 0.25 * (this.betaMax - this.betaMin))));
  }
  /** a(t) for a tensor of times. */
  driftCoefT(t: Tensor): Tensor {
    return affineT(t, -0.5 * this.betaMin, -0.5 * (this.betaMax - this.betaMin));
  }
  /** g(t) for a tensor of times. */
  diffusionT(t: Tensor): Tensor {
    const beta = affineT(t, this.betaMin, this.betaMax - this.betaMin);
    return sqrt(mul(beta, neg(expm1(mul(this.#lmcT(t), 4)))));
  }
  /** m(t) for a tensor of times. */
  meanCoefT(t: Tensor): Tensor {
    return exp(this.#lmcT(t));
  }
  /** s(t) for a tensor of times. */
  stdT(t: Tensor): Tensor {
    return neg(expm1(mul(this.#lmcT(t), 2)));
  }
}
