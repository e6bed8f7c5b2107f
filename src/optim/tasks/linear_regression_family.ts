/**
 * A family of noisy linear-regression problems with badly scaled features, the first task in
 * Maheswaranathan et al. (2021), "Reverse engineering learned optimizers reveals known and novel
 * mechanisms". Each problem draws per-feature scales `s_j = exp(u_j)`, `u_j ~ U(-r, r)`, and
 * true weights `w* ~ N(0, I)`; every step sees a fresh minibatch `x = s * z`, `z ~ N(0, I)`,
 * `y = x . w* + noise * e`. The loss is `mean_b (x_b . w - y_b)^2 / 2`, whose gradient
 * `X^T (X w - y) / B` is computed in closed form with batched matmuls (differentiable, so
 * truncated backprop through a learned optimizer works too). Parameters start at 0.
 *
 * The Hessian's eigenvalues spread over `exp(4 r)`, so one learning rate fits the problems
 * badly, which is what a learned optimizer can improve on.
 *
 * @example
 * ```ts
 * import { key } from "../../gpu/random.ts";
 * import { linearRegressionFamily } from "./linear_regression_family.ts";
 * const family = linearRegressionFamily({ dim: 4, batch: 16 });
 * const tasks = family.sample(key(0), 2);
 * const { loss, grad } = family.lossAndGrad(tasks, family.initParams(tasks), key(1), 1);
 * console.log(loss.shape, grad.shape); // [2] [2, 4]
 * ```
 * @module
 */
import { z } from "zod";
import { ShapeError } from "../../errors.ts";
import {
  add,
  exp,
  matmul,
  mean,
  mul,
  random,
  reshape,
  square,
  sub,
  type Tensor,
  zeros,
} from "../../gpu/mod.ts";
import { foldIn } from "../../gpu/random.ts";
import type { TaskFamily } from "../lopt/task_family.ts";
import { parseOptions } from "../../options.ts";
import { tileReplicas } from "../unrolled_system.ts";

const schema = z.strictObject({
  dim: z.number().int().min(1).max(4096).default(8),
  batch: z.number().int().min(1).max(65536).default(32),
  logScaleRange: z.number().min(0).max(10).default(1),
  noise: z.number().min(0).finite().default(0.1),
});

/** Options of {@link linearRegressionFamily}. */
export interface LinearRegressionFamilyOptions {
  /** Number of features (and parameters) d [8]. */
  dim?: number;
  /** Minibatch size per step [32]. */
  batch?: number;
  /** r: feature scales are `exp(U(-r, r))` [1]. */
  logScaleRange?: number;
  /** Standard deviation of the label noise [0.1]. */
  noise?: number;
}

/** One batch of sampled problems: feature scales and true weights, both `[P, d]`. */
export type LinearRegressionTasks = { scales: Tensor; wStar: Tensor };

/** The family, with its parsed options. */
export interface LinearRegressionFamily extends TaskFamily<LinearRegressionTasks> {
  /** The parsed options. */
  readonly options: Readonly<Required<LinearRegressionFamilyOptions>>;
}

/**
 * Builds the linear-regression task family.
 *
 * @example
 * ```ts
 * import { linearRegressionFamily } from "./linear_regression_family.ts";
 * console.log(linearRegressionFamily({ dim: 16 }).paramSize); // 16
 * ```
 */
export function linearRegressionFamily(
  options: LinearRegressionFamilyOptions = {},
): LinearRegressionFamily {
  const o = parseOptions(schema, options, "linearRegressionFamily");
  const d = o.dim, B = o.batch;
  return {
    name: "linear-regression",
    options: o,
    paramSize: d,
    segments: [d],
    sample(key, count) {
      const r = o.logScaleRange;
      return {
        scales: exp(random.uniform(foldIn(key, 0), [count, d], -r, r)),
        wStar: random.normal(foldIn(key, 1), [count, d]),
      };
    },
    initParams(tasks) {
      return zeros(tasks.wStar.shape);
    },
    lossAndGrad(tasks, params, key, replicas) {
      const P = params.shape[0];
      if (params.shape.join() !== `${P},${d}` || tasks.scales.shape.join() !== `${P},${d}`) {
        throw new ShapeError(
          `linearRegressionFamily: params [${params.shape}] and tasks [${tasks.scales.shape}] ` +
            `must both be [P, ${d}]`,
        );
      }
      if (P % replicas !== 0) {
        throw new ShapeError(`linearRegressionFamily: ${P} problems do not split into ${replicas}`);
      }
      const m = P / replicas;
      const z = tileReplicas(random.normal(foldIn(key, 0), [m, B, d]), replicas);
      const e = tileReplicas(random.normal(foldIn(key, 1), [m, B, 1]), replicas);
      const x = mul(z, reshape(tasks.scales, [P, 1, d])); // [P, B, d]
      const y = add(matmul(x, reshape(tasks.wStar, [P, d, 1])), mul(e, o.noise));
      const resid = sub(matmul(x, reshape(params, [P, d, 1])), y); // [P, B, 1]
      const loss = mul(mean(square(reshape(resid, [P, B])), 1), 0.5);
      const grad = mul(reshape(matmul(x, resid, { transA: true }), [P, d]), 1 / B);
      return { loss, grad };
    },
  };
}
