/**
 * Predictors of the predictor-corrector samplers (Song et al. 2021, sec. 4.2; score_sde
 * `sampling.py`): Euler-Maruyama on the reverse SDE, reverse diffusion (the SDE's own
 * discretization run backwards) and ancestral sampling (DDPM / SMLD ancestral steps). Every
 * predictor step is `x' = cx x + cs s(x, t) + cz z`, one fused GPU dispatch after the score.
 *
 * @example
 * ```ts
 * import { eulerMaruyama } from "./predictors.ts";
 * import { VPSDE } from "./vp.ts";
 * const p = eulerMaruyama(new VPSDE({ N: 100 }));
 * console.log(p.coefficients(0.5)); // { cx, cs, cz }
 * ```
 * @module
 */
import { InvalidArgumentError, UnknownNameError } from "../errors.ts";
import type { Tensor } from "../gpu/mod.ts";
import { sdeUpdate, type UpdateArgs } from "./kernels/update.ts";
import type { ScoreFn, Sde } from "./sde.ts";
import { SubVPSDE } from "./subvp.ts";
import { VESDE } from "./ve.ts";
import { VPSDE } from "./vp.ts";

/** Coefficients of one update x' = cx x + cs s + cz z. */
export interface UpdateCoefficients {
  /** Multiplier of x. */
  readonly cx: number;
  /** Multiplier of the score. */
  readonly cs: number;
  /** Multiplier of the Gaussian noise. */
  readonly cz: number;
}

/** A predictor: the coefficients of its update at each time of the grid. */
export interface Predictor {
  /** Its name. */
  readonly name: PredictorName;
  /** The update at time t (one step of size T/N backwards). */
  coefficients(t: number): UpdateCoefficients;
}

/** Names accepted by {@link getPredictor}. */
export type PredictorName = "euler-maruyama" | "reverse-diffusion" | "ancestral" | "none";

/** The predictor names. */
export const PREDICTORS: readonly PredictorName[] = [
  "euler-maruyama",
  "reverse-diffusion",
  "ancestral",
  "none",
];

/**
 * Euler-Maruyama on the reverse SDE with dt = -T/N (score_sde `EulerMaruyamaPredictor`):
 * x' = x + (a x - g^2 s) dt + g sqrt(|dt|) z. With `probabilityFlow` it is Euler on the
 * probability-flow ODE (half the score term, no noise).
 *
 * @example
 * ```ts
 * import { eulerMaruyama } from "./predictors.ts";
 * import { VESDE } from "./ve.ts";
 * const c = eulerMaruyama(new VESDE({ N: 10 })).coefficients(1);
 * console.log(c.cx); // 1 (zero drift)
 * ```
 */
export function eulerMaruyama(sde: Sde, options: { probabilityFlow?: boolean } = {}): Predictor {
  const pf = options.probabilityFlow ?? false;
  const dt = -sde.T / sde.N;
  return {
    name: "euler-maruyama",
    coefficients(t) {
      const a = sde.driftCoef(t), g = sde.diffusion(t);
      return {
        cx: 1 + a * dt,
        cs: -(pf ? 0.5 : 1) * g * g * dt,
        cz: pf ? 0 : g * Math.sqrt(-dt),
      };
    },
  };
}

/**
 * Reverse diffusion (score_sde `ReverseDiffusionPredictor`): with the forward discretization
 * x_{i+1} = x_i + f_i + G_i z, step x' = x - f_i + G_i^2 s + G_i z.
 *
 * @example
 * ```ts
 * import { reverseDiffusion } from "./predictors.ts";
 * import { VESDE } from "./ve.ts";
 * const sde = new VESDE({ sigmaMin: 0.01, sigmaMax: 1, N: 2 });
 * console.log(reverseDiffusion(sde).coefficients(1)); // cs = 1 - 0.01^2, cz = sqrt(cs)
 * ```
 */
export function reverseDiffusion(sde: Sde, options: { probabilityFlow?: boolean } = {}): Predictor {
  const pf = options.probabilityFlow ?? false;
  return {
    name: "reverse-diffusion",
    coefficients(t) {
      const { fCoef, g } = sde.discretize(t);
      return { cx: 1 - fCoef, cs: (pf ? 0.5 : 1) * g * g, cz: pf ? 0 : g };
    },
  };
}

