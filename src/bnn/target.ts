/**
 * A sampling target for many chains at once: the potential energy `U(q) = -log p(q) + const`
 * per chain and its gradient, evaluated on the GPU for parameters `[C, ...]`.
 *
 * Targets whose density has a standard-normal factor (every BNN here: N(0, I) prior on the raw
 * parameters, and N(0, I) in the repriorised coordinates) declare `standardNormalPrior`; their
 * `evaluate` then returns only the rest `V(q)` (U = |q|^2 / 2 + V) and the samplers add the
 * quadratic part themselves, computing its Metropolis-Hastings differences as
 * `sum (q'-q)(q'+q) / 2` so they stay exact to f32 rounding even when `|q|^2` is 10^6.
 *
 * @example
 * ```ts
 * import { mul, random, square, sum } from "../gpu/mod.ts";
 * import { potentialTarget } from "./target.ts";
 * // U(x) = 2 x^2 per chain (a N(0, 1/4) target), 8 chains in 3 dims
 * const t = potentialTarget((q) => sum(mul(square(q.x), 2), 1));
 * const { u, grad } = t.evaluate({ x: random.normal(random.key(0), [8, 3]) });
 * console.log(u.shape, grad.x.shape); // [8] [8, 3]
 * ```
 * @module
 */
import { GradError } from "../errors.ts";
import { keep, ones, type Tensor, vjp } from "../gpu/mod.ts";
import { chainCount, type ChainParams } from "./chain_params.ts";

/** Potential and gradient of a target at one state of all chains. */
export interface TargetEval {
  /** Potential per chain `[C]` (without `|q|^2/2` when the target has `standardNormalPrior`). */
  u: Tensor;
  /** Its gradient, shaped like the parameters. */
  grad: Record<string, Tensor>;
}

/** A target density for C chains (see the module doc). */
export interface Target {
  /** True when U(q) = |q|^2 / 2 + V(q) and `evaluate` returns V. */
  readonly standardNormalPrior: boolean;
  /** V (or U) per chain and its gradient. */
  evaluate(q: ChainParams): TargetEval;
}

/**
 * A target from a potential function `(q) -> [C]`, differentiated by the tensor core's autodiff
 * (one VJP with a cotangent of ones: chains are independent, so each gets its own gradient).
 *
 * @example
 * ```ts
 * import { mul, sum, tensor } from "../gpu/mod.ts";
 * import { potentialTarget } from "./target.ts";
 * const t = potentialTarget((q) => sum(mul(q.x, q.x), 1), { standardNormalPrior: false });
 * const { grad } = t.evaluate({ x: tensor([[1, 2]]) });
 * console.log(await grad.x.read()); // Float32Array [2, 4]
 * ```
 */
export function potentialTarget(
  potential: (q: ChainParams) => Tensor,
  options: { standardNormalPrior?: boolean } = {},
): Target {
  // The cotangent of ones, kept across calls (one dispatch less per gradient).
  let ones_: Tensor | null = null;
  return {
    standardNormalPrior: options.standardNormalPrior ?? false,
    evaluate(q: ChainParams): TargetEval {
      const C = chainCount(q);
      if (!ones_ || ones_.disposed || ones_.size !== C) ones_ = keep(ones([C]));
      const ct = ones_;
      {
        const [u, g] = vjp(
          (p: Record<string, Tensor>) => {
            const v = potential(p);
            if (v.rank !== 1 || v.shape[0] !== C) {
              throw new GradError(
                `target potential must return one value per chain [${C}], got [${
                  v.shape.join(", ")
                }]`,
              );
            }
            return v;
          },
          { ...q },
          ct,
        );
        return { u, grad: g as Record<string, Tensor> };
      }
    },
  };
}
