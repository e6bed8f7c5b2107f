/**
 * Antithetic Gaussian perturbations and the loss differences of antithetic pairs, shared by
 * truncated ES, PES and PES-A.
 *
 * Particle layout: `n` pairs give `2n` particles, rows `[0, n)` run `theta + eps_i` and rows
 * `[n, 2n)` run `theta - eps_i` (the layout of persistent_es's `concatenate([pos, neg])`).
 * A pair's loss difference is split at the step where its episode ends: the steps up to and
 * including the last step of the old episode ("pre") and the steps of the new episode
 * ("post"), each averaged over the K steps of the truncation (learned_optimization's
 * `truncated_pes.compute_pes_grad`: `last_unroll_loss` / `new_unroll_loss`).
 * All three steps are single fused kernels (`kernels/es_combine.ts`).
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { key } from "../../gpu/random.ts";
 * import { antitheticThetas, samplePerturbations } from "./antithetic.ts";
 * const eps = samplePerturbations(key(0), 3, 2, 0.1);
 * console.log(antitheticThetas(tensor([1, 2]), eps).shape); // [6, 2]
 * ```
 * @module
 */
import { InvalidArgumentError, ShapeError } from "../../errors.ts";
import type { Tensor } from "../../gpu/mod.ts";
import { memoKernel, paramWords } from "../../gpu/kernels/indexing.ts";
import { grid, runtime } from "../../gpu/runtime.ts";
import { Tensor as TensorClass } from "../../gpu/tensor.ts";
import { type Key, normal } from "../../gpu/random.ts";
import type { TruncationPlan } from "../episode_clock.ts";
import { antitheticKernel, esCombineKernel, pairWeightsKernel } from "../kernels/es_combine.ts";

const antiK = memoKernel(antitheticKernel);
const weightsK = memoKernel(pairWeightsKernel);
const combineK = memoKernel(esCombineKernel);

/**
 * `n` perturbations `eps ~ N(0, sigma^2 I_D)`, `[n, D]`.
 *
 * @example
 * ```ts
 * import { key } from "../../gpu/random.ts";
 * import { samplePerturbations } from "./antithetic.ts";
 * console.log(samplePerturbations(key(1), 4, 3, 0.01).shape); // [4, 3]
 * ```
 */
export function samplePerturbations(k: Key, n: number, dim: number, sigma: number): Tensor {
  if (!(sigma > 0)) {
    throw new InvalidArgumentError(`samplePerturbations: sigma must be > 0, got ${sigma}`);
  }
  return normal(k, [n, dim], 0, sigma);
}

/**
 * The `2n` particle parameters `[theta + eps; theta - eps]`, `[2n, D]` (not differentiable).
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { antitheticThetas } from "./antithetic.ts";
 * console.log(await antitheticThetas(tensor([1]), tensor([[0.5]])).toArray()); // [[1.5], [0.5]]
 * ```
 */
export function antitheticThetas(theta: Tensor, eps: Tensor): Tensor {
  const D = theta.size;
  if (eps.rank !== 2 || eps.shape[1] !== D) {
    throw new ShapeError(
      `antitheticThetas: eps must be [n, ${D}] for theta [${theta.shape}], got [${eps.shape}]`,
    );
  }
  const n = eps.shape[0];
  const out = TensorClass.empty([2 * n, D], "f32", "antitheticThetas");
  const w = paramWords();
  w.u[0] = n;
  w.u[1] = D;
  runtime().dispatch(
    antiK(),
    [theta.buffer("antitheticThetas"), eps.buffer("antitheticThetas")],
    [out.buffer()],
    w.u,
    grid(2 * n * D),
  );
  return out;
}

/**
 * Per antithetic pair, `[pre, post, lossSum]` (`[n, 3]`): the mean over the K steps of
 * `L+ - L-` on the steps of the old episode (up to and including the step where it ended) and
 * on the later steps, and the sum of both particles' losses. With `signDeltaLoss = c`, the
 * pair's total difference is replaced by `c * sign(total)`, spread over its steps in proportion
 * (learned_optimization's `sign_delta_loss_scalar`). `losses` is `[2n, K]`.
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { EpisodeClock } from "../episode_clock.ts";
 * import { pairWeights } from "./antithetic.ts";
 * const plan = new EpisodeClock(3, Int32Array.from([0, 2])).plan(2); // pair 1 ends at step 0
 * const w = pairWeights(tensor([[1, 2], [3, 4], [0, 0], [0, 0]]), plan);
 * console.log(await w.toArray()); // [[1.5, 0, 3], [1.5, 2, 7]]
 * ```
 */
