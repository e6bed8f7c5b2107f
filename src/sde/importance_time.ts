/**
 * Importance sampling of the diffusion time for likelihood-weighted score matching (Song,
 * Durkan, Murray and Ermon 2021, "Maximum Likelihood Training of Score-Based Diffusion Models",
 * sec. 5; yang-song/score_flow's `sample_importance_weighted_time_for_likelihood`).
 *
 * The likelihood weighting lambda(t) = g(t)^2 makes the DSM loss a bound on the negative
 * log-likelihood, but g(t)^2 || s + z / s(t) ||^2 behaves like 1 / t near t = eps for VP and
 * sub-VP, so sampling t uniformly gives a heavy-tailed, high-variance estimate. Sampling t from
 * p(t) = g(t)^2 / (s(t)^2 Z) on [eps, T] instead, with Z = int_eps^T g^2 / s^2 dt, turns each
 * term into Z || s(t) s_theta + z ||^2: the same expectation, bounded per-sample values.
 *
 * Closed forms, with B(t) = int_0^t beta = beta_min t + (beta_max - beta_min) t^2 / 2 and
 * C(t) an antiderivative of g^2 / s^2 (so p's CDF is (C(t) - C(eps)) / Z):
 * - VP: g^2 = beta, s^2 = 1 - e^-B, C = log(e^B - 1), inverse B = softplus(c);
 * - sub-VP: g^2 = beta (1 - e^-2B), s = 1 - e^-B, C = 2 log(e^B - 1) - B,
 *   inverse B = 2 asinh(e^(c/2) / 2);
 * - VE: g^2 / s^2 = 2 log(sigma_max / sigma_min) is constant, so p is uniform.
 * t follows from B by the stable root t = 2B / (beta_min + sqrt(beta_min^2 + 2 (beta_max -
 * beta_min) B)).
 *
 * @example
 * ```ts
 * import { random } from "../gpu/mod.ts";
 * import { likelihoodImportanceTime } from "./importance_time.ts";
 * import { VPSDE } from "./vp.ts";
 * const is = likelihoodImportanceTime(new VPSDE(), 1e-5);
 * const t = await is.sample(random.key(0), 4).read();
 * console.log(t.length, is.quantile(0.5).toFixed(3)); // 4 "0.114" (uniform: 0.5)
 * ```
 * @module
 */
import { InvalidArgumentError } from "../errors.ts";
import {
  add,
  exp,
  log1p,
  maximum,
  minimum,
  mul,
  random,
  reciprocal,
  scope,
  softplus,
  sqrt,
  square,
  type Tensor,
} from "../gpu/mod.ts";
import { LinearBetaSde } from "./linear_beta_sde.ts";
import type { Sde } from "./sde.ts";

/** Sampler of t ~ p(t) proportional to g(t)^2 / s(t)^2 on [eps, T]; see the module doc. */
export interface ImportanceTimeSampler {
  /** The start time eps. */
  readonly eps: number;
  /** Z = int_eps^T g(t)^2 / s(t)^2 dt (the importance weight of every sample is Z s(t)^2). */
  readonly normalizer: number;
  /** The density p(t) (host, f64). */
  density(t: number): number;
  /** The quantile function: the t with P(t' <= t) = u (host, f64). */
  quantile(u: number): number;
  /** The quantile function on the GPU, elementwise for u in [0, 1]. */
  quantileT(u: Tensor): Tensor;
  /** n times from p, shape [n], on the GPU. */
  sample(key: random.Key, n: number): Tensor;
}

/** One SDE family's antiderivative C of g^2 / s^2 in terms of B, and its inverse. */
interface Family {
  /** C as a function of B (host). */
  cum(b: number): number;
  /** The B with C(B) = c (host). */
  inverse(c: number): number;
  /** The inverse on the GPU. */
  inverseT(c: Tensor): Tensor;
}

