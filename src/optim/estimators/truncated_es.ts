/**
 * Truncated evolution strategies with antithetic sampling: each pair `i` draws
 * `eps_i ~ N(0, sigma^2 I)`, unrolls K steps from its persistent state with `theta + eps_i` and
 * with `theta - eps_i`, and contributes `(L+ - L-) eps_i / (2 sigma^2)` (L the mean per-step loss
 * of the truncation). The pair then continues from the positive branch's state, as
 * learned_optimization's `truncated_es.TruncatedES` does. Unbiased for the Gaussian-smoothed
 * *truncated* objective, hence biased for the full one, like TBPTT (Vicol et al. 2021, sec. 3).
 *
 * `particles` counts unrolls: `particles / 2` antithetic pairs.
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { key } from "../../gpu/random.ts";
 * import { truncatedEs } from "./truncated_es.ts";
 * import { influenceBalancing } from "../tasks/influence_balancing.ts";
 * const est = truncatedEs(influenceBalancing(), { particles: 64, truncationLength: 1, sigma: 0.1 });
 * const { grad } = est.estimate(tensor([0.5]), key(0));
 * console.log(grad.shape); // [1]
 * est.dispose();
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError } from "../../errors.ts";
import { scope, slice, type Tensor, treeMap } from "../../gpu/mod.ts";
import { foldIn, type Key } from "../../gpu/random.ts";
import { parseOptions } from "../../options.ts";
import { runTruncation } from "../truncation.ts";
import {
  broadcastTheta,
  checkSystem,
  tileReplicas,
  type UnrolledSystem,
} from "../unrolled_system.ts";
import { antitheticThetas, esCombine, pairWeights, samplePerturbations } from "./antithetic.ts";
import {
  checkOffsets,
  checkTheta,
  esFields,
  type EsOptions,
  type EstimateOut,
  type GradientEstimator,
  startClock,
  truncationFields,
  UnrollState,
} from "./estimator.ts";

const truncatedEsOptionsSchema = z.strictObject({ ...truncationFields(2), ...esFields() });

/** Options of {@link truncatedEs} (particles default 2: one antithetic pair). */
export type TruncatedEsOptions = EsOptions;

/**
 * Creates an antithetic truncated-ES estimator.
 *
 * @example
 * ```ts
 * import { truncatedEs } from "./truncated_es.ts";
 * import { influenceBalancing } from "../tasks/influence_balancing.ts";
 * console.log(truncatedEs(influenceBalancing(), { particles: 10 }).particles); // 10
 * ```
 */
export function truncatedEs<S>(
  system: UnrolledSystem<S>,
  options: TruncatedEsOptions = {},
): GradientEstimator {
  checkSystem(system, "truncatedEs");
  const o = parseOptions(truncatedEsOptionsSchema, options, "truncatedEs");
  if (o.particles % 2 !== 0) {
    throw new InvalidArgumentError(
      `truncatedEs: particles must be even (antithetic pairs), got ${o.particles}`,
    );
  }
  const n = o.particles / 2, K = o.truncationLength, D = system.thetaDim;
  checkOffsets(o, n, system.horizon, "truncatedEs");
  const u = new UnrollState<S>(); // the pairs' shared start states, [n, ...]
  const est: GradientEstimator = {
    name: "truncated-es",
    system,
    truncationLength: K,
    particles: o.particles,
    get times() {
      return Int32Array.from(u.clock.t);
    },
    init(theta: Tensor, key: Key) {
      checkTheta(theta, system, "truncatedEs.init");
      const state = scope(() =>
        system.init(broadcastTheta(theta, n), { particles: n, replicas: 1, key: foldIn(key, 0) })
      );
      u.reset(state, startClock(system.horizon, n, o, foldIn(key, 1)));
    },
    estimate(theta: Tensor, key: Key): EstimateOut {
      checkTheta(theta, system, "truncatedEs");
      if (!u.ready) est.init(theta, foldIn(key, 0x696e6974));
      const plan = u.clock.plan(K);
      const base = u.state;
      const r = scope(() => {
        const eps = samplePerturbations(foldIn(key, 0), n, D, o.sigma);
        const thetas = antitheticThetas(theta, eps);
        const start = treeMap((x) => tileReplicas(x, 2), base) as unknown as S;
        const out = runTruncation(system, thetas, start, plan, {
          key: foldIn(key, 1),
          replicas: 2,
          fused: o.fused,
        });
        const c = esCombine(
          pairWeights(out.losses, plan, o.signDeltaLoss),
          eps,
          null,
          plan,
          o.sigma,
        );
        const next = treeMap((x) => slice(x, [[0, n]]), out.state) as unknown as S;
        return { grad: c.grad, loss: c.loss, next };
      });
      u.replace(r.next);
      u.clock.advance(K);
      return { grad: r.grad, loss: r.loss };
    },
    dispose: () => u.dispose(),
  };
  return est;
}
