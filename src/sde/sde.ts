/**
 * The common interface of the forward SDEs dx = f(x, t) dt + g(t) dw of Song et al. (2021),
 * "Score-Based Generative Modeling through Stochastic Differential Equations", and the reverse
 * SDE / probability-flow ODE derived from a score function. Formulas and defaults follow the
 * reference implementation yang-song/score_sde (`sde_lib.py`).
 *
 * All three SDEs of the paper (VE, VP, sub-VP) have a drift that is linear in x,
 * f(x, t) = a(t) x, and a diffusion g(t) that depends on t only. Samplers use the scalar
 * coefficients a(t), g(t), the marginal mean coefficient m(t) and std s(t) (host numbers, free
 * to pass into GPU kernels as uniforms); training uses the same functions on a tensor of
 * per-sample times.
 *
 * @example
 * ```ts
 * import { VPSDE } from "./vp.ts";
 * const sde = new VPSDE();
 * console.log(sde.meanCoef(1), sde.std(1)); // ~0.0066 ~1.0
 * ```
 * @module
 */
import { InvalidArgumentError, ShapeError } from "../errors.ts";
import { add, mul, random, reshape, square, sub, sum, type Tensor } from "../gpu/mod.ts";

/** A diffusion time: one number shared by the whole batch, or a tensor of shape [B] or [1]. */
export type TimeArg = number | Tensor;

/**
 * A score function s(x, t) ~ grad_x log p_t(x): `x` has shape [B, ...], `t` is a number (shared
 * by the batch: samplers and the ODE use this) or a tensor of shape [B] or [1] (training, the
 * adaptive ODE solver). It returns a tensor shaped like `x`.
 */
export type ScoreFn = (x: Tensor, t: TimeArg) => Tensor;

/** Which SDE family. */
export type SdeKind = "ve" | "vp" | "subvp";

/**
 * One step of the SDE's own discretization, x_{i+1} = x_i + f_i + G_i z with a linear
 * f_i = fCoef * x_i (score_sde `SDE.discretize`).
 */
export interface Discretization {
  /** f_i = fCoef * x. */
  readonly fCoef: number;
  /** G_i. */
  readonly g: number;
}

/**
 * The reverse-time SDE (or probability-flow ODE) of an {@link Sde} for a given score
 * (score_sde `SDE.reverse`).
 */
export interface ReverseSde {
  /** True for the probability-flow ODE (no noise, half the score term). */
  readonly probabilityFlow: boolean;
  /** Reverse drift f(x, t) - g(t)^2 s(x, t) (times 1/2 for the probability flow). */
  drift(x: Tensor, t: TimeArg): Tensor;
  /** Reverse diffusion: g(t), or 0 for the probability flow. */
  diffusion(t: number): number;
  /** Discretized reverse step: rev_f = f_i - G_i^2 s (x 1/2), rev_G = G_i (0 for the flow). */
  discretize(x: Tensor, t: number): { f: Tensor; g: number };
}

/**
 * Base class of VE, VP and sub-VP SDEs. `N` is the number of discretization steps, `T = 1`.
 *
 * @example
 * ```ts
 * import { random } from "../gpu/mod.ts";
 * import { VESDE } from "./ve.ts";
 * const sde = new VESDE({ sigmaMin: 0.01, sigmaMax: 10, N: 100 });
 * const z = sde.priorSample(random.key(0), [4, 2]);
 * console.log((await sde.priorLogp(z).read()).length); // 4
 * ```
 */
export abstract class Sde {
  /** The SDE family. */
  abstract readonly kind: SdeKind;
  /** Number of discretization steps. */
  readonly N: number;
  /** End time (always 1). */
  readonly T: number = 1;
  /** Default smallest time for sampling (score_sde run_lib.py: 1e-3 for VP/sub-VP, 1e-5 for VE). */
  abstract readonly samplingEps: number;
  /** Standard deviation of the prior N(0, priorStd^2 I). */
  abstract readonly priorStd: number;

  /** Sets the number of discretization steps. */
  constructor(N: number) {
    if (!Number.isInteger(N) || N < 1) {
      throw new InvalidArgumentError(`Sde: N must be a positive integer, got ${N}`);
    }
    this.N = N;
  }

  /** Drift coefficient a(t), with f(x, t) = a(t) x. */
  abstract driftCoef(t: number): number;
  /** Diffusion g(t). */
  abstract diffusion(t: number): number;
  /** Marginal mean coefficient m(t): E[x_t | x_0] = m(t) x_0. */
  abstract meanCoef(t: number): number;
  /** Marginal standard deviation s(t) of x_t given x_0. */
  abstract std(t: number): number;
  /** a(t) for a tensor of times (elementwise). */
  abstract driftCoefT(t: Tensor): Tensor;
  /** g(t) for a tensor of times. */
  abstract diffusionT(t: Tensor): Tensor;
  /** m(t) for a tensor of times. */
  abstract meanCoefT(t: Tensor): Tensor;
  /** s(t) for a tensor of times. */
  abstract stdT(t: Tensor): Tensor;
  /** The SDE's own one-step discretization at time t (score_sde `discretize`). */
  abstract discretize(t: number): Discretization;

