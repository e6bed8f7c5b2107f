/**
 * Experiment `bnn-ess`: function-space effective sample size of wide-BNN posterior sampling in
 * the standard vs the repriorised parameterization, across widths (Hron, Novak, Pennington and
 * Sohl-Dickstein 2022, Sec. 5 / Fig. 3; reference implementation google/wide_bnn_sampling).
 *
 * For each architecture (fully connected, residual) and width, the same sampler (the reference's
 * Metropolis-adjusted underdamped Langevin by default: one leapfrog step, momentum refresh 0.01,
 * initial step 0.1) runs the same number of warm-up and sampling steps from the prior in both
 * parameterizations, with the step size of each adapted during warm-up by dual averaging to the
 * same target acceptance. The measure is the bulk-ESS of the network outputs on test inputs
 * (median over outputs), per sampler step; the claim is that the repriorised/standard ratio is
 * above 1 at every width and grows with width (the paper reports up to ~50x).
 *
 * @example
 * ```ts
 * import { bnnEss } from "./bnn_ess.ts";
 * const config = bnnEss.schema.parse({ ...bnnEss.presets.quick });
 * console.log(bnnEss.name, config.widths); // "bnn-ess" [32, 128]
 * ```
 * @module
 */
import * as aq from "arquero";
import { z } from "zod";
import { random } from "../../gpu/mod.ts";
import { dispose } from "../../gpu/tensor.ts";
import type { Experiment, ExperimentResult } from "../../report/experiment.ts";
import { mnistRegression } from "../data.ts";
import { fcNet } from "../models/fc.ts";
import type { BnnModel } from "../models/model.ts";
import { resNet } from "../models/resnet.ts";
import { sampleBnn, type SampleBnnResult } from "../sample_bnn.ts";

// The config schema of `bnn-ess` (every field has a default: the full preset's scale).
const bnnEssSchema = z.strictObject({
  /** Architectures: "fc" (fully connected) and/or "resnet" (residual, branch-scaled). */
  architectures: z.array(z.enum(["fc", "resnet"])).min(1).default(["fc", "resnet"]),
  /** Hidden widths. */
  widths: z.array(z.number().int().positive()).min(1).default([32, 64, 128, 256, 512, 1024]),
  /** Hidden layers of the FC net. */
  depth: z.number().int().positive().default(1),
  /** Residual blocks of the residual net. */
  blocks: z.number().int().positive().default(2),
  /** Training points (MNIST regression). */
  train: z.number().int().positive().default(256),
  /** Test points whose outputs are recorded. */
  test: z.number().int().positive().default(16),
  /** Input average pooling: 1 (28x28), 2 (14x14), 4 (7x7). */
  downsample: z.union([z.literal(1), z.literal(2), z.literal(4)]).default(1),
  /** Likelihood noise standard deviation (reference 0.1). */
  noiseStd: z.number().positive().default(0.1),
  /** Chains per run. */
  chains: z.number().int().positive().default(8),
  /** Warm-up steps (step-size adaptation). */
  warmup: z.number().int().nonnegative().default(500),
  /** Sampling steps. */
  steps: z.number().int().positive().default(3000),
  /** Record every `thin` steps. */
  thin: z.number().int().positive().default(5),
  /** Sampler: "langevin" (reference), "hmc" or "mala". */
  sampler: z.enum(["langevin", "hmc", "mala"]).default("langevin"),
  /** Initial step size (reference 0.1). */
  stepSize: z.number().positive().default(0.1),
  /** Langevin momentum refresh (reference 0.01). */
  refresh: z.number().gt(0).lte(1).default(0.01),
  /** HMC leapfrog steps. */
  leapfrogSteps: z.number().int().positive().default(10),
  /** Adapt step sizes during warm-up (dual averaging). */
  adapt: z.boolean().default(true),
  /** Target acceptance of the adaptation. */
  targetAccept: z.number().gt(0).lt(1).default(0.9),
  /** Weight projections recorded. */
  projections: z.number().int().nonnegative().default(10),
  /** Linear-algebra precision of the repriorisation. */
  precision: z.enum(["df64", "f32"]).default("df64"),
});

