/**
 * Adaptive Dormand-Prince RK45 (the method of scipy's `solve_ivp(method="RK45")`, which score_sde
 * uses for its probability-flow sampler and likelihood) with the step-size controller on the GPU.
 *
 * The time, the step size, acceptance and the counters live in a small GPU state buffer (see
 * `rk45_kernels.ts`); the right-hand side receives t as a one-element tensor. The host encodes
 * attempts in chunks and reads the 40-byte state once per chunk (DESIGN.md principle 1: one
 * ~11 ms sync per chunk, not per step). The chunk size follows the remaining-steps estimate of the
 * last read, and the next chunk is submitted before that read is awaited, so the GPU does not
 * idle. Chunks cover half the estimated remaining steps (steps usually grow), so the end costs
 * a few extra readbacks rather than many wasted attempts. Attempts encoded after the end is
 * reached do no work on the solution (h = 0) but still
 * cost their evaluations of f on the GPU (reported as `wastedAttempts`, never counted in `nfe`).
 * The first step follows scipy's `select_initial_step` and costs two readbacks and one
 * evaluation of f (skip it with `firstStep`).
 *
 * @example
 * ```ts
 * import { neg, ones } from "../../gpu/mod.ts";
 * import { rk45 } from "./rk45.ts";
 * const r = await rk45((y) => neg(y), ones([4]), 0, 1, { rtol: 1e-6, atol: 1e-8 });
 * console.log((await r.y.read())[0], r.nfe); // ~0.367879 ~50
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError, NonFiniteError } from "../../errors.ts";
import { memoKernel, paramWords } from "../../gpu/kernels/indexing.ts";
import { grid, runtime } from "../../gpu/runtime.ts";
import { abs, add, div, mul, scope, square, sub, sum, type Tensor, tensor } from "../../gpu/mod.ts";
import { Tensor as TensorClass } from "../../gpu/tensor.ts";
import { parseOptions } from "../../options.ts";
import { acceptKernel, controlKernel, errorKernel, stageKernel } from "./rk45_kernels.ts";
import type { OdeFn, OdeResult } from "./types.ts";

/** Options of {@link rk45}. */
export interface Rk45Options {
  /** Relative tolerance (default 1e-5, score_sde's). */
  rtol?: number;
  /** Absolute tolerance (default 1e-5, score_sde's). */
  atol?: number;
  /** First step size; default: scipy's `select_initial_step` (2 readbacks, 1 evaluation). */
  firstStep?: number;
  /** Attempts in the first chunk (default 8); later chunks follow the remaining-step estimate. */
  checkEvery?: number;
  /** Largest chunk of attempts between readbacks (default 64). */
  maxChunk?: number;
  /** Give up after this many attempts (default 100000). */
  maxAttempts?: number;
  /** Step-size safety factor (default 0.9). */
  safety?: number;
  /** Smallest step-size factor (default 0.2). */
  minFactor?: number;
  /** Largest step-size factor (default 10). */
  maxFactor?: number;
}

const schema = z.strictObject({
  rtol: z.number().positive().default(1e-5),
  atol: z.number().positive().default(1e-5),
  firstStep: z.number().positive().optional(),
  checkEvery: z.number().int().min(1).default(8),
  maxChunk: z.number().int().min(1).default(64),
  maxAttempts: z.number().int().min(1).default(100000),
  safety: z.number().positive().max(1).default(0.9),
  minFactor: z.number().positive().max(1).default(0.2),
  maxFactor: z.number().min(1).default(10),
});

/** What {@link rk45} returns. */
export interface Rk45Result extends OdeResult {
  /** Accepted steps. */
  accepted: number;
  /** Rejected attempts. */
  rejected: number;
  /** GPU->CPU readbacks (syncs) used. */
  readbacks: number;
  /** Attempts encoded after the end was reached (GPU work without effect, not in `nfe`). */
  wastedAttempts: number;
}

const kStage = memoKernel(stageKernel);
const kError = memoKernel(errorKernel);
const kControl = memoKernel(controlKernel);
const kAccept = memoKernel(acceptKernel);