  /**
   * Index of the discrete step containing t: floor(t (N - 1) / T), as score_sde's `.long()`
   * (with a 1e-9 guard so grid times like i / (N - 1) do not round down a step).
   */
  timestepIndex(t: number): number {
    return Math.min(this.N - 1, Math.max(0, Math.floor((t * (this.N - 1)) / this.T + 1e-9)));
  }

  /** The drift f(x, t) = a(t) x as a tensor. */
  drift(x: Tensor, t: TimeArg): Tensor {
    return typeof t === "number"
      ? mul(x, this.driftCoef(t))
      : mul(x, perSample(this.driftCoefT(t), x, "drift"));
  }

  /**
   * Mean and std of the perturbation kernel p_{0t}(x_t | x_0): mean m(t) x_0 (a tensor) and std
   * (a number for a scalar t, else a tensor broadcastable against x).
   */
  marginalProb(x: Tensor, t: TimeArg): { mean: Tensor; std: Tensor | number } {
    if (typeof t === "number") return { mean: mul(x, this.meanCoef(t)), std: this.std(t) };
    return {
      mean: mul(x, perSample(this.meanCoefT(t), x, "marginalProb")),
      std: perSample(this.stdT(t), x, "marginalProb"),
    };
  }

  /** Samples the prior N(0, priorStd^2 I) of the given shape. */
  priorSample(key: random.Key, shape: readonly number[]): Tensor {
    return random.normal(key, shape, 0, this.priorStd);
  }

  /** Log-density of the prior per sample (sums over all axes but the first); shape [B]. */
  priorLogp(z: Tensor): Tensor {
    if (z.rank < 1) throw new ShapeError(`priorLogp: expected a batch [B, ...], got rank 0`);
    const d = z.size / z.shape[0];
    const v = this.priorStd * this.priorStd;
    const axes = z.shape.map((_, i) => i).slice(1);
    const sq = axes.length ? sum(square(z), axes) : square(z);
    return sub(mul(sq, -0.5 / v), (d / 2) * Math.log(2 * Math.PI * v));
  }

  /**
   * The reverse SDE for `score` (or, with `probabilityFlow`, the probability-flow ODE).
   *
   * @example
   * ```ts
   * import { random } from "../gpu/mod.ts";
   * import { VPSDE } from "./vp.ts";
   * const sde = new VPSDE();
   * const ode = sde.reverse((x) => x, { probabilityFlow: true });
   * console.log(ode.drift(random.normal(random.key(0), [3, 2]), 0.5).shape); // [3, 2]
   * ```
   */
  reverse(score: ScoreFn, options: { probabilityFlow?: boolean } = {}): ReverseSde {
    const pf = options.probabilityFlow ?? false;
    const k = pf ? 0.5 : 1;
    return {
      probabilityFlow: pf,
      drift: (x, t) => {
        const s = score(x, t);
        if (typeof t === "number") {
          const g = this.diffusion(t);
          return sub(this.drift(x, t), mul(s, k * g * g));
        }
        const g2 = perSample(square(this.diffusionT(t)), x, "reverse");
        return sub(this.drift(x, t), mul(mul(s, g2), k));
      },
      diffusion: (t) => (pf ? 0 : this.diffusion(t)),
      discretize: (x, t) => {
        const { fCoef, g } = this.discretize(t);
        const s = score(x, t);
        return { f: sub(mul(x, fCoef), mul(s, k * g * g)), g: pf ? 0 : g };
      },
    };
  }
}

/**
 * Reshapes a per-sample coefficient ([B] or [1]) to broadcast against `x` ([B, ...]).
 *
 * @example
 * ```ts
 * import { tensor, zeros } from "../gpu/mod.ts";
 * import { perSample } from "./sde.ts";
 * console.log(perSample(tensor([1, 2]), zeros([2, 3, 4])).shape); // [2, 1, 1]
 * ```
 */
export function perSample(c: Tensor, x: Tensor, where = "perSample"): Tensor {
  const b = x.rank === 0 ? 1 : x.shape[0];
  if (c.size !== 1 && c.size !== b) {
    throw new ShapeError(
      `${where}: time tensor has ${c.size} elements (shape [${c.shape}]); expected 1 or the ` +
        `batch size ${b} of x [${x.shape}]`,
    );
  }
  return reshape(c, [c.size, ...x.shape.slice(1).map(() => 1)]);
}

/**
 * Validates a scalar time in [0, T].
 *
 * @example
 * ```ts
 * import { checkTime } from "./sde.ts";
 * checkTime(0.5, "sampler"); // ok
 * ```
 */
export function checkTime(t: number, where: string, T = 1): number {
  if (!Number.isFinite(t) || t < 0 || t > T) {
    throw new InvalidArgumentError(`${where}: time must be a number in [0, ${T}], got ${t}`);
  }
  return t;
}

/** @internal a + b t (elementwise, tensor t). */
export function affineT(t: Tensor, a: number, b: number): Tensor {
  return add(mul(t, b), a);
}