/** asinh(x) for x >= 0, accurate for small x: log1p(x + x^2 / (1 + sqrt(1 + x^2))). */
function asinhT(x: Tensor): Tensor {
  const x2 = square(x);
  return log1p(add(x, mul(x2, reciprocal(add(sqrt(add(x2, 1)), 1)))));
}

const VP: Family = {
  cum: (b) => Math.log(Math.expm1(b)),
  inverse: (c) => Math.log1p(Math.exp(c)),
  inverseT: (c) => softplus(c),
};

const SUB_VP: Family = {
  cum: (b) => 2 * Math.log(Math.expm1(b)) - b,
  inverse: (c) => 2 * Math.asinh(Math.exp(c / 2) / 2),
  inverseT: (c) => mul(asinhT(mul(exp(mul(c, 0.5)), 0.5)), 2),
};

/**
 * The importance sampler of the diffusion time for likelihood weighting (see the module doc) of
 * a VP, sub-VP or VE SDE, on [eps, T].
 *
 * @example
 * ```ts
 * import { random } from "../gpu/mod.ts";
 * import { likelihoodImportanceTime } from "./importance_time.ts";
 * import { SubVPSDE } from "./subvp.ts";
 * const is = likelihoodImportanceTime(new SubVPSDE());
 * console.log(is.normalizer > 0, (await is.sample(random.key(1), 3).read()).length); // true 3
 * ```
 */
export function likelihoodImportanceTime(sde: Sde, eps = 1e-5): ImportanceTimeSampler {
  if (!(Number.isFinite(eps) && eps > 0 && eps < sde.T)) {
    throw new InvalidArgumentError(
      `likelihoodImportanceTime: eps must be in (0, ${sde.T}), got ${eps}`,
    );
  }
  const T = sde.T;
  if (sde.kind === "ve") {
    const rate = sde.diffusion(0.5) ** 2 / sde.std(0.5) ** 2; // 2 log(sigma_max / sigma_min)
    return {
      eps,
      normalizer: rate * (T - eps),
      density: (t) => (t >= eps && t <= T ? 1 / (T - eps) : 0),
      quantile: (u) => eps + u * (T - eps),
      quantileT: (u) => add(mul(u, T - eps), eps),
      sample(key, n) {
        return random.uniform(key, [n], eps, T);
      },
    };
  }
  if (!(sde instanceof LinearBetaSde) || (sde.kind !== "vp" && sde.kind !== "subvp")) {
    throw new InvalidArgumentError(
      `likelihoodImportanceTime: sde must be a VPSDE, SubVPSDE or VESDE, got kind "${sde.kind}"`,
    );
  }
  const lin = sde;
  const family = sde.kind === "vp" ? VP : SUB_VP;
  const bMin = lin.betaMin, slope = lin.betaMax - lin.betaMin;
  const integratedBeta = (t: number) => bMin * t + 0.5 * slope * t * t;
  // t from B: the positive root of bMin t + slope t^2 / 2 = B, without cancellation.
  const timeOf = (b: number) => (2 * b) / (bMin + Math.sqrt(bMin * bMin + 2 * slope * b));
  const c0 = family.cum(integratedBeta(eps));
  const z = family.cum(integratedBeta(T)) - c0;
  const quantileT = (u: Tensor) =>
    scope(() => {
      const b = family.inverseT(add(mul(u, z), c0));
      const t = mul(mul(b, 2), reciprocal(add(sqrt(add(mul(b, 2 * slope), bMin * bMin)), bMin)));
      // f32 rounding can step a hair outside [eps, T]; the exact quantile never does.
      return minimum(maximum(t, eps), T);
    });
  return {
    eps,
    normalizer: z,
    density: (t) => (t >= eps && t <= T ? sde.diffusion(t) ** 2 / sde.std(t) ** 2 / z : 0),
    quantile: (u) => timeOf(family.inverse(c0 + u * z)),
    quantileT,
    sample(key, n) {
      return scope(() => quantileT(random.uniform(key, [n])));
    },
  };
}