/**
 * Integrates dy/dt = f(y, t) from t0 to t1 (either direction) with adaptive RK45. f receives t as
 * a one-element tensor (except the first evaluations at t0, which get numbers). `y0` is not
 * consumed.
 *
 * @example
 * ```ts
 * import { cos, mul, onesLike, zeros } from "../../gpu/mod.ts";
 * import { rk45 } from "./rk45.ts";
 * // dy/dt = cos(t), y(0) = 0: y(2) = sin(2)
 * const f = (y: import("../../gpu/mod.ts").Tensor, t: number | import("../../gpu/mod.ts").Tensor) =>
 *   typeof t === "number" ? mul(onesLike(y), Math.cos(t)) : mul(onesLike(y), cos(t));
 * const r = await rk45(f, zeros([1]), 0, 2);
 * console.log(await r.y.read()); // ~0.909297
 * ```
 */
export async function rk45(
  f: OdeFn,
  y0: Tensor,
  t0: number,
  t1: number,
  options: Rk45Options = {},
): Promise<Rk45Result> {
  const o = parseOptions(schema, options, "rk45");
  if (!Number.isFinite(t0) || !Number.isFinite(t1) || t0 === t1) {
    throw new InvalidArgumentError(`rk45: t0 and t1 must be finite and differ, got ${t0}, ${t1}`);
  }
  if (y0.dtype !== "f32") throw new InvalidArgumentError(`rk45: y0 must be f32, got ${y0.dtype}`);
  const rt = runtime();
  const dir = Math.sign(t1 - t0), span = Math.abs(t1 - t0);
  const n = y0.size, n4 = Math.ceil(n / 4);
  let readbacks = 0;
  let nfe = 1;
  const y = scope(() => add(y0, 0)); // private copy, updated in place by the accept kernel
  const k1 = scope(() => add(f(y, t0), 0)); // owned copy: the accept kernel writes it
  let h0 = o.firstStep;
  if (h0 === undefined) {
    const r = await initialStep(f, y, k1, t0, dir, span, o.rtol, o.atol);
    h0 = r.h;
    readbacks += r.readbacks;
    nfe += 1;
  }
  h0 = Math.min(h0, span);
  const S = tensor(
    Float32Array.from([t0, h0, dir * h0, 0, 0, 0, 0, 0, 0, h0 >= span ? 1 : 0, 0, 0, 0, 0, 0, 0]),
  );
  const K = TensorClass.empty([6 * n4 * 4], "f32", "rk45");
  const params = () => {
    const w = paramWords();
    w.u[0] = n4;
    w.u[1] = n;
    w.f[4] = t1;
    w.f[5] = dir;
    w.f[6] = o.rtol;
    w.f[7] = o.atol;
    w.f[8] = o.safety;
    w.f[9] = o.minFactor;
    w.f[10] = o.maxFactor;
    w.f[11] = 6;
    return w.u;
  };
  const g = grid(n4);
  const attempt = () =>
    scope(() => {
      let kn = k1;
      let yst: Tensor = y;
      let tst: Tensor | null = null;
      for (let stage = 1; stage <= 6; stage++) {
        yst = TensorClass.empty(y.shape, "f32", "rk45");
        tst = TensorClass.empty([1], "f32", "rk45");
        rt.dispatch(
          kStage(stage),
          [y.buffer(), kn.buffer(), S.buffer()],
          [K.buffer(), yst.buffer(), tst.buffer()],
          params(),
          g,
        );
        kn = f(yst, tst);
      }
      const y5 = yst, k7 = kn;
      const r = TensorClass.empty(y.shape, "f32", "rk45");
      rt.dispatch(
        kError(),
        [y.buffer(), y5.buffer(), k7.buffer(), K.buffer(), S.buffer()],
        [r.buffer()],
        params(),
        g,
      );
      const es = sum(r);
      rt.dispatch(kControl(), [es.buffer()], [S.buffer()], params(), [1, 1, 1]);
      rt.dispatch(
        kAccept(),
        [y5.buffer(), k7.buffer(), S.buffer()],
        [y.buffer(), k1.buffer()],
        params(),
        g,
      );
      return null;
    });

  let encoded = 0;
  let observed: Float32Array | null = null;
  let chunk = o.checkEvery;
  const encode = (m: number) => {
    for (let i = 0; i < m; i++) attempt();
    encoded += m;
  };
  encode(chunk);
  let pending = S.read() as Promise<Float32Array>;
  let inFlight = chunk;
  try {
    while (true) {
      rt.flush();
      // Speculate: encode what the last observed state says is still needed beyond the chunk in
      // flight, so the GPU keeps working while this read completes.
      let spec = 0;
      if (observed) {
        const remaining = Math.abs(t1 - observed[0]) / Math.max(observed[1], 1e-30);
        spec = Math.min(o.maxChunk, Math.max(0, Math.ceil(remaining / 2) - inFlight));
        if (encoded + spec > o.maxAttempts) spec = Math.max(0, o.maxAttempts - encoded);
        encode(spec);
        rt.flush();
      }
      observed = await pending;
      readbacks++;
      const status = observed[3];
      if (status === 1) break;
      if (status === 2) {
        throw new NonFiniteError(
          `rk45: step size underflow or non-finite error norm at t=${observed[0]} ` +
            `(|h|=${observed[1]}, ${observed[5]} accepted, ${observed[6]} rejected); check f ` +
            `for NaN/Inf or loosen rtol/atol`,
        );
      }
      if (encoded >= o.maxAttempts) {
        throw new InvalidArgumentError(
          `rk45: not finished after maxAttempts=${o.maxAttempts} attempts (t=${observed[0]}, ` +
            `|h|=${observed[1]}); raise maxAttempts or loosen rtol/atol`,
        );
      }
      if (spec === 0) {
        const remaining = Math.abs(t1 - observed[0]) / Math.max(observed[1], 1e-30);
        chunk = Math.min(
          o.maxChunk,
          Math.max(2, Math.ceil(remaining / 2)),
          o.maxAttempts - encoded,
        );
        encode(chunk);
        inFlight = chunk;
      } else inFlight = spec;
      pending = S.read() as Promise<Float32Array>;
    }
  } finally {
    K.dispose();
    S.dispose();
    k1.dispose();
  }
  const attemptsUsed = observed![5] + observed![6];
  return {
    y,
    nfe: nfe + observed![4],
    accepted: observed![5],
    rejected: observed![6],
    readbacks,
    wastedAttempts: encoded - attemptsUsed,
  };
}

