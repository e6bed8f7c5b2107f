/**
 * Exact likelihoods through the probability-flow ODE (Song et al. 2021, sec. 4.3 and app. D.2;
 * score_sde `likelihood.py`): integrate the flow from eps to T together with the instantaneous
 * change of variables d log p / dt = -div f~, so
 * log p_eps(x) = log p_T(x(T)) + int_eps^T div f~(x(t), t) dt, with
 * div f~ = a(t) D - g(t)^2 div s / 2. The divergence is the Hutchinson-Skilling estimate with one
 * probe fixed for the whole solve (Rademacher by default, as score_sde), the exact trace (low
 * dimension), or the score's analytic divergence. Defaults: eps = 1e-5, RK45 with
 * rtol = atol = 1e-5 (score_sde). Bits per dimension add the dequantization offset
 * log2(256 / data width): 8 for data in [0, 1], 7 for [-1, 1] (score_sde: `7 - inverse_scaler(-1)`).
 *
 * @example
 * ```ts
 * import { random } from "../gpu/mod.ts";
 * import { GaussianMixture } from "./gmm.ts";
 * import { gmmScore } from "./gmm_score.ts";
 * import { logLikelihood } from "./likelihood.ts";
 * import { VPSDE } from "./vp.ts";
 * const sde = new VPSDE();
 * const gmm = GaussianMixture.isotropic([[0, 0]], 1);
 * const r = await logLikelihood(sde, gmmScore(gmm, sde), gmm.sample(random.key(0), 4), random.key(1), {
 *   divergence: "exact",
 * });
 * console.log((await r.logp.read()).length, r.nfe > 0); // 4 true
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError, ShapeError } from "../errors.ts";
import {
  add,
  concat,
  floor,
  mul,
  random,
  reshape,
  scope,
  slice,
  square,
  sub,
  type Tensor,
  zeros,
} from "../gpu/mod.ts";
import { type DivergenceMethod, exactDivergence, hutchinsonDivergence } from "./divergence.ts";
import { heun } from "./ode/heun.ts";
import { rk4 } from "./ode/rk4.ts";
import { rk45 } from "./ode/rk45.ts";
import type { OdeFn } from "./ode/types.ts";
import type { OdeMethod } from "./ode_sampler.ts";
import { parseOptions } from "../options.ts";
import { perSample, type ScoreFn, type Sde, type TimeArg } from "./sde.ts";

/** Options of {@link logLikelihood}. */
export interface LikelihoodOptions {
  /** Start time of the flow (default 1e-5, score_sde). */
  eps?: number;
  /** Divergence (default "hutchinson-rademacher"). */
  divergence?: DivergenceMethod;
  /** Integrator (default "rk45"). */
  method?: OdeMethod;
  /** Steps of a fixed-step integrator (default 100). */
  steps?: number;
  /** RK45 relative tolerance (default 1e-5). */
  rtol?: number;
  /** RK45 absolute tolerance (default 1e-5). */
  atol?: number;
}

const schema = z.strictObject({
  eps: z.number().positive().max(1).default(1e-5),
  divergence: z.enum(["hutchinson-rademacher", "hutchinson-gaussian", "exact"]).default(
    "hutchinson-rademacher",
  ),
  method: z.enum(["rk45", "rk4", "heun"]).default("rk45"),
  steps: z.number().int().positive().default(100),
  rtol: z.number().positive().default(1e-5),
  atol: z.number().positive().default(1e-5),
});

/** What {@link logLikelihood} returns (tensors on the GPU; the caller owns them). */
export interface LikelihoodResult {
  /** log p_eps(x) per sample, [B] (nats). */
  logp: Tensor;
  /** x(T), the latent code, shaped like x. */
  z: Tensor;
  /** log p_T(z) under the prior, [B]. */
  priorLogp: Tensor;
  /** The integrated divergence, [B]. */
  deltaLogp: Tensor;
  /** Evaluations of the augmented ODE (each: one score evaluation plus its divergence). */
  nfe: number;
  /** Readbacks used by RK45 (0 for fixed-step methods). */
  readbacks: number;
}

/**
 * The augmented probability-flow ODE on y = [flatten(x), delta log p] as an {@link OdeFn}.
 *
 * @example
 * ```ts
 * import { neg, zeros } from "../gpu/mod.ts";
 * import { augmentedFlow } from "./likelihood.ts";
 * import { VPSDE } from "./vp.ts";
 * const f = augmentedFlow(new VPSDE(), neg, [2, 3], "exact");
 * console.log(f(zeros([2 * 3 + 2]), 0.5).shape); // [8]
 * ```
 */
