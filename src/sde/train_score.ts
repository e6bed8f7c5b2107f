/**
 * Trains a {@link ScoreMlp} by denoising score matching with Adam (`src/nn`'s GPU-resident
 * training loop: the loss is accumulated on the GPU and read back every `readEvery` steps). The
 * Fourier frequencies stay fixed; every other parameter is trained. Each step draws its batch, its
 * times and its noise from keys derived from `key`, so a run is reproducible. An exponential
 * moving average of the parameters ({@link withEma}: `emaRate` 0.999 by default, score_sde's
 * `ema_rate`, with score_sde_pytorch's warm-up min(rate, (1 + n) / (10 + n)) unless
 * `emaWarmup: false`) is updated on the GPU after every step and returned as `ema`; score_sde
 * samples and computes likelihoods with it.
 *
 * @example
 * ```ts
 * import { random } from "../gpu/mod.ts";
 * import { scoreMlp } from "./score_mlp.ts";
 * import { trainScore } from "./train_score.ts";
 * import { VPSDE } from "./vp.ts";
 * const net = scoreMlp({ hidden: [16] });
 * const data = random.normal(random.key(0), [64, 2]);
 * const r = await trainScore(new VPSDE(), net, net.init(random.key(1), 2), data, random.key(2), {
 *   steps: 5, batchSize: 32,
 * });
 * console.log(r.history.loss.length > 0); // true
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError } from "../errors.ts";
import { dispose, random, type Tensor } from "../gpu/mod.ts";
import { batches } from "../nn/datasets/batches.ts";
import { adam } from "../nn/optimizers/adam.ts";
import type { Optimizer } from "../nn/optimizers/optimizer.ts";
import { type ProgressLike, train, type TrainHistory } from "../nn/train.ts";
import { dsmLoss } from "./dsm_loss.ts";
import { withEma } from "../nn/optimizers/ema.ts";
import { parseOptions } from "../options.ts";
import type { ScoreMlp, ScoreMlpParams } from "./score_mlp.ts";
import type { Sde } from "./sde.ts";

/** Options of {@link trainScore}. */
export interface TrainScoreOptions {
  /** Optimizer steps (default 1000). */
  steps?: number;
  /** Batch size (default 128). */
  batchSize?: number;
  /** Adam learning rate (default 2e-4, score_sde's). */
  lr?: number;
  /** Linear learning-rate warm-up steps (default 0; score_sde uses 5000). */
  warmup?: number;
  /** Likelihood weighting of the DSM loss (default false). */
  likelihoodWeighting?: boolean;
  /** Importance-sample t for the likelihood weighting (default false; see `dsmLoss`). */
  importanceSampling?: boolean;
  /** Per-sample reduction of the loss (default "mean"). */
  reduce?: "mean" | "sum";
  /** Smallest training time (default 1e-5). */
  eps?: number;
  /** Read the loss back every this many steps (default 100). */
  readEvery?: number;
  /**
   * EMA decay rate of the parameters in [0, 1) (default 0.999, score_sde's `ema_rate`; 0 turns
   * the EMA off and `ema` is absent from the result).
   */
  emaRate?: number;
  /** Warm the EMA up with min(emaRate, (1 + n) / (10 + n)) at step n (default true). */
  emaWarmup?: boolean;
}

const schema = z.strictObject({
  steps: z.number().int().min(1).default(1000),
  batchSize: z.number().int().min(1).default(128),
  lr: z.number().positive().default(2e-4),
  warmup: z.number().int().min(0).default(0),
  likelihoodWeighting: z.boolean().default(false),
  importanceSampling: z.boolean().default(false),
  reduce: z.enum(["mean", "sum"]).default("mean"),
  eps: z.number().positive().max(1).default(1e-5),
  readEvery: z.number().int().min(1).default(100),
  emaRate: z.number().min(0).lt(1).default(0.999),
  emaWarmup: z.boolean().default(true),
});