/**
 * Ancestral sampling (score_sde `AncestralSamplingPredictor`): DDPM's step for VP,
 * x' = (x + beta_i s) / sqrt(1 - beta_i) + sqrt(beta_i) z, and SMLD's for VE,
 * x' = x + (sigma_i^2 - sigma_{i-1}^2) s + sqrt(sigma_{i-1}^2 (sigma_i^2 - sigma_{i-1}^2) /
 * sigma_i^2) z. Not defined for sub-VP (as in score_sde).
 *
 * @example
 * ```ts
 * import { ancestralSampling } from "./predictors.ts";
 * import { VPSDE } from "./vp.ts";
 * console.log(ancestralSampling(new VPSDE()).coefficients(0.5).cx > 1); // true
 * ```
 */
export function ancestralSampling(sde: Sde): Predictor {
  if (sde instanceof VPSDE) {
    return {
      name: "ancestral",
      coefficients(t) {
        const b = sde.discreteBeta(sde.timestepIndex(t));
        const r = 1 / Math.sqrt(1 - b);
        return { cx: r, cs: b * r, cz: Math.sqrt(b) };
      },
    };
  }
  if (sde instanceof VESDE) {
    return {
      name: "ancestral",
      coefficients(t) {
        const i = sde.timestepIndex(t);
        const s2 = sde.discreteSigma(i) ** 2, a2 = i === 0 ? 0 : sde.discreteSigma(i - 1) ** 2;
        return { cx: 1, cs: s2 - a2, cz: Math.sqrt((a2 * (s2 - a2)) / s2) };
      },
    };
  }
  throw new InvalidArgumentError(
    `ancestralSampling: defined for VE and VP SDEs, got ${
      sde instanceof SubVPSDE ? "sub-VP" : sde.kind
    }`,
  );
}

/**
 * A predictor by name ("none" makes a corrector-only sampler).
 *
 * @example
 * ```ts
 * import { getPredictor } from "./predictors.ts";
 * import { VPSDE } from "./vp.ts";
 * console.log(getPredictor("reverse-diffusion", new VPSDE())?.name); // "reverse-diffusion"
 * ```
 */
export function getPredictor(
  name: PredictorName,
  sde: Sde,
  options: { probabilityFlow?: boolean } = {},
): Predictor | null {
  switch (name) {
    case "euler-maruyama":
      return eulerMaruyama(sde, options);
    case "reverse-diffusion":
      return reverseDiffusion(sde, options);
    case "ancestral":
      return ancestralSampling(sde);
    case "none":
      return null;
    default:
      throw new UnknownNameError(
        `getPredictor: unknown predictor "${name}"; expected one of ${PREDICTORS.join(", ")}`,
      );
  }
}

/** Noise, denoising and inpainting settings of one update. */
export interface StepNoise {
  /** Key of the whole trajectory. */
  readonly key: import("../gpu/mod.ts").random.Key;
  /** Unique counter of this update within the trajectory. */
  readonly step: number;
  /** Drop the noise term (the final denoising step returns the mean). */
  readonly final?: boolean;
  /** Known data and mask for inpainting (see `inpaint.ts`). */
  readonly masked?: { mask: Tensor; known: Tensor };
}

/**
 * Applies a predictor once: evaluates the score at (x, t) and runs the fused update.
 *
 * @example
 * ```ts
 * import { random } from "../gpu/mod.ts";
 * import { eulerMaruyama, predictorUpdate } from "./predictors.ts";
 * import { VPSDE } from "./vp.ts";
 * const sde = new VPSDE({ N: 10 });
 * const x = random.normal(random.key(0), [4, 2]);
 * const y = predictorUpdate(eulerMaruyama(sde), sde, (x) => x, x, 1, { key: random.key(1), step: 0 });
 * console.log(y.shape); // [4, 2]
 * ```
 */
export function predictorUpdate(
  predictor: Predictor,
  sde: Sde,
  score: ScoreFn,
  x: Tensor,
  t: number,
  noise: StepNoise,
): Tensor {
  const c = predictor.coefficients(t);
  const s = score(x, t);
  const args: UpdateArgs = { cx: c.cx, cs: c.cs };
  if (!noise.final && c.cz !== 0) {
    args.cz = c.cz;
    args.noise = { key: noise.key, step: noise.step };
  }
  if (noise.masked) {
    args.noise ??= { key: noise.key, step: noise.step };
    args.masked = {
      ...noise.masked,
      meanCoef: sde.meanCoef(t),
      std: noise.final ? 0 : sde.std(t),
    };
  }
  const out = sdeUpdate(x, s, args);
  s.dispose();
  return out;
}
