/**
 * `lopt-train`: meta-train the per-parameter MLP learned optimizer (Metz et al. 2019/2020,
 * learned_optimization's `MLPLOpt`) on a task family, compare it on held-out problems with
 * hand-designed optimizers whose learning rates were tuned on the same family, then reverse
 * engineer what it learned (Maheswaranathan et al. 2021): its momentum kernel, its update as a
 * function of the gradient (clipping) and its learning-rate schedule.
 *
 * Protocol: the task family is noisy linear regression with badly scaled features
 * (`linearRegressionFamily`); an episode is `horizon` inner steps and the meta-objective is the
 * mean log training loss over an episode. The optimizer is meta-trained with TBPTT (default;
 * truncations of `truncation` steps, particles staggered over the episode) or PES. Adam and
 * SGD with momentum get their learning rate from a grid, chosen on `tuneTasks` problems drawn
 * with a different key than the `testTasks` held-out problems every optimizer is scored on.
 * `stepMult` defaults to 0.01 instead of learned_optimization's 0.001 because these inner runs
 * are 50-100 steps long, not thousands.
 *
 * @example
 * ```ts
 * import { loptTrain } from "./lopt_train.ts";
 * console.log(loptTrain.name, loptTrain.keyMetric); // "lopt-train" "lopt_minus_adam"
 * ```
 * @module
 */
import * as aq from "arquero";
import { z } from "zod";
import { InvalidArgumentError } from "../../errors.ts";
import { dispose, tensor } from "../../gpu/mod.ts";
import { foldIn, key as makeKey } from "../../gpu/random.ts";
import { adam } from "../../nn/optimizers.ts";
import type {
  Experiment,
  ExperimentContext,
  ExperimentResult,
  MetricValue,
} from "../../report/experiment.ts";
import { pes } from "../estimators/pes.ts";
import { tbptt } from "../estimators/tbptt.ts";
import { learnedSchedule, momentumKernel, updateResponse } from "../lopt/analysis.ts";
import { type EvaluateResult, evaluateRule } from "../lopt/evaluate.ts";
import { learnedOptimizerSystem } from "../lopt/lopt_system.ts";
import { mlpLopt } from "../lopt/mlp_lopt.ts";
import { adamRule, loptRule, sgdMomentumRule } from "../lopt/update_rules.ts";
import { metaTrain } from "../outer_loop.ts";
import { linearRegressionFamily } from "../tasks/linear_regression_family.ts";

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
  /** Hidden width of the optimizer's MLP. */
  hidden: z.number().int().min(1).max(256).default(32),
  /** Hidden layers of the optimizer's MLP. */
  layers: z.number().int().min(1).max(4).default(2),
  /** Step multiplier of the optimizer (see the module doc). */
  stepMult: z.number().positive().default(0.01),
  /** Meta-gradient estimator. */
  estimator: z.enum(["tbptt", "pes"]).default("tbptt"),
  /** Unrolls per truncation (PES: antithetic copies included). */
  particles: z.number().int().min(2).max(4096).default(64),
  /** Inner steps per truncation. */
  truncation: z.number().int().min(1).max(10_000).default(10),
  /** PES perturbation standard deviation. */
  sigma: z.number().positive().default(0.01),
  /** Outer iterations (one truncation each). */
  iterations: z.number().int().min(1).max(1_000_000).default(1000),
  /** Outer Adam learning rate. */
  metaLr: z.number().positive().default(3e-3),
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
}).refine((c) => c.estimator !== "pes" || c.particles % 2 === 0, {
  message: "PES needs an even number of particles (antithetic pairs)",
  path: ["particles"],
});