/** Callbacks of {@link trainScore}. */
export interface TrainScoreHooks {
  /** A progress bar ticked once per step. */
  progress?: ProgressLike;
  /** Called with the mean loss of each read window. */
  onLoss?: (step: number, loss: number) => void;
  /**
   * Maps each training batch before it is perturbed, with a key of its own (e.g. score_sde's
   * `data.uniform_dequantization`: fresh dequantization noise every step).
   */
  transform?: (x: Tensor, key: random.Key) => Tensor;
}

/** What {@link trainScore} returns. */
export interface TrainScoreResult {
  /** The trained parameters (the initial ones are left intact). */
  params: ScoreMlpParams;
  /**
   * The exponential moving average of the parameters (sharing `fourier` with `params`); absent
   * when `emaRate` is 0.
   */
  ema?: ScoreMlpParams;
  /** Loss history (mean over each read window). */
  history: TrainHistory;
}

/**
 * DSM training of `net` on `data` [n, dim] (see the module doc).
 *
 * @example
 * ```ts
 * import { random } from "../gpu/mod.ts";
 * import { scoreMlp } from "./score_mlp.ts";
 * import { trainScore } from "./train_score.ts";
 * import { VESDE } from "./ve.ts";
 * const net = scoreMlp({ hidden: [8] });
 * const r = await trainScore(new VESDE({ sigmaMax: 5 }), net, net.init(random.key(0), 2),
 *   random.normal(random.key(1), [32, 2]), random.key(3), { steps: 2, batchSize: 16 });
 * console.log(r.params.layers.length); // 1
 * ```
 */
export async function trainScore(
  sde: Sde,
  net: ScoreMlp,
  params: ScoreMlpParams,
  data: Tensor,
  key: random.Key,
  options: TrainScoreOptions = {},
  hooks: TrainScoreHooks = {},
): Promise<TrainScoreResult> {
  const o = parseOptions(schema, options, "trainScore");
  if (data.rank !== 2) {
    throw new InvalidArgumentError(`trainScore: data must be [n, dim], got [${data.shape}]`);
  }
  const [kb, kl] = random.split(key);
  // fixed (not trained): the Fourier frequencies and the optional Gaussian baseline
  const fixed = params.base
    ? { fourier: params.fourier, base: params.base }
    : { fourier: params.fourier };
  type Trainable = Pick<ScoreMlpParams, "layers" | "out">;
  const source = batches(kb, { x: data }, Math.min(o.batchSize, data.shape[0]));
  let step = 0;
  const withKeys = {
    *[Symbol.iterator]() {
      for (const b of source) yield { x: b.x, key: random.foldIn(kl, step++) };
    },
  };
  const lr = o.warmup > 0 ? (s: number) => o.lr * Math.min(1, (s + 1) / o.warmup) : o.lr;
  const run = <S>(optimizer: Optimizer<S>) =>
    train({
      params: { layers: params.layers, out: params.out } as Trainable,
      loss: (p: Trainable, b: { x: Tensor; key: random.Key }) => {
        let x = b.x, k = b.key;
        if (hooks.transform) {
          const [kx, kd] = random.split(b.key);
          x = hooks.transform(b.x, kx);
          k = kd;
        }
        return dsmLoss(sde, net.score(sde, { ...fixed, ...p }), x, k, {
          likelihoodWeighting: o.likelihoodWeighting,
          importanceSampling: o.importanceSampling,
          reduce: o.reduce,
          eps: o.eps,
        });
      },
      optimizer,
      batches: withKeys,
      steps: o.steps,
      readEvery: Math.min(o.readEvery, o.steps),
      progress: hooks.progress,
      onProgress: hooks.onLoss ? (p) => hooks.onLoss!(p.step, p.loss) : undefined,
    });
  if (o.emaRate === 0) {
    const r = await run(adam({ lr }));
    dispose(r.state);
    return { params: { ...fixed, ...r.params }, history: r.history };
  }
  const r = await run(withEma(adam({ lr }), { rate: o.emaRate, warmup: o.emaWarmup }));
  dispose(r.state.inner);
  const ema = r.state.ema as Trainable;
  return {
    params: { ...fixed, ...r.params },
    ema: { ...fixed, ...ema },
    history: r.history,
  };
}
