/**
 * The Metropolis-Hastings accept/reject step for C chains, on the GPU: acceptance probability
 * `min(1, exp(-dH))` (0 where dH is not finite) and a per-chain decision `u < prob` with
 * `u ~ U[0, 1)` drawn from the step's key. No readback.
 *
 * @example
 * ```ts
 * import { random, tensor } from "../../gpu/mod.ts";
 * import { metropolis } from "./metropolis.ts";
 * const { acceptProb, accepted } = metropolis(tensor([0, -1, 50, NaN]), random.key(0));
 * console.log(await acceptProb.read()); // Float32Array [1, 1, ~2e-22, 0]
 * console.log((await accepted.read())[0]); // 1
 * ```
 * @module
 */
import {
  exp,
  isFinite,
  less,
  minimum,
  mul,
  random,
  type Tensor,
  where,
  zerosLike,
} from "../../gpu/mod.ts";

/**
 * Acceptance probabilities and decisions from the per-chain energy change `dH` (`[C]`).
 *
 * @example
 * ```ts
 * import { random, tensor } from "../../gpu/mod.ts";
 * import { metropolis } from "./metropolis.ts";
 * const r = metropolis(tensor([0.5]), random.key(3));
 * console.log((await r.acceptProb.read())[0].toFixed(3)); // "0.607"
 * ```
 */
export function metropolis(dH: Tensor, key: random.Key): { acceptProb: Tensor; accepted: Tensor } {
  const finite = isFinite(dH);
  const zero = zerosLike(dH);
  const safe = where(finite, dH, zero);
  const prob = where(finite, exp(minimum(mul(safe, -1), 0)), zero);
  const u = random.uniform(key, dH.shape);
  return { acceptProb: prob, accepted: less(u, prob) };
}
