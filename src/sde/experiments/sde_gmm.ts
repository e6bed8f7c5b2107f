/**
 * Experiment `sde-gmm`: score-based sampling and likelihoods on a 2-D Gaussian mixture, where the
 * perturbed marginals, and therefore the score, are known in closed form (Song et al. 2021).
 *
 * With the exact score, every sampler (Euler-Maruyama, predictor-corrector = reverse diffusion +
 * Langevin, the probability-flow ODE with adaptive RK45) draws samples under VP and VE SDEs; they
 * are compared with fresh data by the sliced Wasserstein-2 distance (SW), next to the SW between
 * two fresh data sets of the same size (the finite-sample floor). The probability-flow ODE's
 * log-likelihood is compared with the exact mixture log-density (mean absolute error; analytic
 * divergence and Hutchinson). Then an MLP score model is trained by denoising score matching
 * (VP) and the same metrics are reported for it, sampling and evaluating likelihoods with the
 * exponential moving average of its weights (`emaRate`, default 0.999 as score_sde, with
 * score_sde_pytorch's warm-up; `sw_trained_em_no_ema` shows the last iterate for comparison).
 * For a VP SDE score_sde samples with Euler-Maruyama and no corrector; the `pc` row keeps
 * reverse diffusion + Langevin (snr 0.16, score_sde's VE setting) for a like-for-like table.
 *
 * @example
 * ```ts
 * import { sdeGmm } from "./sde_gmm.ts";
 * const config = sdeGmm.schema.parse({ ...sdeGmm.presets.quick });
 * console.log(sdeGmm.name, config.steps); // "sde-gmm" 200
 * ```
 * @module
 */
import * as aq from "arquero";
import { z } from "zod";
import { random, type Tensor } from "../../gpu/mod.ts";
import type {
  Experiment,
  ExperimentContext,
  ExperimentResult,
  MetricValue,
} from "../../report/experiment.ts";
import { GaussianMixture } from "../gmm.ts";
import { gmmScore } from "../gmm_score.ts";
import { logLikelihood } from "../likelihood.ts";
import { slicedWasserstein } from "../metrics.ts";
import { odeSample } from "../ode_sampler.ts";
import { pcSample } from "../pc_sampler.ts";
import { scoreMlp } from "../score_mlp.ts";
import type { ScoreFn, Sde } from "../sde.ts";
import { trainScore } from "../train_score.ts";
import { VESDE } from "../ve.ts";
import { VPSDE } from "../vp.ts";

const schema = z.strictObject({
  /** Samples per sampler run (and fresh data points compared against). */
  samples: z.number().int().positive().default(8192),
  /** Samples per run with the trained score (0: same as `samples`). */
  trainedSamples: z.number().int().nonnegative().default(0),
  /** Discretization steps N of the SDE samplers. */
  steps: z.number().int().positive().default(1000),
  /** sigma_max of the VE SDE (about the data's largest pairwise distance or more). */
  sigmaMax: z.number().positive().default(50),
  /** Langevin corrector signal-to-noise ratio. */
  snr: z.number().positive().default(0.16),
  /** Data points whose ODE log-likelihood is compared with the exact one. */
  likelihoodPoints: z.number().int().positive().default(1024),
  /** RK45 tolerance (rtol = atol) of the ODE sampler and likelihood. */
  tol: z.number().positive().default(1e-5),
  /** Training set size for the MLP score model. */
  trainSize: z.number().int().positive().default(20000),
  /** Training steps. */
  trainSteps: z.number().int().positive().default(8000),
  /** Batch size. */
  batchSize: z.number().int().positive().default(512),
  /** Adam learning rate. */
  lr: z.number().positive().default(1e-3),
  /** Hidden widths of the MLP. */
  hidden: z.array(z.number().int().positive()).min(1).default([256, 256, 256]),
  /** Fourier features of t. */
  embedDim: z.number().int().positive().default(32),
  /** Std of the Fourier frequencies. */
  fourierScale: z.number().positive().default(4),
  /** Points drawn in the samples chart. */
  chartPoints: z.number().int().positive().default(1500),
  /**
   * EMA decay of the trained parameters, used for sampling and likelihoods (score_sde's
   * `ema_rate` 0.999, with score_sde_pytorch's warm-up min(rate, (1 + n) / (10 + n)); 0: the raw
   * parameters).
   */
  emaRate: z.number().min(0).lt(1).default(0.999),
});