/** The config of `bnn-ess` (see the schema's field comments for meanings and defaults). */
export interface BnnEssConfig {
  /** Architectures: "fc" (fully connected) and/or "resnet" (residual, branch-scaled). */
  architectures: ("fc" | "resnet")[];
  /** Hidden widths. */
  widths: number[];
  /** Hidden layers of the FC net. */
  depth: number;
  /** Residual blocks of the residual net. */
  blocks: number;
  /** Training points (MNIST regression). */
  train: number;
  /** Test points whose outputs are recorded. */
  test: number;
  /** Input average pooling: 1 (28x28), 2 (14x14), 4 (7x7). */
  downsample: 1 | 2 | 4;
  /** Likelihood noise standard deviation (reference 0.1). */
  noiseStd: number;
  /** Chains per run. */
  chains: number;
  /** Warm-up steps (step-size adaptation). */
  warmup: number;
  /** Sampling steps. */
  steps: number;
  /** Record every `thin` steps. */
  thin: number;
  /** Sampler: "langevin" (reference), "hmc" or "mala". */
  sampler: "langevin" | "hmc" | "mala";
  /** Initial step size (reference 0.1). */
  stepSize: number;
  /** Langevin momentum refresh (reference 0.01). */
  refresh: number;
  /** HMC leapfrog steps. */
  leapfrogSteps: number;
  /** Adapt step sizes during warm-up (dual averaging). */
  adapt: boolean;
  /** Target acceptance of the adaptation. */
  targetAccept: number;
  /** Weight projections recorded. */
  projections: number;
  /** Linear-algebra precision of the repriorisation. */
  precision: "df64" | "f32";
}

interface Row {
  architecture: string;
  width: number;
  parameterization: string;
  ess_f_median: number;
  ess_f_min: number;
  ess_proj_median: number;
  ess_per_step: number;
  ess_per_second: number;
  ess_per_gradient: number;
  rhat_max: number;
  accept_prob: number;
  step_size: number;
  sampling_seconds: number;
}

function buildModel(arch: "fc" | "resnet", inputDim: number, width: number, c: BnnEssConfig) {
  return arch === "fc"
    ? fcNet({ inputDim, width, depth: c.depth, outputDim: 10 })
    : resNet({ inputDim, width, blocks: c.blocks, outputDim: 10 });
}

const round = (v: number, d = 4) => Number.isFinite(v) ? Number(v.toPrecision(d)) : v;

/**
 * The `bnn-ess` experiment.
 *
 * @example
 * ```ts
 * import { bnnEss } from "./bnn_ess.ts";
 * console.log(bnnEss.keyMetric, Object.keys(bnnEss.presets)); // "ess_ratio_max" ["quick", "full"]
 * ```
 */