/** Config of `lopt-train` (every field has a default: the full preset). */
export type LoptTrainConfig = z.infer<typeof schema>;

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const fmt = (x: number, digits = 3) => (Number.isFinite(x) ? x.toFixed(digits) : String(x));

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
  description: "Meta-train a per-parameter MLP learned optimizer on a task family, compare it " +
    "with tuned Adam/SGD on held-out tasks, and reverse engineer its momentum, clipping and " +
    "schedule (Metz et al. 2020; Maheswaranathan et al. 2021).",
  claim: "A learned optimizer meta-trained on a task family outperforms hand-designed " +
    "optimizers with tuned learning rates on new tasks from that family, and what it learned " +
    "can be read off as known mechanisms: momentum, gradient clipping, a schedule.",
  schema,
  presets: {
    quick: {
      dim: 8,
      horizon: 50,
      particles: 16,
      iterations: 80,
      readEvery: 10,
      tuneTasks: 64,
      testTasks: 256,
      adamLrs: [0.03, 0.1, 0.3, 1],
      sgdLrs: [0.003, 0.01, 0.03, 0.1],
    },
    full: {},
  },
  keyMetric: "lopt_minus_adam",
  async run(config: LoptTrainConfig, ctx: ExperimentContext): Promise<ExperimentResult> {
    const c = parseLoptTrainConfig(config);
    const t0 = performance.now();
    const root = makeKey(ctx.seed);
    const family = linearRegressionFamily({
      dim: c.dim,
      batch: c.batch,
      logScaleRange: c.logScaleRange,
      noise: c.noise,
    });
    const lopt = mlpLopt({ hidden: c.hidden, layers: c.layers, stepMult: c.stepMult });
    const theta0 = lopt.initThetaHost(foldIn(root, 0));
    const sys = learnedOptimizerSystem(family, lopt, { horizon: c.horizon });
    const truncation = { particles: c.particles, truncationLength: c.truncation };
    const estimator = c.estimator === "pes"
      ? pes(sys, { ...truncation, sigma: c.sigma, maxInitialOffset: c.horizon - 1 })
      : tbptt(sys, { ...truncation, maxInitialOffset: c.horizon - 1 });

    // 1. Meta-training.
    const p = ctx.progress("meta-training", c.iterations);
    let done = 0;
    const ta = performance.now();
    const meta = await metaTrain({
      estimator,
      theta0: tensor(theta0),
      optimizer: adam({ lr: c.metaLr }),
      iterations: c.iterations,
      key: foldIn(root, 1),
      readEvery: c.readEvery,
      onNonFinite: "skip",
      signal: ctx.signal,
      onProgress: (r) => {
        p.tick(r.iteration - done);
        done = r.iteration;
      },
    });
    p.done();
    estimator.dispose();
    const metaSeconds = (performance.now() - ta) / 1000;
    const thetaHost = meta.history.at(-1)?.theta ?? Array.from(theta0);

    // 2. Baselines tuned on separate problems, then everyone on the same held-out problems.
    const tuneKey = foldIn(root, 2), testKey = foldIn(root, 3);
    const evalOpts = (tasks: number, key: typeof root) => ({ tasks, steps: c.horizon, key });
    const tune = async (
      make: (lr: number) => Parameters<typeof evaluateRule>[1],
      lrs: number[],
    ) => {
      let best = { lr: lrs[0], score: Infinity };
      const sweep: { lr: number; score: number }[] = [];
      for (const lr of lrs) {
        const r = await evaluateRule(family, make(lr), evalOpts(c.tuneTasks, tuneKey));
        const score = mean(r.meanLogLoss);
        sweep.push({ lr, score });
        if (score < best.score) best = { lr, score };
      }
      return { ...best, sweep };
    };
    const adamTuned = await tune((lr) => adamRule({ lr }), c.adamLrs);
    const sgdTuned = await tune((lr) => sgdMomentumRule({ lr, momentum: 0.9 }), c.sgdLrs);
    const thetaT = tensor(Float32Array.from(thetaHost));
    const theta0T = tensor(theta0);
    const test: Record<string, EvaluateResult> = {
      lopt: await evaluateRule(family, loptRule(lopt, thetaT), evalOpts(c.testTasks, testKey)),
      lopt_init: await evaluateRule(
        family,
        loptRule(lopt, theta0T),
        evalOpts(c.testTasks, testKey),
      ),
      adam: await evaluateRule(
        family,
        adamRule({ lr: adamTuned.lr }),
        evalOpts(c.testTasks, testKey),
      ),
      sgdm: await evaluateRule(
        family,
        sgdMomentumRule({ lr: sgdTuned.lr, momentum: 0.9 }),
        evalOpts(c.testTasks, testKey),
      ),
    };

    // 3. Reverse engineering.
    const midT = Math.floor(c.horizon / 2);
    const kernel = await momentumKernel(lopt, thetaT, { iteration: midT });
    const kernel0 = await momentumKernel(lopt, theta0T, { iteration: midT });
    const response = await updateResponse(lopt, thetaT, { range: 5, points: 41 });
    const schedT = Array.from({ length: 11 }, (_, i) => Math.round((i * (c.horizon - 1)) / 10));
    const schedule = await learnedSchedule(lopt, thetaT, { iterations: schedT });
    dispose([thetaT, theta0T]);

    const score = (r: EvaluateResult) => mean(r.meanLogLoss);
    const final = (r: EvaluateResult) => r.meanLogLoss.at(-1)!;
    const noiseFloor = Math.log(0.5 * c.noise * c.noise);
    const early = mean(schedule.slice(0, 2)), late = mean(schedule.slice(-2));
    const metrics: Record<string, MetricValue> = {
      estimator: c.estimator,
      meta_iterations: meta.history.at(-1)?.iteration ?? 0,
      meta_skipped: meta.skipped,
      meta_loss_first: meta.history[0]?.loss ?? NaN,
      meta_loss_last: meta.history.at(-1)?.loss ?? NaN,
      lopt_test_mean_log_loss: score(test.lopt),
      lopt_init_test_mean_log_loss: score(test.lopt_init),
      adam_test_mean_log_loss: score(test.adam),
      sgdm_test_mean_log_loss: score(test.sgdm),
      lopt_minus_adam: score(test.lopt) - score(test.adam),
      lopt_minus_sgdm: score(test.lopt) - score(test.sgdm),
      lopt_final_log_loss: final(test.lopt),
      adam_final_log_loss: final(test.adam),
      sgdm_final_log_loss: final(test.sgdm),
      noise_floor_log_loss: noiseFloor,
      adam_best_lr: adamTuned.lr,
      sgdm_best_lr: sgdTuned.lr,
      momentum_effective_beta: kernel.effectiveBeta,
      momentum_mean_lag: kernel.meanLag,
      current_gradient_share: kernel.currentGradientShare,
      update_saturation: response.saturation,
      schedule_late_over_early: late / early,
      meta_train_seconds: metaSeconds,
      seconds: (performance.now() - t0) / 1000,
    };

    const rows = [
      ["lopt", "learned (meta-trained)", "-"],
      ["lopt_init", "learned (initial weights)", "-"],
      ["adam", "Adam", String(adamTuned.lr)],
      ["sgdm", "SGD + momentum 0.9", String(sgdTuned.lr)],
    ].map(([k, label, lr]) => ({
      optimizer: label,
      lr,
      mean_log_loss: fmt(score(test[k])),
      final_log_loss: fmt(final(test[k])),
      final_loss: fmt(test[k].meanLoss.at(-1)!, 5),
    }));
    const curves = Object.entries(test).flatMap(([k, r]) =>
      r.meanLogLoss.map((v, step) => ({ optimizer: k, step, log_loss: v }))
    );
    const kernelRows = kernel.h.map((h, tau) => ({
      lag: tau,
      trained: h,
      initial: kernel0.h[tau],
    }));
    const better = metrics.lopt_minus_adam as number < 0 && metrics.lopt_minus_sgdm as number < 0;
    const notes = [
      `Task family: ${c.dim}-d noisy linear regression, feature scales exp(U(-${c.logScaleRange}, ` +
      `${c.logScaleRange})), batch ${c.batch}, ${c.horizon}-step episodes; meta-objective: mean ` +
      `log training loss per episode (noise floor log(noise^2/2) = ${fmt(noiseFloor)}).`,
      `Meta-training: ${c.estimator.toUpperCase()}, ${c.particles} particles x ${c.truncation}-step ` +
      `truncations, ${meta.history.at(-1)?.iteration ?? 0} outer Adam steps (lr ${c.metaLr}) in ` +
      `${fmt(metaSeconds, 1)} s; ${meta.skipped} non-finite estimates skipped.`,
      `Held-out test (${c.testTasks} problems): mean log loss learned ${
        fmt(score(test.lopt))
      }, Adam (tuned lr ${adamTuned.lr}) ${
        fmt(score(test.adam))
      }, SGD+momentum (tuned lr ${sgdTuned.lr}) ${
        fmt(score(test.sgdm))
      }, learned at its initial weights ${fmt(score(test.lopt_init))}. ` +
      (better
        ? "The claim holds here: the learned optimizer beats both tuned baselines."
        : "The claim does NOT hold at this budget: a tuned baseline is ahead."),
      `Reverse engineering: the momentum kernel (response of the step to the gradient tau steps ago, ` +
      `white-noise gradients) has mean lag ${
        fmt(kernel.meanLag, 2)
      }, like heavy-ball momentum with ` +
      `beta ${fmt(kernel.effectiveBeta)}; ${
        fmt(100 * kernel.currentGradientShare, 1)
      }% of it is the current gradient. ` +
      `The first update's slope in the outer quarter of the gradient range is ${
        fmt(response.saturation)
      } x its slope at 0 (1: linear; < 1: clipping-like saturation). ` +
      `The mean step on fixed features goes from ${fmt(early, 4)} (start) to ${
        fmt(late, 4)
      } (end of the episode): a learned schedule of ratio ${fmt(late / early)}.`,
      "Baselines are tuned on different problems than the test problems; all optimizers see the " +
      "same test problems and minibatches.",
    ];
    for (
      const [name, t, lrs] of [["Adam", adamTuned, c.adamLrs], ["SGD", sgdTuned, c.sgdLrs]] as const
    ) {
      if (t.lr === Math.min(...lrs) || t.lr === Math.max(...lrs)) {
        notes.push(
          `Warning: ${name}'s best learning rate ${t.lr} is at the edge of its grid; ` +
            "widen the grid to be sure the baseline is tuned.",
        );
      }
    }
    return {
      metrics,
      tables: [
        {
          name: "test",
          title: "Held-out problems: mean and final log training loss",
          table: aq.from(rows),
        },
        {
          name: "lr-sweeps",
          title: "Baseline learning-rate sweeps (tuning problems, mean log loss)",
          table: aq.from([
            ...adamTuned.sweep.map((s) => ({ optimizer: "adam", lr: s.lr, score: fmt(s.score) })),
            ...sgdTuned.sweep.map((s) => ({ optimizer: "sgdm", lr: s.lr, score: fmt(s.score) })),
          ]),
        },
        { name: "momentum-kernel", title: "Momentum kernel h[tau]", table: aq.from(kernelRows) },
      ],
      charts: [
        {
          name: "test-curves",
          title: "Held-out training curves (mean log loss over problems)",
          spec: {
            data: { values: curves },
            mark: "line",
            encoding: {
              x: { field: "step", type: "quantitative", title: "Inner step" },
              y: { field: "log_loss", type: "quantitative", title: "Mean log training loss" },
              color: { field: "optimizer", type: "nominal" },
            },
          },
        },
        {
          name: "meta-training",
          title: "Meta-training: mean truncation meta-loss",
          spec: {
            data: {
              values: meta.history.map((r) => ({ iteration: r.iteration, meta_loss: r.loss })),
            },
            mark: { type: "line", point: true },
            encoding: {
              x: { field: "iteration", type: "quantitative", title: "Outer iteration" },
              y: { field: "meta_loss", type: "quantitative", title: "Mean log loss (truncation)" },
            },
          },
        },
        {
          name: "momentum-kernel",
          title: "Momentum kernel: step response to the gradient tau steps ago",
          spec: {
            data: {
              values: kernelRows.flatMap((r) => [
                { lag: r.lag, h: r.trained, weights: "trained" },
                { lag: r.lag, h: r.initial, weights: "initial" },
              ]),
            },
            mark: { type: "line", point: true },
            encoding: {
              x: { field: "lag", type: "quantitative", title: "Lag tau (steps)" },
              y: { field: "h", type: "quantitative", title: "h[tau]" },
              color: { field: "weights", type: "nominal" },
            },
          },
        },
        {
          name: "update-response",
          title: "First update vs normalized gradient (saturation = clipping)",
          spec: {
            data: {
              values: response.gradient.map((g, i) => ({ gradient: g, step: response.step[i] })),
            },
            mark: "line",
            encoding: {
              x: { field: "gradient", type: "quantitative", title: "Normalized gradient" },
              y: { field: "step", type: "quantitative", title: "Step (subtracted)" },
            },
          },
        },
        {
          name: "schedule",
          title: "Learned schedule: mean |step| on fixed features vs training step",
          spec: {
            data: { values: schedT.map((t, i) => ({ step: t, size: schedule[i] })) },
            mark: { type: "line", point: true },
            encoding: {
              x: { field: "step", type: "quantitative", title: "Training step" },
              y: { field: "size", type: "quantitative", title: "Mean |step|" },
            },
          },
        },
      ],
      notes,
    };
  },
};

/**
 * Checks a config against the schema and throws {@link InvalidArgumentError} listing the issues.
 *
 * @example
 * ```ts
 * import { parseLoptTrainConfig } from "./lopt_train.ts";
 * console.log(parseLoptTrainConfig({ horizon: 20 }).horizon); // 20
 * ```
 */
export function parseLoptTrainConfig(config: unknown): LoptTrainConfig {
  const r = schema.safeParse(config);
  if (!r.success) {
    throw new InvalidArgumentError(
      `lopt-train: invalid config: ${
        r.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")
      }`,
    );
  }
  return r.data;
}