export function augmentedFlow(
  sde: Sde,
  score: ScoreFn,
  xShape: readonly number[],
  divergence: DivergenceMethod,
  probe?: Tensor,
): OdeFn {
  const b = xShape[0], n = xShape.reduce((a, c) => a * c, 1), d = n / b;
  if (divergence !== "exact" && !probe) {
    throw new InvalidArgumentError(`augmentedFlow: "${divergence}" needs a probe tensor`);
  }
  return (y: Tensor, t: TimeArg) => {
    const x = reshape(slice(y, [[0, n]]), xShape);
    let s: Tensor, div: Tensor;
    if (divergence === "exact") {
      s = score(x, t);
      div = exactDivergence(score, x, t);
    } else ({ score: s, div } = hutchinsonDivergence(score, x, t, probe!));
    let drift: Tensor, ddiv: Tensor;
    if (typeof t === "number") {
      const a = sde.driftCoef(t), g = sde.diffusion(t);
      drift = sub(mul(x, a), mul(s, 0.5 * g * g));
      ddiv = sub(mul(div, -0.5 * g * g), -a * d);
    } else {
      const a = sde.driftCoefT(t), g2 = square(sde.diffusionT(t));
      drift = sub(mul(x, perSample(a, x)), mul(mul(s, perSample(g2, x)), 0.5));
      ddiv = add(mul(mul(div, g2), -0.5), mul(a, d));
    }
    return concat([reshape(drift, [n]), ddiv]);
  };
}

/**
 * log p_eps(x) for a batch x [B, ...] by the probability-flow ODE (see the module doc). `key`
 * draws the Hutchinson probe.
 *
 * @example
 * ```ts
 * import { neg, random } from "../gpu/mod.ts";
 * import { logLikelihood } from "./likelihood.ts";
 * import { VPSDE } from "./vp.ts";
 * // N(0, I) data: log p(x) = -|x|^2 / 2 - log(2 pi)
 * const x = random.normal(random.key(0), [3, 2]);
 * const r = await logLikelihood(new VPSDE(), neg, x, random.key(1), { method: "rk4", steps: 20 });
 * console.log(await r.logp.read());
 * ```
 */
export async function logLikelihood(
  sde: Sde,
  score: ScoreFn,
  x: Tensor,
  key: random.Key,
  options: LikelihoodOptions = {},
): Promise<LikelihoodResult> {
  const o = parseOptions(schema, options, "logLikelihood");
  if (x.rank < 1) throw new ShapeError("logLikelihood: x must be a batch [B, ...]");
  const b = x.shape[0], n = x.size;
  const probe = o.divergence === "hutchinson-rademacher"
    ? random.rademacher(key, x.shape)
    : o.divergence === "hutchinson-gaussian"
    ? random.normal(key, x.shape)
    : undefined;
  const f = augmentedFlow(sde, score, x.shape, o.divergence, probe);
  const y0 = scope(() => concat([reshape(x, [n]), zeros([b])]));
  let y: Tensor, nfe: number, readbacks = 0;
  try {
    if (o.method === "rk45") {
      const r = await rk45(f, y0, o.eps, sde.T, { rtol: o.rtol, atol: o.atol });
      ({ y, nfe, readbacks } = r);
    } else {
      ({ y, nfe } = (o.method === "rk4" ? rk4 : heun)(f, y0, o.eps, sde.T, o.steps));
    }
  } finally {
    y0.dispose();
    probe?.dispose();
  }
  const out = scope(() => {
    const z = reshape(slice(y, [[0, n]]), x.shape);
    const deltaLogp = slice(y, [[n, n + b]]);
    const priorLogp = sde.priorLogp(z);
    return { z, deltaLogp, priorLogp, logp: add(priorLogp, deltaLogp) };
  });
  y.dispose();
  return { ...out, nfe, readbacks };
}

/**
 * Bits per dimension from log-likelihoods (nats) of data scaled to a range of width
 * `dataWidth` (1 for [0, 1], 2 for [-1, 1]) after uniform dequantization of 8-bit values:
 * bpd = -logp / (D ln 2) + log2(256 / dataWidth).
 *
 * @example
 * ```ts
 * import { bitsPerDim } from "./likelihood.ts";
 * console.log(bitsPerDim([-784 * Math.LN2], 784)); // [9]: 1 bit/dim in [0,1] units + 8
 * ```
 */
export function bitsPerDim(logp: ArrayLike<number>, dims: number, dataWidth = 1): number[] {
  if (!(dims > 0)) throw new InvalidArgumentError(`bitsPerDim: dims must be positive, got ${dims}`);
  const offset = Math.log2(256 / dataWidth);
  return Array.from(logp, (l) => -l / (dims * Math.LN2) + offset);
}

/**
 * Uniform dequantization of 8-bit data scaled to [0, 1]: (round(255 x) + u) / 256, u ~ U[0, 1).
 *
 * @example
 * ```ts
 * import { random, tensor } from "../gpu/mod.ts";
 * import { dequantize } from "./likelihood.ts";
 * const y = dequantize(random.key(0), tensor([0, 1]));
 * console.log(await y.read()); // in [0, 1/256) and [255/256, 1)
 * ```
 */
export function dequantize(key: random.Key, x01: Tensor): Tensor {
  return scope(() => {
    const u = random.uniform(key, x01.shape);
    return mul(add(floor(add(mul(x01, 255), 0.5)), u), 1 / 256);
  });
}
