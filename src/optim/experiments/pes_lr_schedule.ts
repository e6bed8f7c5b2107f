/**
 * `pes-lr-schedule`: meta-learning the two-parameter linear learning-rate schedule of SGD on
 * the 2-D toy regression problem of Vicol et al. (2021), section 5.2 / Figure 4
 * (google-research `persistent_es/toy_regression.py`): T = 100 inner steps, truncations of
 * K = 10, theta = (log initial lr, log final lr) starting at log(0.01), Adam outer optimizer
 * (lr 0.01, b1 0.99), ES/PES with 100 particles and sigma = 1. The meta-loss surface is
 * evaluated on a grid in one GPU dispatch (one particle per grid point) and the estimators'
 * trajectories are drawn on it.
 *
 * @example
 * ```ts
 * import { pesLrSchedule } from "./pes_lr_schedule.ts";
 * console.log(pesLrSchedule.keyMetric); // "meta_loss_final_pes"
 * ```
 * @module
 */
import * as aq from "arquero";
import { z } from "zod";
import { tensor } from "../../gpu/mod.ts";
import { foldIn, key as rootKey } from "../../gpu/random.ts";
import { adam } from "../../nn/optimizers.ts";
import type { Experiment, ExperimentResult } from "../../report/experiment.ts";
import { episodeLoss } from "../episode_loss.ts";
import type { GradientEstimator } from "../estimators/estimator.ts";
import { pes } from "../estimators/pes.ts";
import { tbptt } from "../estimators/tbptt.ts";
import { truncatedEs } from "../estimators/truncated_es.ts";
import { metaTrain } from "../outer_loop.ts";
import { lrScheduleRegression } from "../tasks/lr_schedule_regression.ts";

const schema = z.strictObject({
  /** Outer iterations per method (one truncation of K inner steps each). */
  iterations: z.number().int().min(1).max(1_000_000).default(5000),
  /** Inner steps per episode. */
  horizon: z.number().int().min(2).max(100_000).default(100),
  /** Truncation length K of every estimator. */
  K: z.number().int().min(1).max(100_000).default(10),
  /** ES/PES particles (antithetic pairs = particles / 2). */
  particles: z.number().int().min(2).multipleOf(2).default(100),
  /** ES/PES perturbation standard deviation (in log-learning-rate units). */
  sigma: z.number().positive().default(1),
  /** Adam learning rate of the outer optimizer. */
  outerLr: z.number().positive().default(0.01),
  /** Adam b1 (the reference uses 0.99). */
  outerB1: z.number().min(0).lt(1).default(0.99),
  /** Initial learning rates (both), theta = log of them. */
  initialLr: z.number().positive().default(0.01),
  /** Particles start at random steps of their first episode (0: all in sync, as the reference). */
  maxInitialOffset: z.number().int().min(0).default(0),
  /** Meta-loss surface grid points per axis. */
  gridSize: z.number().int().min(2).max(400).default(60),
  /** Range of both theta axes of the surface. */
  gridRange: z.tuple([z.number(), z.number()]).default([-6, 6]),
  /** Record theta every this many iterations. */
  recordEvery: z.number().int().min(1).default(25),
  /** Read back every this many iterations. */
  readEvery: z.number().int().min(1).default(500),
});

/** Config of the `pes-lr-schedule` experiment (every field has a default). */
export type PesLrScheduleConfig = z.infer<typeof schema>;

/**
 * The `pes-lr-schedule` experiment.
 *
 * @example
 * ```ts
 * import { pesLrSchedule } from "./pes_lr_schedule.ts";
 * console.log(pesLrSchedule.schema.parse({}).K); // 10
 * ```
 */
