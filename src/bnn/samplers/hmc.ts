/**
 * Hamiltonian Monte Carlo for C chains on the GPU (Duane et al. 1987; Neal 2011), with optional
 * partial momentum refresh (Horowitz 1991, generalized HMC), as in google/wide_bnn_sampling's
 * `hmc` sampler: each step refreshes `p <- sqrt(1 - beta) p + sqrt(beta) xi`, runs L leapfrog
 * steps, and accepts with probability `min(1, exp(-dH))`; a rejected step negates the momentum
 * (needed for detailed balance when beta < 1). `beta = 1` is standard HMC; L = 1 with small beta
 * is underdamped Langevin with a Metropolis correction (see `langevin.ts`).
 *
 * The energy change is computed as `dV + sum (q'-q)(q'+q)/2 + sum (p'-p)(p'+p)/2`, never as a
 * difference of two large totals. The updates run as kernels fused across all parameter tensors
 * (`leaf_fused.ts`): four dispatches per transition besides the target (one more per extra
 * leapfrog step), the momentum refresh and the uniforms drawn inside them.
 *
 * @example
 * ```ts
 * import { full, random, square, sum } from "../../gpu/mod.ts";
 * import { potentialTarget } from "../target.ts";
 * import { hmc } from "./hmc.ts";
 * const target = potentialTarget((q) => sum(square(q.x), 1));
 * const s = hmc({ leapfrogSteps: 10 });
 * const st = s.init(target, { x: random.normal(random.key(0), [8, 2]) }, random.key(1));
 * const r = s.step(target, st, random.key(2), full([8], 0.1));
 * console.log(r.state.q.x.shape); // [8, 2]
 * ```
 * @module
 */
import { z } from "zod";
import { add, random, scope, type Tensor } from "../../gpu/mod.ts";
import { normalLike } from "../chain_params.ts";
import { parseOptions } from "../../options.ts";
import type { Target } from "../target.ts";
import { kick, selectFlip, selectPair } from "./fused_updates.ts";
import { kickDriftLeaves, kickEnergyLeaves, metropolisKey, selectLeaves } from "./leaf_fused.ts";
import type { ChainState, Sampler, StepResult } from "./sampler.ts";

const hmcOptionsSchema = z.strictObject({
  leapfrogSteps: z.number().int().positive().default(10),
  refresh: z.number().gt(0).lte(1).default(1),
});

/** Options of {@link hmc}. */
export interface HmcOptions {
  /** Leapfrog steps per transition L (default 10). */
  leapfrogSteps?: number;
  /** Momentum refresh fraction beta in (0, 1] (default 1: full refresh, standard HMC). */
  refresh?: number;
}

/**
 * An HMC transition with `leapfrogSteps` steps and momentum refresh `refresh`.
 *
 * @example
 * ```ts
 * import { hmc } from "./hmc.ts";
 * const s = hmc({ leapfrogSteps: 5 });
 * console.log(s.name, s.gradientsPerStep); // "hmc" 5
 * ```
 */
export function hmc(options: HmcOptions = {}): Sampler {
  const o = parseOptions(hmcOptionsSchema, options, "hmc");
  return generalizedHmc("hmc", o.leapfrogSteps, o.refresh);
}

/**
 * The shared transition of `hmc` and `langevin` (named `name`).
 *
 * @example
 * ```ts
 * import { generalizedHmc } from "./hmc.ts";
 * console.log(generalizedHmc("custom", 2, 0.5).gradientsPerStep); // 2
 * ```
 */
export function generalizedHmc(name: string, leapfrogSteps: number, refresh: number): Sampler {
  return {
    name,
    gradientsPerStep: leapfrogSteps,
    init(target: Target, q: Readonly<Record<string, Tensor>>, key: random.Key): ChainState {
      return scope(() => {
        const qc: Record<string, Tensor> = {};
        for (const k of Object.keys(q)) qc[k] = add(q[k], 0);
        const ev = target.evaluate(qc);
        return { q: qc, u: ev.u, grad: ev.grad, p: normalLike(key, qc) };
      });
    },
    step(target: Target, s: ChainState, key: random.Key, stepSize: Tensor): StepResult {
      return scope(() => {
        const snp = target.standardNormalPrior;
        const [kp, ka] = random.split(key);
        const names = Object.keys(s.q);
        // normalLike(kp, q)'s subkeys: one per leaf in sorted-name order
        const sorted = [...names].sort();
        const sub = random.split(kp, names.length);
        const keys = names.map((n) => sub[sorted.indexOf(n)]);
        const full = refresh >= 1 || !s.p;
        const a = full ? 0 : Math.sqrt(1 - refresh), b = full ? 1 : Math.sqrt(refresh);
        const q0 = names.map((n) => s.q[n]), g0 = names.map((n) => s.grad[n]);
        let partials: Tensor | null = null;
        let p0: Tensor[] = [], q = q0, g = g0, p: Tensor[] = [], u = s.u;
        for (let l = 0; l < leapfrogSteps; l++) {
          const r = l === 0
            ? kickDriftLeaves(q, full ? null : names.map((n) => s.p![n]), g, stepSize, snp, {
              keys,
              a,
              b,
            })
            : kickDriftLeaves(q, p, g, stepSize, snp);
          if (l === 0) p0 = r.p0!;
          const qr: Record<string, Tensor> = {};
          names.forEach((n, i) => (qr[n] = r.q1[i]));
          const ev = target.evaluate(qr);
          q = r.q1;
          g = names.map((n) => ev.grad[n]);
          u = ev.u;
          if (l < leapfrogSteps - 1) {
            p = names.map((_, i) => kick(r.pHalf[i], g[i], q[i], stepSize, snp));
          } else {
            const ke = kickEnergyLeaves(r.pHalf, g, q, p0, snp ? q0 : null, stepSize, snp);
            p = ke.p1;
            partials = ke.partials;
          }
        }
        const mh = metropolisKey(partials!, u, s.u, ka);
        const state: ChainState = { q: {}, u: mh.u, grad: {}, p: {} };
        const sel = selectLeaves(mh.accepted, q, q0, g, g0, p, p0);
        names.forEach((n, i) => {
          if (sel) {
            state.q[n] = sel.q[i];
            state.grad[n] = sel.g[i];
            state.p![n] = sel.p[i];
          } else {
            [state.q[n], state.grad[n]] = selectPair(mh.accepted, q[i], q0[i], g[i], g0[i]);
            state.p![n] = selectFlip(mh.accepted, p[i], p0[i]);
          }
        });
        return { state, acceptProb: mh.acceptProb, accepted: mh.accepted };
      });
    },
  };
}
