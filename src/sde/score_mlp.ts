/**
 * A time-conditional MLP score model for low-dimensional data and flattened images: Gaussian
 * Fourier features of t (Tancik et al. 2020; score_sde's `GaussianFourierProjection`, scale 16)
 * projected into every hidden layer, h_{l+1} = act(h_l W_l + b_l + emb(t) Wt_l), and a linear
 * output (plus a learned elementwise input skip, by default) divided by the marginal std s(t) of
 * the SDE (the noise-conditional output scaling of
 * score_sde: NCSN's `scale_by_sigma`, and `-model / std` for VP), so the network predicts the
 * unit-scale noise and its output magnitude does not span four orders across t.
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
import { ShapeError } from "../errors.ts";
import {
  add,
  concat,
  cos,
  full,
  matmul,
  matmulEpilogue,
  mul,
  random,
  reciprocal,
  reshape,
  sin,
  stopGradient,
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

/** One hidden layer: w [in, H], b [H], wt [E, H] (time projection). */
export type ScoreMlpLayer = { w: Tensor; b: Tensor; wt: Tensor };

/**
 * Parameters of {@link scoreMlp}; `fourier` is fixed (not trained: gradients are stopped);
 * `out.skip` [dim] is the input-skip weight (absent with `inputSkip: false`).
 */
export type ScoreMlpParams = {
  fourier: Tensor;
  layers: ScoreMlpLayer[];
  out: { w: Tensor; b: Tensor; skip?: Tensor };
};

/** A score MLP: `init`, the raw network `apply`, and `score` (output scaled by 1 / s(t)). */
export interface ScoreMlp {
  /** The parsed options. */
  readonly options: Required<ScoreMlpOptions>;
  /** Parameters for inputs of `dim` features. */
  init(key: random.Key, dim: number): ScoreMlpParams;
  /** The network output (before the 1 / s(t) scaling) for x [B, dim] at t. */
  apply(params: ScoreMlpParams, x: Tensor, t: TimeArg, outScale?: number): Tensor;
  /** The score function s(x, t) = apply(x, t) / std(t) of this network under `sde`. */
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

  const applyFused = (p: ScoreMlpParams, x: Tensor, t: number, outScale: number): Tensor => {
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
      epilogue: outputEpilogue(p.out.b, x, p.out.skip, outScale),
    });
    if (h !== x) h.dispose();
    return out;
  };

  const net: ScoreMlp = {
    options: o,
    init(key, dim) {
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
      return { fourier, layers, out };
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
        let s: Tensor;
        if (typeof t === "number") s = net.apply(p, flat, t, 1 / sde.std(t));
        else {
          const std = perSample(sde.stdT(t), flat, "scoreMlp.score");
          s = mul(net.apply(p, flat, t), reciprocal(std));
        }
        return flat === x ? s : reshape(s, x.shape);
      };
    },
  };
  return net;
}
