/**
 * Learned-optimizer meta-training as an unrolled system (learned_optimization's
 * `TruncatedStep` over a task family): theta is the optimizer's weights, each particle trains
 * its own problem drawn from the family with the optimizer `theta[p]`, and the per-step loss is
 * the problem's training loss before the update (or its log, the default, so that problems of
 * very different loss scales weigh alike; Metz et al. 2020 normalize losses for the same
 * reason). An episode is `horizon` inner steps; a new episode draws a new problem. Any
 * estimator in `src/optim` (PES, truncated ES, TBPTT) trains it with `metaTrain`.
 *
 * @example
 * ```ts
 * import { key } from "../../gpu/random.ts";
 * import { linearRegressionFamily } from "../tasks/linear_regression_family.ts";
 * import { mlpLopt } from "./mlp_lopt.ts";
 * import { learnedOptimizerSystem } from "./lopt_system.ts";
 * const sys = learnedOptimizerSystem(linearRegressionFamily(), mlpLopt(), { horizon: 50 });
 * console.log(sys.thetaDim, sys.horizon); // 1762 50
 * ```
 * @module
 */
import { z } from "zod";
import { log, reshape, type Tensor, zeros } from "../../gpu/mod.ts";
import type { LearnedOptimizer } from "./learned_optimizer.ts";
import type { TaskFamily } from "./task_family.ts";
import { parseOptions } from "../options.ts";
import { tileReplicas, type UnrolledSystem } from "../unrolled_system.ts";

const schema = z.strictObject({
  horizon: z.number().int().min(1).max(1_000_000).default(100),
  metaLoss: z.enum(["log", "raw"]).default("log"),
});

/** Options of {@link learnedOptimizerSystem}. */
export interface LearnedOptimizerSystemOptions {
  /** Inner training steps per episode [100]. */
  horizon?: number;
  /** Per-step meta-loss: `log` of the training loss, or the `raw` loss ["log"]. */
  metaLoss?: "log" | "raw";
}

/** The state of every particle: its problem, parameters `[P, n]` and accumulators. */
export interface LearnedOptimizerState {
  /** The sampled problems (leaves `[P, ...]`). */
  tasks: Record<string, Tensor>;
  /** Inner parameters `[P, n]`. */
  params: Tensor;
  /** The optimizer's per-parameter state `[P, stateRows, n]`. */
  optState: Tensor;
}

/**
 * Builds the meta-training system of `lopt` on `family`.
 *
 * @example
 * ```ts
 * import { key } from "../../gpu/random.ts";
 * import { full } from "../../gpu/mod.ts";
 * import { linearRegressionFamily } from "../tasks/linear_regression_family.ts";
 * import { mlpLopt } from "./mlp_lopt.ts";
 * import { learnedOptimizerSystem } from "./lopt_system.ts";
 * const lopt = mlpLopt({ hidden: 8, layers: 1 });
 * const sys = learnedOptimizerSystem(linearRegressionFamily({ dim: 4 }), lopt);
 * const theta = full([2, lopt.thetaDim], 0.01);
 * const s = sys.init(theta, { particles: 2, replicas: 1, key: key(0) });
 * console.log(s.params.shape, s.optState.shape); // [2, 4] [2, 6, 4]
 * ```
 */
export function learnedOptimizerSystem(
  family: TaskFamily,
  lopt: LearnedOptimizer,
  options: LearnedOptimizerSystemOptions = {},
): UnrolledSystem<LearnedOptimizerState> {
  const o = parseOptions(schema, options, "learnedOptimizerSystem");
  const n = family.paramSize;
  return {
    name: `${lopt.name}/${family.name}`,
    thetaDim: lopt.thetaDim,
    horizon: o.horizon,
    init(_theta, ctx) {
      const distinct = family.sample(ctx.key, ctx.particles / ctx.replicas);
      const tasks: Record<string, Tensor> = {};
      for (const [k, v] of Object.entries(distinct)) tasks[k] = tileReplicas(v, ctx.replicas);
      return {
        tasks,
        params: family.initParams(tasks),
        optState: zeros([ctx.particles, lopt.stateRows, n]),
      };
    },
    step(theta, s, ctx) {
      const { loss, grad } = family.lossAndGrad(s.tasks, s.params, ctx.key, ctx.replicas);
      const out = lopt.update({
        theta,
        params: s.params,
        grads: grad,
        state: s.optState,
        iteration: ctx.time,
        segments: family.segments,
      });
      const P = theta.shape[0];
      return {
        state: { tasks: s.tasks, params: out.params, optState: out.state },
        loss: reshape(o.metaLoss === "log" ? log(loss) : loss, [P]),
      };
    },
  };
}
