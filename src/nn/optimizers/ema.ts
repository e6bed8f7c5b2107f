/**
 * An exponential moving average (EMA) of the parameters, kept on the GPU next to the optimizer
 * state (score_sde samples and evaluates likelihoods with the EMA weights: `config.model.ema_rate`
 * 0.999, 0.9999 for the large models). {@link withEma} wraps any optimizer; after each update
 *
 * ```
 * ema' = r_n ema + (1 - r_n) params'        (ema starts as a copy of the initial params)
 * ```
 *
 * with n the 1-based update count and r_n = rate, or with `warmup` (score_sde_pytorch's
 * `ExponentialMovingAverage(use_num_updates=True)`) r_n = min(rate, (1 + n) / (10 + n)), so short
 * runs average over their last ~n/9 steps instead of staying near the initial weights. Each leaf
 * costs one fused dispatch per step and nothing is read back.
 *
 * @example
 * ```ts
 * import { type Tensor, tensor } from "../../gpu/mod.ts";
 * import { sgd } from "./sgd.ts";
 * import { withEma } from "./ema.ts";
 * const opt = withEma(sgd({ lr: 1 }), { rate: 0.5 });
 * const p = { w: tensor([0]) };
 * const u = opt.update({ w: tensor([-2]) }, opt.init(p), p); // w: 0 -> 2
 * const ema = u.state.ema as typeof p; // the state's tree has the params' structure
 * console.log(await ema.w.read(), (ema.w as Tensor).shape); // [1] = 0.5 * 0 + 0.5 * 2, [1]
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError } from "../../errors.ts";
import { linComb, treeFlatten } from "../../gpu/mod.ts";
import type { Params } from "../layer.ts";
import type { Grads, Optimizer } from "./optimizer.ts";
import { parseOptions } from "../../options.ts";

/** Options of {@link withEma}. */
export interface EmaOptions {
  /** Decay rate r in [0, 1) (score_sde: 0.999; 0.9999 for its large models). */
  rate: number;
  /** Use r_n = min(rate, (1 + n) / (10 + n)) at update n (default false: r_n = rate). */
  warmup?: boolean;
}

const schema = z.strictObject({
  rate: z.number().min(0).lt(1),
  warmup: z.boolean().default(false),
});

/** State of an optimizer wrapped by {@link withEma}. */
export interface EmaState<S, P extends Params = Params> {
  /** The wrapped optimizer's state. */
  inner: S;
  /** The averaged parameters (same tree as the params). */
  ema: P;
  /** Updates applied so far. */
  count: number;
}

/**
 * The decay used at the 1-based update `n`: `rate`, or with `warmup`
 * min(rate, (1 + n) / (10 + n)).
 *
 * @example
 * ```ts
 * import { emaDecay } from "./ema.ts";
 * console.log(emaDecay(0.999, 1, true), emaDecay(0.999, 1, false)); // 0.1818... 0.999
 * ```
 */
export function emaDecay(rate: number, n: number, warmup: boolean): number {
  return warmup ? Math.min(rate, (1 + n) / (10 + n)) : rate;
}

/**
 * Wraps `optimizer` so that its state also carries the EMA of the parameters (see the module
 * doc); read it from `state.ema` (e.g. `train(...).state.ema`).
 *
 * @example
 * ```ts
 * import { type Tensor, tensor } from "../../gpu/mod.ts";
 * import { adam } from "./adam.ts";
 * import { withEma } from "./ema.ts";
 * const opt = withEma(adam({ lr: 0.1 }), { rate: 0.999, warmup: true });
 * console.log(opt.name); // "adam(lr=0.1)+ema(0.999, warmup)"
 * const s = opt.init({ w: tensor([1, 2]) });
 * console.log(await (s.ema as { w: Tensor }).w.read(), s.count); // [1, 2] 0 (a copy)
 * ```
 */
export function withEma<S>(
  optimizer: Optimizer<S>,
  options: EmaOptions,
): Optimizer<EmaState<S>> {
  const o = parseOptions(schema, options, "withEma");
  if (!optimizer || typeof optimizer.update !== "function") {
    throw new InvalidArgumentError("withEma: optimizer must be an optimizer ({ init, update })");
  }
  return {
    name: `${optimizer.name}+ema(${o.rate}${o.warmup ? ", warmup" : ""})`,
    init<P extends Params>(params: P): EmaState<S> {
      const f = treeFlatten(params);
      const ema = f.rebuild(f.leaves.map((t) => linComb([1], [t]))) as Params;
      return { inner: optimizer.init(params), ema, count: 0 };
    },
    update<P extends Params>(grads: Grads<P>, state: EmaState<S>, params: P) {
      if (!state || typeof state.count !== "number" || !state.ema) {
        throw new InvalidArgumentError(
          "withEma.update: state must come from this optimizer's init(params) " +
            "({ inner, ema, count })",
        );
      }
      const u = optimizer.update(grads, state.inner, params);
      const n = state.count + 1;
      const r = emaDecay(o.rate, n, o.warmup);
      const ps = treeFlatten(u.params);
      const es = treeFlatten(state.ema).leaves;
      if (es.length !== ps.leaves.length) {
        throw new InvalidArgumentError(
          `withEma.update: state.ema has ${es.length} leaves, the params ${ps.leaves.length}`,
        );
      }
      const ema = ps.rebuild(ps.leaves.map((p, i) => linComb([r, 1 - r], [es[i], p]))) as Params;
      return { params: u.params, state: { inner: u.state, ema, count: n } };
    },
  };
}
