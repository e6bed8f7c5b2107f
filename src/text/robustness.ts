import { InvalidArgumentError } from "../errors.ts";
import type { SentenceAndTargetExample, TextExample } from "./example.ts";
import { examplesEqual, validateExample } from "./example.ts";
import { Filter } from "./filter.ts";
import type { TextClassifier } from "./models/text_classifier.ts";
import { TaskKindError } from "./task_kind_error.ts";
import type { Transformation } from "./transformation.ts";

/**
 * How a model's accuracy changes on transformed (or filtered) data, as
 * NL-Augmenter reports it: accuracies in percent, and the change in points.
 *
 * @example
 * ```ts
 * import type { RobustnessResult } from "./robustness.ts";
 * const r: RobustnessResult = {
 *   model: "m", operation: "op", type: "transformation", preservesLabel: true, originalScore: 94, perturbedScore: 89,
 *   delta: -5, drop: 5, nOriginal: 100, nPerturbed: 100, perturbationRate: 0.8, summary: "94.0 -> 89.0 (-5.0)",
 * };
 * console.log(r.summary);
 * ```
 */
export interface RobustnessResult {
  /** The model's name. */
  model: string;
  /** The operation's name. */
  operation: string;
  /** Transformation or filter. */
  type: "transformation" | "filter";
  /** Whether the operation declares that labels survive it (filters: true). */
  preservesLabel: boolean;
  /** Accuracy (%) on the original data. */
  originalScore: number;
  /** Accuracy (%) on the transformed data, or on the filtered subset (NaN if empty). */
  perturbedScore: number;
  /** perturbedScore - originalScore, in points. */
  delta: number;
  /** originalScore - perturbedScore, in points (positive = worse). */
  drop: number;
  /** Examples in the original data. */
  nOriginal: number;
  /** Examples transformed, or kept by the filter. */
  nPerturbed: number;
  /** Share of transformed examples that changed (filters: share kept). */
  perturbationRate: number;
  /** "94.0 -> 89.0 (-5.0)". */
  summary: string;
}

/**
 * Options of {@link evaluateRobustness}.
 *
 * @example
 * ```ts
 * import type { RobustnessOptions } from "./robustness.ts";
 * const o: RobustnessOptions = { originalPredictions: ["spam", "ham"] };
 * console.log(o.originalPredictions?.length);
 * ```
 */
export interface RobustnessOptions {
  /** The model's predictions on the original data, to skip predicting them again. */
  originalPredictions?: readonly string[];
}

/**
 * Evaluates a classifier's robustness to one operation on a labelled dataset
 * of `sentence_and_target` examples (target = label): accuracy on the original
 * data; then, for a transformation, accuracy on the first output of each
 * example (its own target, so label-changing operations may edit it); for a
 * filter, accuracy of the original predictions on the subset that passes.
 *
 * @example
 * ```ts
 * import { evaluateRobustness } from "./robustness.ts";
 * import { ChangeCharCase } from "./transformations/change_char_case.ts";
 * const model = {
 *   name: "caps", labels: ["loud", "calm"],
 *   predict: (xs: readonly string[]) => Promise.resolve(xs.map((x) => /^[A-Z !]+$/.test(x) ? "loud" : "calm")),
 * };
 * const data = [
 *   { kind: "sentence_and_target" as const, sentence: "STOP NOW", target: "loud" },
 *   { kind: "sentence_and_target" as const, sentence: "hello there", target: "calm" },
 * ];
 * const r = await evaluateRobustness(model, data, new ChangeCharCase({ prob: 1 }));
 * console.log(r.summary); // "100.0 -> 0.0 (-100.0)"
 * ```
 * @param model The classifier.
 * @param dataset Labelled examples (`sentence_and_target`).
 * @param operation A transformation or filter accepting `sentence_and_target`.
 * @param options Precomputed original predictions.
 * @returns Scores and the difference in points.
 */
