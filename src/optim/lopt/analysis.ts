/**
 * Reverse-engineering probes for a trained learned optimizer, after Maheswaranathan et al.
 * (2021), "Reverse engineering learned optimizers reveals known and novel mechanisms", which
 * found momentum, gradient clipping and learning-rate schedules inside learned optimizers.
 * Each probe treats the optimizer as a black box on a synthetic parameter tensor:
 *
 * - {@link momentumKernel}: drive `n` parameters with i.i.d. N(0, 1) gradients and regress the
 *   steps on past gradients, `step_t ~ sum_tau h_tau g_{t - tau}`. Because the gradients are
 *   white, the least-squares coefficients are the cross-covariances
 *   `h_tau = E[step_t g_{t - tau}] / E[g^2]` (for a nonlinear optimizer, its best linear
 *   approximation). Plain SGD has `h = [lr, 0, ...]`; heavy-ball momentum `h_tau = lr beta^tau`.
 *   The kernel's mean lag gives an effective momentum `beta = lag / (1 + lag)`.
 * - {@link updateResponse}: the first update (zero accumulators, zero parameter) as a function of
 *   the normalized gradient; a curve that flattens for large gradients is gradient clipping.
 * - {@link learnedSchedule}: the mean step size on fixed features as a function of the training
 *   step, the learned learning-rate schedule (warm-up, decay).
 *
 * @example
 * ```ts
 * import { mlpLopt } from "./mlp_lopt.ts";
 * import { updateResponse } from "./analysis.ts";
 * const lopt = mlpLopt({ hidden: 8, layers: 1 });
 * const r = await updateResponse(lopt, lopt.initTheta(0), { range: 4, points: 9 });
 * console.log(r.gradient.length, r.step.length); // 9 9
 * ```
 * @module
 */
import { z } from "zod";
import { ShapeError } from "../../errors.ts";
import {
  abs,
  broadcastTo,
  concat,
  dispose,
  exp,
  full,
  keep,
  linspace,
  mean,
  mul,
  random,
  reshape,
  scope,
  slice,
  stack,
  type Tensor,
  tensor,
  zeros,
} from "../../gpu/mod.ts";
import { foldIn, key as makeKey } from "../../gpu/random.ts";
import { parseOptions } from "../../options.ts";
import type { LearnedOptimizer } from "./learned_optimizer.ts";
import { broadcastTheta } from "../unrolled_system.ts";
import { LOPT_DECAYS, LOPT_TENSOR_FEATURES, type MlpLopt } from "./mlp_lopt.ts";

function checkTheta(lopt: LearnedOptimizer, theta: Tensor, where: string): Tensor {
  if (theta.shape.join() !== `${lopt.thetaDim}`) {
    throw new ShapeError(`${where}: theta must be [${lopt.thetaDim}], got [${theta.shape}]`);
  }
  return reshape(theta, [1, lopt.thetaDim]);
}

/** The step `direction * exp(magnitude * expMult) * stepMult` from raw outputs `[P, 2, m]`. */
function stepOf(lopt: MlpLopt, out: Tensor): Tensor {
  const d = slice(out, [null, [0, 1]]);
  const s = slice(out, [null, [1, 2]]);
  return mul(mul(d, exp(mul(s, lopt.options.expMult))), lopt.options.stepMult);
}

const kernelSchema = z.strictObject({
  params: z.number().int().min(2).max(1 << 20).default(1024),
  steps: z.number().int().min(2).max(100_000).default(300),
  burnIn: z.number().int().min(0).default(100),
  lags: z.number().int().min(1).default(40),
  iteration: z.number().min(0).default(50),
  seed: z.number().int().min(0).default(0),
  gradientScale: z.number().positive().finite().default(1),
});

/** Options of {@link momentumKernel}. */
export interface MomentumKernelOptions {
  /** Parameters in the synthetic tensor [1024]. */
  params?: number;
  /** Steps driven with white-noise gradients [300]. */
  steps?: number;
  /** Steps discarded before the regression (accumulators settle) [100]. */
  burnIn?: number;
  /** Lags tau = 0 .. lags - 1 estimated [40]. */
  lags?: number;
  /** Training-step index fed to the optimizer throughout (holds its schedule fixed) [50]. */
  iteration?: number;
  /** Seed of the gradient noise [0]. */
  seed?: number;
  /**
   * Standard deviation of the white-noise gradients [1]. Optimizers that normalize their inputs
   * do not care; for raw-gradient optimizers (the GRU) a small value probes the linear regime.
   */
  gradientScale?: number;
}