/** The config of `sde-gmm` (defaults are the full preset). */
export interface SdeGmmConfig {
  /** Samples per sampler run (and fresh data points compared against). */
  samples: number;
  /** Samples per run with the trained score (0: same as `samples`). */
  trainedSamples: number;
  /** Discretization steps N of the SDE samplers. */
  steps: number;
  /** sigma_max of the VE SDE. */
  sigmaMax: number;
  /** Langevin corrector signal-to-noise ratio. */
  snr: number;
  /** Data points whose ODE log-likelihood is compared with the exact one. */
  likelihoodPoints: number;
  /** RK45 tolerance (rtol = atol). */
  tol: number;
  /** Training set size. */
  trainSize: number;
  /** Training steps. */
  trainSteps: number;
  /** Batch size. */
  batchSize: number;
  /** Adam learning rate. */
  lr: number;
  /** Hidden widths of the MLP. */
  hidden: number[];
  /** Fourier features of t. */
  embedDim: number;
  /** Std of the Fourier frequencies. */
  fourierScale: number;
  /** Points drawn in the samples chart. */
  chartPoints: number;
  /** EMA decay of the trained parameters (0: sample with the raw parameters). */
  emaRate: number;
}

/**
 * The experiment's mixture: three anisotropic components with unequal weights.
 *
 * @example
 * ```ts
 * import { gmmExperimentMixture } from "./sde_gmm.ts";
 * console.log(gmmExperimentMixture().K); // 3
 * ```
 */
export function gmmExperimentMixture(): GaussianMixture {
  return new GaussianMixture({
    weights: [0.2, 0.3, 0.5],
    means: [[-2, 1], [2, 0], [0, -2]],
    covs: [[[0.3, 0.1], [0.1, 0.2]], [[0.5, -0.2], [-0.2, 0.4]], [[0.1, 0], [0, 0.6]]],
  });
}

interface Row {
  score: string;
  sde: string;
  sampler: string;
  sw: number;
  nfe: number;
  seconds: number;
}

async function runSamplers(
  label: string,
  sdes: Record<string, Sde>,
  scoreOf: (sde: Sde) => ScoreFn,
  c: SdeGmmConfig,
  key: random.Key,
  fresh: Float32Array,
  rows: Row[],
  ctx: ExperimentContext,
  keepSamples: Map<string, Float32Array>,
  n: number,
): Promise<void> {
  const bar = ctx.progress(`${label} samplers`, 3 * Object.keys(sdes).length);
  for (const [name, sde] of Object.entries(sdes)) {
    const score = scoreOf(sde);
    for (const sampler of ["em", "pc", "ode"] as const) {
      if (ctx.signal.aborted) throw new Error("aborted");
      const t0 = performance.now();
      const k = random.foldIn(key, sampler.length * 31 + name.length);
      let x: Tensor, nfe: number;
      if (sampler === "ode") {
        const r = await odeSample(sde, score, k, {
          shape: [n, 2],
          rtol: c.tol,
          atol: c.tol,
        });
        x = r.samples;
        nfe = r.nfe;
        r.latent.dispose();
      } else {
        const r = pcSample(sde, score, k, {
          shape: [n, 2],
          predictor: sampler === "em" ? "euler-maruyama" : "reverse-diffusion",
          corrector: sampler === "em" ? "none" : "langevin",
          snr: c.snr,
        });
        x = r.samples;
        nfe = r.nfe;
      }
      const xs = (await x.read()) as Float32Array;
      x.dispose();
      const seconds = (performance.now() - t0) / 1000;
      const sw = slicedWasserstein(xs, fresh, 2);
      rows.push({ score: label, sde: name, sampler, sw, nfe, seconds });
      keepSamples.set(`${label} ${name} ${sampler}`, xs);
      ctx.log(
        `${label} ${name} ${sampler}: SW ${sw.toFixed(4)}, NFE ${nfe}, ${seconds.toFixed(1)} s`,
      );
      bar.tick();
    }
  }
  bar.done();
}

