/**
 * `lopt-train`: meta-train learned optimizers on a task family, compare them on held-out
 * problems with hand-designed optimizers whose learning rates were tuned on the same family,
 * then reverse engineer what they learned (Maheswaranathan et al. 2021). Three optimizers:
 *
 * - `mlp`: the per-parameter MLP of Metz et al. (2019) / learned_optimization's `MLPLOpt`
 *   (momenta at 6 timescales, per-tensor normalization, a step-count embedding), probed as a
 *   black box: momentum kernel, update vs gradient (clipping), learned schedule;
 * - `gru`: a per-parameter GRU with a linear readout, the recurrent optimizer of
 *   Maheswaranathan et al., analysed as a dynamical system: its fixed point at zero gradient,
 *   the linearization's spectral radius and timescale, the linearized momentum kernel (checked
 *   against the black-box kernel at small gradients) and the update function (clipping);
 * - `hier`: the hierarchical optimizer of Metz et al. (2020) / learned_optimization's
 *   `RNNMLPLOpt` in compact form (`hierarchicalLopt`): a per-tensor GRU reads tensor-level
 *   statistics (and the training loss, normalized by its running mean and variance) and gives a
 *   per-parameter MLP like `mlp`'s a context and a per-tensor step scale; probed as a black box
 *   (momentum kernel). The linear-regression problems are one tensor, so
 *   its per-tensor structure is exercised on the two-moons network (4 tensors) of the
 *   out-of-distribution test.
 *
 * Protocol: the task family is noisy linear regression with badly scaled features
 * (`linearRegressionFamily`); an episode is `horizon` inner steps and the meta-objective is the
 * mean log training loss over an episode. Each optimizer is meta-trained with TBPTT (default;
 * truncations of `truncation` steps, particles staggered over the episode) or PES. Adam and
 * SGD with momentum get their learning rate from a grid, chosen on `tuneTasks` problems drawn
 * with a different key than the `testTasks` held-out problems every optimizer is scored on.
 * The MLP's `stepMult` defaults to 0.01 instead of learned_optimization's 0.001 because these
 * inner runs are 50-100 steps long, not thousands.
 *
 * Self-training (`selfTrain`, Metz et al. 2020, "... and using them to train themselves"): the
 * first optimizer is meta-trained once more from the same initial weights, seeds and budget,
 * with the best trained learned optimizer (wrapped by `asOptimizer`) as the outer optimizer
 * instead of Adam, and scored on the same held-out problems.
 *
 * @example
 * ```ts
 * import { loptTrain } from "./lopt_train.ts";
 * console.log(loptTrain.name, loptTrain.keyMetric); // "lopt-train" "best_lopt_minus_adam"
 * ```
 * @module
 */
import * as aq from "arquero";
import { z } from "zod";
import { parseExperimentConfig } from "../../report/config.ts";
import { dispose, type Tensor, tensor } from "../../gpu/mod.ts";
import { foldIn, type Key, key as makeKey } from "../../gpu/random.ts";
import { adam, type Optimizer } from "../../nn/optimizers.ts";
import type {
  Experiment,
  ExperimentContext,
  ExperimentResult,
  MetricValue,
  ResultChart,
} from "../../report/experiment.ts";
import { pes } from "../estimators/pes.ts";
import { tbptt } from "../estimators/tbptt.ts";
import { learnedSchedule, momentumKernel, updateResponse } from "../lopt/analysis.ts";
import { type EvaluateResult, evaluateRule } from "../lopt/evaluate.ts";
import { asOptimizer } from "../lopt/as_optimizer.ts";
import { gruFixedPointAnalysis } from "../lopt/gru_analysis.ts";
import { gruLopt } from "../lopt/gru_lopt.ts";
import { hierarchicalLopt } from "../lopt/hierarchical_lopt.ts";
import type { LearnedOptimizer } from "../lopt/learned_optimizer.ts";
import { learnedOptimizerSystem, mixtureSystem } from "../lopt/lopt_system.ts";
import { mlpLopt } from "../lopt/mlp_lopt.ts";
import { adamRule, loptRule, sgdMomentumRule, type UpdateRule } from "../lopt/update_rules.ts";
import { metaTrain, type MetaTrainRecord, type MetaTrainResult } from "../outer_loop.ts";
import { linearRegressionFamily } from "../tasks/linear_regression_family.ts";
import type { UnrolledSystem } from "../unrolled_system.ts";
import { twoMoonsFamily } from "../tasks/two_moons_family.ts";
import type { TaskFamily } from "../lopt/task_family.ts";

