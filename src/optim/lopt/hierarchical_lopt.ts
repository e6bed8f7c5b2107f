/**
 * A hierarchical learned optimizer: a per-tensor recurrent network feeding a per-parameter MLP
 * (Metz et al. 2020, "Tasks, stability, architecture, and compute: training more effective
 * learned optimizers, and using them to train themselves"; learned_optimization's
 * `RNNMLPLOpt`, whose structure and defaults this follows in compact form).
 *
 * Per parameter, the features are those of `mlpLopt` (gradient, parameter and momenta at
 * 6 decays, each divided by its RMS over the tensor, plus 11 `tanh(t / s - 1)` step features).
 * Per tensor, 27 aggregate features summarize the same raw rows `x in [g, p, m_1..m_6]`:
 * `clipLogAbs(mean x)` and `clipLogAbs(var x)` for each row, the log norms of the gradient and
 * of the parameters (clipped to [-5, 5]), `sign(mean x)` for each row, and `log(size) - 1`,
 * where `clipLogAbs(v) = clip(log(1e-8 + |v|), -5, 5)` (the reference's transform). Together
 * with the mean over tensors of the previous hidden states (the reference's DeepSets-style
 * `from_lstm` message) and, with `lossFeatures` (the default), the normalized training loss
 * below, they drive one GRU step per tensor (R hidden units):
 *
 *     h' = GRU(features, h)                  per tensor, h = 0 at the start
 *     c = Wc h' + bc                         context (C numbers), broadcast to the tensor
 *     s = ws . h' + bs                       learned log step scale of the tensor
 *     [d, m] = MLP([per-parameter features, step features, c])
 *     step = d * exp(m * expMult) * stepMult * exp(s);   p' = p - step
 *
 * The reference runs an LSTM (64 units); this uses a GRU, as `gruLopt` does, because its single
 * state vector halves the per-tensor state (which has to be stored in the per-parameter state
 * rows, see below) and it has 3 gate blocks instead of 4. The per-tensor log step scale is an
 * explicit readout here (the reference modulates steps only through the context inputs); its
 * weights start at zero, so the untrained optimizer's steps are the MLP's.
 *
 * Loss feature (the reference's `train_loss_feat`: `_LossNormalizer(0.9).weight_loss` in
 * learned_optimization's `learned_optimizers/rnn_mlp_lopt.py`): the training loss L of the
 * particle's problem (the update's `loss` input, before the step) standardized by the running
 * mean and variance of its values so far (decay d = 0.9),
 *
 *     mu' = d mu + (1 - d) L;   v' = d v + (1 - d) (mu' - L)^2;   w' = d w + (1 - d)
 *     lossFeature = clip((L - mu' / w') / sqrt(v' / w' + 1e-8), -5, 5)
 *
 * the same for every tensor of the particle. `w = 1 - d^t` is the bias correction after t
 * losses; the reference computes it from an update count (and adds 1e-8 to it), here it is
 * carried in the state, so that a step without a loss leaves all three statistics as they were.
 * Such a step (no `loss` given, e.g. through `asOptimizer`, whose nn interface has no loss)
 * feeds the neutral value 0: the loss sitting at its running mean. The feature is a smooth
 * function of the loss (up to the clip), so TBPTT also differentiates through the loss's
 * dependence on earlier steps.
 *
 * Left out from the reference: the validation-loss feature (no validation loss reaches the
 * update), the MLP-to-RNN feedback (`from_mlp`), the dynamic gradient clipper, second-moment
 * accumulators and the shape features beyond the tensor size.
 *
 * State: rows 0-5 of the `[P, 6 + R (+ 3), n]` state are the momenta; rows 6 .. 6 + R hold
 * each tensor's RNN hidden state, repeated over that tensor's parameters (the interface has only
 * per-parameter state), and read back from the tensor's first parameter; with loss features,
 * the last 3 rows hold `mu, v, w`, repeated over all the particle's parameters and read back
 * from the first. Everything is tensor ops, so TBPTT differentiates through the RNN state and
 * the loss statistics (there is no fused kernel); the per-tensor aggregates are one matmul with
 * a segment-averaging matrix and each broadcast back to the parameters is one gather, whatever
 * the number of tensors.
 *
 * @example
 * ```ts
 * import { reshape, tensor, zeros } from "../../gpu/mod.ts";
 * import { hierarchicalLopt } from "./hierarchical_lopt.ts";
 * const lopt = hierarchicalLopt({ hidden: 8, layers: 1, rnnHidden: 4, context: 2 });
 * const out = lopt.update({
 *   theta: reshape(lopt.initTheta(0), [1, lopt.thetaDim]),
 *   params: tensor([[0.5, -1, 2]]),
 *   grads: tensor([[0.1, 0.2, -0.3]]),
 *   state: zeros([1, lopt.stateRows, 3]), // 6 momenta + 4 RNN units + 3 loss statistics
 *   iteration: tensor([0]),
 *   segments: [2, 1], // two parameter tensors
 *   loss: tensor([0.7]), // the training loss at params
 * });
 * console.log(out.params.shape, out.state.shape); // [1, 3] [1, 13, 3]
 * ```
 * @module
 */
