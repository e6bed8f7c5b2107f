/**
 * Full-unroll backpropagation: every particle starts a fresh episode at step 0, unrolls the
 * whole horizon T, and the estimate is the exact gradient of the mean per-step loss over the
 * episode (averaged over the particles). The ground truth where a whole episode fits in memory
 * (learned_optimization `full_grad.FullGrad`). Needs a finite horizon; keeps no state between
 * calls.
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { key } from "../../gpu/random.ts";
 * import { fullUnroll } from "./full_unroll.ts";
 * import { influenceBalancing } from "../tasks/influence_balancing.ts";
 * const est = fullUnroll(influenceBalancing({ horizon: 5 }));
 * const { grad, loss } = est.estimate(tensor([0.5]), key(0));
 * console.log(grad.shape, loss.shape); // [1] []
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError } from "../../errors.ts";
import { dispose, mean, scope, type Tensor } from "../../gpu/mod.ts";
import { foldIn, type Key } from "../../gpu/random.ts";
import { EpisodeClock } from "../episode_clock.ts";
import { valueAndGradWithAux } from "../grad_with_aux.ts";
import { parseOptions } from "../../options.ts";
import { runTruncation } from "../truncation.ts";
import { broadcastTheta, checkSystem, type UnrolledSystem } from "../unrolled_system.ts";
import { checkTheta, type EstimateOut, type GradientEstimator } from "./estimator.ts";

const fullUnrollOptionsSchema = z.strictObject({
  /** Number of independent episodes averaged. */
  particles: z.number().int().min(1).default(1),
  /** Refuse horizons longer than this (memory grows with T). */
  maxSteps: z.number().int().min(1).default(100_000),
  /** Use the system's fused `unroll` when it has one. */
  fused: z.boolean().default(true),
});

/** Options of {@link fullUnroll}. */
export interface FullUnrollOptions {
  /** Number of independent episodes averaged [1]. */
  particles?: number;
  /** Refuse horizons longer than this (memory grows with T) [100000]. */
  maxSteps?: number;
  /** Use the system's fused `unroll` when it has one [true]. */
  fused?: boolean;
}

/**
 * Creates the full-unroll (exact gradient) estimator for a finite-horizon system.
 *
 * @example
 * ```ts
 * import { fullUnroll } from "./full_unroll.ts";
 * import { lrScheduleRegression } from "../tasks/lr_schedule_regression.ts";
 * const est = fullUnroll(lrScheduleRegression({ horizon: 20 }));
 * console.log(est.truncationLength); // 20
 * ```
 */
export function fullUnroll<S>(
  system: UnrolledSystem<S>,
  options: FullUnrollOptions = {},
): GradientEstimator {
  checkSystem(system, "fullUnroll");
  const o = parseOptions(fullUnrollOptionsSchema, options, "fullUnroll");
  const T = system.horizon;
  if (T === Infinity || T > o.maxSteps) {
    throw new InvalidArgumentError(
      `fullUnroll: system "${system.name}" has horizon ${T}; full-unroll backprop needs a ` +
        `finite horizon <= maxSteps (${o.maxSteps})`,
    );
  }
  const P = o.particles;
  return {
    name: "full-unroll",
    system,
    truncationLength: T,
    particles: P,
    times: new Int32Array(P),
    init() {},
    estimate(theta: Tensor, key: Key): EstimateOut {
      checkTheta(theta, system, "fullUnroll");
      const clock = new EpisodeClock(T, new Int32Array(P));
      const plan = clock.plan(T);
      const r = scope(() =>
        valueAndGradWithAux((th: Tensor) => {
          const thetaP = broadcastTheta(th, P);
          const s0 = system.init(thetaP, { particles: P, replicas: 1, key: foldIn(key, 0) });
          const out = runTruncation(system, thetaP, s0, plan, {
            key: foldIn(key, 1),
            replicas: 1,
            fused: o.fused,
          });
          return { value: mean(out.losses), aux: out.state };
        }, theta)
      );
      dispose(r.aux);
      clock.dispose();
      return { grad: r.grad, loss: r.value };
    },
    dispose() {},
  };
}
