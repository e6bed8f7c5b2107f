/**
 * A per-parameter GRU learned optimizer, the recurrent form studied by Maheswaranathan et al.
 * (2021), "Reverse engineering learned optimizers reveals known and novel mechanisms": every
 * scalar parameter runs the same small GRU on its gradient and the step is a linear readout of
 * the hidden state. With input `x = inputScale * g` and state `h` (`H` numbers per parameter):
 *
 *     z = sigmoid(wz x + Uz h + bz)          update gate
 *     r = sigmoid(wr x + Ur h + br)          reset gate
 *     c = tanh(wc x + Uc (r * h) + bc)       candidate
 *     h' = (1 - z) * h + z * c
 *     step = stepMult * (wOut . h' + bOut);  p' = p - step
 *
 * The state is the optimizer's memory (momentum lives in slow directions of these dynamics), so
 * it can be reverse engineered by finding fixed points of `h -> h'` and linearizing around them
 * (see `gru_analysis.ts`). Vectorized over particles and parameters in feature-major layout
 * (`[P, H, n]`): one batched matmul per recurrent matrix per step.
 *
 * @example
 * ```ts
 * import { reshape, tensor, zeros } from "../../gpu/mod.ts";
 * import { gruLopt } from "./gru_lopt.ts";
 * const lopt = gruLopt({ hidden: 4 });
 * const out = lopt.update({
 *   theta: reshape(lopt.initTheta(0), [1, lopt.thetaDim]),
 *   params: tensor([[0.5, -1]]),
 *   grads: tensor([[0.1, -0.3]]),
 *   state: zeros([1, 4, 2]),
 *   iteration: tensor([0]),
 * });
 * console.log(lopt.thetaDim, out.state.shape); // 77 [1, 4, 2]
 * ```
 * @module
 */
import { z } from "zod";
import { ShapeError } from "../../errors.ts";
import {
  add,
  matmul,
  mul,
  reshape,
  sigmoid,
  slice,
  sub,
  tanh,
  type Tensor,
  tensor,
} from "../../gpu/mod.ts";
import { memoKernel, paramWords } from "../../gpu/kernels/indexing.ts";
import { grid, runtime } from "../../gpu/runtime.ts";
import { traceDepth } from "../../gpu/tape.ts";
import { Tensor as TensorClass } from "../../gpu/tensor.ts";
import { hostRng, type KeyOrSeed } from "../../nn/host_rng.ts";
import { gruLoptKernel } from "../kernels/gru_lopt.ts";
import { normalizePerSegment } from "./mlp_lopt.ts";
import { parseOptions } from "../../options.ts";
import { checkSegments, type LearnedOptimizer, type LoptUpdateInput } from "./learned_optimizer.ts";

const fusedKernel = memoKernel(gruLoptKernel);

/**
 * One GRU step on tensors, the recurrence of `gruLopt` and of `hierarchicalLopt`'s per-tensor
 * RNN: from the input pre-activations `xin = Wx x + b` `[P, 3H, k]` (blocks: update, reset,
 * candidate), the recurrent weights `uzr` `[P, 2H, H]` (update and reset gates) and `uc`
 * `[P, H, H]` (candidate), and the state `h` `[P, H, k]`, returns
 * `h + z (tanh(xin_c + uc (r h)) - h)` with `z, r = sigmoid(xin_zr + uzr h)`.
 *
 * @example
 * ```ts
 * import { full, zeros } from "../../gpu/mod.ts";
 * import { gruCell } from "./gru_lopt.ts";
 * // zero weights: z = 0.5, candidate tanh(0) = 0, so h halves
 * const h = gruCell(zeros([1, 3, 1]), zeros([1, 2, 1]), zeros([1, 1, 1]), full([1, 1, 1], 4));
 * console.log(await h.read()); // Float32Array [2]
 * ```
 */
export function gruCell(xin: Tensor, uzr: Tensor, uc: Tensor, h: Tensor): Tensor {
  const H = h.shape[1];
  const gates = add(slice(xin, [null, [0, 2 * H]]), matmul(uzr, h));
  const z = sigmoid(slice(gates, [null, [0, H]]));
  const r = sigmoid(slice(gates, [null, [H, 2 * H]]));
  const c = tanh(add(slice(xin, [null, [2 * H, 3 * H]]), matmul(uc, mul(r, h))));
  return add(h, mul(z, sub(c, h)));
}

