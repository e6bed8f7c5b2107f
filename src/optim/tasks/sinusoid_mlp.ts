/**
 * A learned-optimizer-style inner problem: each particle trains its own small MLP
 * (1 -> H tanh -> 1) with SGD on minibatches of its own sine-regression task
 * `y = A sin(x - phase)`, `A ~ U(0.1, 5)`, `phase ~ U(0, pi)`, `x ~ U(-5, 5)` (the MAML sinusoid
 * family), with the linearly interpolated learning-rate schedule
 * `lr_t = exp(theta0) (T - t)/T + exp(theta1) t/T`. The per-step loss is the minibatch MSE
 * before the update. A new episode draws a new task and new weights.
 *
 * The particles' MLPs are independent, so their weights are batched along the particle axis
 * (`[P, 1, H]`, ...) and trained with batched matmuls (src/nn's `mlp` holds one network's
 * parameters and has no vmap, so it is not used here). `step` is built from differentiable ops
 * (its inner gradient is a nested `vjp`, so TBPTT through it is a gradient of a gradient);
 * `unroll` is a fused forward-only kernel (one workgroup per particle, K SGD steps in workgroup
 * memory; needs `batch * hidden <= 4096`), used by truncated ES and PES. Both draw the same minibatches (a Philox hash of the task seed
 * and the episode step); at an episode end the fused kernel draws the next task from a hash of
 * the old seed while the generic path calls `init` with a fresh key (same distribution).
 *
 * @example
 * ```ts
 * import { sinusoidMlp } from "./sinusoid_mlp.ts";
 * const task = sinusoidMlp({ hidden: 16, batch: 8, horizon: 50 });
 * console.log(task.thetaDim, task.stateSize); // 2 52
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError, ShapeError } from "../../errors.ts";
import {
  add,
  concat,
  div,
  exp,
  matmul,
  mean,
  mul,
  ones,
  reshape,
  sin,
  slice,
  square,
  sub,
  tanh,
  type Tensor,
  tensor,
  vjp,
} from "../../gpu/mod.ts";
import { memoKernel, paramWords } from "../../gpu/kernels/indexing.ts";
import { philoxHost } from "../../gpu/kernels/philox.ts";
import { grid, runtime } from "../../gpu/runtime.ts";
import { Tensor as TensorClass } from "../../gpu/tensor.ts";
import { sinusoidMlpKernel } from "../kernels/sinusoid_mlp.ts";
import { parseOptions } from "../../options.ts";
import type { UnrolledSystem, UnrollOutput } from "../unrolled_system.ts";

const kernel = memoKernel(sinusoidMlpKernel);

const schema = z.strictObject({
  hidden: z.number().int().min(1).max(256).default(32),
  batch: z.number().int().min(4).max(4096).multipleOf(4).default(32),
  horizon: z.number().int().min(1).max(1_000_000).default(100),
  fused: z.boolean().default(true),
  kernel: z.enum(["auto", "workgroup", "thread"]).default("auto"),
});

/** Options of {@link sinusoidMlp}. */
export interface SinusoidMlpOptions {
  /** Hidden width H [32]. */
  hidden?: number;
  /** Minibatch size B per step, a multiple of 4 [32]. */
  batch?: number;
  /** Inner steps per episode T [100]. */
  horizon?: number;
  /** Use the fused forward kernel for `unroll` [true]. */
  fused?: boolean;
  /**
   * Fused kernel layout: one workgroup per particle ("workgroup", for GPUs), one thread per
   * particle ("thread", for CPU adapters), or "auto": "thread" on a fallback (software)
   * adapter, else "workgroup" ["auto"].
   */
  kernel?: "auto" | "workgroup" | "thread";
}

/** The sinusoid-MLP system (state `[P, 3H + 4]`, theta `[P, 2]`). */
export interface SinusoidMlp extends UnrolledSystem<Tensor> {
  /** The parsed options. */
  readonly options: Readonly<Required<SinusoidMlpOptions>>;
  /** Floats per particle state row: `w1[H] | b1[H] | w2[H] | b2 | A | phase | seed`. */
  readonly stateSize: number;
}

/**
 * Builds the sinusoid-MLP system.
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { key } from "../../gpu/random.ts";
 * import { EpisodeClock } from "../episode_clock.ts";
 * import { runTruncation } from "../truncation.ts";
 * import { sinusoidMlp } from "./sinusoid_mlp.ts";
 * const sys = sinusoidMlp({ hidden: 8, batch: 8 });
 * const theta = tensor([[-3, -3], [-3, -3]]);
 * const s = sys.init(theta, { particles: 2, replicas: 1, key: key(0) });
 * const out = runTruncation(sys, theta, s, new EpisodeClock(100, new Int32Array(2)).plan(5), {
 *   key: key(1), replicas: 1,
 * });
 * console.log(out.losses.shape); // [2, 5]
 * ```
 */