import { z } from "zod";
import { DtypeError, ShapeError } from "../../errors.ts";
import {
  abs,
  add,
  broadcastTo,
  concat,
  div,
  exp,
  keptCache,
  log,
  matmul,
  maximum,
  mean,
  minimum,
  mul,
  reshape,
  rsqrt,
  sign,
  slice,
  square,
  sub,
  take,
  type Tensor,
  tensor,
  zeros,
} from "../../gpu/mod.ts";
import type { KeyOrSeed } from "../../nn/host_rng.ts";
import { parseOptions } from "../../options.ts";
import {
  checkSegments,
  type LearnedOptimizer,
  type LoptUpdateInput,
  type LoptUpdateOutput,
} from "./learned_optimizer.ts";
import {
  denseInitHost,
  denseLayout,
  denseTail,
  LOPT_DECAYS,
  LOPT_FEATURES,
  LOPT_TENSOR_FEATURES,
  loptFeatures,
  type LoptSlot,
  loptStep,
  stepFeatures,
  thetaSlot,
} from "./mlp_lopt.ts";
import { gruCell } from "./gru_lopt.ts";

/** Per-tensor aggregate features fed to the RNN (27, not counting the loss feature). */
export const HIER_TENSOR_FEATURES: number = 3 * LOPT_TENSOR_FEATURES + 3;

/** State rows of the loss statistics `mu, v, w` (see the module doc). */
const LOSS_STATS = 3;

const schema = z.strictObject({
  hidden: z.number().int().min(1).max(512).default(32),
  layers: z.number().int().min(1).max(4).default(2),
  rnnHidden: z.number().int().min(1).max(256).default(32),
  context: z.number().int().min(1).max(128).default(16),
  stepMult: z.number().positive().finite().default(0.001),
  expMult: z.number().positive().finite().default(0.001),
  lossFeatures: z.boolean().default(true),
  lossDecay: z.number().min(0).lt(1).default(0.9),
});

/** Options of {@link hierarchicalLopt} (reference defaults from learned_optimization). */
export interface HierarchicalLoptOptions {
  /** Width of each hidden layer of the per-parameter MLP [32, as the reference]. */
  hidden?: number;
  /** Hidden layers of the per-parameter MLP [2, as the reference]. */
  layers?: number;
  /** Hidden units R of the per-tensor GRU [32; the reference's LSTM has 64]. */
  rnnHidden?: number;
  /** Context numbers C the RNN passes to each tensor's MLP [16; the reference uses 17]. */
  context?: number;
  /** Scale of every step [0.001, as the reference]. */
  stepMult?: number;
  /** Scale of the magnitude output inside the exponential [0.001, as the reference]. */
  expMult?: number;
  /**
   * Feed the RNN the normalized training loss (see the module doc; adds one RNN input and 3
   * state rows) [true, as the reference].
   */
  lossFeatures?: boolean;
  /** Decay d of the running loss statistics [0.9, the reference's training-loss normalizer]. */
  lossDecay?: number;
}

/** The hierarchical learned optimizer (see the module doc). */
export interface HierarchicalLopt extends LearnedOptimizer {
  /** The parsed options. */
  readonly options: Readonly<Required<HierarchicalLoptOptions>>;
  /**
   * Where each weight lives in theta: the MLP's `w1, b1, ..` (`w1` is `[hidden, 19 + C]`:
   * per-parameter features, step features, context), then the GRU's `rnn_wx [3R, 27 + R]`
   * (`[3R, 28 + R]` with loss features: column 27 reads the loss feature),
   * `rnn_u [3R, R]`, `rnn_b [3R]` (update, reset, candidate blocks), the context readout
   * `ctx_w [C, R]`, `ctx_b [C]` and the log-step-scale readout `scale_w [1, R]`, `scale_b [1]`.
   */
  readonly layout: readonly LoptSlot[];
}

/**
 * Builds the hierarchical learned optimizer. Initial weights: haiku's `Linear` init (truncated
 * normal / sqrt(fan-in), zero biases) for the MLP, the GRU and the context readout; zero for
 * the log-step-scale readout.
 *
 * @example
 * ```ts
 * import { hierarchicalLopt } from "./hierarchical_lopt.ts";
 * const lopt = hierarchicalLopt();
 * console.log(lopt.thetaDim, lopt.stateRows); // 11763 41 (6 momenta, 32 RNN units, 3 loss stats)
 * ```
 */