const schema = z.strictObject({
  hidden: z.number().int().min(1).max(256).default(16),
  stepMult: z.number().positive().finite().default(0.1),
  inputScale: z.number().positive().finite().default(1),
  fused: z.boolean().default(true),
  inputNorm: z.enum(["none", "rms"]).default("none"),
});

/** Options of {@link gruLopt}. */
export interface GruLoptOptions {
  /** Hidden units H per parameter [16]. */
  hidden?: number;
  /** Scale of the readout step [0.1]. */
  stepMult?: number;
  /** The GRU's input is `inputScale * gradient` [1]. */
  inputScale?: number;
  /** One fused kernel when no gradient is recorded; the tensor-op path under a trace [true]. */
  fused?: boolean;
  /**
   * "rms": the input is the gradient divided by its root mean square over its tensor (as
   * `mlpLopt` normalizes its features), which makes the optimizer invariant to the gradient
   * scale; the fixed-point analysis then reads its gradient axis as this normalized input.
   * "none": the raw gradient (Maheswaranathan et al.) ["none"].
   */
  inputNorm?: "none" | "rms";
}

/** Offsets of the GRU's weights in the flat theta vector (H hidden units). */
export interface GruLayout {
  /** Input weights `[3H]` (z, r, c blocks). */
  readonly wx: number;
  /** Recurrent weights `[3H, H]` row-major (z, r, c blocks). */
  readonly u: number;
  /** Gate biases `[3H]`. */
  readonly b: number;
  /** Readout weights `[H]`. */
  readonly wOut: number;
  /** Readout bias `[1]`. */
  readonly bOut: number;
}

/** The per-parameter GRU optimizer (see the module doc). */
export interface GruLopt extends LearnedOptimizer {
  /** The parsed options. */
  readonly options: Readonly<Required<GruLoptOptions>>;
  /** Where each weight block lives in theta. */
  readonly layout: GruLayout;
}

/**
 * Builds the GRU learned optimizer. Initial weights: input weights N(0, 1), recurrent weights
 * N(0, 1/H), readout N(0, 1/H), zero biases.
 *
 * @example
 * ```ts
 * import { gruLopt } from "./gru_lopt.ts";
 * console.log(gruLopt().thetaDim); // 881 = 3*16 + 3*16*16 + 3*16 + 16 + 1
 * ```
 */
