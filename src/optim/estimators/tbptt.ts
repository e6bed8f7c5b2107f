/**
 * Truncated backpropagation through time (TBPTT): every particle (task) unrolls K steps from
 * its persistent state with the same theta, and the estimate is the exact gradient of the
 * truncation's mean loss with the start state held constant. Biased for the full
 * meta-objective: the influence of theta on the start state is cut off (Vicol et al. 2021,
 * section 3; learned_optimization `truncated_grad.TruncatedGrad`).
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { key } from "../../gpu/random.ts";
 * import { tbptt } from "./tbptt.ts";
 * import { influenceBalancing } from "../tasks/influence_balancing.ts";
 * const est = tbptt(influenceBalancing(), { particles: 1, truncationLength: 1 });
 * const { grad } = est.estimate(tensor([0.5]), key(0));
 * console.log(await grad.read()); // d/dtheta 0.5 (s1[0] - 1)^2 = s1[0] - 1 = 0.5
 * est.dispose();
 * ```
 * @module
 */
import { z } from "zod";
import { mean, scope, type Tensor } from "../../gpu/mod.ts";
import { foldIn, type Key } from "../../gpu/random.ts";
import { valueAndGradWithAux } from "../grad_with_aux.ts";
import { parseOptions } from "../../options.ts";
import { runTruncation } from "../truncation.ts";
import { broadcastTheta, checkSystem, type UnrolledSystem } from "../unrolled_system.ts";
import {
  checkOffsets,
  checkTheta,
  type EstimateOut,
  type GradientEstimator,
  startClock,
  truncationFields,
  type TruncationOptions,
  UnrollState,
} from "./estimator.ts";

const tbpttOptionsSchema = z.strictObject(truncationFields(1));

/** Options of {@link tbptt} (particles default 1). */
export type TbpttOptions = TruncationOptions;

/**
 * Creates a TBPTT estimator over `particles` independent unrolls.
 *
 * @example
 * ```ts
 * import { tbptt } from "./tbptt.ts";
 * import { influenceBalancing } from "../tasks/influence_balancing.ts";
 * const est = tbptt(influenceBalancing(), { truncationLength: 10 });
 * console.log(est.name, est.truncationLength); // "tbptt" 10
 * ```
 */
export function tbptt<S>(system: UnrolledSystem<S>, options: TbpttOptions = {}): GradientEstimator {
  checkSystem(system, "tbptt");
  const o = parseOptions(tbpttOptionsSchema, options, "tbptt");
  const P = o.particles, K = o.truncationLength;
  checkOffsets(o, P, system.horizon, "tbptt");
  const u = new UnrollState<S>();
  const est: GradientEstimator = {
    name: "tbptt",
    system,
    truncationLength: K,
    particles: P,
    get times() {
      return Int32Array.from(u.clock.t);
    },
    init(theta: Tensor, key: Key) {
      checkTheta(theta, system, "tbptt.init");
      const [ks, kc] = [foldIn(key, 0), foldIn(key, 1)];
      const state = scope(() =>
        system.init(broadcastTheta(theta, P), { particles: P, replicas: 1, key: ks })
      );
      u.reset(state, startClock(system.horizon, P, o, kc));
    },
    estimate(theta: Tensor, key: Key): EstimateOut {
      checkTheta(theta, system, "tbptt");
      if (!u.ready) est.init(theta, foldIn(key, 0x696e6974));
      const plan = u.clock.plan(K);
      const start = u.state;
      const r = scope(() =>
        valueAndGradWithAux((th: Tensor) => {
          const out = runTruncation(system, broadcastTheta(th, P), start, plan, {
            key,
            replicas: 1,
            fused: o.fused,
          });
          return { value: mean(out.losses), aux: out.state };
        }, theta)
      );
      u.replace(r.aux);
      u.clock.advance(K);
      return { grad: r.grad, loss: r.value };
    },
    dispose: () => u.dispose(),
  };
  return est;
}