async function likelihoodError(
  sde: Sde,
  score: ScoreFn,
  gmm: GaussianMixture,
  x: Tensor,
  xs: Float32Array,
  divergence: "exact" | "hutchinson-rademacher",
  tol: number,
  key: random.Key,
): Promise<{ mae: number; nfe: number }> {
  const eps = 1e-5;
  const exact = gmm.perturbed(sde.meanCoef(eps), sde.std(eps)).logDensityHost(xs);
  const r = await logLikelihood(sde, score, x, key, { divergence, rtol: tol, atol: tol, eps });
  const lp = await r.logp.read();
  for (const t of [r.logp, r.z, r.priorLogp, r.deltaLogp]) t.dispose();
  let mae = 0;
  for (let i = 0; i < lp.length; i++) mae += Math.abs(lp[i] - exact[i]) / lp.length;
  return { mae, nfe: r.nfe };
}

/**
 * The `sde-gmm` experiment.
 *
 * @example
 * ```ts
 * import { sdeGmm } from "./sde_gmm.ts";
 * console.log(sdeGmm.keyMetric); // "sw_trained_pc"
 * ```
 */
export const sdeGmm: Experiment<SdeGmmConfig> = {
  name: "sde-gmm",
  module: "sde",
  description:
    "Score-based SDE sampling and likelihood on a 2-D Gaussian mixture (Song et al. 2021)",
  claim:
    "With the exact score, reverse-SDE, predictor-corrector and probability-flow ODE samplers " +
    "reproduce the data distribution and the ODE gives exact log-likelihoods; a score network " +
    "trained by denoising score matching approaches the same quality.",
  schema,
  presets: {
    quick: {
      samples: 2048,
      trainedSamples: 512,
      steps: 200,
      likelihoodPoints: 128,
      tol: 1e-4,
      trainSize: 4096,
      trainSteps: 800,
      batchSize: 128,
      lr: 3e-3,
      hidden: [48, 48, 48],
      embedDim: 16,
      chartPoints: 600,
    },
    full: {},
  },
  keyMetric: "sw_trained_pc",
  async run(c, ctx): Promise<ExperimentResult> {
    const gmm = gmmExperimentMixture();
    const root = random.key(ctx.seed);
    const [kFresh, kFloor, kExact, kLik, kTrain, kTrained, kData] = random.split(root, 7);
    const freshT = gmm.sample(kFresh, c.samples);
    const fresh = (await freshT.read()) as Float32Array;
    freshT.dispose();
    const floorT = gmm.sample(kFloor, c.samples);
    const swFloor = slicedWasserstein((await floorT.read()) as Float32Array, fresh, 2);
    floorT.dispose();
    const sdes: Record<string, Sde> = {
      vp: new VPSDE({ N: c.steps }),
      ve: new VESDE({ sigmaMax: c.sigmaMax, N: c.steps }),
    };
    const rows: Row[] = [];
    const samples = new Map<string, Float32Array>();
    const exactScores = new Map<Sde, ReturnType<typeof gmmScore>>();
    const exactOf = (sde: Sde) => {
      if (!exactScores.has(sde)) exactScores.set(sde, gmmScore(gmm, sde));
      return exactScores.get(sde)!;
    };
    await runSamplers("exact", sdes, exactOf, c, kExact, fresh, rows, ctx, samples, c.samples);

    // ODE log-likelihood with the exact score vs the exact log-density.
    const xl = gmm.sample(kLik, c.likelihoodPoints);
    const xls = (await xl.read()) as Float32Array;
    const nll: Record<string, number> = {}, nllH: Record<string, number> = {};
    const nfeLik: Record<string, number> = {};
    for (const [name, sde] of Object.entries(sdes)) {
      const a = await likelihoodError(sde, exactOf(sde), gmm, xl, xls, "exact", c.tol, kLik);
      const h = await likelihoodError(
        sde,
        exactOf(sde),
        gmm,
        xl,
        xls,
        "hutchinson-rademacher",
        c.tol,
        random.foldIn(kLik, 1),
      );
      nll[name] = a.mae;
      nllH[name] = h.mae;
      nfeLik[name] = a.nfe;
      ctx.log(
        `exact ${name} ODE likelihood: |error| ${a.mae.toFixed(4)} (Hutchinson ${
          h.mae.toFixed(3)
        })`,
      );
    }
    for (const s of exactScores.values()) s.dispose();

    // Train an MLP score model on VP by denoising score matching.
    const vp = sdes.vp;
    const data = gmm.sample(kData, c.trainSize);
    const net = scoreMlp({ hidden: c.hidden, embedDim: c.embedDim, fourierScale: c.fourierScale });
    const bar = ctx.progress("train score MLP (DSM)", c.trainSteps);
    const t0 = performance.now();
    const trained = await trainScore(vp, net, net.init(kTrain, 2), data, random.foldIn(kTrain, 1), {
      steps: c.trainSteps,
      batchSize: c.batchSize,
      lr: c.lr,
      readEvery: Math.max(1, Math.floor(c.trainSteps / 20)),
      emaRate: c.emaRate,
    }, { progress: bar });
    const trainSeconds = (performance.now() - t0) / 1000;
    data.dispose();
    // Sample and evaluate likelihoods with the EMA weights (as score_sde).
    const mlpScore = net.score(vp, trained.ema ?? trained.params);
    const nTrained = c.trainedSamples || c.samples;
    await runSamplers(
      "trained",
      { vp },
      () => mlpScore,
      c,
      kTrained,
      fresh,
      rows,
      ctx,
      samples,
      nTrained,
    );
    let swFloorTrained = swFloor;
    if (nTrained !== c.samples) {
      const ft = gmm.sample(random.foldIn(kFloor, 1), nTrained);
      swFloorTrained = slicedWasserstein((await ft.read()) as Float32Array, fresh, 2);
      ft.dispose();
    }
    const tl = await likelihoodError(vp, mlpScore, gmm, xl, xls, "exact", c.tol, kLik);
    xl.dispose();
    // The raw (last-iterate) parameters with Euler-Maruyama, to show what the EMA buys.
    let swRawEm = NaN;
    if (trained.ema) {
      const r = pcSample(vp, net.score(vp, trained.params), random.foldIn(kTrained, 99), {
        shape: [nTrained, 2],
        predictor: "euler-maruyama",
        corrector: "none",
      });
      swRawEm = slicedWasserstein((await r.samples.read()) as Float32Array, fresh, 2);
      r.samples.dispose();
      ctx.log(`trained (raw parameters, no EMA) vp em: SW ${swRawEm.toFixed(4)}`);
    }

    const get = (score: string, sde: string, sampler: string) =>
      rows.find((r) => r.score === score && r.sde === sde && r.sampler === sampler)!;
    const pair = (sampler: string, f: (r: Row) => number): Record<string, number> => ({
      vp: f(get("exact", "vp", sampler)),
      ve: f(get("exact", "ve", sampler)),
    });
    const metrics: Record<string, MetricValue> = {
      sw_em: pair("em", (r) => r.sw),
      sw_pc: pair("pc", (r) => r.sw),
      sw_ode: pair("ode", (r) => r.sw),
      sw_data_floor: swFloor,
      nfe_em: pair("em", (r) => r.nfe),
      nfe_pc: pair("pc", (r) => r.nfe),
      nfe_ode: pair("ode", (r) => r.nfe),
      nll_abs_err_ode: nll,
      nll_abs_err_ode_hutchinson: nllH,
      nfe_likelihood: nfeLik,
      sw_trained_floor: swFloorTrained,
      sw_trained_em: get("trained", "vp", "em").sw,
      sw_trained_pc: get("trained", "vp", "pc").sw,
      sw_trained_ode: get("trained", "vp", "ode").sw,
      sw_trained_em_no_ema: swRawEm,
      nfe_trained_em: get("trained", "vp", "em").nfe,
      nfe_trained_pc: get("trained", "vp", "pc").nfe,
      nfe_trained_ode: get("trained", "vp", "ode").nfe,
      nll_abs_err_trained_ode: tl.mae,
      train_loss_final: trained.history.loss.at(-1) ?? NaN,
      train_seconds: trainSeconds,
    };
    const points: Record<string, unknown>[] = [];
    const addPoints = (label: string, xs: Float32Array) => {
      for (let i = 0; i < Math.min(c.chartPoints, xs.length / 2); i++) {
        points.push({ source: label, x: xs[2 * i], y: xs[2 * i + 1] });
      }
    };
    addPoints("data", fresh);
    addPoints("exact score, VP, PC", samples.get("exact vp pc")!);
    addPoints("exact score, VE, ODE", samples.get("exact ve ode")!);
    addPoints("trained MLP, VP, PC", samples.get("trained vp pc")!);
    return {
      metrics,
      tables: [{
        name: "samplers",
        title: "Sliced Wasserstein-2 distance to fresh data, NFE and wall time per sampler",
        table: aq.from(rows.map((r) => ({
          ...r,
          sw: +r.sw.toFixed(4),
          seconds: +r.seconds.toFixed(2),
        }))),
      }],
      charts: [{
        name: "samples",
        title: "Samples: data vs exact-score and trained-score samplers",
        spec: {
          data: { values: points },
          facet: { field: "source", type: "nominal", columns: 2, title: null },
          spec: {
            width: 220,
            height: 220,
            mark: { type: "circle", size: 6, opacity: 0.5 },
            encoding: {
              x: { field: "x", type: "quantitative", scale: { domain: [-4.5, 4.5] } },
              y: { field: "y", type: "quantitative", scale: { domain: [-4.5, 3.5] } },
              color: { field: "source", type: "nominal", legend: null },
            },
          },
        },
      }],
      notes: [
        `SW between two fresh data sets of ${c.samples} points (the finite-sample floor): ` +
        `${swFloor.toFixed(4)}.`,
        "The adaptive RK45 solver controls its step on the GPU and reads its 40-byte state once " +
        "per chunk of attempts; the SDE samplers read nothing back until the end.",
        `The MLP (${c.hidden.join("-")}) trained for ${c.trainSteps} steps in ` +
        `${trainSeconds.toFixed(1)} s (adapter: ${ctx.adapter}); samplers and the likelihood ` +
        (trained.ema
          ? `use the EMA of its weights (rate ${c.emaRate}, warm-up min(rate, (1 + n) / (10 + n))); ` +
            `the last iterate gives SW ${swRawEm.toFixed(4)} with Euler-Maruyama.`
          : "use its last iterate (emaRate 0)."),
        `With the trained VP score, Euler-Maruyama (score_sde's VP sampler, no corrector) gives ` +
        `SW ${get("trained", "vp", "em").sw.toFixed(4)} and reverse diffusion + Langevin ` +
        `(snr ${c.snr}) ${get("trained", "vp", "pc").sw.toFixed(4)}, against a floor of ` +
        `${swFloorTrained.toFixed(4)} for ${nTrained} points; the Langevin corrector only helps ` +
        "when the score is accurate (it does with the exact score), so with a small trained " +
        "model PC need not beat EM, and differences of a few 0.01 are within the SW noise.",
      ],
    };
  },
};