export function gruLopt(options: GruLoptOptions = {}): GruLopt {
  const o = parseOptions(schema, options, "gruLopt");
  const H = o.hidden;
  const layout: GruLayout = {
    wx: 0,
    u: 3 * H,
    b: 3 * H + 3 * H * H,
    wOut: 6 * H + 3 * H * H,
    bOut: 7 * H + 3 * H * H,
  };
  const D = layout.bOut + 1;

  const block = (theta: Tensor, at: number, rows: number, cols: number): Tensor => {
    const P = theta.shape[0];
    return reshape(slice(theta, [null, [at, at + rows * cols]]), [P, rows, cols]);
  };

  const update = (input: LoptUpdateInput) => {
    const { theta, params, grads, state: h } = input;
    const P = theta.shape[0];
    if (theta.rank !== 2 || theta.shape[1] !== D) {
      throw new ShapeError(`gruLopt: theta must be [P, ${D}], got [${theta.shape}]`);
    }
    if (params.rank !== 2 || params.shape[0] !== P) {
      throw new ShapeError(`gruLopt.update: params must be [${P}, n], got [${params.shape}]`);
    }
    const n = params.shape[1];
    if (grads.shape.join() !== params.shape.join()) {
      throw new ShapeError(
        `gruLopt.update: grads [${grads.shape}] must match params [${params.shape}]`,
      );
    }
    if (h.shape.join() !== `${P},${H},${n}`) {
      throw new ShapeError(
        `gruLopt.update: state (hidden) must be [${P}, ${H}, ${n}], got [${h.shape}]`,
      );
    }
    const segments = checkSegments(input.segments, n, "gruLopt.update");
    if (o.fused && o.inputNorm === "none" && traceDepth() === 0) {
      const where = "gruLopt.update";
      const next = TensorClass.empty([P, n], "f32", where);
      const nextH = TensorClass.empty([P, H, n], "f32", where);
      const step = TensorClass.empty([P, n], "f32", where);
      const w = paramWords();
      w.u[0] = P;
      w.u[1] = n;
      w.u[2] = D;
      w.f[3] = o.inputScale;
      w.f[4] = o.stepMult;
      runtime().dispatch(
        fusedKernel(H),
        [theta.buffer(where), params.buffer(where), grads.buffer(where), h.buffer(where)],
        [next.buffer(), nextH.buffer(), step.buffer()],
        w.u,
        grid(P * n),
      );
      return { params: next, state: nextH, step };
    }
    const g3 = reshape(grads, [P, 1, n]);
    const x = mul(o.inputNorm === "rms" ? normalizePerSegment(g3, segments) : g3, o.inputScale);
    const wx = block(theta, layout.wx, 3 * H, 1);
    const b = block(theta, layout.b, 3 * H, 1);
    const xin = add(mul(wx, x), b); // [P, 3H, n]
    const uzr = block(theta, layout.u, 2 * H, H);
    const uc = block(theta, layout.u + 2 * H * H, H, H);
    const next = gruCell(xin, uzr, uc, h);
    const wOut = block(theta, layout.wOut, 1, H);
    const bOut = block(theta, layout.bOut, 1, 1);
    const step = mul(reshape(add(matmul(wOut, next), bOut), [P, n]), o.stepMult);
    return { params: sub(params, step), state: next, step };
  };

  return {
    name: "gru-lopt",
    options: o,
    thetaDim: D,
    stateRows: H,
    layout,
    initTheta: (seed) => tensor(initHost(seed)),
    initThetaHost: initHost,
    update,
  };

  function initHost(seed: KeyOrSeed): Float32Array {
    const rng = hostRng(seed);
    const theta = new Float32Array(D);
    for (let i = 0; i < 3 * H; i++) theta[layout.wx + i] = rng.normal();
    for (let i = 0; i < 3 * H * H; i++) theta[layout.u + i] = rng.normal() / Math.sqrt(H);
    for (let i = 0; i < H; i++) theta[layout.wOut + i] = rng.normal() / Math.sqrt(H);
    return theta;
  }
}

/**
 * The GRU's recurrence and readout for one parameter in f64 on the host (used by the
 * fixed-point analysis and as the tests' reference).
 *
 * @example
 * ```ts
 * import { gruLopt, gruHost } from "./gru_lopt.ts";
 * const lopt = gruLopt({ hidden: 2 });
 * const f = gruHost(lopt, lopt.initThetaHost(0));
 * const h = f.next([0, 0], 0.5);
 * console.log(h.length, typeof f.step(h)); // 2 "number"
 * ```
 */
export function gruHost(
  lopt: GruLopt,
  theta: ArrayLike<number>,
): { next(h: readonly number[], g: number): number[]; step(h: readonly number[]): number } {
  const H = lopt.options.hidden, L = lopt.layout;
  if (theta.length !== lopt.thetaDim) {
    throw new ShapeError(`gruHost: theta must have ${lopt.thetaDim} entries, got ${theta.length}`);
  }
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  const row = (block: number, i: number, v: readonly number[]) => {
    let s = 0;
    for (let j = 0; j < H; j++) s += theta[L.u + (block * H + i) * H + j] * v[j];
    return s;
  };
  return {
    next(h, g) {
      const x = g * lopt.options.inputScale;
      const zs: number[] = [], rh: number[] = [];
      for (let i = 0; i < H; i++) {
        zs.push(sig(theta[L.wx + i] * x + row(0, i, h) + theta[L.b + i]));
        const r = sig(theta[L.wx + H + i] * x + row(1, i, h) + theta[L.b + H + i]);
        rh.push(r * h[i]);
      }
      return Array.from({ length: H }, (_, i) => {
        const c = Math.tanh(theta[L.wx + 2 * H + i] * x + row(2, i, rh) + theta[L.b + 2 * H + i]);
        return h[i] + zs[i] * (c - h[i]);
      });
    },
    step(h) {
      let s = theta[L.bOut];
      for (let i = 0; i < H; i++) s += theta[L.wOut + i] * h[i];
      return s * lopt.options.stepMult;
    },
  };
}
