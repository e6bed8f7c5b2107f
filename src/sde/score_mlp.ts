/**
 * A time-conditional MLP score model for low-dimensional data and flattened images: Gaussian
 * Fourier features of t (Tancik et al. 2020; score_sde's `GaussianFourierProjection`, scale 16)
 * projected into every hidden layer, h_{l+1} = act(h_l W_l + b_l + emb(t) Wt_l), and a linear
 * output (plus a learned elementwise input skip, by default) divided by the marginal std s(t) of
 * the SDE (the noise-conditional output scaling of
 * score_sde: NCSN's `scale_by_sigma`, and `-model / std` for VP), so the network predicts the
 * unit-scale noise and its output magnitude does not span four orders across t.
 *
 * Optionally (`init(key, dim, { baseline })`, see {@link gaussianBaseline}) the score is the exact
 * score of a diagonal Gaussian fitted to the data, perturbed by the SDE, plus the network's
 * residual: s(x, t) = apply(x, t) / s(t) - (x - a(t) mu) / (a(t)^2 var + s(t)^2). At large t the
 * perturbed data are nearly Gaussian and the baseline is nearly exact, so the network need not
 * learn the near-identity map there (an MLP narrower than the data cannot: its errors send the
 * probability-flow ODE's latents far out and ruin likelihoods). It is the per-dimension form of
 * the skip preconditioning c_skip(s) = var / (s^2 + var) of Karras et al. (2022), whose denoiser
 * is the optimal one for Gaussian data.
 *
 * Two code paths compute the same function: a differentiable one built from tensor ops (training,
 * likelihoods, any tensor t), and for a scalar t outside any gradient trace a fused one (sampling)
 * that computes every layer's time bias in one dispatch and each layer in one more: its matmul with
 * the bias + activation (output layer: bias, skip and 1 / s(t) scaling) fused as an epilogue.
 *
 * @example
 * ```ts
 * import { random } from "../gpu/mod.ts";
 * import { scoreMlp } from "./score_mlp.ts";
 * import { VPSDE } from "./vp.ts";
 * const net = scoreMlp({ hidden: [32, 32] });
 * const params = net.init(random.key(0), 2);
 * const score = net.score(new VPSDE(), params);
 * console.log(score(random.normal(random.key(1), [5, 2]), 0.5).shape); // [5, 2]
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError, ShapeError } from "../errors.ts";
import {
  add,
  concat,
  cos,
  div,
  full,
  matmul,
  matmulEpilogue,
  mean,
  mul,
  random,
  reciprocal,
  reshape,
  scope,
  sin,
  square,
  stopGradient,
  sub,
  type Tensor,
  zeros,
} from "../gpu/mod.ts";
import { isRecording } from "../gpu/tape.ts";
import { activationFn } from "../nn/activation.ts";
import { denseInit } from "../nn/init.ts";
import {
  FUSED_ACTIVATIONS,
  type FusedActivation,
  hiddenEpilogue,
  outputEpilogue,
  timeBiases,
} from "./kernels/mlp_fused.ts";
import { parseOptions } from "../options.ts";
import { perSample, type ScoreFn, type Sde, type TimeArg } from "./sde.ts";

/** Options of {@link scoreMlp}. */
export interface ScoreMlpOptions {
  /** Hidden widths (default [256, 256, 256]). */
  hidden?: number[];
  /** Fourier feature count (even; default 64). */
  embedDim?: number;
  /** Std of the Fourier frequencies (default 16, score_sde's `fourier_scale`). */
  fourierScale?: number;
  /** Hidden activation (default "swish", score_sde's default). */
  activation?: FusedActivation;
  /**
   * Add a learned elementwise input skip x * w_skip to the output (default true). Without it a
   * hidden layer narrower than the data (e.g. 128 units for 784 pixels) cannot represent the
   * near-identity map the noise prediction needs at large t.
   */
  inputSkip?: boolean;
}

const schema = z.strictObject({
  hidden: z.array(z.number().int().positive()).min(1).default([256, 256, 256]),
  embedDim: z.number().int().min(2).refine((v) => v % 2 === 0, "must be even").default(64),
  fourierScale: z.number().positive().default(16),
  activation: z.enum(FUSED_ACTIVATIONS as [FusedActivation, ...FusedActivation[]]).default(
    "swish",
  ),
  inputSkip: z.boolean().default(true),
});

/**
 * A fixed diagonal-Gaussian model of the data, mean and variance per dimension ([dim] each).
 *
 * @example
 * ```ts
 * import { tensor } from "../gpu/mod.ts";
 * import type { GaussianBaseline } from "./score_mlp.ts";
 * const b: GaussianBaseline = { mean: tensor([0, 0]), variance: tensor([1, 1]) };
 * console.log(b.mean.shape); // [2]
 * ```
 */
export type GaussianBaseline = { mean: Tensor; variance: Tensor };

