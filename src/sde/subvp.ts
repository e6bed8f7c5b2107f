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
import { InvalidArgumentError } from "../errors.ts";
import { expm1, mul, neg, sqrt, type Tensor } from "../gpu/mod.ts";
import { affineT, type Discretization } from "./sde.ts";
import { type LinearBetaOptions, LinearBetaSde } from "./linear_beta_sde.ts";

/** Options of {@link SubVPSDE}. */
export type SubVPSDEOptions = LinearBetaOptions;

/**
 * sub-VP SDE: x_t = m(t) x_0 + s(t) z with the VP m(t) and s(t) = 1 - m(t)^2.
 *
 * @example
 * ```ts
 * import { SubVPSDE } from "./subvp.ts";
 * console.log(new SubVPSDE().kind); // "subvp"
 * ```
 */
export class SubVPSDE extends LinearBetaSde {
  /** "subvp". */
  readonly kind = "subvp" as const;
  /** Validates the options (zod) and builds the SDE. */
  constructor(options: SubVPSDEOptions = {}) {
    super(options, "SubVPSDE");
  }

  /** g(t) = sqrt(beta(t) (1 - exp(4 log m(t)))). */
  diffusion(t: number): number {
    return Math.sqrt(this.beta(t) * -Math.expm1(4 * this.logMeanCoef(t)));
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

  /** g(t) for a tensor of times. */
  diffusionT(t: Tensor): Tensor {
    const beta = affineT(t, this.betaMin, this.betaMax - this.betaMin);
    return sqrt(mul(beta, neg(expm1(mul(this.logMeanCoefT(t), 4)))));
  }
  /** s(t) for a tensor of times. */
  stdT(t: Tensor): Tensor {
    return neg(expm1(mul(this.logMeanCoefT(t), 2)));
  }
}
