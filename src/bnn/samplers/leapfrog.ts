/**
 * The leapfrog (velocity Verlet) integrator for Hamiltonian dynamics with unit mass, for C chains
 * with per-chain step sizes: `p -= eps/2 grad U(q); q += eps p; p -= eps/2 grad U(q)`.
 *
 * It is volume-preserving and reversible for any deterministic gradient, which is what keeps
 * Metropolis-Hastings exact for the energy used in the acceptance test (Neal 2011, "MCMC using
 * Hamiltonian dynamics").
 *
 * @example
 * ```ts
 * import { full, random, square, sum } from "../../gpu/mod.ts";
 * import { potentialTarget } from "../target.ts";
 * import { leapfrog } from "./leapfrog.ts";
 * const target = potentialTarget((q) => sum(square(q.x), 1));
 * const q = { x: random.normal(random.key(0), [2, 3]) };
 * const ev = target.evaluate(q);
 * const end = leapfrog(target, { q, p: q, u: ev.u, grad: ev.grad }, full([2], 0.1), 5);
 * console.log(end.q.x.shape); // [2, 3]
 * ```
 * @module
 */
import { add, mul, type Tensor } from "../../gpu/mod.ts";
import { axpy, type ChainParams } from "../chain_params.ts";
import type { Target } from "../target.ts";

/** A point of the leapfrog trajectory. */
export interface PhasePoint {
  /** Positions. */
  q: Record<string, Tensor>;
  /** Momenta. */
  p: Record<string, Tensor>;
  /** Potential at q, per chain (as `Target.evaluate` returns it). */
  u: Tensor;
  /** Gradient of `u` at q. */
  grad: Record<string, Tensor>;
}

/**
 * The gradient of the full potential: `grad` plus `q` when the target has a standard-normal prior.
 *
 * @example
 * ```ts
 * import { ones } from "../../gpu/mod.ts";
 * import { fullGradient } from "./leapfrog.ts";
 * const g = fullGradient(true, { x: ones([1, 2]) }, { x: ones([1, 2]) });
 * console.log(await g.x.read()); // Float32Array [2, 2]
 * ```
 */
export function fullGradient(
  standardNormalPrior: boolean,
  q: ChainParams,
  grad: ChainParams,
): Record<string, Tensor> {
  if (!standardNormalPrior) return { ...grad };
  const out: Record<string, Tensor> = {};
  for (const k of Object.keys(q)) out[k] = add(grad[k], q[k]);
  return out;
}

/**
 * `steps` leapfrog steps of size `stepSize` (`[C]`, per chain) from `start`. Evaluates the target
 * `steps` times. Intermediate tensors belong to the caller's scope.
 *
 * @example
 * ```ts
 * import { full, random, square, sum } from "../../gpu/mod.ts";
 * import { potentialTarget } from "../target.ts";
 * import { leapfrog } from "./leapfrog.ts";
 * const t = potentialTarget((q) => sum(square(q.x), 1));
 * const q = { x: random.normal(random.key(1), [3, 1]) };
 * const ev = t.evaluate(q);
 * console.log(leapfrog(t, { q, p: q, u: ev.u, grad: ev.grad }, full([3], 0.2), 1).u.shape); // [3]
 * ```
 */
export function leapfrog(
  target: Target,
  start: PhasePoint,
  stepSize: Tensor,
  steps: number,
): PhasePoint {
  const halfNeg = mul(stepSize, -0.5);
  let { q, p, u, grad } = start;
  let g = fullGradient(target.standardNormalPrior, q, grad);
  for (let l = 0; l < steps; l++) {
    p = axpy(p, halfNeg, g);
    q = axpy(q, stepSize, p);
    const ev = target.evaluate(q);
    u = ev.u;
    grad = ev.grad;
    g = fullGradient(target.standardNormalPrior, q, grad);
    p = axpy(p, halfNeg, g);
  }
  return { q, p, u, grad } satisfies PhasePoint;
}