const LOPT_KINDS = ["mlp", "gru", "gru_rms", "gru_mix", "hier"] as const;
type LoptKind = typeof LOPT_KINDS[number];

const schema = z.strictObject({
  /** Features (= parameters) of each regression problem. */
  dim: z.number().int().min(1).max(1024).default(16),
  /** Minibatch size of the inner problems. */
  batch: z.number().int().min(1).max(4096).default(32),
  /** Feature scales exp(U(-r, r)). */
  logScaleRange: z.number().min(0).max(5).default(1),
  /** Label noise standard deviation. */
  noise: z.number().min(0).default(0.1),
  /** Inner steps per episode (training and test). */
  horizon: z.number().int().min(2).max(100_000).default(100),
  /**
   * Learned optimizers trained, in this order: `gru_rms` is the GRU fed the gradient divided by
   * its root mean square over the tensor (scale invariant, like the MLP's features) instead of
   * the raw gradient; `gru_mix` is that GRU meta-trained on linear regression and two-moons
   * problems together (half the particles each); `hier` is the hierarchical optimizer (a
   * per-tensor GRU feeding the per-parameter MLP, which takes `hidden`, `layers`, `stepMult`).
   */
  optimizers: z.array(z.enum(LOPT_KINDS)).min(1).default([
    "mlp",
    "gru",
    "gru_rms",
    "gru_mix",
    "hier",
  ]),
  /** Hidden width of the MLP optimizer. */
  hidden: z.number().int().min(1).max(256).default(32),
  /** Hidden layers of the MLP optimizer. */
  layers: z.number().int().min(1).max(4).default(2),
  /** Step multiplier of the MLP optimizer (see the module doc). */
  stepMult: z.number().positive().default(0.01),
  /** Hidden units of the GRU optimizer. */
  gruHidden: z.number().int().min(1).max(128).default(16),
  /** Readout scale of the GRU optimizer. */
  gruStepMult: z.number().positive().default(0.1),
  /** Hidden units of the hierarchical optimizer's per-tensor GRU. */
  hierRnnHidden: z.number().int().min(1).max(256).default(32),
  /** Context numbers the hierarchical optimizer's GRU passes to each tensor's MLP. */
  hierContext: z.number().int().min(1).max(128).default(16),
  /**
   * Feed the hierarchical optimizer's GRU the normalized training loss (learned_optimization's
   * `train_loss_feat`; `false` for the ablation without it).
   */
  hierLossFeatures: z.boolean().default(true),
  /** Meta-gradient estimator. */
  estimator: z.enum(["tbptt", "pes"]).default("tbptt"),
  /** Unrolls per truncation (PES: antithetic copies included). */
  particles: z.number().int().min(2).max(4096).default(64),
  /** Inner steps per truncation. */
  truncation: z.number().int().min(1).max(10_000).default(10),
  /** PES perturbation standard deviation. */
  sigma: z.number().positive().default(0.01),
  /** Outer iterations (one truncation each) per optimizer. */
  iterations: z.number().int().min(1).max(1_000_000).default(1000),
  /** Outer Adam learning rate. */
  metaLr: z.number().positive().default(3e-3),
  /**
   * Learned optimizers training themselves (Metz et al. 2020): after the main training,
   * meta-train a fresh copy of the first optimizer with the same budget but the best trained
   * learned optimizer (fixed weights) as the outer optimizer instead of Adam.
   */
  selfTrain: z.boolean().default(true),
  /** Outer-loop read-back interval (one meta-loss point each). */
  readEvery: z.number().int().min(1).default(50),
  /** Problems used to pick the baselines' learning rates. */
  tuneTasks: z.number().int().min(1).max(1 << 16).default(256),
  /** Held-out problems every optimizer is scored on. */
  testTasks: z.number().int().min(1).max(1 << 16).default(1024),
  /** Adam learning-rate grid. */
  adamLrs: z.array(z.number().positive()).min(1).default([0.003, 0.01, 0.03, 0.1, 0.3, 1]),
  /** SGD-with-momentum (0.9) learning-rate grid. */
  sgdLrs: z.array(z.number().positive()).min(1).default([0.001, 0.003, 0.01, 0.03, 0.1, 0.3]),
  /**
   * A family the optimizers never saw, to test generalization ("none" skips it): a
   * `2 -> 16 tanh -> 1` MLP on randomly rotated two-moons data (baselines re-tuned on it).
   */
  oodFamily: z.enum(["two-moons", "none"]).default("two-moons"),
  /** Adam learning-rate grid on the out-of-distribution family. */
  oodAdamLrs: z.array(z.number().positive()).min(1).default([0.01, 0.03, 0.1, 0.3, 1, 3]),
  /** SGD-with-momentum learning-rate grid on the out-of-distribution family. */
  oodSgdLrs: z.array(z.number().positive()).min(1).default([0.03, 0.1, 0.3, 1, 3, 10]),
}).refine((c) => c.estimator !== "pes" || c.particles % 2 === 0, {
  message: "PES needs an even number of particles (antithetic pairs)",
  path: ["particles"],
});

