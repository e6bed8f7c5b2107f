/**
 * The influence-balancing task (Tallec & Ollivier 2017, UORO; used by Vicol et al. 2021, PES,
 * section 5.1 and google-research `persistent_es/influence_balancing.py`).
 *
 * A linear system with an `n = 23` state and a scalar parameter theta:
 * `s_{t+1} = A s_t + theta * sign`, `A = a I + b U` (U the superdiagonal shift; a = b = 0.5),
 * `sign = (+1 x 10, -1 x 13)`, `s_0 = 1` (all ones), `theta_0 = 0.5`. The per-step loss is
 * `loss_t = 0.5 (s_{t+1}[0] - 1)^2`. Theta's positive influence on `s[0]` is immediate while the
 * negative influences arrive only after ~10+ steps, so short truncations see a gradient of the
 * wrong sign: truncated backprop and truncated ES are biased, PES is not.
 *
 * Formulation note: the reference scores only the last state of each K-step unroll; here every
 * step's loss counts (the objective is the mean per-step loss, as in the paper's eq. for the
 * task), which is the same for K = 1. With no resets (horizon Infinity, the reference's setting)
 * the long-run loss is `0.5 (c theta - 1)^2` with `s_inf[0] = c theta`,
 * `c = e_0^T (I - A)^{-1} sign = -6` for the default task, so `theta_true = -1/6`.
 *
 * `unroll` is a fused kernel (one dispatch per truncation) with an exact reverse pass, so TBPTT
 * through it also costs two dispatches per truncation. Second-order gradients through the fused
 * kernel are not supported (a GradError says so); use `fused: false` for those.
 *
 * @example
 * ```ts
 * import { influenceBalancing } from "./influence_balancing.ts";
 * const task = influenceBalancing();
 * console.log(task.optimalTheta()); // -0.1666...
 * console.log(task.steadyStateLoss(0.5)); // 8 (s_inf[0] = -3)
 * ```
 * @module
 */
import { z } from "zod";
import { GradError, InvalidArgumentError, ShapeError } from "../../errors.ts";
import {
  add,
  keptCache,
  matmul,
  mul,
  reshape,
  slice,
  square,
  sub,
  type Tensor,
  tensor,
} from "../../gpu/mod.ts";
import { memoKernel, paramWords } from "../../gpu/kernels/indexing.ts";
import { grid, runtime } from "../../gpu/runtime.ts";
import { record, traceDepth } from "../../gpu/tape.ts";
import { full } from "../../gpu/ops/creation.ts";
import { Tensor as TensorClass } from "../../gpu/tensor.ts";
import { influenceBackwardKernel, influenceForwardKernel } from "../kernels/influence.ts";
import { horizonSchema, type UnrolledSystem, type UnrollOutput } from "../unrolled_system.ts";

const fwdK = memoKernel(influenceForwardKernel);
const bwdK = memoKernel(influenceBackwardKernel);

/** Largest state size the fused kernel accepts (the state lives in registers). */
export const MAX_FUSED_STATE = 64;

const influenceOptionsSchema = z.strictObject({
  /** State size n. */
  n: z.number().int().min(1).max(256).default(23),
  /** Number of positive influences (the first `positive` state components). */
  positive: z.number().int().min(0).default(10),
  /** Episode length; Infinity (default, as in the reference) never resets. */
  horizon: horizonSchema(Infinity),
  /** Diagonal of A. */
  a: z.number().default(0.5),
  /** Superdiagonal of A. */
  b: z.number().default(0.5),
  /** Target of s[0]. */
  target: z.number().default(1),
  /** Initial (and reset) value of every state component. */
  init: z.number().default(1),
  /** Use the fused kernel for `unroll` (default true). */
  fused: z.boolean().default(true),
});

/** Options of {@link influenceBalancing} (defaults: the reference task). */
export interface InfluenceOptions {
  /** State size n [23]. */
  n?: number;
  /** Number of positive influences (the first `positive` components) [10]. */
  positive?: number;
  /** Episode length; Infinity never resets, as in the reference [Infinity]. */
  horizon?: number;
  /** Diagonal of A [0.5]. */
  a?: number;
  /** Superdiagonal of A [0.5]. */
  b?: number;
  /** Target of s[0] [1]. */
  target?: number;
  /** Initial (and reset) value of every state component [1]. */
  init?: number;
  /** Use the fused kernel for `unroll` [true]. */
  fused?: boolean;
}

/** The influence-balancing system plus closed forms for its infinite-horizon optimum. */
export interface InfluenceBalancing extends UnrolledSystem<Tensor> {
  /** The parsed options. */
  readonly options: Readonly<Required<InfluenceOptions>>;
  /** c with `s_inf[0] = c theta` (the steady state of s[0] for a < 1). */
  steadyStateGain(): number;
  /** The theta minimising the long-run loss, `target / c`. */
  optimalTheta(): number;
  /** The long-run (steady-state) per-step loss `0.5 (c theta - target)^2`. */
  steadyStateLoss(theta: number): number;
}

/**
 * Builds the influence-balancing system (state `[P, n]`, theta `[P, 1]`).
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { key } from "../../gpu/random.ts";
 * import { EpisodeClock } from "../episode_clock.ts";
 * import { runTruncation } from "../truncation.ts";
 * import { influenceBalancing } from "./influence_balancing.ts";
 * const sys = influenceBalancing();
 * const theta = tensor([[0.5]]);
 * const s = sys.init(theta, { particles: 1, replicas: 1, key: key(0) });
 * const plan = new EpisodeClock(sys.horizon, new Int32Array(1)).plan(2);
 * const out = runTruncation(sys, theta, s, plan, { key: key(0), replicas: 1 }); // fused unroll
 * console.log(await out.losses.read()); // Float32Array [0.125, 0.5]
 * ```
 */
