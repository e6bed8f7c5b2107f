/**
 * The predictor-corrector sampler (Song et al. 2021, Algorithm 1; score_sde `get_pc_sampler`):
 * start from the prior at t = T and, on the grid t_i = linspace(T, eps, N), run `nSteps`
 * corrector updates then one predictor update per time. The whole trajectory is encoded on the
 * GPU without a single readback (DESIGN.md principle 1): time-grid coefficients are host numbers
 * passed as uniforms, the noise is drawn inside the fused update kernel, and the Langevin step
 * size is computed on the GPU. With `denoise` (default) the last update drops its noise term,
 * returning score_sde's `x_mean`. NFE = N (1 + nCorrectorSteps).
 *
 * @example
 * ```ts
 * import { neg, random } from "../gpu/mod.ts";
 * import { pcSample } from "./pc_sampler.ts";
 * import { VPSDE } from "./vp.ts";
 * const sde = new VPSDE({ N: 25 });
 * // N(0, I) data stays N(0, I) under VP, so the exact score is -x at every t
 * const { samples, nfe } = pcSample(sde, neg, random.key(0), { shape: [16, 2], corrector: "none" });
 * console.log(samples.shape, nfe); // [16, 2] 25
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError, ShapeError } from "../errors.ts";
import { random, scope, type Tensor } from "../gpu/mod.ts";
import { type CorrectorName, CORRECTORS, getCorrector } from "./correctors.ts";
import { parseOptions } from "../options.ts";
import {
  getPredictor,
  type PredictorName,
  PREDICTORS,
  predictorUpdate,
  type StepNoise,
} from "./predictors.ts";
import type { ScoreFn, Sde } from "./sde.ts";

/** Options of {@link pcSample}. */
export interface PcSamplerOptions {
  /** Output shape [B, ...] (required unless `init` is given). */
  shape?: number[];
  /** Predictor (default "reverse-diffusion", score_sde's default). */
  predictor?: PredictorName;
  /** Corrector (default "langevin"). */
  corrector?: CorrectorName;
  /** Corrector signal-to-noise ratio (default 0.16). */
  snr?: number;
  /** Corrector steps per time step (default 1). */
  nCorrectorSteps?: number;
  /** Use the probability-flow ODE in the predictor (default false). */
  probabilityFlow?: boolean;
  /** Drop the noise of the last update (default true). */
  denoise?: boolean;
  /** Last time of the grid (default: the SDE's `samplingEps`). */
  eps?: number;
  /** Start time (default T = 1). */
  tStart?: number;
}

const pcSchema = z.strictObject({
  shape: z.array(z.number().int().positive()).min(1).optional(),
  predictor: z.enum(PREDICTORS as [PredictorName, ...PredictorName[]]).default("reverse-diffusion"),
  corrector: z.enum(CORRECTORS as [CorrectorName, ...CorrectorName[]]).default("langevin"),
  snr: z.number().positive().default(0.16),
  nCorrectorSteps: z.number().int().min(0).default(1),
  probabilityFlow: z.boolean().default(false),
  denoise: z.boolean().default(true),
  eps: z.number().positive().max(1).optional(),
  tStart: z.number().positive().max(1).optional(),
});

/** What a sampler returns. */
export interface SampleResult {
  /** The samples, [B, ...] (still on the GPU). */
  samples: Tensor;
  /** Number of score-function evaluations per sample. */
  nfe: number;
}

/** Extra inputs of the sampling loop (used by `inpaint`). */
export interface PcLoopExtras {
  /** Start from this x at `tStart` instead of a prior sample (not consumed). */
  init?: Tensor;
  /** Inpainting: entries where `mask` is 1 are projected onto the perturbed `known` data. */
  masked?: { mask: Tensor; known: Tensor };
}

/**
 * Samples with a predictor-corrector scheme; see the module doc. Synchronous: it only records
 * GPU work, so read `samples` when you need them.
 *
 * @example
 * ```ts
 * import { random } from "../gpu/mod.ts";
 * import { pcSample } from "./pc_sampler.ts";
 * import { VESDE } from "./ve.ts";
 * const sde = new VESDE({ sigmaMin: 0.01, sigmaMax: 5, N: 10 });
 * const r = pcSample(sde, (x) => x, random.key(1), {
 *   shape: [8, 2], predictor: "euler-maruyama", corrector: "annealed-langevin",
 * });
 * console.log(r.nfe); // 20
 * ```
 */
export function pcSample(
  sde: Sde,
  score: ScoreFn,
  key: random.Key,
  options: PcSamplerOptions = {},
  extras: PcLoopExtras = {},
): SampleResult {
  const o = parseOptions(pcSchema, options, "pcSample");
  const shape = extras.init?.shape ?? o.shape;
  if (!shape) throw new InvalidArgumentError("pcSample: give options.shape ([B, ...])");
  if (extras.masked) {
    for (const [name, t] of Object.entries(extras.masked)) {
      if (t.shape.join() !== shape.join()) {
        throw new ShapeError(
          `pcSample: ${name} [${t.shape}] must have the sample shape [${shape}]`,
        );
      }
    }
  }
  const eps = o.eps ?? sde.samplingEps;
  const t0 = o.tStart ?? sde.T;
  if (eps >= t0) {
    throw new InvalidArgumentError(`pcSample: eps (${eps}) must be below tStart (${t0})`);
  }
  const predictor = getPredictor(o.predictor, sde, { probabilityFlow: o.probabilityFlow });
  const corrector = getCorrector(o.corrector, sde, { snr: o.snr, nSteps: o.nCorrectorSteps });
  if (!predictor && (!corrector || corrector.nSteps === 0)) {
    throw new InvalidArgumentError('pcSample: predictor and corrector cannot both be "none"');
  }
  const [kInit, kSteps] = random.split(key);
  let x = extras.init ?? sde.priorSample(kInit, shape);
  const N = sde.N;
  let counter = 0;
  const nCorr = corrector?.nSteps ?? 0;
  const total = N * ((predictor ? 1 : 0) + nCorr);
  const advance = (f: (noise: StepNoise) => Tensor) => {
    const final = o.denoise && counter === total - 1;
    const noise: StepNoise = { key: kSteps, step: counter++, final, masked: extras.masked };
    const next = scope(() => f(noise));
    if (x !== extras.init) x.dispose();
    x = next;
  };
  for (let i = 0; i < N; i++) {
    const t = N === 1 ? t0 : t0 + (i * (eps - t0)) / (N - 1);
    for (let j = 0; j < nCorr; j++) advance((nz) => corrector!.update(score, x, t, nz));
    if (predictor) advance((nz) => predictorUpdate(predictor, sde, score, x, t, nz));
  }
  return { samples: x, nfe: total };
}