export function hierarchicalLopt(options: HierarchicalLoptOptions = {}): HierarchicalLopt {
  const o = parseOptions(schema, options, "hierarchicalLopt");
  const R = o.rnnHidden, C = o.context, K = LOPT_DECAYS.length;
  const mlp = denseLayout([
    LOPT_FEATURES + C,
    ...Array.from({ length: o.layers }, () => o.hidden),
    2,
  ]);
  const L = o.lossFeatures ? LOSS_STATS : 0; // state rows of the loss statistics
  const rnnIn = HIER_TENSOR_FEATURES + (o.lossFeatures ? 1 : 0) + R;
  const layout: LoptSlot[] = [...mlp.slots];
  let D = mlp.end;
  const addSlot = (name: string, shape: number[]): LoptSlot => {
    const s = { name, offset: D, shape };
    D += shape.reduce((a, b) => a * b, 1);
    layout.push(s);
    return s;
  };
  const rnn = {
    wx: addSlot("rnn_wx", [3 * R, rnnIn]),
    u: addSlot("rnn_u", [3 * R, R]),
    b: addSlot("rnn_b", [3 * R]),
    ctxW: addSlot("ctx_w", [C, R]),
    ctxB: addSlot("ctx_b", [C]),
    scaleW: addSlot("scale_w", [1, R]),
    scaleB: addSlot("scale_b", [1]),
  };

  // Segment tables depend only on the layout: uploaded once per layout and kept (rebuilt if
  // disposed), not every step, since `mean` is [n, S] and n can be large.
  const tables = keptCache<SegmentTables>();
  const tablesFor = (segments: readonly number[]): SegmentTables =>
    tables(segments.join(","), () => segmentTables(segments));

  const update = (input: LoptUpdateInput): LoptUpdateOutput => {
    const where = "hierarchicalLopt.update";
    const { theta, params, grads, state, iteration } = input;
    const P = theta.shape[0];
    if (theta.rank !== 2 || theta.shape[1] !== D) {
      throw new ShapeError(`${where}: theta must be [P, ${D}], got [${theta.shape}]`);
    }
    if (params.rank !== 2 || params.shape[0] !== P) {
      throw new ShapeError(`${where}: params must be [${P}, n], got [${params.shape}]`);
    }
    const n = params.shape[1];
    if (grads.shape.join() !== params.shape.join()) {
      throw new ShapeError(`${where}: grads [${grads.shape}] must match params [${params.shape}]`);
    }
    if (state.shape.join() !== `${P},${K + R + L},${n}`) {
      const rows = `${K} momenta + ${R} RNN units${L ? ` + ${L} loss statistics` : ""}`;
      throw new ShapeError(
        `${where}: state (${rows}) must be [${P}, ${K + R + L}, ${n}], got [${state.shape}]`,
      );
    }
    const segments = checkSegments(input.segments, n, where);
    const tau = stepFeatures(iteration, P, where);
    const seg = tablesFor(segments);
    const spread = (x: Tensor) => take(x, seg.index, 2); // [P, k, S] -> [P, k, n]
    const segMean = (x: Tensor) => matmul(x, seg.mean); // [P, k, n] -> [P, k, S]
    const S = segments.length;

    const { nextMoments, raw, features } = loptFeatures(
      params,
      grads,
      slice(state, [null, [0, K]]),
      segments,
    );
    // 1. Per-tensor aggregates and one GRU step per tensor.
    const h = take(slice(state, [null, [K, K + R]]), seg.first, 2); // [P, R, S]
    const mu = segMean(raw);
    const variance = segMean(square(sub(raw, spread(mu))));
    const sumSq = mul(segMean(square(slice(raw, [null, [0, 2]]))), seg.size); // |g|^2, |p|^2
    const logs = concat([
      log(add(abs(concat([mu, variance], 1)), 1e-8)),
      mul(log(add(sumSq, 1e-16)), 0.5), // log norm, smooth at a zero tensor
    ], 1);
    const lossStats = L
      ? lossFeature(
        input.loss,
        slice(state, [null, [K + R, K + R + L], [0, 1]]),
        o.lossDecay,
        where,
      )
      : null;
    const x = concat([
      minimum(maximum(logs, -5), 5),
      sign(mu),
      broadcastTo(seg.logSize, [P, 1, S]),
      ...(lossStats ? [broadcastTo(lossStats.feature, [P, 1, S])] : []),
      broadcastTo(mean(h, 2, true), [P, R, S]), // what all tensors' RNNs said last step
    ], 1);
    const xin = add(matmul(thetaSlot(theta, rnn.wx), x), thetaSlot(theta, rnn.b));
    const u = thetaSlot(theta, rnn.u);
    const hNext = gruCell(xin, slice(u, [null, [0, 2 * R]]), slice(u, [null, [2 * R, 3 * R]]), h);
    const context = add(matmul(thetaSlot(theta, rnn.ctxW), hNext), thetaSlot(theta, rnn.ctxB));
    const logScale = add(matmul(thetaSlot(theta, rnn.scaleW), hNext), thetaSlot(theta, rnn.scaleB));

    // 2. Per-parameter MLP; what is shared by a tensor's parameters (step features, bias,
    // context) enters the first layer as one [P, hidden, S] block.
    const w1 = thetaSlot(theta, mlp.slots[0]);
    const cols = (a: number, b: number) => slice(w1, [null, null, [a, b]]);
    const perTensor = add(
      add(matmul(cols(LOPT_TENSOR_FEATURES, LOPT_FEATURES), tau), thetaSlot(theta, mlp.slots[1])),
      matmul(cols(LOPT_FEATURES, LOPT_FEATURES + C), context),
    );
    const firstPre = add(matmul(cols(0, LOPT_TENSOR_FEATURES), features), spread(perTensor));
    const out = denseTail(theta, mlp.slots, firstPre);
    const scale = reshape(spread(exp(logScale)), [P, n]);
    const step = mul(loptStep(out, o.stepMult, o.expMult), scale);
    return {
      params: sub(params, step),
      state: concat([
        nextMoments,
        spread(hNext),
        ...(lossStats ? [broadcastTo(lossStats.stats, [P, L, n])] : []),
      ], 1),
      step,
    };
  };

  const initHost = (seed: KeyOrSeed): Float32Array => {
    const theta = denseInitHost(seed, D, layout);
    theta.fill(0, rnn.scaleW.offset, rnn.scaleW.offset + R); // start at the MLP's step size
    return theta;
  };
  return {
    name: "hier-lopt",
    options: o,
    thetaDim: D,
    stateRows: K + R + L,
    layout,
    initTheta: (seed) => tensor(initHost(seed)),
    initThetaHost: initHost,
    update,
  };
}