export function pairWeights(losses: Tensor, plan: TruncationPlan, signDeltaLoss?: number): Tensor {
  const n = plan.t0.length, K = plan.steps;
  if (losses.shape.join() !== `${2 * n},${K}`) {
    throw new ShapeError(`pairWeights: losses must be [${2 * n}, ${K}], got [${losses.shape}]`);
  }
  const out = TensorClass.empty([n, 3], "f32", "pairWeights");
  const w = paramWords();
  w.u[0] = n;
  w.u[1] = K;
  w.u[2] = horizonWord(plan);
  w.f[4] = signDeltaLoss ?? 0;
  runtime().dispatch(
    weightsK(),
    [losses.buffer("pairWeights"), plan.t0Gpu.buffer("pairWeights")],
    [out.buffer()],
    w.u,
    grid(n),
  );
  return out;
}

function horizonWord(plan: TruncationPlan): number {
  return plan.horizon === Infinity ? 0 : plan.horizon;
}

/** What {@link esCombine} returns. */
export interface EsCombined {
  /** The ES/PES gradient estimate `[D]`. */
  grad: Tensor;
  /** New accumulators `[n, D]` (null for truncated ES). */
  xi: Tensor | null;
  /** Mean loss over the 2n particles and K steps, `[]`. */
  loss: Tensor;
}

/**
 * Reduces the pairs' weights to the estimate `sum_i pre_i (xi_i + eps_i) + post_i eps_i`
 * scaled by `1 / (2 sigma^2 n)` (with `xi = null`: truncated ES, `(pre + post) eps`) and
 * updates the accumulators (`eps` where the pair's episode ended, else `xi + eps`).
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { EpisodeClock } from "../episode_clock.ts";
 * import { esCombine } from "./antithetic.ts";
 * const plan = new EpisodeClock(Infinity, new Int32Array(1)).plan(1);
 * const r = esCombine(tensor([[2, 0, 4]]), tensor([[0.5]]), tensor([[1]]), plan, 1);
 * console.log(await r.grad.read(), await r.xi!.read(), await r.loss.item()); // [1.5] [1.5] 2
 * ```
 */
export function esCombine(
  weights: Tensor,
  eps: Tensor,
  xi: Tensor | null,
  plan: TruncationPlan,
  sigma: number,
): EsCombined {
  const n = plan.t0.length, K = plan.steps;
  const D = eps.shape[1];
  if (
    weights.shape.join() !== `${n},3` || eps.shape[0] !== n ||
    (xi && xi.shape.join() !== eps.shape.join())
  ) {
    throw new ShapeError(
      `esCombine: expected weights [${n}, 3], eps [${n}, D] and xi like eps; got ` +
        `[${weights.shape}], [${eps.shape}], ${xi ? `[${xi.shape}]` : "none"}`,
    );
  }
  const grad = TensorClass.empty([D], "f32", "esCombine");
  const xiNew = xi
    ? TensorClass.empty([n, D], "f32", "esCombine")
    : TensorClass.empty([1], "f32", "esCombine");
  const loss = TensorClass.empty([], "f32", "esCombine");
  const w = paramWords();
  w.u[0] = n;
  w.u[1] = D;
  w.u[2] = K;
  w.u[3] = xi ? 1 : 0;
  w.f[4] = 1 / (2 * sigma * sigma * n);
  w.f[5] = 1 / (2 * n * K);
  w.u[6] = horizonWord(plan);
  runtime().dispatch(
    combineK(),
    [
      weights.buffer("esCombine"),
      eps.buffer("esCombine"),
      (xi ?? eps).buffer("esCombine"),
      plan.t0Gpu.buffer("esCombine"),
    ],
    [grad.buffer(), xiNew.buffer(), loss.buffer()],
    w.u,
    grid(D * 256),
  );
  if (!xi) xiNew.dispose();
  return { grad, xi: xi ? xiNew : null, loss };
}
