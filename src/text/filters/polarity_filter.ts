import { z } from "zod";
import { afinnScore } from "../afinn.ts";
import { EXAMPLE_KINDS } from "../example.ts";
import { Filter } from "../filter.ts";
import type { OperationInfo } from "../operation.ts";
import { type OperationOptions, operationOptionsShape, parseOptions } from "../options.ts";

/**
 * Options of {@link PolarityFilter}.
 *
 * @example
 * ```ts
 * import type { PolarityFilterOptions } from "./polarity_filter.ts";
 * const o: PolarityFilterOptions = { polarity: "negative" };
 * console.log(o.polarity);
 * ```
 */
export interface PolarityFilterOptions extends OperationOptions {
  /** Which polarity to keep (default "positive"). */
  polarity?: "positive" | "negative" | "neutral";
  /** AFINN score magnitude needed to count as polar (default 1). */
  threshold?: number;
}

const SCHEMA = z.strictObject({
  ...operationOptionsShape(),
  polarity: z.enum(["positive", "negative", "neutral"]).default("positive"),
  threshold: z.number().min(0).default(1),
});

/**
 * Keeps texts of one sentiment polarity by AFINN lexicon score: positive when
 * score >= threshold, negative when score <= -threshold, neutral in between.
 * After NL-Augmenter's `polarity` filter (which uses TextBlob).
 *
 * @example
 * ```ts
 * import { PolarityFilter } from "./polarity_filter.ts";
 * const neg = new PolarityFilter({ polarity: "negative" });
 * console.log(neg.filterText("This is awful"), neg.filterText("This is great")); // true false
 * ```
 */
export class PolarityFilter extends Filter {
  /** Declarations. */
  static readonly info: OperationInfo = {
    name: "polarity_filter",
    description: "texts of a given sentiment polarity (AFINN lexicon)",
    kinds: EXAMPLE_KINDS,
    tasks: ["sentiment_analysis", "text_classification", "text_to_text_generation"],
    languages: ["en"],
    keywords: ["rule-based", "external-knowledge-based"],
    heavy: false,
    reference: "polarity",
  };
  #polarity: "positive" | "negative" | "neutral";
  #threshold: number;

  /**
   * Creates the filter.
   *
   * @param options Seed, maxOutputs, polarity and threshold.
   */
  constructor(options: PolarityFilterOptions = {}) {
    const o = parseOptions(SCHEMA, options, PolarityFilter.info.name);
    super(PolarityFilter.info, o.seed, o.maxOutputs);
    this.#polarity = o.polarity;
    this.#threshold = o.threshold;
  }

  /**
   * Scores the text.
   *
   * @param text The text.
   * @returns Whether it has the polarity.
   */
  protected test(text: string): boolean {
    const s = afinnScore(text).score;
    if (this.#polarity === "positive") return s >= this.#threshold && s > 0;
    if (this.#polarity === "negative") return s <= -this.#threshold && s < 0;
    return Math.abs(s) < Math.max(this.#threshold, Number.MIN_VALUE);
  }
}
