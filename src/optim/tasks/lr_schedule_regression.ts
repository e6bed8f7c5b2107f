/**
 * Meta-learning a learning-rate schedule on a 2-D toy regression problem (Vicol et al. 2021,
 * section 5.2, Figure 4; google-research `persistent_es/toy_regression.py`).
 *
 * The inner problem minimises
 * `f(x) = sqrt(x0^2 + 5) - sqrt(5) + sin(x1)^2 exp(-5 x0^2) + 0.25 |x1 - 100|`
 * from `x = (1, 1)` by T = 100 steps of SGD with a linearly interpolated schedule
 * `lr_t = exp(theta0) (T - t)/T + exp(theta1) t/T` (theta = log initial and log final learning
 * rate). The meta-objective is the mean over the episode of `f` after each step (the
 * reference sums; we divide by T). The sine term creates many local minima, so the
 * meta-loss surface over theta is rugged for short truncations and the truncated estimators
 * are biased, as in the paper's figure.
 *
 * State `[P, 2]` (x), theta `[P, 2]`. `unroll` is a fused kernel with an exact reverse pass
 * (using the Hessian of f), first-order only.
 *
 * @example
 * ```ts
 * import { lrScheduleRegression } from "./lr_schedule_regression.ts";
 * const task = lrScheduleRegression();
 * console.log(task.horizon, task.thetaDim); // 100 2
 * ```
 * @module
 */
import { z } from "zod";
import { GradError, ShapeError } from "../../errors.ts";
import {
  abs,
  add,
  concat,
  cos,
  div,
  exp,
  full,
  mul,
  reshape,
  sign,
  sin,
  slice,
  sqrt,
  square,
  sub,
  type Tensor,
  tensor,
} from "../../gpu/mod.ts";
import { memoKernel, paramWords } from "../../gpu/kernels/indexing.ts";
import { grid, runtime } from "../../gpu/runtime.ts";
import { record, traceDepth } from "../../gpu/tape.ts";
import { Tensor as TensorClass } from "../../gpu/tensor.ts";
import { lrScheduleBackwardKernel, lrScheduleForwardKernel } from "../kernels/lr_schedule.ts";
import { parseOptions } from "../../options.ts";
import type { UnrolledSystem, UnrollOutput } from "../unrolled_system.ts";

const fwdK = memoKernel(lrScheduleForwardKernel);
const bwdK = memoKernel(lrScheduleBackwardKernel);

const lrScheduleOptionsSchema = z.strictObject({
  /** Inner steps per episode T. */
  horizon: z.number().int().min(1).max(1_000_000).default(100),
  /** Initial inner parameters x. */
  init: z.tuple([z.number(), z.number()]).default([1, 1]),
  /** Use the fused kernel for `unroll`. */
  fused: z.boolean().default(true),
});

/** Options of {@link lrScheduleRegression} (defaults: the reference task). */
export interface LrScheduleOptions {
  /** Inner steps per episode T [100]. */
  horizon?: number;
  /** Initial inner parameters x [[1, 1]]. */
  init?: [number, number];
  /** Use the fused kernel for `unroll` [true]. */
  fused?: boolean;
}

/** The learning-rate-schedule system (state x `[P, 2]`, theta `[P, 2]`). */
export interface LrScheduleRegression extends UnrolledSystem<Tensor> {
  /** The parsed options. */
  readonly options: Readonly<Required<LrScheduleOptions>>;
}

/**
 * The toy inner loss f on the host (f64), for tests and charts.
 *
 * @example
 * ```ts
 * import { toyLoss } from "./lr_schedule_regression.ts";
 * console.log(toyLoss(0, 100)); // sin(100)^2 = 0.2530...
 * ```
 */
export function toyLoss(x0: number, x1: number): number {
  return Math.sqrt(x0 * x0 + 5) - Math.sqrt(5) + Math.sin(x1) ** 2 * Math.exp(-5 * x0 * x0) +
    0.25 * Math.abs(x1 - 100);
}

/**
 * Builds the learning-rate-schedule system.
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { key } from "../../gpu/random.ts";
 * import { EpisodeClock } from "../episode_clock.ts";
 * import { runTruncation } from "../truncation.ts";
 * import { lrScheduleRegression } from "./lr_schedule_regression.ts";
 * const sys = lrScheduleRegression({ horizon: 10 });
 * const theta = tensor([[Math.log(0.1), Math.log(0.1)]]);
 * const x = sys.init(theta, { particles: 1, replicas: 1, key: key(0) });
 * const plan = new EpisodeClock(10, new Int32Array(1)).plan(10);
 * const out = runTruncation(sys, theta, x, plan, { key: key(0), replicas: 1 });
 * console.log(out.losses.shape); // [1, 10]
 * ```
 */
