/**
 * The variance-exploding SDE (VE; the continuous limit of SMLD/NCSN):
 * dx = sigma(t) sqrt(2 log(sigma_max / sigma_min)) dw with sigma(t) =
 * sigma_min (sigma_max / sigma_min)^t. score_sde (`sde_lib.VESDE`) defaults to sigma_min = 0.01,
 * sigma_max = 50, N = 1000 (CIFAR-10); for toy data choose sigma_max about the largest distance
 * between data points (Song & Ermon 2020, technique 1).
 *
 * @example
 * ```ts
 * import { VESDE } from "./ve.ts";
 * const sde = new VESDE({ sigmaMin: 0.01, sigmaMax: 50 });
 * console.log(sde.std(1), sde.meanCoef(0.3)); // 50 1
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError } from "../errors.ts";
import { exp, mul, onesLike, type Tensor, zerosLike } from "../gpu/mod.ts";
import { parseOptions } from "../options.ts";
import { affineT, type Discretization, Sde } from "./sde.ts";

/** Options of {@link VESDE}. */
export interface VESDEOptions {
  /** sigma(0) (default 0.01). */
  sigmaMin?: number;
  /** sigma(1), also the prior's std (default 50). */
  sigmaMax?: number;
  /** Discretization steps (default 1000). */
  N?: number;
}

const veSchema = z.strictObject({
  sigmaMin: z.number().positive().default(0.01),
  sigmaMax: z.number().positive().default(50),
  N: z.number().int().min(1).default(1000),
});

/**
 * Variance-exploding SDE: x_t = x_0 + sigma(t) z (zero drift).
 *
 * @example
 * ```ts
 * import { VESDE } from "./ve.ts";
 * const sde = new VESDE({ sigmaMin: 0.01, sigmaMax: 10, N: 10 });
 * console.log(sde.discreteSigma(0), sde.discreteSigma(9)); // 0.01 10
 * ```
 */
export class VESDE extends Sde {
  /** "ve". */
  readonly kind = "ve" as const;
  /** sigma(0). */
  readonly sigmaMin: number;
  /** sigma(1). */
  readonly sigmaMax: number;
  /** 1e-5 (score_sde run_lib.py `sampling_eps` for VE). */
  readonly samplingEps: number = 1e-5;
  /** sigma_max: the prior is N(0, sigma_max^2 I). */
  readonly priorStd: number;
  readonly #logRatio: number;

  /** Validates the options (zod) and builds the SDE. */
  constructor(options: VESDEOptions = {}) {
    const o = parseOptions(veSchema, options, "VESDE");
    if (o.sigmaMax <= o.sigmaMin) {
      throw new InvalidArgumentError(
        `VESDE: sigmaMax (${o.sigmaMax}) must exceed sigmaMin (${o.sigmaMin})`,
      );
    }
    super(o.N);
    this.sigmaMin = o.sigmaMin;
    this.sigmaMax = o.sigmaMax;
    this.priorStd = o.sigmaMax;
    this.#logRatio = Math.log(o.sigmaMax / o.sigmaMin);
  }

  /** sigma(t) = sigma_min (sigma_max / sigma_min)^t. */
  sigma(t: number): number {
    return this.sigmaMin * Math.exp(t * this.#logRatio);
  }
  /** 0. */
  driftCoef(_t: number): number {
    return 0;
  }
  /** g(t) = sigma(t) sqrt(2 log(sigma_max / sigma_min)). */
  diffusion(t: number): number {
    return this.sigma(t) * Math.sqrt(2 * this.#logRatio);
  }
  /** 1. */
  meanCoef(_t: number): number {
    return 1;
  }
  /** sigma(t). */
  std(t: number): number {
    return this.sigma(t);
  }
  /** Discrete sigma_i = exp(linspace(log sigma_min, log sigma_max, N))[i] (NCSN's grid). */
  discreteSigma(i: number): number {
    return this.N === 1
      ? this.sigmaMin
      : Math.exp(Math.log(this.sigmaMin) + (i * this.#logRatio) / (this.N - 1));
  }
  /** SMLD discretization: f_i = 0, G_i = sqrt(sigma_i^2 - sigma_{i-1}^2) (sigma_{-1} = 0). */
  discretize(t: number): Discretization {
    const i = this.timestepIndex(t);
    const s = this.discreteSigma(i), a = i === 0 ? 0 : this.discreteSigma(i - 1);
    return { fCoef: 0, g: Math.sqrt(s * s - a * a) };
  }

  /** a(t) = 0 for a tensor of times. */
  driftCoefT(t: Tensor): Tensor {
    return zerosLike(t);
  }
  /** g(t) for a tensor of times. */
  diffusionT(t: Tensor): Tensor {
    return mul(this.stdT(t), Math.sqrt(2 * this.#logRatio));
  }
  /** m(t) = 1 for a tensor of times. */
  meanCoefT(t: Tensor): Tensor {
    return onesLike(t);
  }
  /** sigma(t) for a tensor of times. */
  stdT(t: Tensor): Tensor {
    return exp(affineT(t, Math.log(this.sigmaMin), this.#logRatio));
  }
}
