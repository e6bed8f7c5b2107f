/**
 * Update rules vectorized over a particle axis, for training `P` independent problems of a
 * {@link import("./task_family.ts").TaskFamily} side by side: hand-designed baselines (SGD with
 * momentum, Adam) and a learned optimizer with fixed weights. All state lives on the GPU.
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { adamRule } from "./update_rules.ts";
 * const rule = adamRule({ lr: 0.1 });
 * const p = tensor([[1, -1]]);
 * const s = rule.init(p);
 * const out = rule.step(p, tensor([[0.5, -2]]), s, 0);
 * console.log(await out.params.toArray()); // about [[0.9, -0.9]] (Adam's first step is lr * sign)
 * ```
 * @module
 */
import { z } from "zod";
import { ShapeError } from "../../errors.ts";
import { add, div, full, mul, sqrt, square, sub, type Tensor, zeros } from "../../gpu/mod.ts";
import { parseOptions } from "../../options.ts";
import type { LearnedOptimizer } from "./learned_optimizer.ts";
import { broadcastTheta } from "../unrolled_system.ts";

/** A batched update rule; state `S` is a record of `[P, ...]` tensors. */
export interface UpdateRule<S extends Record<string, Tensor> = Record<string, Tensor>> {
  /** Description, e.g. `adam(lr=0.01)`. */
  readonly name: string;
  /** Fresh state for parameters `[P, n]`. */
  init(params: Tensor): S;
  /**
   * One update at training step `t` (0 first) of every particle; `loss` `[P]` is the training
   * loss at `params` (rules without loss features ignore it; it may be absent).
   */
  step(
    params: Tensor,
    grads: Tensor,
    state: S,
    t: number,
    loss?: Tensor,
  ): { params: Tensor; state: S };
}

const adamSchema = z.strictObject({
  lr: z.number().positive().finite(),
  b1: z.number().min(0).lt(1).default(0.9),
  b2: z.number().min(0).lt(1).default(0.999),
  eps: z.number().positive().default(1e-8),
});

/**
 * Adam (Kingma & Ba 2015) with bias correction, batched over particles.
 *
 * @example
 * ```ts
 * import { adamRule } from "./update_rules.ts";
 * console.log(adamRule({ lr: 3e-3 }).name); // "adam(lr=0.003)"
 * ```
 */
export function adamRule(
  options: { lr: number; b1?: number; b2?: number; eps?: number },
): UpdateRule<{ m: Tensor; v: Tensor }> {
  const o = parseOptions(adamSchema, options, "adamRule");
  return {
    name: `adam(lr=${o.lr})`,
    init: (p) => ({ m: zeros(p.shape), v: zeros(p.shape) }),
    step(p, g, s, t) {
      const m = add(mul(s.m, o.b1), mul(g, 1 - o.b1));
      const v = add(mul(s.v, o.b2), mul(square(g), 1 - o.b2));
      const c1 = 1 - o.b1 ** (t + 1), c2 = 1 - o.b2 ** (t + 1);
      const update = div(mul(m, o.lr / c1), add(sqrt(mul(v, 1 / c2)), o.eps));
      return { params: sub(p, update), state: { m, v } };
    },
  };
}

const sgdSchema = z.strictObject({
  lr: z.number().positive().finite(),
  momentum: z.number().min(0).lt(1).default(0.9),
});

/**
 * SGD with heavy-ball momentum `v <- mu v + g; p <- p - lr v`, batched over particles.
 *
 * @example
 * ```ts
 * import { sgdMomentumRule } from "./update_rules.ts";
 * console.log(sgdMomentumRule({ lr: 0.1, momentum: 0.9 }).name); // "sgd(lr=0.1, momentum=0.9)"
 * ```
 */
export function sgdMomentumRule(
  options: { lr: number; momentum?: number },
): UpdateRule<{ v: Tensor }> {
  const o = parseOptions(sgdSchema, options, "sgdMomentumRule");
  return {
    name: `sgd(lr=${o.lr}, momentum=${o.momentum})`,
    init: (p) => ({ v: zeros(p.shape) }),
    step(p, g, s) {
      const v = add(mul(s.v, o.momentum), g);
      return { params: sub(p, mul(v, o.lr)), state: { v } };
    },
  };
}

/**
 * A learned optimizer with fixed weights `theta [D]` (shared by every particle) as an update
 * rule; the step's `loss`, when given, is passed on to the optimizer's loss features.
 *
 * @example
 * ```ts
 * import { mlpLopt } from "./mlp_lopt.ts";
 * import { loptRule } from "./update_rules.ts";
 * const lopt = mlpLopt();
 * console.log(loptRule(lopt, lopt.initTheta(0)).name); // "mlp-lopt"
 * ```
 */
export function loptRule(
  lopt: LearnedOptimizer,
  theta: Tensor,
  segments?: readonly number[],
): UpdateRule<{ state: Tensor }> {
  if (theta.shape.join() !== `${lopt.thetaDim}`) {
    throw new ShapeError(`loptRule: theta must be [${lopt.thetaDim}], got [${theta.shape}]`);
  }
  return {
    name: lopt.name,
    init: (p) => ({ state: zeros([p.shape[0], lopt.stateRows, p.shape[1]]) }),
    step(p, g, s, t, loss) {
      const P = p.shape[0];
      const out = lopt.update({
        theta: broadcastTheta(theta, P),
        params: p,
        grads: g,
        state: s.state,
        iteration: full([P], t),
        segments,
        loss,
      });
      return { params: out.params, state: { state: out.state } };
    },
  };
}
