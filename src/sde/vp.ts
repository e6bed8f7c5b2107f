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
import { InvalidArgumentError } from "../errors.ts";
import { expm1, mul, neg, sqrt, type Tensor } from "../gpu/mod.ts";
import { affineT, type Discretization } from "./sde.ts";
import { type LinearBetaOptions, LinearBetaSde } from "./linear_beta_sde.ts";

/** Options of {@link VPSDE}. */
export type VPSDEOptions = LinearBetaOptions;

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
export class VPSDE extends LinearBetaSde {
  /** "vp". */
  readonly kind = "vp" as const;
  /** Validates the options (zod) and builds the SDE. */
  constructor(options: VPSDEOptions = {}) {
    super(options, "VPSDE");
  }

  /** g(t) = sqrt(beta(t)). */
  diffusion(t: number): number {
    return Math.sqrt(this.beta(t));
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

  /** g(t) for a tensor of times. */
  diffusionT(t: Tensor): Tensor {
    return sqrt(affineT(t, this.betaMin, this.betaMax - this.betaMin));
  }
  /** s(t) for a tensor of times. */
  stdT(t: Tensor): Tensor {
    return sqrt(neg(expm1(mul(this.logMeanCoefT(t), 2))));
  }
}