/**
 * Options of {@link gaussianBaseline}.
 *
 * @example
 * ```ts
 * import type { GaussianBaselineOptions } from "./score_mlp.ts";
 * const o: GaussianBaselineOptions = { shrink: 0.5, minVariance: 5e-6 };
 * console.log(o.shrink); // 0.5
 * ```
 */
export interface GaussianBaselineOptions {
  /**
   * Weight in [0, 1] of the mean variance in each dimension's variance (default 0.5):
   * (1 - shrink) var_d + shrink mean(var). A dimension the training data never vary in (an
   * MNIST corner) would otherwise get a near-zero variance, and a test image with ink there a
   * near-zero density whatever the network learns.
   */
  shrink?: number;
  /** Added to every variance (default 0), e.g. the variance of dequantization noise. */
  minVariance?: number;
}

/**
 * The per-dimension mean and (shrunk) variance of `data` [n, dim], for
 * `ScoreMlp.init(key, dim, { baseline })`.
 *
 * @example
 * ```ts
 * import { tensor } from "../gpu/mod.ts";
 * import { gaussianBaseline } from "./score_mlp.ts";
 * const b = gaussianBaseline(tensor([[0, 1], [2, 1]]), { shrink: 0.5, minVariance: 0.25 });
 * // variances [1, 0], mean 0.5: 0.5 * [1, 0] + 0.5 * 0.5 + 0.25
 * console.log(await b.mean.read(), await b.variance.read()); // [1, 1] [1, 0.5]
 * ```
 */
export function gaussianBaseline(
  data: Tensor,
  options: GaussianBaselineOptions = {},
): GaussianBaseline {
  if (data.rank !== 2 || data.shape[0] < 1) {
    throw new ShapeError(`gaussianBaseline: data must be [n >= 1, dim], got [${data.shape}]`);
  }
  const shrink = options.shrink ?? 0.5, floor = options.minVariance ?? 0;
  if (!(shrink >= 0 && shrink <= 1)) {
    throw new InvalidArgumentError(`gaussianBaseline: shrink must be in [0, 1], got ${shrink}`);
  }
  if (!(floor >= 0) || !Number.isFinite(floor)) {
    throw new InvalidArgumentError(
      `gaussianBaseline: minVariance must be a finite number >= 0, got ${floor}`,
    );
  }
  return scope(() => {
    const m = mean(data, 0);
    const v = mean(square(sub(data, m)), 0);
    const shrunk = add(mul(v, 1 - shrink), mul(mean(v), shrink));
    return { mean: m, variance: add(shrunk, floor) };
  });
}

/** One hidden layer: w [in, H], b [H], wt [E, H] (time projection). */
export type ScoreMlpLayer = { w: Tensor; b: Tensor; wt: Tensor };

/**
 * Parameters of {@link scoreMlp}; `fourier` and `base` (the optional Gaussian baseline) are fixed
 * (not trained: gradients are stopped); `out.skip` [dim] is the input-skip weight (absent with
 * `inputSkip: false`).
 */
export type ScoreMlpParams = {
  fourier: Tensor;
  base?: GaussianBaseline;
  layers: ScoreMlpLayer[];
  out: { w: Tensor; b: Tensor; skip?: Tensor };
};

/** A score MLP: `init`, the raw network `apply`, and `score` (output scaled by 1 / s(t)). */
export interface ScoreMlp {
  /** The parsed options. */
  readonly options: Required<ScoreMlpOptions>;
  /** Parameters for inputs of `dim` features, optionally with a Gaussian baseline of the data. */
  init(key: random.Key, dim: number, options?: { baseline?: GaussianBaseline }): ScoreMlpParams;
  /** The network output (before the 1 / s(t) scaling) for x [B, dim] at t. */
  apply(params: ScoreMlpParams, x: Tensor, t: TimeArg, outScale?: number): Tensor;
  /**
   * The score function s(x, t) = apply(x, t) / std(t) of this network under `sde` (plus the
   * perturbed baseline's score with `params.base`).
   */
  score(sde: Sde, params: ScoreMlpParams): ScoreFn;
}

/**
 * Builds a score MLP (see the module doc).
 *
 * @example
 * ```ts
 * import { random, tensor } from "../gpu/mod.ts";
 * import { scoreMlp } from "./score_mlp.ts";
 * const net = scoreMlp({ hidden: [16], embedDim: 8 });
 * const p = net.init(random.key(0), 3);
 * // the fused path (number t) and the differentiable one (tensor t) agree
 * const x = random.normal(random.key(1), [2, 3]);
 * console.log(await net.apply(p, x, 0.3).read(), await net.apply(p, x, tensor([0.3])).read());
 * ```
 */
