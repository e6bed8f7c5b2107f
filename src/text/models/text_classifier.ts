/**
 * A text classifier as robustness evaluation sees it: a name, its label set and
 * a batch `predict` (async, so a GPU model can read its results back once per
 * batch).
 *
 * @example
 * ```ts
 * import type { TextClassifier } from "./text_classifier.ts";
 * const shouting: TextClassifier = {
 *   name: "shouting",
 *   labels: ["calm", "loud"],
 *   predict: (texts) => Promise.resolve(texts.map((t) => t === t.toUpperCase() ? "loud" : "calm")),
 * };
 * console.log(await shouting.predict(["HI", "hi"])); // ["loud", "calm"]
 * ```
 */
export interface TextClassifier {
  /** A short name for reports. */
  readonly name: string;
  /** The labels `predict` returns. */
  readonly labels: readonly string[];
  /**
   * Predicts one label per text.
   *
   * @param texts The inputs.
   * @returns One label per input, in order.
   */
  predict(texts: readonly string[]): Promise<string[]>;
}
