/**
 * Continuous-time denoising score matching (Song et al. 2021, eq. 7; score_sde
 * `losses.get_sde_loss_fn`): t ~ U[eps, T], z ~ N(0, I), x_t = m(t) x + s(t) z, and
 *
 * - default weighting lambda(t) = s(t)^2: || s(t) s_theta(x_t, t) + z ||^2,
 * - likelihood weighting lambda(t) = g(t)^2 (Song et al. 2021b): g(t)^2 || s_theta + z / s(t) ||^2,
 *   optionally with t drawn from p(t) proportional to g^2 / s^2 instead (`importanceSampling`,
 *   Song et al. 2021b sec. 5): each term becomes Z / (T - eps) || s(t) s_theta + z ||^2, the same
 *   expectation with bounded per-sample values (see `importance_time.ts`),
 *
 * reduced over each sample's dimensions by the mean (`reduce: "mean"`) or by half the sum
 * (`"sum"`, score_sde's `reduce_mean=False`), then averaged over the batch. eps defaults to 1e-5
 * (score_sde's training eps).
 *
 * @example
 * ```ts
 * import { neg, random } from "../gpu/mod.ts";
 * import { dsmLoss } from "./dsm_loss.ts";
 * import { VPSDE } from "./vp.ts";
 * const x = random.normal(random.key(0), [256, 2]);
 * // N(0, I) data under VP: the exact score -x gives the irreducible DSM loss
 * console.log(await dsmLoss(new VPSDE(), neg, x, random.key(1)).item());
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError, ShapeError } from "../errors.ts";
import { add, div, mean, mul, random, square, sum, type Tensor } from "../gpu/mod.ts";
import { parseOptions } from "../options.ts";
import { likelihoodImportanceTime } from "./importance_time.ts";
import { perSample, type ScoreFn, type Sde } from "./sde.ts";

/** Options of {@link dsmLoss}. */
export interface DsmLossOptions {
  /** Use the likelihood weighting g(t)^2 (default false: lambda = s(t)^2). */
  likelihoodWeighting?: boolean;
  /**
   * Draw t by importance sampling for the likelihood weighting (default false; needs
   * `likelihoodWeighting: true` and a VP, sub-VP or VE SDE): same expected loss, lower variance.
   */
  importanceSampling?: boolean;
  /** Per-sample reduction: "mean" (default) or "sum" (half the sum, as score_sde). */
  reduce?: "mean" | "sum";
  /** Smallest training time (default 1e-5). */
  eps?: number;
}

const schema = z.strictObject({
  likelihoodWeighting: z.boolean().default(false),
  importanceSampling: z.boolean().default(false),
  reduce: z.enum(["mean", "sum"]).default("mean"),
  eps: z.number().positive().max(1).default(1e-5),
});

/**
 * The DSM loss (a scalar tensor) of `score` on the batch `x` [B, ...]; `key` draws t and z, so the
 * same key gives the same loss (finite differences, reproducible training).
 *
 * @example
 * ```ts
 * import { random } from "../gpu/mod.ts";
 * import { dsmLoss } from "./dsm_loss.ts";
 * import { VESDE } from "./ve.ts";
 * const l = dsmLoss(new VESDE({ sigmaMax: 5 }), (x) => x, random.normal(random.key(0), [8, 2]),
 *   random.key(1), { likelihoodWeighting: true, reduce: "sum" });
 * console.log(l.shape); // []
 * ```
 */
export function dsmLoss(
  sde: Sde,
  score: ScoreFn,
  x: Tensor,
  key: random.Key,
  options: DsmLossOptions = {},
): Tensor {
  const o = parseOptions(schema, options, "dsmLoss");
  if (x.rank < 2) {
    throw new ShapeError(`dsmLoss: x must be [B, ...] with rank >= 2, got [${x.shape}]`);
  }
  const b = x.shape[0];
  const [kt, kz] = random.split(key);
  if (o.importanceSampling && !o.likelihoodWeighting) {
    throw new InvalidArgumentError(
      "dsmLoss: importanceSampling samples t for the likelihood weighting; set " +
        "likelihoodWeighting: true (or importanceSampling: false)",
    );
  }
  const is = o.importanceSampling ? likelihoodImportanceTime(sde, o.eps) : undefined;
  const t = is ? is.sample(kt, b) : random.uniform(kt, [b], o.eps, sde.T);
  const zz = random.normal(kz, x.shape);
  const m = perSample(sde.meanCoefT(t), x, "dsmLoss");
  const std = perSample(sde.stdT(t), x, "dsmLoss");
  const xt = add(mul(x, m), mul(zz, std));
  const s = score(xt, t);
  const axes = x.shape.map((_, i) => i).slice(1);
  const reduce = (v: Tensor) => (o.reduce === "mean" ? mean(v, axes) : mul(sum(v, axes), 0.5));
  let losses: Tensor;
  if (!o.likelihoodWeighting) losses = reduce(square(add(mul(s, std), zz)));
  else if (is) {
    // g^2 || s + z / std ||^2 / (p(t) (T - eps)) with p = g^2 / (std^2 Z)
    losses = mul(reduce(square(add(mul(s, std), zz))), is.normalizer / (sde.T - o.eps));
  } else {
    const g2 = square(sde.diffusionT(t));
    losses = mul(reduce(square(add(s, div(zz, std)))), g2);
  }
  return mean(losses);
}