/** What {@link momentumKernel} returns. */
export interface MomentumKernel {
  /** `h[tau]`, the step's linear response to the gradient tau steps ago. */
  h: number[];
  /** Mean lag `sum tau h / sum h` (0 for plain SGD). */
  meanLag: number;
  /** The heavy-ball decay with the same mean lag, `meanLag / (1 + meanLag)`. */
  effectiveBeta: number;
  /** Share of the summed response carried by the current gradient, `h[0] / sum h`. */
  currentGradientShare: number;
}

/**
 * Estimates the optimizer's linear response to past gradients (see the module doc). One
 * readback at the end.
 *
 * @example
 * ```ts
 * import { mlpLopt } from "./mlp_lopt.ts";
 * import { momentumKernel } from "./analysis.ts";
 * const lopt = mlpLopt({ hidden: 8, layers: 1 });
 * const k = await momentumKernel(lopt, lopt.initTheta(0), { params: 64, steps: 40, burnIn: 10, lags: 5 });
 * console.log(k.h.length); // 5
 * ```
 */
export async function momentumKernel(
  lopt: LearnedOptimizer,
  theta: Tensor,
  options: MomentumKernelOptions = {},
): Promise<MomentumKernel> {
  const o = parseOptions(kernelSchema, options, "momentumKernel");
  if (o.burnIn + o.lags >= o.steps) {
    throw new ShapeError(
      `momentumKernel: steps (${o.steps}) must exceed burnIn + lags (${o.burnIn + o.lags})`,
    );
  }
  const n = o.params;
  const th = keep(checkTheta(lopt, theta, "momentumKernel"));
  const root = makeKey(o.seed);
  const grads: Tensor[] = [];
  const steps: Tensor[] = [];
  let params = keep(zeros([1, n]));
  let moments = keep(zeros([1, lopt.stateRows, n]));
  try {
    for (let t = 0; t < o.steps; t++) {
      const out = scope(() => {
        const g = random.normal(foldIn(root, t), [1, n], 0, o.gradientScale);
        const u = lopt.update({
          theta: th,
          params,
          grads: g,
          state: moments,
          iteration: full([1], o.iteration),
        });
        return { g, ...u };
      });
      dispose([params, moments]);
      params = out.params;
      moments = out.state;
      grads.push(out.g);
      steps.push(out.step);
    }
    // h[tau] = mean over t >= burnIn, i of step[t, i] g[t - tau, i] / E[g^2].
    const hs = scope(() => {
      const S = reshape(stack(steps.slice(o.burnIn)), [o.steps - o.burnIn, n]);
      const G = reshape(stack(grads), [o.steps, n]);
      const rows: Tensor[] = [];
      for (let tau = 0; tau < o.lags; tau++) {
        const Gt = slice(G, [[o.burnIn - tau, o.steps - tau]]);
        rows.push(reshape(mul(mean(mul(S, Gt)), 1 / o.gradientScale ** 2), [1]));
      }
      return concat(rows, 0);
    });
    const h = Array.from(await hs.read());
    hs.dispose();
    const total = h.reduce((a, b) => a + b, 0);
    const meanLag = h.reduce((a, v, tau) => a + tau * v, 0) / total;
    return {
      h,
      meanLag,
      effectiveBeta: meanLag / (1 + meanLag),
      currentGradientShare: h[0] / total,
    };
  } finally {
    dispose([th, params, moments, grads, steps]);
  }
}

const responseSchema = z.strictObject({
  range: z.number().positive().finite().default(5),
  points: z.number().int().min(5).max(100_001).refine((v) => v % 2 === 1, "expected an odd number")
    .default(101),
  iteration: z.number().min(0).default(0),
});

/** Options of {@link updateResponse}. */
export interface UpdateResponseOptions {
  /** Normalized gradients from -range to range [5]. */
  range?: number;
  /** Number of points, odd so that 0 is one of them [101]. */
  points?: number;
  /** Training-step index [0]. */
  iteration?: number;
}