export const bnnEss: Experiment<BnnEssConfig> = {
  name: "bnn-ess",
  module: "bnn",
  description:
    "Wide-BNN posterior sampling on MNIST regression: function-space ESS of standard vs " +
    "repriorised parameterization across widths (Hron et al. 2022)",
  claim: "With the same sampler and budget, repriorisation raises the function-space ESS per " +
    "step at every width, and the gain grows with width (up to ~50x in the paper).",
  schema: bnnEssSchema,
  presets: {
    quick: {
      architectures: ["fc"],
      widths: [32, 128],
      train: 64,
      test: 8,
      downsample: 4,
      chains: 2,
      warmup: 100,
      steps: 640,
      thin: 4,
      projections: 4,
    },
    full: {},
  },
  keyMetric: "ess_ratio_max",
  async run(c: BnnEssConfig, ctx): Promise<ExperimentResult> {
    const data = mnistRegression({
      train: c.train,
      test: c.test,
      downsample: c.downsample,
      seed: ctx.seed,
    });
    const rows: Row[] = [];
    const total = c.architectures.length * c.widths.length * 2 * (c.warmup + c.steps);
    const prog = ctx.progress("sampling", total);
    let done = 0;
    try {
      for (const arch of c.architectures) {
        for (const width of c.widths) {
          const model: BnnModel = buildModel(arch, data.inputDim, width, c);
          for (const parameterization of ["standard", "reprior"] as const) {
            if (ctx.signal.aborted) break;
            const before = done;
            // Same key for both parameterizations: same prior draw of the initial weights.
            const r: SampleBnnResult = await sampleBnn({
              model,
              data: data.train,
              xTest: data.test.x,
              parameterization,
              noiseStd: c.noiseStd,
              chains: c.chains,
              warmup: c.warmup,
              steps: c.steps,
              thin: c.thin,
              sampler: {
                kind: c.sampler,
                stepSize: c.stepSize,
                refresh: c.refresh,
                leapfrogSteps: c.leapfrogSteps,
                adapt: c.adapt,
                targetAccept: c.targetAccept,
              },
              projections: c.projections,
              precision: c.precision,
              key: random.foldIn(random.key(ctx.seed), width),
              onProgress: (k) => {
                const now = before + k;
                prog.tick(now - done);
                done = now;
              },
              signal: ctx.signal,
            });
            ctx.log(
              `${arch} width ${width} ${parameterization}: ESS_f ${
                r.essFunctionMedian.toFixed(1)
              }` +
                ` (accept ${r.acceptProb.toFixed(2)}, step ${r.stepSize.toExponential(2)}, ` +
                `${r.samplingSeconds.toFixed(1)} s)`,
            );
            rows.push({
              architecture: arch,
              width,
              parameterization,
              ess_f_median: round(r.essFunctionMedian),
              ess_f_min: round(r.essFunctionMin),
              ess_proj_median: round(r.essProjectionMedian),
              ess_per_step: round(r.essPerStep),
              ess_per_second: round(r.essPerSecond),
              ess_per_gradient: round(r.essPerGradient),
              rhat_max: round(r.rhatMax),
              accept_prob: round(r.acceptProb),
              step_size: round(r.stepSize),
              sampling_seconds: round(r.samplingSeconds),
            });
          }
        }
      }
    } finally {
      prog.done();
      dispose(data);
    }
    return summarize(rows, c);
  },
};

