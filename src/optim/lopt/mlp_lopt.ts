/**
 * The per-parameter MLP learned optimizer ("LOLv2"; Metz et al. 2019, "Understanding and
 * correcting pathologies in the training of learned optimizers"; the `MLPLOpt` of
 * google/learned_optimization, whose features and defaults this follows).
 *
 * For every scalar parameter `p` with gradient `g`, momentum accumulators
 * `m_k <- beta_k m_k + (1 - beta_k) g` at decays `beta = [0.1, 0.5, 0.9, 0.99, 0.999, 0.9999]`
 * give 8 features `[g, p, m_1..m_6]`; each feature is divided by its root mean square over the
 * parameter's tensor (`x / sqrt(1e-5 + mean(x^2))`), and 11 features of the training step
 * `tanh(t / s - 1)` for timescales `s = 1, 3, 10, ..., 1e5` are appended (19 in all). A small
 * ReLU MLP (2 hidden layers of 32 by default) maps them to a direction `d` and a magnitude `s`,
 * and the parameter moves by `-d * exp(s * expMult) * stepMult` (both multipliers 0.001).
 *
 * Everything is vectorized over a leading particle axis `P` (each particle its own optimizer
 * weights `theta [P, D]`, its own parameters and accumulators), so an evolution-strategies or
 * PES meta-gradient estimator runs all perturbed optimizers in the same dispatches. Activations
 * are kept feature-major (`[P, features, n]`) so each layer is one batched matmul
 * `W [P, out, in] @ h [P, in, n]` with no transposes; the 11 step features are the same for all
 * of a particle's parameters, so their contribution to the first layer is one `[P, H, 1]` column.
 *
 * @example
 * ```ts
 * import { reshape, tensor, zeros } from "../../gpu/mod.ts";
 * import { mlpLopt } from "./mlp_lopt.ts";
 * const lopt = mlpLopt({ hidden: 8, layers: 1 });
 * const theta = lopt.initTheta(0); // [D] on the GPU
 * const out = lopt.update({
 *   theta: reshape(theta, [1, lopt.thetaDim]),
 *   params: tensor([[0.5, -1, 2]]),
 *   grads: tensor([[0.1, 0.2, -0.3]]),
 *   state: zeros([1, 6, 3]), // the 6 momentum accumulators
 *   iteration: tensor([0]),
 * });
 * console.log(out.params.shape, out.state.shape); // [1, 3] [1, 6, 3]
 * ```
 * @module
 */