export async function evaluateRobustness(
  model: TextClassifier,
  dataset: readonly SentenceAndTargetExample[],
  operation: Transformation | Filter,
  options: RobustnessOptions = {},
): Promise<RobustnessResult> {
  if (!Array.isArray(dataset) || dataset.length === 0) {
    throw new InvalidArgumentError(
      `evaluateRobustness: dataset must be a non-empty array of sentence_and_target examples, got ${
        Array.isArray(dataset) ? "an empty array" : typeof dataset
      }`,
    );
  }
  dataset.forEach((e, i) => {
    validateExample(e, `evaluateRobustness: dataset[${i}]`);
    if ((e as TextExample).kind !== "sentence_and_target") {
      throw new InvalidArgumentError(
        `evaluateRobustness: dataset[${i}].kind must be "sentence_and_target", got "${
          (e as TextExample).kind
        }"`,
      );
    }
  });
  if (!operation.supports("sentence_and_target")) {
    throw new TaskKindError(operation.name, "sentence_and_target", operation.info.kinds);
  }
  const original = options.originalPredictions ??
    await model.predict(dataset.map((e) => e.sentence));
  if (original.length !== dataset.length) {
    throw new InvalidArgumentError(
      `evaluateRobustness: originalPredictions has ${original.length} entries, dataset has ${dataset.length}`,
    );
  }
  const originalScore = accuracy(original, dataset.map((e) => e.target));
  let perturbedScore: number;
  let nPerturbed: number;
  let rate: number;
  let preservesLabel = true;
  if (operation instanceof Filter) {
    const keep = dataset.map((e) => operation.filter(e));
    const idx = keep.flatMap((k, i) => (k ? [i] : []));
    nPerturbed = idx.length;
    rate = idx.length / dataset.length;
    perturbedScore = idx.length === 0
      ? NaN
      : accuracy(idx.map((i) => original[i]), idx.map((i) => dataset[i].target));
  } else {
    preservesLabel = operation.info.preservesLabel;
    const outs = dataset.map((e) => operation.generate(e)[0] as SentenceAndTargetExample);
    const changed = outs.filter((o, i) => !examplesEqual(o, dataset[i])).length;
    rate = changed / dataset.length;
    nPerturbed = outs.length;
    // Unchanged examples keep their original prediction; only changed texts are predicted.
    const changedIdx = outs.flatMap((o, i) => (examplesEqual(o, dataset[i]) ? [] : [i]));
    const fresh = await model.predict(changedIdx.map((i) => outs[i].sentence));
    const preds = [...original];
    changedIdx.forEach((i, k) => (preds[i] = fresh[k]));
    perturbedScore = accuracy(preds, outs.map((o) => o.target));
  }
  const delta = perturbedScore - originalScore;
  return {
    model: model.name,
    operation: operation.name,
    type: operation instanceof Filter ? "filter" : "transformation",
    preservesLabel,
    originalScore,
    perturbedScore,
    delta,
    drop: -delta,
    nOriginal: dataset.length,
    nPerturbed,
    perturbationRate: rate,
    summary: formatChange(originalScore, perturbedScore),
  };
}

/**
 * Formats a score change as NL-Augmenter prints it: "94.0 -> 89.0 (-5.0)".
 *
 * @example
 * ```ts
 * import { formatChange } from "./robustness.ts";
 * console.log(formatChange(94, 89), formatChange(50, 62.25)); // "94.0 -> 89.0 (-5.0)" "50.0 -> 62.3 (+12.3)"
 * ```
 * @param before The original score.
 * @param after The perturbed score.
 * @returns The summary.
 */
export function formatChange(before: number, after: number): string {
  if (Number.isNaN(after)) return `${before.toFixed(1)} -> n/a (empty subset)`;
  const d = after - before;
  const sign = d >= 0 ? "+" : "-";
  return `${before.toFixed(1)} -> ${after.toFixed(1)} (${sign}${Math.abs(d).toFixed(1)})`;
}

/**
 * Accuracy in percent of predictions against labels.
 *
 * @example
 * ```ts
 * import { accuracy } from "./robustness.ts";
 * console.log(accuracy(["a", "b", "b"], ["a", "b", "a"])); // 66.66666666666667
 * ```
 * @param predictions Predicted labels.
 * @param labels True labels (same length).
 * @returns 100 x the share of matches (NaN for empty input).
 */
export function accuracy(predictions: readonly string[], labels: readonly string[]): number {
  if (predictions.length !== labels.length) {
    throw new InvalidArgumentError(
      `accuracy: ${predictions.length} predictions for ${labels.length} labels`,
    );
  }
  if (labels.length === 0) return NaN;
  let hit = 0;
  for (let i = 0; i < labels.length; i++) if (predictions[i] === labels[i]) hit++;
  return (100 * hit) / labels.length;
}