export const pesLrSchedule: Experiment<PesLrScheduleConfig> = {
  name: "pes-lr-schedule",
  module: "optim",
  description: "Meta-learning a learning-rate schedule with PES (Vicol et al. 2021)",
  claim: "With truncations of K = 10 of a T = 100 step inner problem, truncated ES and TBPTT " +
    "are biased (short-horizon bias) and stall at schedules with a high meta-loss, while PES " +
    "follows the true meta-gradient towards the low-loss region of the surface.",
  schema,
  presets: {
    quick: { iterations: 1000, gridSize: 30, readEvery: 500 },
    full: {},
  },
  keyMetric: "meta_loss_final_pes",
  async run(c, ctx): Promise<ExperimentResult> {
    const task = lrScheduleRegression({ horizon: c.horizon });
    const common = { truncationLength: c.K, maxInitialOffset: c.maxInitialOffset };
    const methods: { id: string; label: string; make: () => GradientEstimator }[] = [
      {
        id: "pes",
        label: "PES",
        make: () => pes(task, { ...common, particles: c.particles, sigma: c.sigma }),
      },
      {
        id: "es",
        label: "Truncated ES",
        make: () => truncatedEs(task, { ...common, particles: c.particles, sigma: c.sigma }),
      },
      { id: "tbptt", label: "TBPTT", make: () => tbptt(task, { ...common, particles: 1 }) },
    ];
    const theta0 = [Math.log(c.initialLr), Math.log(c.initialLr)];
    const progress = ctx.progress("outer iterations", methods.length * c.iterations);
    const metrics: Record<string, number> = {};
    const paths: { method: string; iteration: number; theta0: number; theta1: number }[] = [];
    const rows: Record<string, unknown>[] = [];
    for (const [mi, m] of methods.entries()) {
      if (ctx.signal.aborted) break;
      const t0 = performance.now();
      const est = m.make();
      try {
        let last = 0;
        const r = await metaTrain({
          estimator: est,
          theta0,
          optimizer: adam({ lr: c.outerLr, b1: c.outerB1, b2: 0.999 }),
          iterations: c.iterations,
          key: foldIn(rootKey(ctx.seed), mi),
          readEvery: c.readEvery,
          recordEvery: c.recordEvery,
          signal: ctx.signal,
          onProgress: (rec) => {
            progress.tick(rec.iteration - last);
            last = rec.iteration;
          },
        });
        r.theta.dispose();
        paths.push({ method: m.label, iteration: 0, theta0: theta0[0], theta1: theta0[1] });
        for (const h of r.history) {
          paths.push({
            method: m.label,
            iteration: h.iteration,
            theta0: h.theta[0],
            theta1: h.theta[1],
          });
        }
        const secs = (performance.now() - t0) / 1000;
        rows.push({ method: m.label, seconds: Number(secs.toFixed(2)) });
        ctx.log(`${m.label}: ${c.iterations} outer iterations in ${secs.toFixed(1)} s`);
      } finally {
        est.dispose();
      }
    }
    progress.done();

    // Every recorded theta and the whole grid: one batch of full episodes each.
    const pathLoss = await episodeLoss(
      task,
      tensor(paths.flatMap((p) => [p.theta0, p.theta1]), { shape: [paths.length, 2] }),
      rootKey(0),
    ).read();
    const G = c.gridSize, [lo, hi] = c.gridRange;
    const axis = Array.from({ length: G }, (_, i) => lo + ((hi - lo) * i) / (G - 1));
    const grid = axis.flatMap((a) => axis.flatMap((b) => [a, b]));
    const gridLoss = await episodeLoss(task, tensor(grid, { shape: [G * G, 2] }), rootKey(0))
      .read();
    let best = 0;
    for (let i = 1; i < gridLoss.length; i++) if (gridLoss[i] < gridLoss[best]) best = i;
    metrics.meta_loss_initial = pathLoss[0];
    metrics.meta_loss_grid_min = gridLoss[best];
    metrics.grid_min_theta0 = grid[2 * best];
    metrics.grid_min_theta1 = grid[2 * best + 1];
    const points = paths.map((p, i) => ({ ...p, meta_loss: pathLoss[i] }));
    for (const m of methods) {
      const mine = points.filter((p) => p.method === m.label);
      const fin = mine[mine.length - 1];
      if (!fin) continue;
      metrics[`meta_loss_final_${m.id}`] = fin.meta_loss;
      metrics[`theta0_final_${m.id}`] = fin.theta0;
      metrics[`theta1_final_${m.id}`] = fin.theta1;
      const row = rows.find((r) => r.method === m.label)!;
      Object.assign(row, {
        theta0_final: fin.theta0,
        theta1_final: fin.theta1,
        lr_initial: Math.exp(fin.theta0),
        lr_final: Math.exp(fin.theta1),
        meta_loss_final: fin.meta_loss,
      });
    }
    const step = (hi - lo) / (G - 1);
    const cells = axis.flatMap((a, i) =>
      axis.map((b, j) => ({
        theta0: a,
        theta1: b,
        theta0_end: a + step,
        theta1_end: b + step,
        meta_loss: gridLoss[i * G + j],
      }))
    );
    return {
      metrics,
      tables: [{
        name: "summary",
        title: "Final schedules (meta-loss: mean inner loss over a full T-step episode)",
        table: aq.from(rows),
      }],
      charts: [
        {
          name: "meta-loss-surface",
          title: "Meta-loss surface with the estimators' meta-training trajectories",
          spec: {
            width: 440,
            height: 400,
            layer: [
              {
                data: { values: cells },
                mark: { type: "rect" },
                encoding: {
                  x: {
                    field: "theta0",
                    type: "quantitative",
                    title: "theta0 = log initial lr",
                    scale: { domain: [lo, hi + step] },
                  },
                  x2: { field: "theta0_end" },
                  y: {
                    field: "theta1",
                    type: "quantitative",
                    title: "theta1 = log final lr",
                    scale: { domain: [lo, hi + step] },
                  },
                  y2: { field: "theta1_end" },
                  color: {
                    field: "meta_loss",
                    type: "quantitative",
                    title: "meta-loss",
                    scale: { type: "log", scheme: "viridis" },
                  },
                },
              },
              {
                data: { values: points },
                mark: { type: "line", strokeWidth: 2.5, point: { size: 12 } },
                encoding: {
                  x: { field: "theta0", type: "quantitative" },
                  y: { field: "theta1", type: "quantitative" },
                  order: { field: "iteration", type: "quantitative" },
                  stroke: {
                    field: "method",
                    type: "nominal",
                    title: "Estimator",
                    scale: { range: ["#ff3b30", "#00e5ff", "#ff9f0a"] },
                  },
                },
              },
            ],
            resolve: { scale: { color: "independent" } },
            config: { axis: { grid: false } },
          },
        },
        {
          name: "meta-loss-curves",
          title: "Meta-loss of the current schedule during meta-training",
          spec: {
            data: { values: points },
            mark: "line",
            encoding: {
              x: { field: "iteration", type: "quantitative", title: "Outer iteration" },
              y: { field: "meta_loss", type: "quantitative", title: "Meta-loss (full episode)" },
              color: { field: "method", type: "nominal", title: "Estimator" },
            },
          },
        },
      ],
      notes: [
        "Inner problem: f(x) = sqrt(x0^2 + 5) - sqrt(5) + sin(x1)^2 exp(-5 x0^2) + " +
        "0.25 |x1 - 100| from x = (1, 1); SGD with lr_t = e^theta0 (T - t)/T + e^theta1 t/T.",
        "Meta-loss = mean over the T steps of f after each step (the reference sums; ours is " +
        "that sum / T). ES and PES use the reference's sigma = 1 and 100 particles.",
        `Grid minimum ${gridLoss[best].toFixed(3)} at theta = (${grid[2 * best].toFixed(2)}, ` +
        `${grid[2 * best + 1].toFixed(2)}).`,
      ],
    };
  },
};