import { z } from "zod";
import { ShapeError } from "../../errors.ts";
import {
  add,
  concat,
  exp,
  keptCache,
  matmul,
  mean,
  mul,
  relu,
  reshape,
  rsqrt,
  slice,
  square,
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
import { LOPT_CHUNK, loptApplyKernel, loptStatsKernel } from "../kernels/mlp_lopt.ts";
import {
  checkSegments,
  type LearnedOptimizer,
  type LoptUpdateInput,
  type LoptUpdateOutput,
} from "./learned_optimizer.ts";
import { parseOptions } from "../../options.ts";

/** Decays of the momentum accumulators (learned_optimization `MLPLOpt`). */
export const LOPT_DECAYS: readonly number[] = [0.1, 0.5, 0.9, 0.99, 0.999, 0.9999];
/** Timescales of the `tanh(t / s - 1)` training-step features (learned_optimization). */
export const LOPT_TIMESCALES: readonly number[] = [
  1,
  3,
  10,
  30,
  100,
  300,
  1000,
  3000,
  10000,
  30000,
  100000,
];
/** Per-tensor normalized features: gradient, parameter, and one per momentum decay. */
export const LOPT_TENSOR_FEATURES: number = 2 + LOPT_DECAYS.length;
/** All input features of the per-parameter MLP (19). */
export const LOPT_FEATURES: number = LOPT_TENSOR_FEATURES + LOPT_TIMESCALES.length;
/** Names of the normalized features, in input order. */
export const LOPT_FEATURE_NAMES: readonly string[] = [
  "grad",
  "param",
  ...LOPT_DECAYS.map((b) => `mom_${b}`),
];

const NORM_EPS = 1e-5;
const statsKernel = memoKernel(loptStatsKernel);
const applyKernel = memoKernel(loptApplyKernel);
const tableCache = keptCache<{ chunks: number; chunkTable: Tensor; segTable: Tensor }>();

const schema = z.strictObject({
  hidden: z.number().int().min(1).max(512).default(32),
  layers: z.number().int().min(1).max(4).default(2),
  stepMult: z.number().positive().finite().default(0.001),
  expMult: z.number().positive().finite().default(0.001),
  fused: z.boolean().default(true),
});

/** Options of {@link mlpLopt} (defaults from learned_optimization's `MLPLOpt`). */
export interface MlpLoptOptions {
  /** Width of each hidden layer [32]. */
  hidden?: number;
  /** Number of hidden layers [2]. */
  layers?: number;
  /** Scale of every step [0.001]. */
  stepMult?: number;
  /** Scale of the magnitude output inside the exponential [0.001]. */
  expMult?: number;
  /**
   * Run the update as two fused kernels when no gradient is being recorded (evaluation, ES/PES
   * meta-training); under a gradient trace the differentiable tensor-op path runs [true].
   */
  fused?: boolean;
}

/** One weight or bias of the optimizer's MLP inside the flat theta vector. */
export interface LoptSlot {
  /** `w{l}` (shape `[out, in]`) or `b{l}` (shape `[out]`), l = 1 .. layers + 1. */
  readonly name: string;
  /** Offset into theta. */
  readonly offset: number;
  /** Shape (weights are stored output-major, `[out, in]`). */
  readonly shape: readonly number[];
}

/** A per-parameter MLP learned optimizer (see the module doc). */
export interface MlpLopt extends LearnedOptimizer {
  /** The parsed options. */
  readonly options: Readonly<Required<MlpLoptOptions>>;
  /** Where each weight and bias lives in theta. */
  readonly layout: readonly LoptSlot[];
  /**
   * The raw MLP outputs `[P, 2, n]` (direction, magnitude) for given normalized tensor
   * features `[P, 8, n]` and step indices `[P]`, for analysis.
   */
  outputs(theta: Tensor, features: Tensor, iteration: Tensor): Tensor;
}

/**
 * Builds the per-parameter MLP learned optimizer.
 *
 * @example
 * ```ts
 * import { mlpLopt } from "./mlp_lopt.ts";
 * const lopt = mlpLopt();
 * console.log(lopt.thetaDim); // 1762 = 19*32+32 + 32*32+32 + 32*2+2
 * ```
 */
export function mlpLopt(options: MlpLoptOptions = {}): MlpLopt {
  const o = parseOptions(schema, options, "mlpLopt");
  const { slots: layout, end: D } = denseLayout([
    LOPT_FEATURES,
    ...Array.from({ length: o.layers }, () => o.hidden),
    2,
  ]);

  /** MLP on feature-major inputs `[P, 8, n]` -> `[P, 2, n]`. */
  const outputs = (theta: Tensor, feats: Tensor, iteration: Tensor): Tensor => {
    const P = theta.shape[0];
    if (theta.rank !== 2 || theta.shape[1] !== D) {
      throw new ShapeError(`mlpLopt: theta must be [P, ${D}], got [${theta.shape}]`);
    }
    if (feats.rank !== 3 || feats.shape[0] !== P || feats.shape[1] !== LOPT_TENSOR_FEATURES) {
      throw new ShapeError(
        `mlpLopt: features must be [${P}, ${LOPT_TENSOR_FEATURES}, n], got [${feats.shape}]`,
      );
    }
    const w1 = thetaSlot(theta, layout[0]); // [P, H, 19]
    const w1Tensor = slice(w1, [null, null, [0, LOPT_TENSOR_FEATURES]]);
    const w1Time = slice(w1, [null, null, [LOPT_TENSOR_FEATURES, LOPT_FEATURES]]);
    // The step features are shared by all parameters: one [P, H, 1] column plus the bias.
    const tau = stepFeatures(iteration, P, "mlpLopt");
    const column = add(matmul(w1Time, tau), thetaSlot(theta, layout[1]));
    return denseTail(theta, layout, add(matmul(w1Tensor, feats), column));
  };

  const update = (input: LoptUpdateInput): LoptUpdateOutput => {
    const { theta, params, grads, state: moments, iteration } = input;
    const P = theta.shape[0];
    if (params.rank !== 2 || params.shape[0] !== P) {
      throw new ShapeError(`mlpLopt.update: params must be [${P}, n], got [${params.shape}]`);
    }
    const n = params.shape[1];
    if (grads.shape.join() !== params.shape.join()) {
      throw new ShapeError(
        `mlpLopt.update: grads [${grads.shape}] must match params [${params.shape}]`,
      );
    }
    const K = LOPT_DECAYS.length;
    if (moments.shape.join() !== `${P},${K},${n}`) {
      throw new ShapeError(
        `mlpLopt.update: state (momenta) must be [${P}, ${K}, ${n}], got [${moments.shape}]`,
      );
    }
    const segments = checkSegments(input.segments, n, "mlpLopt.update");
    if (o.fused && traceDepth() === 0) {
      return fusedUpdate(theta, params, grads, moments, iteration, segments);
    }
    const { nextMoments, features } = loptFeatures(params, grads, moments, segments);
    const step = loptStep(outputs(theta, features, iteration), o.stepMult, o.expMult);
    return { params: sub(params, step), state: nextMoments, step };
  };

  /** The forward update in two dispatches (see `../kernels/mlp_lopt.ts`). */
  function fusedUpdate(
    theta: Tensor,
    params: Tensor,
    grads: Tensor,
    moments: Tensor,
    iteration: Tensor,
    segments: readonly number[],
  ): LoptUpdateOutput {
    const P = theta.shape[0], n = params.shape[1];
    if (theta.rank !== 2 || theta.shape[1] !== D) {
      throw new ShapeError(`mlpLopt: theta must be [P, ${D}], got [${theta.shape}]`);
    }
    if (iteration.shape.join() !== `${P}`) {
      throw new ShapeError(`mlpLopt: iteration must be [${P}], got [${iteration.shape}]`);
    }
    const t = tables(segments);
    const where = "mlpLopt.update";
    const partial = TensorClass.empty([P, t.chunks, LOPT_TENSOR_FEATURES], "f32", where);
    const rt = runtime();
    const w = paramWords();
    w.u[0] = P;
    w.u[1] = n;
    w.u[2] = t.chunks;
    rt.dispatch(
      statsKernel(),
      [params.buffer(where), grads.buffer(where), moments.buffer(where), t.chunkTable.buffer()],
      [partial.buffer()],
      w.u,
      [t.chunks, P, 1],
    );
    const next = TensorClass.empty([P, n], "f32", where);
    const nextMoments = TensorClass.empty([P, LOPT_DECAYS.length, n], "f32", where);
    const step = TensorClass.empty([P, n], "f32", where);
    const v = paramWords();
    v.u[0] = P;
    v.u[1] = n;
    v.u[2] = t.chunks;
    v.u[3] = segments.length;
    v.u[4] = D;
    v.f[5] = o.stepMult;
    v.f[6] = o.expMult;
    rt.dispatch(
      applyKernel(o.hidden, o.layers),
      [
        theta.buffer(where),
        params.buffer(where),
        grads.buffer(where),
        moments.buffer(where),
        iteration.buffer(where),
        t.segTable.buffer(),
        partial.buffer(),
      ],
      [next.buffer(), nextMoments.buffer(), step.buffer()],
      v.u,
      grid(P * n),
    );
    partial.dispose();
    return { params: next, state: nextMoments, step };
  }

  /** Chunk and segment tables for the fused kernels (cached per layout, kept off scopes). */
  function tables(segments: readonly number[]): {
    chunks: number;
    chunkTable: Tensor;
    segTable: Tensor;
  } {
    return tableCache(segments.join(","), () => {
      const chunkRows: number[] = [], segRows: number[] = [];
      let at = 0;
      for (const len of segments) {
        const c0 = chunkRows.length / 2;
        for (let s = at; s < at + len; s += LOPT_CHUNK) {
          chunkRows.push(s, Math.min(s + LOPT_CHUNK, at + len));
        }
        segRows.push(at, at + len, c0, chunkRows.length / 2);
        at += len;
      }
      return {
        chunks: chunkRows.length / 2,
        chunkTable: tensor(Uint32Array.from(chunkRows), { dtype: "u32" }),
        segTable: tensor(Uint32Array.from(segRows), { dtype: "u32" }),
      };
    });
  }

  return {
    name: "mlp-lopt",
    options: o,
    thetaDim: D,
    stateRows: LOPT_DECAYS.length,
    layout,
    initTheta: (seed) => tensor(initHost(seed)),
    initThetaHost: initHost,
    update,
    outputs,
  };

  function initHost(seed: KeyOrSeed): Float32Array {
    return denseInitHost(seed, D, layout);
  }
}

/**
 * Divides each feature row of `raw [P, F, n]` by its root mean square over each segment of the
 * last axis (one segment per parameter tensor): `x / sqrt(1e-5 + mean(x^2))`.
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { normalizePerSegment } from "./mlp_lopt.ts";
 * const y = normalizePerSegment(tensor([[[3, 4, 10]]]), [2, 1]);
 * console.log(await y.toArray()); // about [[[0.8485, 1.1314, 1]]]
 * ```
 */
export function normalizePerSegment(raw: Tensor, segments: readonly number[]): Tensor {
  const norm = (x: Tensor) => mul(x, rsqrt(add(mean(square(x), 2, true), NORM_EPS)));
  if (segments.length === 1) return norm(raw);
  const parts: Tensor[] = [];
  let at = 0;
  for (const s of segments) {
    parts.push(norm(slice(raw, [null, null, [at, at + s]])));
    at += s;
  }
  return concat(parts, 2);
}

/**
 * Slots of a dense network with layer widths `sizes` (inputs first) laid out from offset 0:
 * `w{l}` `[out, in]` then `b{l}` `[out]` for l = 1 .. sizes.length - 1; `end` is the number of
 * weights.
 *
 * @example
 * ```ts
 * import { denseLayout } from "./mlp_lopt.ts";
 * const { slots, end } = denseLayout([3, 4, 2]);
 * console.log(slots.map((s) => s.name), end); // ["w1", "b1", "w2", "b2"] 26
 * ```
 */
export function denseLayout(sizes: readonly number[]): { slots: LoptSlot[]; end: number } {
  const slots: LoptSlot[] = [];
  let at = 0;
  for (let l = 1; l < sizes.length; l++) {
    const [fin, fout] = [sizes[l - 1], sizes[l]];
    slots.push({ name: `w${l}`, offset: at, shape: [fout, fin] });
    at += fin * fout;
    slots.push({ name: `b${l}`, offset: at, shape: [fout] });
    at += fout;
  }
  return { slots, end: at };
}

/**
 * One slot of every particle's weights `theta [P, D]`: a weight `[out, in]` as `[P, out, in]`,
 * a bias `[out]` as the column `[P, out, 1]` (feature-major layout).
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { thetaSlot } from "./mlp_lopt.ts";
 * const w = thetaSlot(tensor([[1, 2, 3, 4, 5, 6, 7]]), { name: "w1", offset: 1, shape: [2, 3] });
 * console.log(w.shape, await w.toArray()); // [1, 2, 3] [[[2, 3, 4], [5, 6, 7]]]
 * ```
 */
export function thetaSlot(theta: Tensor, s: LoptSlot): Tensor {
  const P = theta.shape[0];
  const flat = slice(theta, [null, [s.offset, s.offset + s.shape.reduce((a, b) => a * b, 1)]]);
  return reshape(flat, s.shape.length === 2 ? [P, s.shape[0], s.shape[1]] : [P, s.shape[0], 1]);
}

/**
 * The rest of a dense ReLU network in feature-major layout, given the first layer's
 * pre-activation `[P, H, n]`: ReLU, then layers 2 .. L of `slots` (from {@link denseLayout}),
 * the last one linear.
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { denseLayout, denseTail } from "./mlp_lopt.ts";
 * const { slots } = denseLayout([1, 2, 1]); // w2 = [1, -1] at offset 4, b2 at 6
 * const theta = tensor([[0, 0, 0, 0, 1, -1, 0.5]]);
 * console.log(await denseTail(theta, slots, tensor([[[3], [-2]]])).toArray()); // [[[3.5]]]
 * ```
 */
export function denseTail(theta: Tensor, slots: readonly LoptSlot[], firstPre: Tensor): Tensor {
  const L = slots.length / 2;
  let h = L === 1 ? firstPre : relu(firstPre);
  for (let l = 1; l < L; l++) {
    const z = add(matmul(thetaSlot(theta, slots[2 * l]), h), thetaSlot(theta, slots[2 * l + 1]));
    h = l === L - 1 ? z : relu(z);
  }
  return h;
}

/**
 * haiku's `Linear` default init for the weights of `slots` (truncated normal within 2 standard
 * deviations, scaled by 1/sqrt(fanIn)), zero biases, in a vector of `size` weights.
 *
 * @example
 * ```ts
 * import { denseInitHost, denseLayout } from "./mlp_lopt.ts";
 * const { slots, end } = denseLayout([4, 1]);
 * console.log(denseInitHost(0, end, slots).at(-1)); // 0 (the bias)
 * ```
 */
export function denseInitHost(
  seed: KeyOrSeed,
  size: number,
  slots: readonly LoptSlot[],
): Float32Array {
  const rng = hostRng(seed);
  const theta = new Float32Array(size);
  for (const s of slots) {
    if (s.shape.length !== 2) continue; // biases stay 0
    const std = 1 / Math.sqrt(s.shape[1]);
    const count = s.shape[0] * s.shape[1];
    for (let i = 0; i < count; i++) {
      let v: number;
      do v = rng.normal(); while (Math.abs(v) > 2);
      theta[s.offset + i] = v * std;
    }
  }
  return theta;
}

/**
 * The momentum update and the normalized per-parameter features of `MLPLOpt`: the next momenta
 * `[P, 6, n]`, the raw rows `[g, p, m_1..m_6]` `[P, 8, n]` and those rows divided by their
 * RMS over each tensor (see {@link normalizePerSegment}).
 *
 * @example
 * ```ts
 * import { tensor, zeros } from "../../gpu/mod.ts";
 * import { loptFeatures } from "./mlp_lopt.ts";
 * const f = loptFeatures(tensor([[1, 2]]), tensor([[0.5, -0.5]]), zeros([1, 6, 2]), [2]);
 * console.log(f.nextMoments.shape, f.features.shape); // [1, 6, 2] [1, 8, 2]
 * ```
 */
export function loptFeatures(
  params: Tensor,
  grads: Tensor,
  moments: Tensor,
  segments: readonly number[],
): { nextMoments: Tensor; raw: Tensor; features: Tensor } {
  const [P, n] = params.shape;
  const K = LOPT_DECAYS.length;
  // Constants are uploaded per call (queued writes, no sync) rather than held, so an optimizer
  // built inside a `scope` stays usable after it.
  const decays = tensorConst(LOPT_DECAYS, [1, K, 1]);
  const oneMinus = tensorConst(LOPT_DECAYS.map((b) => 1 - b), [1, K, 1]);
  const g3 = reshape(grads, [P, 1, n]);
  const nextMoments = add(mul(moments, decays), mul(g3, oneMinus));
  const raw = concat([g3, reshape(params, [P, 1, n]), nextMoments], 1);
  return { nextMoments, raw, features: normalizePerSegment(raw, segments) };
}

/**
 * The training-step features `tanh(t / s - 1)` for each timescale s of
 * {@link LOPT_TIMESCALES}, as one column per particle `[P, 11, 1]`; `where` names the caller
 * in the shape error for an `iteration` that is not `[P]`.
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { stepFeatures } from "./mlp_lopt.ts";
 * console.log(stepFeatures(tensor([0, 10]), 2, "demo").shape); // [2, 11, 1]
 * ```
 */
export function stepFeatures(iteration: Tensor, P: number, where: string): Tensor {
  if (iteration.shape.join() !== `${P}`) {
    throw new ShapeError(`${where}: iteration must be [${P}], got [${iteration.shape}]`);
  }
  const invScales = tensorConst(LOPT_TIMESCALES.map((s) => 1 / s), [1, LOPT_TIMESCALES.length]);
  return reshape(
    tanh(sub(mul(reshape(iteration, [P, 1]), invScales), 1)),
    [P, LOPT_TIMESCALES.length, 1],
  );
}

/**
 * The `MLPLOpt` step from the network's outputs `[P, 2, n]` (direction, magnitude):
 * `direction * exp(magnitude * expMult) * stepMult`, `[P, n]`.
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { loptStep } from "./mlp_lopt.ts";
 * console.log(await loptStep(tensor([[[2], [0]]]), 0.1, 1).toArray()); // [[0.2]]
 * ```
 */
export function loptStep(out: Tensor, stepMult: number, expMult: number): Tensor {
  const [P, , n] = out.shape;
  const direction = reshape(slice(out, [null, [0, 1]]), [P, n]);
  const magnitude = reshape(slice(out, [null, [1, 2]]), [P, n]);
  return mul(mul(direction, exp(mul(magnitude, expMult))), stepMult);
}

function tensorConst(values: readonly number[], shape: number[]): Tensor {
  return tensor(Float32Array.from(values), { shape });
}
