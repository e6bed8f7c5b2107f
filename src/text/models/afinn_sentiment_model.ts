import { afinnScore } from "../afinn.ts";
import type { TextClassifier } from "./text_classifier.ts";

/**
 * A lexicon sentiment classifier: AFINN-165 valences summed over the words
 * (with one-word negation, from the `sentiment` package), "positive" when the
 * per-token score is >= 0 and "negative" otherwise (the package's own
 * validation rule). No training; runs on the host.
 *
 * @example
 * ```ts
 * import { AfinnSentimentModel } from "./afinn_sentiment_model.ts";
 * const m = new AfinnSentimentModel();
 * console.log(await m.predict(["I loved it", "Awful, just awful"])); // ["positive", "negative"]
 * ```
 */
export class AfinnSentimentModel implements TextClassifier {
  /** Model name. */
  readonly name = "afinn-sentiment";
  /** Output labels. */
  readonly labels: readonly string[] = ["negative", "positive"];

  /**
   * Classifies texts by lexicon score.
   *
   * @param texts The inputs.
   * @returns "positive" or "negative" per text.
   */
  predict(texts: readonly string[]): Promise<string[]> {
    return Promise.resolve(
      texts.map((t) => (afinnScore(t).comparative >= 0 ? "positive" : "negative")),
    );
  }
}
