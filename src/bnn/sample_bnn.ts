/**
 * One BNN posterior sampling run end to end: build the target (standard or repriorised), run C
 * chains with a sampler (warm-up with dual averaging, thinning, block readback), and summarize
 * mixing with the paper's measures: bulk-ESS of the network outputs on test inputs (function
 * space) and of random weight projections, rank-normalized R-hat, acceptance, and ESS per step,
 * per second and per gradient evaluation.
 *
 * @example
 * ```ts
 * import { random, tensor } from "../gpu/mod.ts";
 * import { fcNet } from "./models/fc.ts";
 * import { sampleBnn } from "./sample_bnn.ts";
 * const net = fcNet({ inputDim: 2, width: 8, outputDim: 1 });
 * const data = { x: tensor([[0, 1], [1, 0], [1, 1]]), y: tensor([[0.9], [-0.1], [0.9]]) };
 * const r = await sampleBnn({
 *   model: net, data, xTest: tensor([[0.5, 0.5]]), parameterization: "reprior",
 *   chains: 2, warmup: 10, steps: 20, key: random.key(0),
 * });
 * console.log(r.essFunctionMedian > 0, r.acceptProb > 0); // true true
 * ```
 * @module
 */
import { z } from "zod";
import { random, type Tensor } from "../gpu/mod.ts";
import { dispose } from "../gpu/tensor.ts";
import { componentDraws } from "./diagnostics/chains.ts";
import { ess } from "./diagnostics/ess.ts";
import { rhat } from "./diagnostics/rhat.ts";
import type { Precision } from "./linalg/numeric_wgsl.ts";
import { type RegressionData, standardTarget } from "./log_density.ts";
import type { BnnModel } from "./models/model.ts";
import { bnnRecorder } from "./recorder.ts";
import { repriorTarget } from "./reprior.ts";
import { runChains } from "./run_chains.ts";
import { parseOptions } from "../options.ts";
import { hmc } from "./samplers/hmc.ts";
import { langevin } from "./samplers/langevin.ts";
import { mala } from "./samplers/mala.ts";
import { disposeState, type Sampler } from "./samplers/sampler.ts";

const samplerConfigSchema = z.strictObject({
  kind: z.enum(["langevin", "hmc", "mala"]).default("langevin"),
  stepSize: z.number().positive().default(0.1),
  refresh: z.number().gt(0).lte(1).default(0.01),
  leapfrogSteps: z.number().int().positive().default(10),
  adapt: z.boolean().default(true),
  targetAccept: z.number().gt(0).lt(1).default(0.9),
});

/** Sampler settings of {@link sampleBnn} (defaults: the reference's Langevin sampler). */
export interface SamplerConfig {
  /** "langevin" (reference, default), "hmc" or "mala". */
  kind?: "langevin" | "hmc" | "mala";
  /** Initial step size (reference 0.1). */
  stepSize?: number;
  /** Momentum refresh beta for Langevin (reference 0.01). */
  refresh?: number;
  /** Leapfrog steps per HMC transition (default 10). */
  leapfrogSteps?: number;
  /** Adapt the step size by dual averaging during warm-up (default true). */
  adapt?: boolean;
  /** Target mean acceptance for the adaptation (default 0.9). */
  targetAccept?: number;
}

/**
 * Builds the sampler a config names.
 *
 * @example
 * ```ts
 * import { makeSampler } from "./sample_bnn.ts";
 * console.log(makeSampler({ kind: "hmc", leapfrogSteps: 4 }).gradientsPerStep); // 4
 * ```
 */
export function makeSampler(config: SamplerConfig = {}): Sampler {
  const c = parseOptions(samplerConfigSchema, config, "sampler");
  switch (c.kind) {
    case "langevin":
      return langevin({ refresh: c.refresh });
    case "hmc":
      return hmc({ leapfrogSteps: c.leapfrogSteps });
    case "mala":
      return mala();
  }
}

/** Options of {@link sampleBnn}. */
export interface SampleBnnOptions {
  /** The network. */
  model: BnnModel;
  /** Training data. */
  data: RegressionData;
  /** Test inputs whose outputs are recorded. */
  xTest: Tensor;
  /** "standard" (raw weights) or "reprior" (Hron et al. 2022). */
  parameterization: "standard" | "reprior";
  /** Likelihood noise standard deviation (reference 0.1). */
  noiseStd?: number;
  /** Number of chains. */
  chains: number;
  /** Warm-up steps. */
  warmup: number;
  /** Sampling steps. */
  steps: number;
  /** Thinning. */
  thin?: number;
  /** Sampler settings. */
  sampler?: SamplerConfig;
  /** Weight projections recorded (default 10). */
  projections?: number;
  /** Precision of the repriorisation linear algebra (default df64). */
  precision?: Precision;
  /** Root key (initial weights from the prior, then the chain randomness). */
  key: random.Key;
  /** Progress callback (steps done, total). */
  onProgress?: (done: number, total: number) => void;
  /** Abort signal. */
  signal?: AbortSignal;
}