export function sinusoidMlp(options: SinusoidMlpOptions = {}): SinusoidMlp {
  const o = parseOptions(schema, options, "sinusoidMlp");
  const H = o.hidden, B = o.batch, T = o.horizon, S = 3 * H + 4;
  const layout = o.kernel === "auto"
    ? (runtime().summary.isFallback ? "thread" : "workgroup")
    : o.kernel;
  if (o.fused && layout === "workgroup" && B * H > 4096) {
    throw new InvalidArgumentError(
      `sinusoidMlp: the fused kernel keeps batch x hidden activations in workgroup memory and ` +
        `needs batch * hidden <= 4096, got ${B} * ${H} = ${
          B * H
        }; pass kernel: "thread" or fused: false`,
    );
  }
  const check = (theta: Tensor, state: Tensor | null, where: string) => {
    if (theta.rank !== 2 || theta.shape[1] !== 2) {
      throw new ShapeError(`sinusoid-mlp.${where}: theta must be [P, 2], got [${theta.shape}]`);
    }
    if (state && state.shape.join() !== `${theta.shape[0]},${S}`) {
      throw new ShapeError(
        `sinusoid-mlp.${where}: state must be [${theta.shape[0]}, ${S}], got [${state.shape}]`,
      );
    }
  };
  const params = (P: number, K = 0, nd = 1) => {
    const w = paramWords();
    w.u[0] = P;
    w.u[1] = K;
    w.u[2] = T;
    w.u[3] = nd;
    return w.u;
  };

  const sys: SinusoidMlp = {
    name: "sinusoid-mlp",
    thetaDim: 2,
    horizon: T,
    options: o,
    stateSize: S,
    unrollDifferentiable: false,
    init(theta, ctx) {
      check(theta, null, "init");
      const P = ctx.particles, n = P / ctx.replicas;
      const seeds = new Float32Array(P);
      for (let i = 0; i < n; i++) {
        const seed = philoxHost([i, 0, 0, 0x73656564], ctx.key.words)[0] & 0xffffff;
        for (let r = 0; r < ctx.replicas; r++) seeds[r * n + i] = seed;
      }
      const seedT = tensor(seeds);
      const state = TensorClass.empty([P, S], "f32", "sinusoid-mlp.init");
      runtime().dispatch(
        kernel("init", H, B),
        [seedT.buffer()],
        [state.buffer()],
        params(P),
        grid(P),
      );
      seedT.dispose();
      return state;
    },
    step(theta, state, ctx) {
      check(theta, state, "step");
      const P = theta.shape[0];
      const col = (a: number, b: number, shape: number[]) =>
        reshape(slice(state, [null, [a, b]]), shape);
      const w = {
        w1: col(0, H, [P, 1, H]),
        b1: col(H, 2 * H, [P, 1, H]),
        w2: col(2 * H, 3 * H, [P, H, 1]),
        b2: col(3 * H, 3 * H + 1, [P, 1, 1]),
      };
      const amp = col(3 * H + 1, 3 * H + 2, [P, 1, 1]);
      const phase = col(3 * H + 2, 3 * H + 3, [P, 1, 1]);
      const x = TensorClass.empty([P, B, 1], "f32", "sinusoid-mlp.data");
      runtime().dispatch(
        kernel("data", H, B),
        [state.buffer("sinusoid-mlp.step"), ctx.time.buffer("sinusoid-mlp.step")],
        [x.buffer()],
        params(P),
        grid(P * (B / 4)),
      );
      const y = mul(amp, sin(sub(x, phase)));
      const mse = (p: typeof w) => {
        const h = tanh(add(matmul(x, p.w1), p.b1));
        const pred = add(matmul(h, p.w2), p.b2);
        return reshape(mean(square(sub(pred, y)), [1, 2]), [P]);
      };
      const [loss, g] = vjp(mse, w, ones([P]));
      const t = reshape(ctx.time, [P, 1, 1]);
      const e = exp(reshape(theta, [P, 1, 2]));
      const w1t = div(t, T);
      const lr = add(
        mul(slice(e, [null, null, [0, 1]]), sub(1, w1t)),
        mul(slice(e, [null, null, [1, 2]]), w1t),
      );
      const upd = (a: Tensor, ga: Tensor) => reshape(sub(a, mul(lr, ga)), [P, a.size / P]);
      const next = concat([
        upd(w.w1, g.w1),
        upd(w.b1, g.b1),
        upd(w.w2, g.w2),
        upd(w.b2, g.b2),
        slice(state, [null, [3 * H + 1, S]]),
      ], 1);
      return { state: next, loss };
    },
  };
  if (o.fused) {
    sys.unroll = (theta, state, ctx): UnrollOutput<Tensor> => {
      check(theta, state, "unroll");
      const P = theta.shape[0], K = ctx.steps;
      const packed = TensorClass.empty([P, S + K], "f32", "sinusoid-mlp.unroll");
      const wg = layout === "workgroup";
      runtime().dispatch(
        kernel(wg ? "unroll" : "unrollThread", H, B),
        [theta.buffer("sinusoid-mlp"), state.buffer("sinusoid-mlp"), ctx.t0Gpu.buffer()],
        [packed.buffer()],
        params(P, K, ctx.t0Gpu.size),
        wg ? grid(P * 64, 64) : grid(P),
      );
      return { state: slice(packed, [null, [0, S]]), losses: slice(packed, [null, [S, S + K]]) };
    };
  }
  return sys;
}