export function scoreMlp(options: ScoreMlpOptions = {}): ScoreMlp {
  const o = parseOptions(schema, options, "scoreMlp");
  const act = activationFn(o.activation === "identity" ? "identity" : o.activation);
  const E = o.embedDim;

  const embed = (fw: Tensor, t: Tensor): Tensor => {
    const tc = reshape(t, [t.size, 1]);
    const proj = mul(tc, mul(stopGradient(fw), 2 * Math.PI));
    return concat([sin(proj), cos(proj)], 1);
  };

  const applyTensor = (p: ScoreMlpParams, x: Tensor, t: Tensor): Tensor => {
    const emb = embed(p.fourier, t);
    let h = x;
    for (const l of p.layers) h = act(add(add(matmul(h, l.w), l.b), matmul(emb, l.wt)));
    const y = add(matmul(h, p.out.w), p.out.b);
    return p.out.skip ? add(y, mul(x, p.out.skip)) : y;
  };

  const applyFused = (
    p: ScoreMlpParams,
    x: Tensor,
    t: number,
    outScale: number,
    base?: { a: number; s: number },
  ): Tensor => {
    // one dispatch for all time biases, then one per layer: the matmul with its epilogue fused
    const tbs = timeBiases(p.fourier, p.layers, t);
    let h = x;
    p.layers.forEach((l, i) => {
      const next = matmulEpilogue(h, l.w, { epilogue: hiddenEpilogue(o.activation, tbs[i]) });
      tbs[i].dispose();
      if (h !== x) h.dispose();
      h = next;
    });
    const out = matmulEpilogue(h, p.out.w, {
      epilogue: outputEpilogue(
        p.out.b,
        x,
        p.out.skip,
        outScale,
        base && p.base ? { ...p.base, ...base } : undefined,
      ),
    });
    if (h !== x) h.dispose();
    return out;
  };

  const net: ScoreMlp = {
    options: o,
    init(key, dim, init = {}) {
      const keys = random.split(key, 2 * o.hidden.length + 2);
      const layers: ScoreMlpLayer[] = [];
      let inDim = dim;
      o.hidden.forEach((hdim, i) => {
        const { w, b } = denseInit(keys[2 * i], inDim, hdim, { parameterization: "standard" });
        const wt = denseInit(keys[2 * i + 1], E, hdim, { parameterization: "standard" }).w;
        layers.push({ w, b, wt });
        inDim = hdim;
      });
      const o2 = denseInit(keys[keys.length - 2], inDim, dim, { parameterization: "standard" });
      const out = o.inputSkip ? { ...o2, skip: zeros([dim]) } : o2;
      const fourier = random.normal(keys[keys.length - 1], [E / 2], 0, o.fourierScale);
      const base = init.baseline;
      if (!base) return { fourier, layers, out };
      for (const [name, v] of Object.entries(base)) {
        if (v.rank !== 1 || v.shape[0] !== dim) {
          throw new ShapeError(
            `scoreMlp.init: baseline.${name} must be [${dim}], got [${v.shape}]`,
          );
        }
      }
      return { fourier, base: { mean: base.mean, variance: base.variance }, layers, out };
    },
    apply(p, x, t, outScale = 1) {
      const dim = p.out.w.shape[1];
      if (x.rank !== 2 || x.shape[1] !== dim) {
        throw new ShapeError(`scoreMlp.apply: expected x [B, ${dim}], got [${x.shape}]`);
      }
      if (typeof t === "number" && !isRecording()) return applyFused(p, x, t, outScale);
      const tt = typeof t === "number" ? full([1], t) : t;
      const y = applyTensor(p, x, tt);
      return outScale === 1 ? y : mul(y, outScale);
    },
    score(sde, p) {
      return (x: Tensor, t: TimeArg) => {
        const flat = x.rank === 2 ? x : reshape(x, [x.shape[0], x.size / x.shape[0]]);
        const dim = p.out.w.shape[1];
        if (flat.shape[1] !== dim) {
          throw new ShapeError(`scoreMlp.score: expected x [B, ${dim}], got [${x.shape}]`);
        }
        let s: Tensor;
        if (typeof t === "number" && !isRecording()) {
          const base = { a: sde.meanCoef(t), s: sde.std(t) };
          s = applyFused(p, flat, t, 1 / base.s, p.base ? base : undefined);
        } else {
          const tt = typeof t === "number" ? full([1], t) : t;
          const a = perSample(sde.meanCoefT(tt), flat, "scoreMlp.score");
          const std = perSample(sde.stdT(tt), flat, "scoreMlp.score");
          s = mul(applyTensor(p, flat, tt), reciprocal(std));
          if (p.base) {
            // -(x - a mu) / (a^2 var + std^2): the perturbed Gaussian baseline's score
            const mu = stopGradient(p.base.mean), vr = stopGradient(p.base.variance);
            s = sub(s, div(sub(flat, mul(a, mu)), add(mul(square(a), vr), square(std))));
          }
        }
        return flat === x ? s : reshape(s, x.shape);
      };
    },
  };
  return net;
}
