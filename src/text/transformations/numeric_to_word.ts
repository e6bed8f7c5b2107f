import { z } from "zod";
import { numeralToWords } from "../number_words.ts";
import type { TransformationInfo } from "../operation.ts";
import { type OperationOptions, operationOptionsShape, parseOptions } from "../options.ts";
import { SentenceTransformation, TEXT_KINDS } from "../sentence_transformation.ts";

/**
 * Options of {@link NumericToWord} (only the common ones).
 *
 * @example
 * ```ts
 * import type { NumericToWordOptions } from "./numeric_to_word.ts";
 * const o: NumericToWordOptions = {};
 * console.log(o);
 * ```
 */
export type NumericToWordOptions = OperationOptions;

const SCHEMA = z.strictObject(operationOptionsShape());
// A stand-alone numeral: not glued to letters, times (10:30), dates (1/2), versions (1.2.3),
// phone-like runs (555-1234), keycap emoji (1️⃣) or leading zeros.
const NUMERAL =
  /(?<![\p{L}\p{N}_:/.,-])(?:(?<=^|\s)-)?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\p{L}\p{N}_:/\uFE0F\u20E3]|[.,-]\d)/gu;

/**
 * Writes numerals as English words ("42" -> "forty-two", "3.5" -> "three
 * point five", "1,200" -> "one thousand two hundred"); times, dates, versions,
 * ordinals, codes with leading zeros and numbers of 10^15 or more are left as
 * they are. Deterministic. After NL-Augmenter's `numeric_to_word`.
 *
 * @example
 * ```ts
 * import { NumericToWord } from "./numeric_to_word.ts";
 * console.log(new NumericToWord().generateText("I have 3 cats and 1,200 fish, at 10:30 on the 2nd.")[0]);
 * // "I have three cats and one thousand two hundred fish, at 10:30 on the 2nd."
 * ```
 */
export class NumericToWord extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "numeric_to_word",
    description: "numerals written as English words",
    kinds: TEXT_KINDS,
    tasks: ["text_classification", "text_to_text_generation", "question_answering"],
    languages: ["en"],
    keywords: ["lexical", "rule-based", "natural-sounding", "high-precision"],
    heavy: false,
    reference: "numeric_to_word",
    preservesLabel: true,
  };

  /**
   * Creates the transformation (deterministic: one output).
   *
   * @param options Seed and maxOutputs.
   */
  constructor(options: NumericToWordOptions = {}) {
    const o = parseOptions(SCHEMA, options, NumericToWord.info.name);
    super(NumericToWord.info, o.seed, o.maxOutputs);
    this.randomized = false;
  }

  /**
   * Writes numbers out.
   *
   * @param text The input.
   * @returns The text.
   */
  protected transformText(text: string): string {
    return text.replace(NUMERAL, (m) => {
      if (/^-?0\d/.test(m)) return m;
      return numeralToWords(m) ?? m;
    });
  }
}