/** scipy's `select_initial_step` for order 4 (error estimator), with two readbacks. */
async function initialStep(
  f: OdeFn,
  y0: Tensor,
  f0: Tensor,
  t0: number,
  dir: number,
  span: number,
  rtol: number,
  atol: number,
): Promise<{ h: number; readbacks: number }> {
  const n = y0.size;
  const [d0t, d1t] = scope(() => {
    const scale = add(mul(abs(y0), rtol), atol);
    return [sum(square(div(y0, scale))), sum(square(div(f0, scale)))];
  });
  const [a, b] = await Promise.all([d0t.read(), d1t.read()]);
  d0t.dispose();
  d1t.dispose();
  const d0 = Math.sqrt(a[0] / n), d1 = Math.sqrt(b[0] / n);
  let h0 = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : (0.01 * d0) / d1;
  h0 = Math.min(h0, span);
  const d2t = scope(() => {
    const scale = add(mul(abs(y0), rtol), atol);
    const y1 = add(y0, mul(f0, dir * h0));
    const f1 = f(y1, t0 + dir * h0);
    return sum(square(div(sub(f1, f0), scale)));
  });
  const d2 = Math.sqrt((await d2t.read())[0] / n) / h0;
  d2t.dispose();
  const h1 = d1 <= 1e-15 && d2 <= 1e-15
    ? Math.max(1e-6, h0 * 1e-3)
    : (0.01 / Math.max(d1, d2)) ** (1 / 5);
  return { h: Math.min(100 * h0, h1, span), readbacks: 2 };
}
