/**
 * PES-A: PES with the analytic gradient of the current truncation (Vicol et al. 2021,
 * section 4 "PES with analytic gradients"; persistent_es's `pes-analytic` estimate).
 *
 * The perturbation `eps_i` of the current truncation only enters the truncation's own losses,
 * so its ES term `(L+ - L-) eps_i / (2 sigma^2)` can be replaced by the exact truncated gradient
 * (TBPTT through the truncation), and only the influence of *earlier* perturbations through the
 * state is left to ES:
 *
 *     g = mean_p grad_p + 1/(2 sigma^2 n) sum_i (dPre_i - eps_i . (grad_i+ + grad_i-)) xi_i
 *
 * with `grad_p` the TBPTT gradient of particle p's truncation loss at its own perturbed theta,
 * `xi_i` the pair's accumulator before this truncation, and `dPre_i` the pair's loss difference
 * on the steps of its old episode. `eps_i . (grad_i+ + grad_i-)` is a control variate for the
 * part of `dPre_i` caused by `eps_i` itself (zero mean against `xi_i`); it is dropped for pairs
 * whose episode ended inside the truncation. The estimator is exactly unbiased when the losses
 * are quadratic in theta (as in influence balancing) and biased by O(sigma^2) otherwise (the
 * reference evaluates the analytic gradient on an unperturbed trajectory instead).
 * Costs a backward pass per truncation; needs a differentiable step (or unroll).
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { key } from "../../gpu/random.ts";
 * import { pesAnalytic } from "./pes_analytic.ts";
 * import { influenceBalancing } from "../tasks/influence_balancing.ts";
 * const est = pesAnalytic(influenceBalancing(), { particles: 16, truncationLength: 1, sigma: 0.1 });
 * const { grad } = est.estimate(tensor([0.5]), key(0));
 * console.log(await grad.read()); // first truncation: exactly the TBPTT gradient, [0.5]
 * est.dispose();
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError } from "../../errors.ts";
import {
  add,
  full,
  matmul,
  mean,
  mul,
  reshape,
  scope,
  slice,
  sub,
  sum,
  type Tensor,
} from "../../gpu/mod.ts";
import { foldIn, type Key } from "../../gpu/random.ts";
import { truncationEnded } from "../episode_clock.ts";
import { vjpWithAux } from "../grad_with_aux.ts";
import { parseOptions } from "../../options.ts";
import { runTruncation } from "../truncation.ts";
import { checkSystem, type UnrolledSystem } from "../unrolled_system.ts";
import { antitheticThetas, pairWeights, samplePerturbations } from "./antithetic.ts";
import {
  checkOffsets,
  checkTheta,
  type EstimateOut,
  startPesPairs,
  truncationFields,
  type TruncationOptions,
  UnrollState,
} from "./estimator.ts";
import { nextAccumulator, type PesEstimator } from "./pes.ts";

const pesAnalyticOptionsSchema = z.strictObject({
  ...truncationFields(2),
  /** Standard deviation of the Gaussian perturbations. */
  sigma: z.number().positive().default(0.01),
});

/** Options of {@link pesAnalytic} (particles default 2: one antithetic pair). */
export interface PesAnalyticOptions extends TruncationOptions {
  /** Standard deviation of the Gaussian perturbations [0.01]. */
  sigma?: number;
}

/**
 * Creates a PES-A estimator.
 *
 * @example
 * ```ts
 * import { pesAnalytic } from "./pes_analytic.ts";
 * import { influenceBalancing } from "../tasks/influence_balancing.ts";
 * console.log(pesAnalytic(influenceBalancing(), { particles: 4 }).name); // "pes-analytic"
 * ```
 */
export function pesAnalytic<S>(
  system: UnrolledSystem<S>,
  options: PesAnalyticOptions = {},
): PesEstimator {
  checkSystem(system, "pesAnalytic");
  const o = parseOptions(pesAnalyticOptionsSchema, options, "pesAnalytic");
  if (o.particles % 2 !== 0) {
    throw new InvalidArgumentError(
      `pesAnalytic: particles must be even (antithetic pairs), got ${o.particles}`,
    );
  }
  const n = o.particles / 2, K = o.truncationLength, D = system.thetaDim, P = 2 * n;
  checkOffsets(o, n, system.horizon, "pesAnalytic");
  const u = new UnrollState<{ s: S; xi: Tensor }>();
  const est: PesEstimator = {
    name: "pes-analytic",
    system,
    truncationLength: K,
    particles: P,
    get times() {
      return Int32Array.from(u.clock.t);
    },
    get accumulator() {
      return u.state.xi;
    },
    init(theta: Tensor, key: Key) {
      checkTheta(theta, system, "pesAnalytic.init");
      startPesPairs(system, theta, n, o, key, u);
    },
    estimate(theta: Tensor, key: Key): EstimateOut {
      checkTheta(theta, system, "pesAnalytic");
      if (!u.ready) est.init(theta, foldIn(key, 0x696e6974));
      const plan = u.clock.plan(K);
      const { s, xi } = u.state;
      const r = scope(() => {
        const eps = samplePerturbations(foldIn(key, 0), n, D, o.sigma);
        const a = vjpWithAux(
          (th: Tensor) => {
            const out = runTruncation(system, th, s, plan, {
              key: foldIn(key, 1),
              replicas: 2,
              fused: o.fused,
            });
            return { y: out.losses, aux: out.state };
          },
          antitheticThetas(theta, eps),
          full([P, K], 1 / K),
        );
        const losses = a.y, grads = a.grad; // grads[p] = d(mean_k L_pk)/d theta_p
        const direct = mean(grads, 0);
        const pre = slice(pairWeights(losses, plan), [null, [0, 1]]);
        let cv = sum(mul(eps, add(slice(grads, [[0, n]]), slice(grads, [[n, P]]))), 1);
        if (plan.anyEnd) cv = mul(cv, sub(1, truncationEnded(plan)));
        const resid = sub(reshape(pre, [n]), cv);
        const es = mul(matmul(reshape(resid, [1, n]), xi), 1 / (2 * o.sigma * o.sigma * n));
        return {
          grad: add(direct, reshape(es, [D])),
          loss: mean(losses),
          next: { s: a.aux, xi: nextAccumulator(xi, eps, plan) },
        };
      });
      u.replace(r.next);
      u.clock.advance(K);
      return { grad: r.grad, loss: r.loss };
    },
    dispose: () => u.dispose(),
  };
  return est;
}
