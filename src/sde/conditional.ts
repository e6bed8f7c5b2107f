/**
 * Class-conditional sampling with a noise-conditional classifier (Song et al. 2021, sec. 5 and
 * app. I.1; score_sde `controllable_generation.get_pc_conditional_sampler`): the conditional score
 * is grad log p_t(x | y) = s(x, t) + scale * grad_x log p_t(y | x), with the classifier's gradient
 * taken by autodiff inside each score evaluation (still GPU-resident: nothing is read back).
 *
 * @example
 * ```ts
 * import { random } from "../gpu/mod.ts";
 * import { GaussianMixture } from "./gmm.ts";
 * import { gmmScore } from "./gmm_score.ts";
 * import { classConditionalSample } from "./conditional.ts";
 * import { VPSDE } from "./vp.ts";
 * const sde = new VPSDE({ N: 50 });
 * const gmm = GaussianMixture.isotropic([[-3, 0], [3, 0]], 0.2);
 * // the exact noise-conditional classifier of a mixture: its component posterior at time t
 * const logits = (x: import("../gpu/mod.ts").Tensor, t: number | import("../gpu/mod.ts").Tensor) =>
 *   gmm.perturbed(sde.meanCoef(t as number), sde.std(t as number)).componentLogits(x);
 * const r = classConditionalSample(sde, gmmScore(gmm, sde), logits, 1, random.key(0), {
 *   shape: [8, 2], corrector: "none",
 * });
 * console.log(await r.samples.read()); // x near +3
 * ```
 * @module
 */
import { InvalidArgumentError, ShapeError } from "../errors.ts";
import {
  add,
  grad,
  logsumexp,
  mul,
  oneHot,
  type random,
  sub,
  sum,
  type Tensor,
  tensor,
} from "../gpu/mod.ts";
import { pcSample, type PcSamplerOptions, type SampleResult } from "./pc_sampler.ts";
import type { ScoreFn, Sde, TimeArg } from "./sde.ts";

/** A noise-conditional classifier: logits [B, C] of x [B, ...] at time t. */
export type NoisyClassifier = (x: Tensor, t: TimeArg) => Tensor;

/**
 * log p_t(y | x) = logits[y] - logsumexp(logits) per sample, [B], for labels y (i32 [B]).
 *
 * @example
 * ```ts
 * import { tensor } from "../gpu/mod.ts";
 * import { classLogProb } from "./conditional.ts";
 * const lp = classLogProb(tensor([[0, 0]]), tensor([1], { dtype: "i32" }));
 * console.log(await lp.read()); // [-0.693...] = log 1/2
 * ```
 */
export function classLogProb(logits: Tensor, labels: Tensor): Tensor {
  if (logits.rank !== 2 || labels.size !== logits.shape[0]) {
    throw new ShapeError(
      `classLogProb: expected logits [B, C] and B labels, got [${logits.shape}] and [${labels.shape}]`,
    );
  }
  const picked = sum(mul(logits, oneHot(labels, logits.shape[1])), 1);
  return sub(picked, logsumexp(logits, 1));
}

/**
 * The classifier-guided score s(x, t) + scale * grad_x log p_t(y | x).
 *
 * @example
 * ```ts
 * import { neg, random, tensor } from "../gpu/mod.ts";
 * import { classifierGuidedScore } from "./conditional.ts";
 * const logits = (x: import("../gpu/mod.ts").Tensor) => x; // 2 classes on 2-D x
 * const s = classifierGuidedScore(neg, logits, tensor([0, 0], { dtype: "i32" }));
 * console.log(s(random.normal(random.key(0), [2, 2]), 0.5).shape); // [2, 2]
 * ```
 */
export function classifierGuidedScore(
  score: ScoreFn,
  classifier: NoisyClassifier,
  labels: Tensor,
  scale = 1,
): ScoreFn {
  if (!Number.isFinite(scale)) {
    throw new InvalidArgumentError(`classifierGuidedScore: scale must be finite, got ${scale}`);
  }
  return (x, t) => {
    const g = grad((xx: Tensor) => sum(classLogProb(classifier(xx, t), labels)))(x);
    const s = score(x, t);
    const out = add(s, scale === 1 ? g : mul(g, scale));
    s.dispose();
    g.dispose();
    return out;
  };
}

/**
 * Samples [B, ...] of class `label` (one class for all, or one per sample) with the
 * predictor-corrector sampler and the classifier-guided score.
 *
 * @example
 * ```ts
 * import { neg, random } from "../gpu/mod.ts";
 * import { classConditionalSample } from "./conditional.ts";
 * import { VPSDE } from "./vp.ts";
 * const r = classConditionalSample(new VPSDE({ N: 25 }), neg, (x) => x, [0, 1], random.key(0), {
 *   shape: [2, 2], corrector: "none",
 * });
 * console.log(r.nfe); // 25
 * ```
 */
export function classConditionalSample(
  sde: Sde,
  score: ScoreFn,
  classifier: NoisyClassifier,
  label: number | readonly number[],
  key: random.Key,
  options: PcSamplerOptions & { scale?: number } = {},
): SampleResult {
  const { scale = 1, ...pc } = options;
  const b = pc.shape?.[0];
  if (!b) throw new InvalidArgumentError("classConditionalSample: give options.shape ([B, ...])");
  const ys = typeof label === "number" ? new Array(b).fill(label) : [...label];
  if (ys.length !== b || ys.some((y) => !Number.isInteger(y) || y < 0)) {
    throw new InvalidArgumentError(
      `classConditionalSample: label must be a class index or ${b} of them, got ${
        JSON.stringify(label)
      }`,
    );
  }
  const labels = tensor(Int32Array.from(ys), { shape: [b], dtype: "i32" });
  try {
    return pcSample(sde, classifierGuidedScore(score, classifier, labels, scale), key, pc);
  } finally {
    labels.dispose();
  }
}