/** Config of `lopt-train` (every field has a default: the full preset). */
export type LoptTrainConfig = z.infer<typeof schema>;

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const fmt = (x: number, digits = 3) => (Number.isFinite(x) ? x.toFixed(digits) : String(x));

/** Adds a note when a tuned learning rate sits at the edge of its grid (maybe not tuned). */
function edgeWarning(notes: string[], name: string, lr: number, lrs: number[]): void {
  if (lr === Math.min(...lrs) || lr === Math.max(...lrs)) {
    notes.push(
      `Warning: ${name}'s best learning rate ${lr} is at the edge of its grid; widen the grid ` +
        "to be sure the baseline is tuned.",
    );
  }
}

/** A line chart of `values` (x, y, optional color) for the report. */
function lineChart(
  name: string,
  title: string,
  values: Record<string, number | string>[],
  x: [string, string],
  y: [string, string],
  color?: string,
): ResultChart {
  return {
    name,
    title,
    spec: {
      data: { values },
      mark: { type: "line", point: values.length <= 60 },
      encoding: {
        x: { field: x[0], type: "quantitative", title: x[1] },
        y: { field: y[0], type: "quantitative", title: y[1] },
        ...(color ? { color: { field: color, type: "nominal" } } : {}),
      },
    },
  };
}

/** A fresh (untrained) learned optimizer of the given kind, sized by the config. */
function makeLopt(c: LoptTrainConfig, kind: LoptKind): LearnedOptimizer {
  if (kind === "mlp") return mlpLopt({ hidden: c.hidden, layers: c.layers, stepMult: c.stepMult });
  if (kind === "hier") {
    return hierarchicalLopt({
      hidden: c.hidden,
      layers: c.layers,
      stepMult: c.stepMult,
      rnnHidden: c.hierRnnHidden,
      context: c.hierContext,
      lossFeatures: c.hierLossFeatures,
    });
  }
  return gruLopt({
    hidden: c.gruHidden,
    stepMult: c.gruStepMult,
    inputNorm: kind === "gru_rms" || kind === "gru_mix" ? "rms" : "none",
  });
}

/** What {@link metaTrainLopt} trains and with what. */
interface MetaTrainJob {
  c: LoptTrainConfig;
  family: TaskFamily;
  root: Key;
  ctx: ExperimentContext;
  kind: LoptKind;
  /** Position of the optimizer in `c.optimizers`: picks its initial weights and outer key. */
  index: number;
  lopt: LearnedOptimizer;
  /** The outer optimizer over theta (Adam, or a learned optimizer when self-training). */
  outer: Optimizer;
  /** Reports `n` more outer iterations done. */
  tick: (n: number) => void;
}

/** Meta-trains `job.lopt` from its seeded initial weights with `job.outer`. */
async function metaTrainLopt(
  { c, family, root, ctx, kind, index, lopt, outer, tick }: MetaTrainJob,
): Promise<{ meta: MetaTrainResult; theta0: Float32Array; seconds: number; done: number }> {
  const theta0 = lopt.initThetaHost(foldIn(root, 10 + index));
  const sys: UnrolledSystem<unknown> = kind === "gru_mix"
    ? mixtureSystem([family, twoMoonsFamily()], lopt, { horizon: c.horizon })
    : learnedOptimizerSystem(family, lopt, { horizon: c.horizon });
  const truncation = {
    particles: c.particles,
    truncationLength: c.truncation,
    maxInitialOffset: c.horizon - 1,
  };
  const estimator = c.estimator === "pes"
    ? pes(sys, { ...truncation, sigma: c.sigma })
    : tbptt(sys, truncation);
  let done = 0;
  const ta = performance.now();
  try {
    const meta = await metaTrain({
      estimator,
      theta0: tensor(theta0),
      optimizer: outer,
      iterations: c.iterations,
      key: foldIn(root, 20 + index),
      readEvery: c.readEvery,
      onNonFinite: "skip",
      signal: ctx.signal,
      onProgress: (r: MetaTrainRecord) => {
        tick(r.iteration - done);
        done = r.iteration;
      },
    });
    return { meta, theta0, seconds: (performance.now() - ta) / 1000, done };
  } finally {
    estimator.dispose();
  }
}