/** What {@link updateResponse} returns. */
export interface UpdateResponse {
  /** The normalized gradient values probed. */
  gradient: number[];
  /** The step taken at each (subtracted from the parameter). */
  step: number[];
  /**
   * Average slope over the outer quarter of the range divided by the slope at 0:
   * about 1 for a linear (SGD-like) response, near 0 for a clipped one, negative if it turns.
   */
  saturation: number;
}

/**
 * The first update as a function of the normalized gradient `x`: with zero accumulators and a
 * zero parameter, the features are `[x, 0, x, ..., x]` (each momentum is `(1 - beta) g`, which
 * normalizes to x).
 *
 * @example
 * ```ts
 * import { mlpLopt } from "./mlp_lopt.ts";
 * import { updateResponse } from "./analysis.ts";
 * const lopt = mlpLopt();
 * const r = await updateResponse(lopt, lopt.initTheta(1), { points: 5 });
 * console.log(r.gradient); // [-5, -2.5, 0, 2.5, 5]
 * ```
 */
export async function updateResponse(
  lopt: MlpLopt,
  theta: Tensor,
  options: UpdateResponseOptions = {},
): Promise<UpdateResponse> {
  const o = parseOptions(responseSchema, options, "updateResponse");
  const m = o.points;
  const stepT = scope(() => {
    const th = checkTheta(lopt, theta, "updateResponse");
    const x = reshape(linspace(-o.range, o.range, m), [1, 1, m]);
    const rows: Tensor[] = [x, zeros([1, 1, m])];
    for (let k = 0; k < LOPT_DECAYS.length; k++) rows.push(x);
    const feats = concat(rows, 1);
    return reshape(stepOf(lopt, lopt.outputs(th, feats, full([1], o.iteration))), [m]);
  });
  const step = Array.from(await stepT.read());
  stepT.dispose();
  const gradient = Array.from({ length: m }, (_, i) => -o.range + (2 * o.range * i) / (m - 1));
  // slope at 0 by central difference; outer slope over the quarter-range ends on each side
  const c = (m - 1) / 2;
  const slope0 = (step[c + 1] - step[c - 1]) / (gradient[c + 1] - gradient[c - 1]);
  const q = Math.max(1, Math.round((m - 1) / 4));
  const outer = ((step[m - 1] - step[m - 1 - q]) + (step[q] - step[0])) /
    (2 * (gradient[m - 1] - gradient[m - 1 - q]));
  return { gradient, step, saturation: outer / slope0 };
}

const scheduleSchema = z.strictObject({
  iterations: z.array(z.number().min(0)).min(1),
  probes: z.number().int().min(1).max(1 << 20).default(512),
  seed: z.number().int().min(0).default(0),
});

/** Options of {@link learnedSchedule}. */
export interface LearnedScheduleOptions {
  /** Training-step indices at which to measure. */
  iterations: number[];
  /** Number of random feature vectors averaged over [512]. */
  probes?: number;
  /** Seed of the probe features [0]. */
  seed?: number;
}

/**
 * Mean absolute step on fixed random N(0, 1) normalized features at each training-step index:
 * the learned learning-rate schedule.
 *
 * @example
 * ```ts
 * import { mlpLopt } from "./mlp_lopt.ts";
 * import { learnedSchedule } from "./analysis.ts";
 * const lopt = mlpLopt();
 * const s = await learnedSchedule(lopt, lopt.initTheta(0), { iterations: [0, 10, 100] });
 * console.log(s.length); // 3
 * ```
 */
export async function learnedSchedule(
  lopt: MlpLopt,
  theta: Tensor,
  options: LearnedScheduleOptions,
): Promise<number[]> {
  const o = parseOptions(scheduleSchema, options, "learnedSchedule");
  const P = o.iterations.length;
  const sizes = scope(() => {
    checkTheta(lopt, theta, "learnedSchedule");
    const th = broadcastTheta(theta, P);
    const f = random.normal(makeKey(o.seed), [1, LOPT_TENSOR_FEATURES, o.probes]);
    const feats = broadcastTo(f, [P, LOPT_TENSOR_FEATURES, o.probes]);
    const it = tensor(Float32Array.from(o.iterations));
    return mean(abs(reshape(stepOf(lopt, lopt.outputs(th, feats, it)), [P, o.probes])), 1);
  });
  const out = Array.from(await sizes.read());
  sizes.dispose();
  return out;
}