/** Summary of one run. */
export interface SampleBnnResult {
  /** Median over test outputs of the bulk-ESS (all chains together). */
  essFunctionMedian: number;
  /** Minimum over test outputs of the bulk-ESS. */
  essFunctionMin: number;
  /** Median over weight projections of the bulk-ESS (NaN without projections). */
  essProjectionMedian: number;
  /** Maximum rank-normalized R-hat over test outputs. */
  rhatMax: number;
  /** Mean Metropolis-Hastings acceptance probability over chains and sampling steps. */
  acceptProb: number;
  /** Fraction of accepted proposals. */
  acceptRate: number;
  /** Mean sampling step size over chains. */
  stepSize: number;
  /** Sampling steps run. */
  steps: number;
  /** Recorded draws per chain. */
  draws: number;
  /** Function-space ESS per sampler step (median ESS / steps). */
  essPerStep: number;
  /** Function-space ESS per second of sampling. */
  essPerSecond: number;
  /** Function-space ESS per gradient evaluation (all chains: ESS / (steps * grads * chains)). */
  essPerGradient: number;
  /** Seconds of sampling (warm-up excluded). */
  samplingSeconds: number;
  /** Seconds of warm-up. */
  warmupSeconds: number;
}

/**
 * Runs one parameterization of one network and summarizes mixing.
 *
 * @example
 * ```ts
 * import { random, tensor } from "../gpu/mod.ts";
 * import { fcNet } from "./models/fc.ts";
 * import { sampleBnn } from "./sample_bnn.ts";
 * const net = fcNet({ inputDim: 1, width: 4, outputDim: 1 });
 * const data = { x: tensor([[0], [1]]), y: tensor([[0], [1]]) };
 * const r = await sampleBnn({ model: net, data, xTest: tensor([[0.5]]), parameterization: "standard",
 *   chains: 2, warmup: 5, steps: 10, key: random.key(1), sampler: { kind: "mala" } });
 * console.log(r.steps); // 10
 * ```
 */
export async function sampleBnn(o: SampleBnnOptions): Promise<SampleBnnResult> {
  const noiseStd = o.noiseStd ?? 0.1;
  const sc = parseOptions(samplerConfigSchema, o.sampler ?? {}, "sampleBnn.sampler");
  const sampler = makeSampler(sc);
  const [kInit, kRun] = random.split(o.key);
  const target = o.parameterization === "reprior"
    ? repriorTarget(o.model, o.data, noiseStd, { precision: o.precision })
    : standardTarget(o.model, o.data, noiseStd);
  const recorder = bnnRecorder(o.model, o.xTest, {
    projections: o.projections ?? 10,
    reprior: o.parameterization === "reprior"
      ? { data: o.data, noiseStd, precision: o.precision }
      : undefined,
  });
  const init = o.model.init(kInit, o.chains);
  try {
    const r = await runChains({
      target,
      sampler,
      key: kRun,
      init,
      warmup: o.warmup,
      steps: o.steps,
      thin: o.thin ?? 1,
      stepSize: sc.stepSize,
      adapt: sc.adapt ? { targetAccept: sc.targetAccept } : false,
      record: (q) => recorder.record(q),
      onProgress: o.onProgress,
      signal: o.signal,
    });
    disposeState(r.state);
    const comps = componentDraws(r.draws, r.drawShape);
    const fd = recorder.functionDims;
    const med = (xs: number[]) => {
      const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
      if (s.length === 0) return NaN;
      const m = s.length >> 1;
      return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
    };
    const enough = r.drawShape[1] >= 4;
    const essF = enough ? comps.slice(0, fd).map((c) => ess(c, "bulk")) : [NaN];
    const essP = enough ? comps.slice(fd).map((c) => ess(c, "bulk")) : [];
    const rh = enough && o.chains * 2 >= 2 ? comps.slice(0, fd).map((c) => rhat(c)) : [NaN];
    const mean = (a: Float64Array) => a.reduce((x, y) => x + y, 0) / a.length;
    const essFunctionMedian = med(essF);
    return {
      essFunctionMedian,
      essFunctionMin: Math.min(...essF),
      essProjectionMedian: essP.length ? med(essP) : NaN,
      rhatMax: Math.max(...rh),
      acceptProb: mean(r.acceptProb),
      acceptRate: mean(r.acceptRate),
      stepSize: mean(r.stepSize),
      steps: r.stepsRun,
      draws: r.drawShape[1],
      essPerStep: essFunctionMedian / Math.max(r.stepsRun, 1),
      essPerSecond: essFunctionMedian / r.samplingSeconds,
      essPerGradient: essFunctionMedian /
        Math.max(r.gradientEvaluations * o.chains, 1),
      samplingSeconds: r.samplingSeconds,
      warmupSeconds: r.warmupSeconds,
    };
  } finally {
    dispose(init);
    recorder.dispose();
  }
}