function summarize(rows: Row[], c: BnnEssConfig): ExperimentResult {
  const find = (a: string, w: number, p: string) =>
    rows.find((r) => r.architecture === a && r.width === w && r.parameterization === p);
  const ratios: Record<string, Record<string, number>> = {};
  for (const a of c.architectures) {
    ratios[a] = {};
    for (const w of c.widths) {
      const s = find(a, w, "standard"), r = find(a, w, "reprior");
      if (s && r) ratios[a][String(w)] = round(r.ess_per_step / s.ess_per_step);
    }
  }
  const primary = c.architectures[0];
  const all = Object.values(ratios).flatMap((m) => Object.values(m));
  const mean = (xs: number[]) => xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
  const of = (p: string, k: keyof Row) =>
    rows.filter((r) => r.parameterization === p).map((r) => r[k] as number);
  const widest = Math.max(...c.widths);
  const wid = (p: string) => rows.filter((r) => r.width === widest && r.parameterization === p);
  // log-log slope of the ratio against width (primary architecture)
  const pts = Object.entries(ratios[primary]).map(([w, v]) => [Math.log(Number(w)), Math.log(v)]);
  const mx = mean(pts.map((p) => p[0])), my = mean(pts.map((p) => p[1]));
  const slope = pts.length > 1
    ? pts.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0) /
      pts.reduce((s, p) => s + (p[0] - mx) ** 2, 0)
    : NaN;
  const metrics: ExperimentResult["metrics"] = {
    ess_ratio_by_width: ratios[primary],
    ess_ratio_max: round(Math.max(...all)),
    ess_ratio_min: round(Math.min(...all)),
    ess_ratio_loglog_slope: round(slope),
    ess_ratio_above_one_everywhere: all.every((v) => v > 1) ? 1 : 0,
    accept_rate_reprior: round(mean(of("reprior", "accept_prob"))),
    accept_rate_standard: round(mean(of("standard", "accept_prob"))),
    ess_per_second_reprior_widest: round(mean(wid("reprior").map((r) => r.ess_per_second))),
    ess_per_second_standard_widest: round(mean(wid("standard").map((r) => r.ess_per_second))),
    ess_per_gradient_reprior_widest: round(mean(wid("reprior").map((r) => r.ess_per_gradient))),
    ess_per_gradient_standard_widest: round(mean(wid("standard").map((r) => r.ess_per_gradient))),
    rhat_max_reprior: round(Math.max(...of("reprior", "rhat_max"))),
    rhat_max_standard: round(Math.max(...of("standard", "rhat_max"))),
  };
  for (const a of c.architectures.slice(1)) metrics[`ess_ratio_by_width_${a}`] = ratios[a];
  const table = aq.from(rows);
  const ratioRows = Object.entries(ratios).flatMap(([a, m]) =>
    Object.entries(m).map(([w, v]) => ({ architecture: a, width: Number(w), ess_ratio: v }))
  );
  return {
    metrics,
    tables: [
      { name: "runs", title: "Sampling runs: ESS, acceptance, step size, time", table },
      {
        name: "ess-ratio",
        title: "Function-space ESS per step, repriorised / standard",
        table: aq.from(ratioRows),
      },
    ],
    charts: [{
      name: "ess-vs-width",
      title: "Function-space ESS per step vs width",
      spec: {
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
        data: { values: rows },
        mark: { type: "line", point: true },
        encoding: {
          x: {
            field: "width",
            type: "quantitative",
            scale: { type: "log", base: 2 },
            // ticks at the widths that ran (a log scale's own ticks skip 32 and 128)
            axis: { values: [...new Set(rows.map((r) => r.width))] },
            title: "Width",
          },
          y: {
            field: "ess_per_step",
            type: "quantitative",
            scale: { type: "log" },
            title: "Function-space ESS per step (median)",
          },
          color: { field: "parameterization", type: "nominal", title: "Parameterization" },
          strokeDash: { field: "architecture", type: "nominal", title: "Architecture" },
        },
        width: 420,
        height: 280,
      },
    }],
    notes: [
      `Sampler: ${c.sampler} (refresh ${c.refresh}, initial step ${c.stepSize}), step sizes adapted ` +
      `by dual averaging to acceptance ${c.targetAccept} during ${c.warmup} warm-up steps; ` +
      `${c.steps} sampling steps, ${c.chains} chains, thinning ${c.thin}.`,
      `Data: ${c.train} MNIST training points (downsample ${c.downsample}), targets one-hot - 0.1, ` +
      `noise std ${c.noiseStd}; outputs recorded on ${c.test} test inputs.`,
      `Repriorisation linear algebra in ${c.precision} on the GPU (Cholesky, log-determinant, ` +
      "solves); Gram matrices and gradients in f32.",
      "ESS: multi-chain bulk-ESS (rank-normalized split chains, Geyer's initial monotone " +
      "sequence), median over test outputs; ESS per step = ESS / sampling steps.",
      "Chains shorter than the standard parameterization's autocorrelation time (R-hat well " +
      "above 1) leave its ESS near the number of chains whatever their length, so its ESS per " +
      "step falls as chains grow and the ratio is an underestimate that rises with the budget " +
      "(quick preset, fc widths 32/128, seed 0: 3.7/5.3 at 320 steps, 7.3/10.9 at 640, " +
      "11.4/17.5 at 1,280).",
    ],
  };
}