export function influenceBalancing(options: InfluenceOptions = {}): InfluenceBalancing {
  const parsed = influenceOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidArgumentError(
      `influenceBalancing: option ${issue.path.join(".")}: ${issue.message}`,
    );
  }
  const o = parsed.data;
  if (o.positive > o.n) {
    throw new InvalidArgumentError(
      `influenceBalancing: positive (${o.positive}) must be at most n (${o.n})`,
    );
  }
  if (o.fused && o.n > MAX_FUSED_STATE) {
    throw new InvalidArgumentError(
      `influenceBalancing: n = ${o.n} exceeds the fused kernel's limit ${MAX_FUSED_STATE}; ` +
        `pass fused: false`,
    );
  }
  const n = o.n;
  const signs = Float32Array.from({ length: n }, (_, j) => (j < o.positive ? 1 : -1));
  const cache = keptCache<{ at: Tensor; sign: Tensor }>();
  const constants = () =>
    cache("constants", () => {
      const at = new Float32Array(n * n); // A^T: (A^T)[m, j] = A[j, m]
      for (let j = 0; j < n; j++) {
        at[j * n + j] = o.a;
        if (j + 1 < n) at[(j + 1) * n + j] = o.b;
      }
      return { at: tensor(at, { shape: [n, n] }), sign: tensor(signs) };
    });

  const gain = (): number => {
    if (!(Math.abs(1 - o.a) > 0)) return NaN;
    // (I - A) s = sign, upper bidiagonal: (1 - a) s_j - b s_{j+1} = sign_j.
    let next = 0;
    for (let j = n - 1; j >= 0; j--) next = (signs[j] + o.b * next) / (1 - o.a);
    return next;
  };

  const checkTheta = (theta: Tensor, where: string) => {
    if (theta.rank !== 2 || theta.shape[1] !== 1) {
      throw new ShapeError(`influence.${where}: theta must be [P, 1], got [${theta.shape}]`);
    }
  };

  const sys: InfluenceBalancing = {
    name: "influence-balancing",
    thetaDim: 1,
    horizon: o.horizon,
    options: o,
    unrollDifferentiable: o.fused,
    init(theta, ctx) {
      checkTheta(theta, "init");
      return full([ctx.particles, n], o.init);
    },
    step(theta, state) {
      checkTheta(theta, "step");
      const { at, sign } = constants();
      const next = add(matmul(state, at), mul(theta, sign));
      const d = sub(slice(next, [null, [0, 1]]), o.target);
      const loss = mul(square(d), 0.5);
      return { state: next, loss: reshape(loss, [theta.shape[0]]) };
    },
    steadyStateGain: gain,
    optimalTheta: () => o.target / gain(),
    steadyStateLoss: (theta: number) => 0.5 * (gain() * theta - o.target) ** 2,
  };
  if (o.fused) {
    sys.unroll = (theta, state, ctx) => fusedUnroll(theta, state, ctx.t0Gpu, ctx.steps);
  }

  function fusedUnroll(
    theta: Tensor,
    state: Tensor,
    t0: Tensor,
    K: number,
  ): UnrollOutput<Tensor> {
    checkTheta(theta, "unroll");
    const P = theta.shape[0];
    if (state.shape.join() !== `${P},${n}`) {
      throw new ShapeError(`influence.unroll: state must be [${P}, ${n}], got [${state.shape}]`);
    }
    const rt = runtime();
    const packed = TensorClass.empty([P, n + K], "f32", "influence.unroll");
    const s0s = TensorClass.empty([P, K], "f32", "influence.unroll");
    const w = params(P, K, t0.size);
    rt.dispatch(
      fwdK(n, o.positive),
      [theta.buffer("influence.unroll"), state.buffer("influence.unroll"), t0.buffer()],
      [packed.buffer(), s0s.buffer()],
      w,
      grid(P),
    );
    record(packed, [theta, state], (g) => {
      if (traceDepth() > 1) {
        throw new GradError(
          "influence-balancing: the fused unroll supports first-order gradients only; " +
            "build the task with fused: false for higher-order derivatives",
        );
      }
      const out = TensorClass.empty([P, n + 1], "f32", "influence.unroll.vjp");
      runtime().dispatch(
        bwdK(n, o.positive),
        [g.buffer(), s0s.buffer(), t0.buffer()],
        [out.buffer()],
        params(P, K, t0.size),
        grid(P),
      );
      return [slice(out, [null, [n, n + 1]]), slice(out, [null, [0, n]])];
    });
    return {
      state: slice(packed, [null, [0, n]]),
      losses: slice(packed, [null, [n, n + K]]),
    };
  }

  function params(P: number, K: number, nd: number): Uint32Array {
    const w = paramWords();
    w.u[0] = P;
    w.u[1] = K;
    w.u[2] = o.horizon === Infinity ? 0 : o.horizon;
    w.u[3] = nd;
    w.f[4] = o.a;
    w.f[5] = o.b;
    w.f[6] = o.target;
    w.f[7] = o.init;
    return w.u;
  }

  return sys;
}