/**
 * The `lopt-train` experiment (see the module doc).
 *
 * @example
 * ```ts
 * import { loptTrain } from "./lopt_train.ts";
 * console.log(loptTrain.schema.safeParse({ estimator: "pes", particles: 3 }).success); // false
 * ```
 */
export const loptTrain: Experiment<LoptTrainConfig> = {
  name: "lopt-train",
  module: "optim",
  description: "Meta-train per-parameter MLP and GRU learned optimizers and a hierarchical one " +
    "(per-tensor GRU + per-parameter MLP) on a task family, " +
    "compare them with tuned Adam/SGD on held-out tasks, reverse engineer their momentum, " +
    "clipping and schedule, and let the best one meta-train another in place of Adam " +
    "(Metz et al. 2020; Maheswaranathan et al. 2021).",
  claim: "Learned optimizers meta-trained on a task family outperform hand-designed " +
    "optimizers with tuned learning rates on new tasks from that family, and what they learned " +
    "can be read off as known mechanisms: momentum (a slow mode of the optimizer's dynamics), " +
    "gradient clipping (a saturating update function), a schedule.",
  schema,
  presets: {
    quick: {
      dim: 8,
      horizon: 50,
      particles: 16,
      // no `hier`: its meta-training alone takes ~45 s here on 2 CPU cores (the whole quick run
      // ~100 s without it, ~160 s with it)
      optimizers: ["mlp", "gru", "gru_rms"],
      // self-training adds one more meta-training run (`--set selfTrain=true` to see it)
      selfTrain: false,
      iterations: 50,
      readEvery: 10,
      tuneTasks: 32,
      testTasks: 128,
      adamLrs: [0.1, 0.3, 1],
      sgdLrs: [0.01, 0.03, 0.1],
      oodAdamLrs: [0.3, 1, 3],
      oodSgdLrs: [1, 3, 10],
    },
    full: {},
  },
  keyMetric: "best_lopt_minus_adam",
  async run(config: LoptTrainConfig, ctx: ExperimentContext): Promise<ExperimentResult> {
    const c = parseLoptTrainConfig(config);
    const root = makeKey(ctx.seed);
    const family = linearRegressionFamily({
      dim: c.dim,
      batch: c.batch,
      logScaleRange: c.logScaleRange,
      noise: c.noise,
    });
    const tuneKey = foldIn(root, 2), testKey = foldIn(root, 3);
    const evalOn = (rule: UpdateRule, tasks: number, key: Key, on: TaskFamily = family) =>
      evaluateRule(on, rule, { tasks, steps: c.horizon, key });
    const trained: { kind: LoptKind; lopt: LearnedOptimizer; theta: Tensor }[] = [];
    const metrics: Record<string, MetricValue> = { estimator: c.estimator };
    const test: Record<string, EvaluateResult> = {};
    const notes: string[] = [
      `Task family: ${c.dim}-d noisy linear regression, feature scales exp(U(-${c.logScaleRange}, ` +
      `${c.logScaleRange})), batch ${c.batch}, ${c.horizon}-step episodes; meta-objective: mean ` +
      `log training loss per episode (noise floor log(noise^2/2) = ${
        fmt(Math.log(0.5 * c.noise * c.noise))
      }).`,
    ];
    const charts: ResultChart[] = [];
    const metaCurves: Record<string, number | string>[] = [];
    const kernelRows: Record<string, number | string>[] = [];
    const responseRows: Record<string, number | string>[] = [];

    // 1. Baselines: learning rates tuned on separate problems.
    const tune = async (
      make: (lr: number) => UpdateRule,
      lrs: number[],
      on: TaskFamily = family,
    ) => {
      let best = { lr: lrs[0], score: Infinity };
      const sweep: { lr: number; score: number }[] = [];
      for (const lr of lrs) {
        const score = mean((await evalOn(make(lr), c.tuneTasks, tuneKey, on)).meanLogLoss);
        sweep.push({ lr, score });
        if (score < best.score) best = { lr, score };
      }
      return { ...best, sweep };
    };
    const adamTuned = await tune((lr) => adamRule({ lr }), c.adamLrs);
    const sgdTuned = await tune((lr) => sgdMomentumRule({ lr, momentum: 0.9 }), c.sgdLrs);
    test.adam = await evalOn(adamRule({ lr: adamTuned.lr }), c.testTasks, testKey);
    test.sgdm = await evalOn(sgdMomentumRule({ lr: sgdTuned.lr }), c.testTasks, testKey);

    // 2. Each learned optimizer: meta-train, test, reverse engineer.
    const job = { c, family, root, ctx };
    const p = ctx.progress("meta-training", c.iterations * c.optimizers.length);
    for (const [oi, kind] of c.optimizers.entries()) {
      if (ctx.signal.aborted) break;
      const normalized = kind === "gru_rms" || kind === "gru_mix";
      const lopt = makeLopt(c, kind);
      const { meta, theta0, seconds, done } = await metaTrainLopt({
        ...job,
        kind,
        index: oi,
        lopt,
        outer: adam({ lr: c.metaLr }),
        tick: (n) => p.tick(n),
      });
      const theta: Tensor = meta.theta;
      const theta0T = tensor(theta0);
      test[kind] = await evalOn(loptRule(lopt, theta), c.testTasks, testKey);
      test[`${kind}_init`] = await evalOn(loptRule(lopt, theta0T), c.testTasks, testKey);
      meta.history.forEach((r) =>
        metaCurves.push({ optimizer: kind, iteration: r.iteration, meta_loss: r.loss })
      );
      metrics[`${kind}_meta_seconds`] = seconds;
      metrics[`${kind}_meta_skipped`] = meta.skipped;
      metrics[`${kind}_meta_loss_first`] = meta.history[0]?.loss ?? NaN;
      metrics[`${kind}_meta_loss_last`] = meta.history.at(-1)?.loss ?? NaN;
      notes.push(
        `${kind.toUpperCase()} optimizer (${lopt.thetaDim} weights): ${c.estimator.toUpperCase()}, ` +
          `${c.particles} particles x ${c.truncation}-step truncations, ${done} outer Adam steps ` +
          `(lr ${c.metaLr}) in ${fmt(seconds, 1)} s; ${meta.skipped} non-finite estimates skipped.`,
      );

      // Black-box momentum kernel (GRU: small gradients, its linear regime).
      const midT = Math.floor(c.horizon / 2);
      const kernel = await momentumKernel(lopt, theta, {
        iteration: midT,
        // a raw-gradient GRU is probed with small gradients (its linear regime); normalized
        // inputs do not see the scale
        gradientScale: kind === "gru" ? 0.01 : 1,
      });
      metrics[`${kind}_momentum_effective_beta`] = kernel.effectiveBeta;
      metrics[`${kind}_momentum_mean_lag`] = kernel.meanLag;
      metrics[`${kind}_current_gradient_share`] = kernel.currentGradientShare;
      kernel.h.forEach((h, lag) =>
        kernelRows.push({ optimizer: kind, method: "black box", lag, h })
      );

      if (kind === "hier") {
        notes.push(
          `HIER reverse engineering (black box): momentum kernel mean lag ${
            fmt(kernel.meanLag, 2)
          } (heavy ball beta ${fmt(kernel.effectiveBeta)}), ${
            fmt(100 * kernel.currentGradientShare, 1)
          }% on the current gradient.`,
        );
      } else if (kind === "mlp" && "outputs" in lopt) {
        const mlp = lopt as ReturnType<typeof mlpLopt>;
        const response = await updateResponse(mlp, theta, { range: 5, points: 41 });
        const schedT = Array.from({ length: 11 }, (_, i) => Math.round((i * (c.horizon - 1)) / 10));
        const schedule = await learnedSchedule(mlp, theta, { iterations: schedT });
        const early = mean(schedule.slice(0, 2)), late = mean(schedule.slice(-2));
        metrics.mlp_update_saturation = response.saturation;
        metrics.mlp_schedule_late_over_early = late / early;
        response.gradient.forEach((g, i) =>
          responseRows.push({ optimizer: "mlp", gradient: g, step: response.step[i] })
        );
        charts.push(lineChart(
          "mlp-schedule",
          "MLP optimizer's learned schedule: mean |step| on fixed features vs training step",
          schedT.map((t, i) => ({ step: t, size: schedule[i] })),
          ["step", "Training step"],
          ["size", "Mean |step|"],
        ));
        notes.push(
          `MLP reverse engineering (black box): momentum kernel mean lag ${
            fmt(kernel.meanLag, 2)
          } ` +
            `(heavy ball beta ${fmt(kernel.effectiveBeta)}), ${
              fmt(100 * kernel.currentGradientShare, 1)
            }% on the current gradient; first-update slope in the outer quarter of the gradient ` +
            `range ${fmt(response.saturation)} x the slope at 0 (1 linear, < 1 clipping-like); ` +
            `mean step from ${fmt(early, 4)} (start) to ${fmt(late, 4)} (end): schedule ratio ${
              fmt(late / early)
            }.`,
        );
      } else {
        const a = gruFixedPointAnalysis(lopt as ReturnType<typeof gruLopt>, await theta.read(), {
          lags: kernel.h.length,
        });
        // Only the raw-gradient GRU can be driven into its linear regime by small gradients;
        // with normalized inputs the black box always sees unit-RMS inputs.
        const relErr = normalized ? NaN : Math.max(
          ...a.impulseResponse.slice(0, 10).map((v, i) => Math.abs(v - kernel.h[i])),
        ) / Math.abs(a.impulseResponse[0]);
        metrics[`${kind}_fixed_point_residual`] = a.residual;
        metrics[`${kind}_spectral_radius`] = a.spectralRadius;
        metrics[`${kind}_timescale`] = a.timescale;
        metrics[`${kind}_linearized_beta`] = a.effectiveBeta;
        if (!normalized) metrics[`${kind}_linearized_vs_blackbox`] = relErr;
        metrics[`${kind}_update_saturation`] = a.saturation;
        metrics[`${kind}_rest_step`] = a.restStep;
        a.impulseResponse.forEach((h, lag) =>
          kernelRows.push({ optimizer: kind, method: "linearized", lag, h })
        );
        a.gradient.forEach((g, i) =>
          responseRows.push({ optimizer: kind, gradient: g, step: a.updateFunction[i] })
        );
        notes.push(
          `${kind.toUpperCase()} reverse engineering (dynamics): fixed point at zero gradient ${
            a.converged ? "found" : "NOT found"
          } (residual ${a.residual.toExponential(1)}); the Jacobian's spectral radius ${
            fmt(a.spectralRadius)
          } gives a slowest timescale of ${fmt(a.timescale, 2)} steps; the linearized momentum ` +
            `kernel (mean lag ${fmt(a.meanLag, 2)}, heavy ball beta ${fmt(a.effectiveBeta)}) ` +
            (normalized
              ? "(its input is the normalized gradient, so the black-box kernel, measured at " +
                "unit-RMS inputs, is not a linear-regime check)"
              : `matches the black-box kernel at small gradients to ${
                fmt(100 * relErr, 1)
              }% of its first value`) +
            `; the update function from rest has an outer slope ${
              fmt(a.saturation)
            } x its slope at 0: ${a.saturation < 0.5 ? "gradient clipping" : "no clear clipping"}.`,
        );
      }
      theta0T.dispose();
      trained.push({ kind, lopt, theta });
    }
    p.done();

    // 3. Scores.
    const score = (r: EvaluateResult) => mean(r.meanLogLoss);
    const final = (r: EvaluateResult) => r.meanLogLoss.at(-1)!;
    for (const [k, r] of Object.entries(test)) {
      metrics[`${k}_test_mean_log_loss`] = score(r);
      metrics[`${k}_final_log_loss`] = final(r);
    }
    const learned = c.optimizers.filter((k) => test[k]);
    const best = learned.reduce((a, k) => (score(test[k]) < score(test[a]) ? k : a), learned[0]);
    metrics.best_lopt = best;
    metrics.best_lopt_minus_adam = best ? score(test[best]) - score(test.adam) : NaN;
    metrics.best_lopt_minus_sgdm = best ? score(test[best]) - score(test.sgdm) : NaN;
    metrics.adam_best_lr = adamTuned.lr;
    metrics.sgdm_best_lr = sgdTuned.lr;
    const beats = (k: string) => score(test[k]) < Math.min(score(test.adam), score(test.sgdm));
    notes.push(
      `Held-out test (${c.testTasks} problems), mean log loss: ${
        [...learned, "adam", "sgdm"].map((k) => `${k} ${fmt(score(test[k]))}`).join(", ")
      } (Adam lr ${adamTuned.lr}, SGD+momentum lr ${sgdTuned.lr}, tuned on other problems). ` +
        learned.map((k) =>
          `${k.toUpperCase()}: ${beats(k) ? "beats" : "does NOT beat"} both tuned baselines`
        ).join("; ") + ".",
    );
    edgeWarning(notes, "Adam", adamTuned.lr, c.adamLrs);
    edgeWarning(notes, "SGD", sgdTuned.lr, c.sgdLrs);

    // 3b. Learned optimizers training themselves (Metz et al. 2020): the first
    // optimizer again, from the same initial weights with the same seeds and budget, with the
    // best trained learned optimizer (fixed weights) as the outer optimizer instead of Adam.
    const first = trained[0];
    if (c.selfTrain && first && best && !ctx.signal.aborted) {
      const teacher = trained.find((t) => t.kind === best)!;
      const ps = ctx.progress("self-training", c.iterations);
      const { meta, seconds, done } = await metaTrainLopt({
        ...job,
        kind: first.kind,
        index: 0, // the first optimizer's initial weights and outer key
        lopt: first.lopt,
        outer: asOptimizer(teacher.lopt, teacher.theta),
        tick: (n) => ps.tick(n),
      });
      ps.done();
      test.self_trained = await evalOn(loptRule(first.lopt, meta.theta), c.testTasks, testKey);
      meta.theta.dispose();
      meta.history.forEach((r) =>
        metaCurves.push({
          optimizer: `${first.kind} (${best} outer)`,
          iteration: r.iteration,
          meta_loss: r.loss,
        })
      );
      const self = score(test.self_trained), adamOuter = score(test[first.kind]);
      const init = score(test[`${first.kind}_init`]);
      metrics.self_trained_outer = best;
      metrics.self_trained_test_mean_log_loss = self;
      metrics.self_trained_final_log_loss = final(test.self_trained);
      metrics.adam_outer_test_mean_log_loss = adamOuter;
      metrics.self_trained_minus_adam_outer = self - adamOuter;
      metrics.self_trained_meta_seconds = seconds;
      metrics.self_trained_meta_skipped = meta.skipped;
      const verdict = self <= adamOuter
        ? "self-training worked at this scale: as good as Adam as the outer optimizer or better"
        : self < init
        ? `self-training worked only partly at this scale: it improved on the initial weights by ${
          fmt(init - self)
        } (Adam as outer optimizer: by ${fmt(init - adamOuter)})`
        : "self-training did NOT work at this scale: no improvement on the initial weights";
      const scaleCaveat = best === "gru"
        ? "; this GRU reads the raw gradient, so unlike the normalized optimizers it is not " +
          "invariant to the meta-gradient's scale"
        : "";
      notes.push(
        `Self-training (Metz et al. 2020): ${first.kind.toUpperCase()} meta-trained again ` +
          `from the same initial weights and seeds for ${done} outer steps with the trained ` +
          `${best.toUpperCase()} optimizer (fixed weights; theta's ${first.lopt.thetaDim} ` +
          `weights as one tensor) as the outer optimizer instead of Adam (lr ${c.metaLr}), in ` +
          `${fmt(seconds, 1)} s: held-out mean log loss ${fmt(self)}, vs ${fmt(adamOuter)} ` +
          `with Adam outside and ${fmt(init)} at the initial weights; ${verdict}. The outer ` +
          `optimizer was meta-trained only on ${c.horizon}-step ${c.dim}-parameter ` +
          `regressions; here it takes ${c.iterations} steps on noisy meta-gradients of ` +
          `${first.lopt.thetaDim} weights (Metz et al. meta-trained on thousands of diverse ` +
          `tasks for this)${scaleCaveat}.`,
      );
    }

    // 4. Generalization to a family never seen in meta-training.
    if (c.oodFamily === "two-moons" && trained.length > 0) {
      const moons = twoMoonsFamily();
      const ood: Record<string, EvaluateResult> = {};
      const oodAdam = await tune((lr) => adamRule({ lr }), c.oodAdamLrs, moons);
      const oodSgd = await tune((lr) => sgdMomentumRule({ lr, momentum: 0.9 }), c.oodSgdLrs, moons);
      ood.adam = await evalOn(adamRule({ lr: oodAdam.lr }), c.testTasks, testKey, moons);
      ood.sgdm = await evalOn(sgdMomentumRule({ lr: oodSgd.lr }), c.testTasks, testKey, moons);
      for (const t of trained) {
        ood[t.kind] = await evalOn(
          loptRule(t.lopt, t.theta, moons.segments),
          c.testTasks,
          testKey,
          moons,
        );
      }
      for (const [k, r] of Object.entries(ood)) metrics[`ood_${k}_test_mean_log_loss`] = score(r);
      // gru_mix saw two-moons problems in meta-training: not out of distribution for it
      const unseen = trained.map((t) => t.kind).filter((k) => k !== "gru_mix");
      if (unseen.length > 0) {
        const oodBest = unseen.reduce((a, k) => (score(ood[k]) < score(ood[a]) ? k : a));
        metrics.ood_best_lopt_minus_adam = score(ood[oodBest]) - score(ood.adam);
      }
      if (ood.gru_mix) metrics.gru_mix_moons_minus_adam = score(ood.gru_mix) - score(ood.adam);
      metrics.ood_adam_best_lr = oodAdam.lr;
      metrics.ood_sgdm_best_lr = oodSgd.lr;
      edgeWarning(notes, "Adam (two-moons)", oodAdam.lr, c.oodAdamLrs);
      edgeWarning(notes, "SGD (two-moons)", oodSgd.lr, c.oodSgdLrs);
      notes.push(
        `Two-moons MLP problems (never seen in meta-training${
          ood.gru_mix ? " except by GRU_MIX" : ""
        }; baselines re-tuned there, Adam lr ${oodAdam.lr}, SGD+momentum lr ${oodSgd.lr}), ` +
          `mean log loss ${
            Object.entries(ood).map(([k, r]) => `${k} ${fmt(score(r))}`).join(", ")
          }: ${
            trained.map((t) =>
              `${t.kind.toUpperCase()} ${
                score(ood[t.kind]) < Math.min(score(ood.adam), score(ood.sgdm))
                  ? "still beats"
                  : "does NOT beat"
              } the re-tuned baselines${t.kind === "gru_mix" ? " (trained on this family)" : ""}`
            ).join("; ")
          }.`,
      );
      charts.push(lineChart(
        "ood-test-curves",
        "Out-of-distribution family (two-moons MLP): mean log loss over problems",
        Object.entries(ood).flatMap(([k, r]) =>
          r.meanLogLoss.map((v, step) => ({ optimizer: k, step, log_loss: v }))
        ),
        ["step", "Inner step"],
        ["log_loss", "Mean log training loss"],
        "optimizer",
      ));
    }
    dispose(trained.map((t) => t.theta));

    const labels: Record<string, string> = {
      mlp: "MLP learned (meta-trained)",
      mlp_init: "MLP learned (initial weights)",
      gru: "GRU learned (meta-trained)",
      gru_init: "GRU learned (initial weights)",
      gru_rms: "GRU with normalized input (meta-trained)",
      gru_rms_init: "GRU with normalized input (initial weights)",
      gru_mix: "GRU, normalized input, learned on linear regression + two moons",
      gru_mix_init: "GRU (mix) initial weights",
      hier: "Hierarchical: per-tensor GRU + per-parameter MLP (meta-trained)",
      hier_init: "Hierarchical (initial weights)",
      self_trained: `${c.optimizers[0]} meta-trained by the best learned optimizer (self-training)`,
      adam: `Adam (lr ${adamTuned.lr})`,
      sgdm: `SGD + momentum 0.9 (lr ${sgdTuned.lr})`,
    };
    const rows = Object.entries(test).map(([k, r]) => ({
      optimizer: labels[k] ?? k,
      mean_log_loss: fmt(score(r)),
      final_log_loss: fmt(final(r)),
      final_loss: fmt(r.meanLoss.at(-1)!, 5),
    }));
    charts.unshift(
      lineChart(
        "test-curves",
        "Held-out training curves (mean log loss over problems)",
        Object.entries(test).flatMap(([k, r]) =>
          r.meanLogLoss.map((v, step) => ({ optimizer: k, step, log_loss: v }))
        ),
        ["step", "Inner step"],
        ["log_loss", "Mean log training loss"],
        "optimizer",
      ),
      lineChart(
        "meta-training",
        "Meta-training: mean truncation meta-loss",
        metaCurves,
        ["iteration", "Outer iteration"],
        ["meta_loss", "Mean log loss (truncation)"],
        "optimizer",
      ),
      lineChart(
        "momentum-kernel",
        "Momentum kernel: step response to the gradient tau steps ago",
        kernelRows.map((r) => ({ ...r, series: `${r.optimizer} (${r.method})` })),
        ["lag", "Lag tau (steps)"],
        ["h", "h[tau]"],
        "series",
      ),
      lineChart(
        "update-function",
        "First update vs gradient (saturation = clipping); MLP: normalized gradient",
        responseRows,
        ["gradient", "Gradient"],
        ["step", "Step (subtracted)"],
        "optimizer",
      ),
    );
    return {
      metrics,
      tables: [
        { name: "test", title: "Held-out problems: log training loss", table: aq.from(rows) },
        {
          name: "lr-sweeps",
          title: "Baseline learning-rate sweeps (tuning problems, mean log loss)",
          table: aq.from([
            ...adamTuned.sweep.map((s) => ({ optimizer: "adam", lr: s.lr, score: fmt(s.score) })),
            ...sgdTuned.sweep.map((s) => ({ optimizer: "sgdm", lr: s.lr, score: fmt(s.score) })),
          ]),
        },
      ],
      charts,
      notes,
    };
  },
};

/**
 * Checks a config against the schema and throws an InvalidArgumentError listing the issues.
 *
 * @example
 * ```ts
 * import { parseLoptTrainConfig } from "./lopt_train.ts";
 * console.log(parseLoptTrainConfig({ horizon: 20 }).horizon); // 20
 * ```
 */
export function parseLoptTrainConfig(config: unknown): LoptTrainConfig {
  return parseExperimentConfig("lopt-train", schema, config);
}
