/**
 * Adam (Kingma & Ba 2015) and AdamW (decoupled weight decay, Loshchilov & Hutter 2019):
 *
 * ```
 * m' = b1 m + (1 - b1) g          v' = b2 v + (1 - b2) g^2        (m, v start at 0)
 * p' = p - lr(t) * ( (m' / (1 - b1^t)) / (sqrt(v' / (1 - b2^t)) + eps) + weightDecay * p )
 * ```
 *
 * with `t` the 1-based update number (the schedule sees the 0-based count, as in optax). Equal
 * to `torch.optim.AdamW` (and to `torch.optim.Adam` when weightDecay is 0). One fused GPU
 * dispatch per leaf; differentiable ops inside an open gradient trace.
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { adam } from "./adam.ts";
 * const opt = adam({ lr: 0.1 });
 * const p = { w: tensor([1]) };
 * const { params } = opt.update({ w: tensor([3]) }, opt.init(p), p);
 * console.log(await params.w.read()); // ~Float32Array [0.9] (first step moves by lr)
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError } from "../../errors.ts";
import {
  add,
  div,
  mul,
  sqrt,
  square,
  sub,
  type Tensor,
  treeFlatten,
  zerosLike,
} from "../../gpu/mod.ts";
import { isRecording } from "../../gpu/tape.ts";
import type { Params } from "../layer.ts";
import { assertFloatTree, assertSameStructure } from "../tree_check.ts";
import { parseOptions } from "../../options.ts";
import type { Grads, Optimizer } from "./optimizer.ts";
import { checkLearningRate, type LearningRate, learningRateAt } from "./schedules.ts";
import { adamKernel, runUpdate } from "./update_kernels.ts";

/** Options of {@link adam}. */
export interface AdamOptions {
  /** Learning rate: a number or a schedule `step -> lr`. */
  lr: LearningRate;
  /** First-moment decay (default 0.9). */
  b1?: number;
  /** Second-moment decay (default 0.999). */
  b2?: number;
  /** Denominator epsilon (default 1e-8). */
  eps?: number;
  /** Decoupled (AdamW) weight decay (default 0). */
  weightDecay?: number;
}

/** Adam state: update count and first/second moment trees shaped like the params. */
export interface AdamState {
  /** Number of updates applied so far. */
  count: number;
  /** First-moment estimates. */
  mu: Params;
  /** Second-moment estimates. */
  nu: Params;
}

const schema = z.object({
  lr: z.any(),
  b1: z.number().min(0).lt(1).default(0.9),
  b2: z.number().min(0).lt(1).default(0.999),
  eps: z.number().min(0).finite().default(1e-8),
  weightDecay: z.number().min(0).finite().default(0),
}).strict();

/**
 * Creates an Adam (or, with `weightDecay`, AdamW) optimizer.
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { adam } from "./adam.ts";
 * const opt = adam({ lr: 1e-3, weightDecay: 1e-2 });
 * const p = tensor([1, 2]);
 * const s = opt.init(p);
 * console.log(s.count, (s.mu as import("../../gpu/mod.ts").Tensor).shape); // 0 [2]
 * ```
 */
export function adam(options: AdamOptions): Optimizer<AdamState> {
  const o = parseOptions(schema, options, "adam");
  const lr = checkLearningRate("adam", o.lr);
  return {
    name: `${o.weightDecay > 0 ? "adamw" : "adam"}(lr=${typeof lr === "number" ? lr : "schedule"})`,
    init(params) {
      assertFloatTree("adam.init", "params", params);
      const f = treeFlatten(params);
      return {
        count: 0,
        mu: f.rebuild(f.leaves.map((t) => zerosLike(t))) as Params,
        nu: f.rebuild(f.leaves.map((t) => zerosLike(t))) as Params,
      };
    },
    update<P extends Params>(grads: Grads<P>, state: AdamState, params: P) {
      if (!state || typeof state.count !== "number" || !state.mu || !state.nu) {
        throw new InvalidArgumentError(
          "adam.update: state must come from this optimizer's init(params) ({ count, mu, nu })",
        );
      }
      assertFloatTree("adam.update", "params", params);
      assertSameStructure("adam.update", {
        params,
        grads,
        "state.mu": state.mu,
        "state.nu": state.nu,
      });
      const eta = learningRateAt("adam", lr, state.count);
      const t = state.count + 1;
      const bc1 = 1 - o.b1 ** t, bc2 = 1 - o.b2 ** t;
      const ps = treeFlatten(params);
      const gs = treeFlatten(grads).leaves;
      const ms = treeFlatten(state.mu).leaves, vs = treeFlatten(state.nu).leaves;
      const newP: Tensor[] = [], newM: Tensor[] = [], newV: Tensor[] = [];
      const fused = !isRecording();
      ps.leaves.forEach((x, i) => {
        const g = gs[i];
        if (fused) {
          const [x1, m1, v1] = runUpdate(adamKernel(), [x, g, ms[i], vs[i]], {
            lr: eta,
            wd: o.weightDecay,
            b1: o.b1,
            b2: o.b2,
            eps: o.eps,
            bc1,
            bc2,
          });
          newP.push(x1), newM.push(m1), newV.push(v1);
          return;
        }
        const m1 = add(mul(ms[i], o.b1), mul(g, 1 - o.b1));
        const v1 = add(mul(vs[i], o.b2), mul(square(g), 1 - o.b2));
        let u = div(mul(m1, 1 / bc1), add(sqrt(mul(v1, 1 / bc2)), o.eps));
        if (o.weightDecay > 0) u = add(u, mul(x, o.weightDecay));
        newP.push(sub(x, mul(u, eta))), newM.push(m1), newV.push(v1);
      });
      return {
        params: ps.rebuild(newP) as unknown as P,
        state: {
          count: t,
          mu: ps.rebuild(newM) as Params,
          nu: ps.rebuild(newV) as Params,
        },
      };
    },
  };
}
