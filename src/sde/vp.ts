/**
 * The variance-preserving SDE (VP; the continuous limit of DDPM):
 * dx = -1/2 beta(t) x dt + sqrt(beta(t)) dw with beta(t) = beta_min + t (beta_max - beta_min).
 * Defaults beta_min = 0.1, beta_max = 20, N = 1000 as in yang-song/score_sde (`sde_lib.VPSDE`).
 *
 * @example
 * ```ts
 * import { VPSDE } from "./vp.ts";
 * const sde = new VPSDE({ betaMin: 0.1, betaMax: 20, N: 1000 });
 * console.log(sde.diffusion(0.5) ** 2); // beta(0.5) = 10.05
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError } from "../errors.ts";
import { exp, expm1, mul, neg, sqrt, type Tensor } from "../gpu/mod.ts";
import { parseOptions } from "./options.ts";
import { affineT, type Discretization, Sde } from "./sde.ts";

/** Options of {@link VPSDE}. */
export interface VPSDEOptions {
  /** beta(0) (default 0.1). */
  betaMin?: number;
  /** beta(1) (default 20). */
  betaMax?: number;
  /** Discretization steps (default 1000). */
  N?: number;
}

const vpSchema = z.strictObject({
  betaMin: z.number().positive().default(0.1),
  betaMax: z.number().positive().default(20),
  N: z.number().int().min(1).default(1000),
});

/**
 * Variance-preserving SDE. The marginal is x_t = m(t) x_0 + s(t) z with
 * log m(t) = -t^2 (beta_max - beta_min) / 4 - t beta_min / 2 and s(t) = sqrt(1 - m(t)^2).
 *
 * @example
 * ```ts
 * import { VPSDE } from "./vp.ts";
 * const sde = new VPSDE();
 * console.log(sde.std(1e-3).toFixed(4)); // "0.0100"
 * ```
 */
export class VPSDE extends Sde {
  /** "vp". */
  readonly kind = "vp" as const;
  /** beta(0). */
  readonly betaMin: number;
  /** beta(1). */
  readonly betaMax: number;
  /** 1e-3 (score_sde run_lib.py `sampling_eps` for VP). */
  readonly samplingEps: number = 1e-3;
  /** 1: the prior is N(0, I). */
  readonly priorStd: number = 1;

  /** Validates the options (zod) and builds the SDE. */
  constructor(options: VPSDEOptions = {}) {
    const o = parseOptions(vpSchema, options, "VPSDE");
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
  /** g(t) = sqrt(beta(t)). */
  diffusion(t: number): number {
    return Math.sqrt(this.beta(t));
  }
  /** m(t). */
  meanCoef(t: number): number {
    return Math.exp(this.logMeanCoef(t));
  }
  /** s(t) = sqrt(1 - m(t)^2). */
  std(t: number): number {
    return Math.sqrt(-Math.expm1(2 * this.logMeanCoef(t)));
  }
  /**
   * Discrete beta_i = linspace(beta_min / N, beta_max / N, N)[i] (DDPM's schedule). Throws when
   * beta_i >= 1 (N <= beta_max), where the DDPM steps are undefined.
   */
  discreteBeta(i: number): number {
    const lo = this.betaMin / this.N, hi = this.betaMax / this.N;
    if (hi >= 1) {
      throw new InvalidArgumentError(
        `VPSDE: the discrete schedule needs beta_max / N < 1, got beta_max=${this.betaMax}, ` +
          `N=${this.N}; use N > ${this.betaMax} for reverse-diffusion, ancestral or Langevin steps`,
      );
    }
    return this.N === 1 ? lo : lo + (i * (hi - lo)) / (this.N - 1);
  }
  /** alpha_i = 1 - beta_i. */
  alpha(i: number): number {
    return 1 - this.discreteBeta(i);
  }
  /** DDPM discretization: f_i = (sqrt(alpha_i) - 1) x, G_i = sqrt(beta_i). */
  discretize(t: number): Discretization {
    const b = this.discreteBeta(this.timestepIndex(t));
    return { fCoef: Math.sqrt(1 - b) - 1, g: Math.sqrt(b) };
  }

  #lmcT(t: Tensor): Tensor {
    // -t (beta_min / 2 + t (beta_max - beta_min) / 4)
    return neg(mul(t, affineT(t, 0.5 * this.betaMin, 0.25 * (this.betaMax - this.betaMin))));
  }
  /** a(t) for a tensor of times. */
  driftCoefT(t: Tensor): Tensor {
    return affineT(t, -0.5 * this.betaMin, -0.5 * (this.betaMax - this.betaMin));
  }
  /** g(t) for a tensor of times. */
  diffusionT(t: Tensor): Tensor {
    return sqrt(affineT(t, this.betaMin, this.betaMax - this.betaMin));
  }
  /** m(t) for a tensor of times. */
  meanCoefT(t: Tensor): Tensor {
    return exp(this.#lmcT(t));
  }
  /** s(t) for a tensor of times. */
  stdT(t: Tensor): Tensor {
    return sqrt(neg(expm1(mul(this.#lmcT(t), 2))));
  }
}
