/**
 * Persistent evolution strategies (PES; Vicol, Metz & Sohl-Dickstein 2021, Algorithm 2 with
 * antithetic sampling, and learned_optimization's `truncated_pes.TruncatedPES`).
 *
 * Each antithetic pair keeps its own two unrolls (with `theta + eps` and `theta - eps` applied at
 * every truncation) and an accumulator `xi_i`, the sum of all perturbations applied since its
 * episode began. Per truncation, with fresh `eps_i ~ N(0, sigma^2 I)`:
 *
 *     g = 1/(2 sigma^2 n) sum_i [ dPre_i (xi_i + eps_i) + dPost_i eps_i ]
 *
 * where `dPre_i` is the pair's loss difference `L+ - L-` (mean over the K steps) on the steps
 * of the episode that was running when the truncation began, and `dPost_i` the difference on
 * the steps after that episode ended inside the truncation (the new episode has seen only
 * `eps_i`). The accumulator becomes `xi_i + eps_i`, or `eps_i` if the episode ended inside the
 * truncation. Summed over the truncations of an episode this is an unbiased estimate of the
 * gradient of the Gaussian-smoothed mean per-step loss: the influence of earlier perturbations
 * on later losses through the state is credited to them through `xi`.
 *
 * `particles` counts unrolls: `particles / 2` antithetic pairs.
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { key } from "../../gpu/random.ts";
 * import { pes } from "./pes.ts";
 * import { influenceBalancing } from "../tasks/influence_balancing.ts";
 * const est = pes(influenceBalancing(), { particles: 100, truncationLength: 1, sigma: 0.1 });
 * for (let i = 0; i < 3; i++) est.estimate(tensor([0.5]), key(i));
 * console.log(est.times); // Int32Array(50) [3, 3, ...]
 * est.dispose();
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError } from "../../errors.ts";
import { add, reshape, scope, type Tensor, where } from "../../gpu/mod.ts";
import { foldIn, type Key } from "../../gpu/random.ts";
import { truncationEnded, type TruncationPlan } from "../episode_clock.ts";
import { parseOptions } from "../../options.ts";
import { runTruncation } from "../truncation.ts";
import { checkSystem, type UnrolledSystem } from "../unrolled_system.ts";
import { antitheticThetas, esCombine, pairWeights, samplePerturbations } from "./antithetic.ts";
import {
  checkOffsets,
  checkTheta,
  esFields,
  type EsOptions,
  type EstimateOut,
  type GradientEstimator,
  startPesPairs,
  truncationFields,
  UnrollState,
} from "./estimator.ts";

const pesOptionsSchema = z.strictObject({ ...truncationFields(2), ...esFields() });

/** Options of {@link pes} (particles default 2: one antithetic pair). */
export type PesOptions = EsOptions;

/** A PES estimator; `accumulator` exposes the pairs' perturbation sums `[n, D]`. */
export interface PesEstimator extends GradientEstimator {
  /** The pairs' perturbation accumulators xi, `[n, D]` (owned by the estimator). */
  readonly accumulator: Tensor;
}

/**
 * The accumulator after a truncation: `eps` where the pair's episode ended inside it, else
 * `xi + eps`.
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { EpisodeClock } from "../episode_clock.ts";
 * import { nextAccumulator } from "./pes.ts";
 * const plan = new EpisodeClock(2, Int32Array.from([0, 1])).plan(1);
 * const xi = nextAccumulator(tensor([[1], [1]]), tensor([[0.5], [0.5]]), plan);
 * console.log(await xi.read()); // Float32Array [1.5, 0.5]
 * ```
 */
export function nextAccumulator(xi: Tensor, eps: Tensor, plan: TruncationPlan): Tensor {
  const summed = add(xi, eps);
  if (!plan.anyEnd) return summed;
  const ended = reshape(truncationEnded(plan), [plan.t0.length, 1]);
  return where(ended, eps, summed);
}

/**
 * Creates a PES estimator.
 *
 * @example
 * ```ts
 * import { pes } from "./pes.ts";
 * import { lrScheduleRegression } from "../tasks/lr_schedule_regression.ts";
 * const est = pes(lrScheduleRegression(), { particles: 20, truncationLength: 10, sigma: 0.3 });
 * console.log(est.name); // "pes"
 * ```
 */
export function pes<S>(system: UnrolledSystem<S>, options: PesOptions = {}): PesEstimator {
  checkSystem(system, "pes");
  const o = parseOptions(pesOptionsSchema, options, "pes");
  if (o.particles % 2 !== 0) {
    throw new InvalidArgumentError(
      `pes: particles must be even (antithetic pairs), got ${o.particles}`,
    );
  }
  const n = o.particles / 2, K = o.truncationLength, D = system.thetaDim;
  checkOffsets(o, n, system.horizon, "pes");
  const u = new UnrollState<{ s: S; xi: Tensor }>();
  const est: PesEstimator = {
    name: "pes",
    system,
    truncationLength: K,
    particles: o.particles,
    get times() {
      return Int32Array.from(u.clock.t);
    },
    get accumulator() {
      return u.state.xi;
    },
    init(theta: Tensor, key: Key) {
      checkTheta(theta, system, "pes.init");
      startPesPairs(system, theta, n, o, key, u);
    },
    estimate(theta: Tensor, key: Key): EstimateOut {
      checkTheta(theta, system, "pes");
      if (!u.ready) est.init(theta, foldIn(key, 0x696e6974));
      const plan = u.clock.plan(K);
      const { s, xi } = u.state;
      const r = scope(() => {
        const eps = samplePerturbations(foldIn(key, 0), n, D, o.sigma);
        const out = runTruncation(system, antitheticThetas(theta, eps), s, plan, {
          key: foldIn(key, 1),
          replicas: 2,
          fused: o.fused,
        });
        const w = pairWeights(out.losses, plan, o.signDeltaLoss);
        const c = esCombine(w, eps, xi, plan, o.sigma);
        return { grad: c.grad, loss: c.loss, next: { s: out.state, xi: c.xi as Tensor } };
      });
      u.replace(r.next);
      u.clock.advance(K);
      return { grad: r.grad, loss: r.loss };
    },
    dispose: () => u.dispose(),
  };
  return est;
}
