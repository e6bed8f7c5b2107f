/**
 * Hamiltonian Monte Carlo for C chains on the GPU (Duane et al. 1987; Neal 2011), with optional
 * partial momentum refresh (Horowitz 1991, generalized HMC), as in google/wide_bnn_sampling's
 * `hmc` sampler: each step refreshes `p <- sqrt(1 - beta) p + sqrt(beta) xi`, runs L leapfrog
 * steps, and accepts with probability `min(1, exp(-dH))`; a rejected step negates the momentum
 * (needed for detailed balance when beta < 1). `beta = 1` is standard HMC; L = 1 with small beta
 * is underdamped Langevin with a Metropolis correction (see `langevin.ts`).
 *
 * The energy change is computed as `dV + sum (q'-q)(q'+q)/2 + sum (p'-p)(p'+p)/2`, never as a
 * difference of two large totals. The per-tensor updates run as fused kernels
 * (`fused_updates.ts`): about six dispatches per parameter tensor per step besides the target.
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
import { add, random, scope, type Tensor, zeros } from "../../gpu/mod.ts";
import { normalLike } from "../chain_params.ts";
import { parseOptions } from "../options.ts";
import type { Target } from "../target.ts";
import {
  energyPartials,
  kick,
  kickDrift,
  metropolisFromPartials,
  partialColumns,
  selectFlip,
  selectPair,
} from "./fused_updates.ts";
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
        const C = stepSize.size;
        const xi = normalLike(kp, s.q);
        const full = refresh >= 1 || !s.p;
        const a = full ? 0 : Math.sqrt(1 - refresh), b = full ? 1 : Math.sqrt(refresh);
        const p0: Record<string, Tensor> = {};
        let q = s.q, g = s.grad, p: Record<string, Tensor> = {}, u = s.u;
        for (let l = 0; l < leapfrogSteps; l++) {
          const ph: Record<string, Tensor> = {}, q1: Record<string, Tensor> = {};
          for (const n of names) {
            const r = l === 0
              ? kickDrift(q[n], s.p?.[n] ?? xi[n], g[n], stepSize, snp, { xi: xi[n], a, b })
              : kickDrift(q[n], p[n], g[n], stepSize, snp);
            if (l === 0) p0[n] = r.p0!;
            ph[n] = r.pHalf;
            q1[n] = r.q1;
          }
          const ev = target.evaluate(q1);
          q = q1;
          g = ev.grad;
          u = ev.u;
          p = {};
          for (const n of names) p[n] = kick(ph[n], g[n], q[n], stepSize, snp);
        }
        const cols = names.map((n) => partialColumns(s.q[n].size / C));
        const partials = zeros([C, cols.reduce((x, y) => x + y, 0)]);
        let off = 0;
        names.forEach((n, i) => {
          if (snp) energyPartials(partials, off, p[n], p0[n], q[n], s.q[n]);
          else energyPartials(partials, off, p[n], p0[n]);
          off += cols[i];
        });
        const mh = metropolisFromPartials(partials, u, s.u, random.uniform(ka, [C]));
        const state: ChainState = { q: {}, u: mh.u, grad: {}, p: {} };
        for (const n of names) {
          [state.q[n], state.grad[n]] = selectPair(mh.accepted, q[n], s.q[n], g[n], s.grad[n]);
          state.p![n] = selectFlip(mh.accepted, p[n], p0[n]);
        }
        return { state, acceptProb: mh.acceptProb, accepted: mh.accepted };
      });
    },
  };
}