export function lrScheduleRegression(options: LrScheduleOptions = {}): LrScheduleRegression {
  const o = parseOptions(lrScheduleOptionsSchema, options, "lrScheduleRegression");
  const T = o.horizon;
  const check = (theta: Tensor, x: Tensor | null, where: string) => {
    if (theta.rank !== 2 || theta.shape[1] !== 2) {
      throw new ShapeError(`lr-schedule.${where}: theta must be [P, 2], got [${theta.shape}]`);
    }
    if (x && x.shape.join() !== `${theta.shape[0]},2`) {
      throw new ShapeError(
        `lr-schedule.${where}: state must be [${theta.shape[0]}, 2], got [${x.shape}]`,
      );
    }
  };

  const sys: LrScheduleRegression = {
    name: "lr-schedule-regression",
    thetaDim: 2,
    horizon: T,
    options: o,
    unrollDifferentiable: o.fused,
    init(theta, ctx) {
      check(theta, null, "init");
      const row = tensor([o.init], { shape: [1, 2] });
      return mul(full([ctx.particles, 2], 1), row);
    },
    step(theta, x, ctx) {
      check(theta, x, "step");
      const P = theta.shape[0];
      const t = reshape(ctx.time, [P, 1]);
      const e = exp(theta);
      const w1 = div(t, T);
      const w0 = sub(1, w1);
      const lr = add(mul(slice(e, [null, [0, 1]]), w0), mul(slice(e, [null, [1, 2]]), w1));
      const next = sub(x, mul(lr, gradF(x)));
      return { state: next, loss: reshape(fOf(next), [P]) };
    },
  };
  if (o.fused) {
    sys.unroll = (theta, x, ctx) => fusedUnroll(theta, x, ctx.t0Gpu, ctx.steps);
  }

  function fusedUnroll(
    theta: Tensor,
    x: Tensor,
    t0: Tensor,
    K: number,
  ): UnrollOutput<Tensor> {
    check(theta, x, "unroll");
    const P = theta.shape[0];
    const packed = TensorClass.empty([P, 2 + K], "f32", "lr-schedule.unroll");
    const xs = TensorClass.empty([P, K, 2], "f32", "lr-schedule.unroll");
    runtime().dispatch(
      fwdK(),
      [theta.buffer("lr-schedule.unroll"), x.buffer("lr-schedule.unroll"), t0.buffer()],
      [packed.buffer(), xs.buffer()],
      params(P, K, t0.size),
      grid(P),
    );
    record(packed, [theta, x], (g) => {
      if (traceDepth() > 1) {
        throw new GradError(
          "lr-schedule-regression: the fused unroll supports first-order gradients only; " +
            "build the task with fused: false for higher-order derivatives",
        );
      }
      const out = TensorClass.empty([P, 4], "f32", "lr-schedule.unroll.vjp");
      runtime().dispatch(
        bwdK(),
        [g.buffer(), xs.buffer(), theta.buffer(), t0.buffer()],
        [out.buffer()],
        params(P, K, t0.size),
        grid(P),
      );
      return [slice(out, [null, [2, 4]]), slice(out, [null, [0, 2]])];
    });
    return { state: slice(packed, [null, [0, 2]]), losses: slice(packed, [null, [2, 2 + K]]) };
  }

  function params(P: number, K: number, nd: number): Uint32Array {
    const w = paramWords();
    w.u[0] = P;
    w.u[1] = K;
    w.u[2] = T;
    w.u[3] = nd;
    w.f[4] = o.init[0];
    w.f[5] = o.init[1];
    return w.u;
  }
  return sys;
}

/** Columns of x `[P, 2]` as `[P, 1]` tensors. */
function cols(x: Tensor): [Tensor, Tensor] {
  return [slice(x, [null, [0, 1]]), slice(x, [null, [1, 2]])];
}

/** f(x) for x `[P, 2]`, as `[P, 1]` (differentiable ops). */
function fOf(x: Tensor): Tensor {
  const [x0, x1] = cols(x);
  const x0sq = square(x0);
  const a = sub(sqrt(add(x0sq, 5)), Math.sqrt(5));
  const b = mul(square(sin(x1)), exp(mul(x0sq, -5)));
  return add(add(a, b), mul(abs(sub(x1, 100)), 0.25));
}

/** grad f(x) for x `[P, 2]`, as `[P, 2]` (differentiable ops, so TBPTT gets the Hessian). */
function gradF(x: Tensor): Tensor {
  const [x0, x1] = cols(x);
  const x0sq = square(x0);
  const e = exp(mul(x0sq, -5));
  const s = sin(x1);
  const g0 = sub(div(x0, sqrt(add(x0sq, 5))), mul(mul(x0, mul(square(s), e)), 10));
  const g1 = add(mul(mul(mul(s, cos(x1)), 2), e), mul(sign(sub(x1, 100)), 0.25));
  return concat([g0, g1], 1);
}
