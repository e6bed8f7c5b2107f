/**
 * The Metropolis-adjusted Langevin algorithm (Roberts and Tweedie 1996) for C chains on the GPU.
 * With step size eps the proposal is `q' = q - (eps^2 / 2) grad U(q) + eps xi`, accepted with
 * the Hastings ratio of the Gaussian proposal densities; this equals one-step HMC with step eps,
 * so step sizes are comparable across samplers.
 *
 * @example
 * ```ts
 * import { full, random, square, sum } from "../../gpu/mod.ts";
 * import { potentialTarget } from "../target.ts";
 * import { mala } from "./mala.ts";
 * const t = potentialTarget((q) => sum(square(q.x), 1));
 * const s = mala();
 * const st = s.init(t, { x: random.normal(random.key(0), [4, 3]) }, random.key(1));
 * console.log(s.step(t, st, random.key(2), full([4], 0.5)).acceptProb.shape); // [4]
 * ```
 * @module
 */
import { add, div, mul, random, scope, square, sub, type Tensor, where } from "../../gpu/mod.ts";
import { axpy, halfSquareDiff, mapParams, normalLike, selectChains } from "../chain_params.ts";
import type { Target } from "../target.ts";
import { fullGradient } from "./leapfrog.ts";
import { metropolis } from "./metropolis.ts";
import type { ChainState, Sampler, StepResult } from "./sampler.ts";

/**
 * The MALA transition (no options: the step size is passed per step).
 *
 * @example
 * ```ts
 * import { mala } from "./mala.ts";
 * console.log(mala().gradientsPerStep); // 1
 * ```
 */
export function mala(): Sampler {
  return {
    name: "mala",
    gradientsPerStep: 1,
    init(target: Target, q: Readonly<Record<string, Tensor>>): ChainState {
      return scope(() => {
        const qc: Record<string, Tensor> = {};
        for (const k of Object.keys(q)) qc[k] = add(q[k], 0);
        const ev = target.evaluate(qc);
        return { q: qc, u: ev.u, grad: ev.grad, p: null };
      });
    },
    step(target: Target, s: ChainState, key: random.Key, stepSize: Tensor): StepResult {
      return scope(() => {
        const [kx, ka] = random.split(key);
        const snp = target.standardNormalPrior;
        const h = mul(square(stepSize), 0.5); // eps^2 / 2
        const negH = mul(h, -1);
        const g0 = fullGradient(snp, s.q, s.grad);
        const xi = normalLike(kx, s.q);
        const q1 = axpy(axpy(s.q, negH, g0), stepSize, xi);
        const ev = target.evaluate(q1);
        const g1 = fullGradient(snp, q1, ev.grad);
        // forward residual r0 = q1 - q0 + h g0 = eps xi; backward r1 = q0 - q1 + h g1.
        const r0 = axpy(mapParams((a, b) => sub(a, b), q1, s.q), h, g0);
        const r1 = axpy(mapParams((a, b) => sub(a, b), s.q, q1), h, g1);
        // log q(q0 | q1) - log q(q1 | q0) = -(|r1|^2 - |r0|^2) / (4h) = -halfSquareDiff / (2h)
        let dH = add(sub(ev.u, s.u), div(halfSquareDiff(r1, r0), mul(h, 2)));
        if (snp) dH = add(dH, halfSquareDiff(q1, s.q));
        const { acceptProb, accepted } = metropolis(dH, ka);
        const state: ChainState = {
          q: selectChains(accepted, q1, s.q),
          u: where(accepted, ev.u, s.u),
          grad: selectChains(accepted, ev.grad, s.grad),
          p: null,
        };
        return { state, acceptProb, accepted };
      });
    },
  };
}