/**
 * The loss feature `[P, 1, 1]` and the next statistics `mu, v, w` `[P, 3, 1]` from the previous
 * ones `[P, 3, 1]` (see the module doc); without a loss, 0 and the statistics unchanged.
 */
function lossFeature(
  loss: Tensor | undefined,
  stats: Tensor,
  decay: number,
  where: string,
): { feature: Tensor; stats: Tensor } {
  const P = stats.shape[0];
  if (loss === undefined) return { feature: zeros([P, 1, 1]), stats };
  if (loss.shape.join() !== `${P}`) {
    throw new ShapeError(
      `${where}: loss must be [${P}] (one training loss per particle), got [${loss.shape}]`,
    );
  }
  if (loss.dtype !== "f32") throw new DtypeError(`${where}: loss is ${loss.dtype}; expected f32`);
  const l = reshape(loss, [P, 1, 1]);
  const ema = (row: number, x: Tensor) =>
    add(mul(slice(stats, [null, [row, row + 1]]), decay), mul(x, 1 - decay));
  const mu = ema(0, l);
  const v = ema(1, square(sub(mu, l)));
  const w = add(mul(slice(stats, [null, [2, 3]]), decay), 1 - decay);
  const z = mul(sub(l, div(mu, w)), rsqrt(add(div(v, w), 1e-8)));
  return { feature: minimum(maximum(z, -5), 5), stats: concat([mu, v, w], 1) };
}

/** GPU constants of one segment layout (see `segmentTables`). */
interface SegmentTables {
  mean: Tensor;
  index: Tensor;
  first: Tensor;
  size: Tensor;
  logSize: Tensor;
}

/**
 * Constants of a segment layout: `mean [n, S]` averages each segment (one matmul for all of
 * them), `index [n]` is each parameter's segment and `first [S]` each segment's first parameter
 * (gathers); `size` and `logSize` (`log(size) - 1`) are `[1, 1, S]`.
 */
function segmentTables(segments: readonly number[]): SegmentTables {
  const S = segments.length, n = segments.reduce((a, b) => a + b, 0);
  const meanM = new Float32Array(n * S), index = new Int32Array(n), first = new Int32Array(S);
  let at = 0;
  segments.forEach((len, s) => {
    first[s] = at;
    for (let i = at; i < at + len; i++) {
      meanM[i * S + s] = 1 / len;
      index[i] = s;
    }
    at += len;
  });
  const row = (f: (len: number) => number) =>
    tensor(Float32Array.from(segments, f), { shape: [1, 1, S] });
  return {
    mean: tensor(meanM, { shape: [n, S] }),
    index: tensor(index, { dtype: "i32" }),
    first: tensor(first, { dtype: "i32" }),
    size: row((len) => len),
    logSize: row((len) => Math.log(len) - 1),
  };
}
