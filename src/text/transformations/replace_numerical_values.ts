import { z } from "zod";
import type { TransformationInfo } from "../operation.ts";
import {
  type OperationOptions,
  operationOptionsShape,
  parseOptions,
  probability,
} from "../options.ts";
import type { TextRng } from "../rng.ts";
import { SentenceTransformation } from "../sentence_transformation.ts";

/**
 * Options of {@link ReplaceNumericalValues}.
 *
 * @example
 * ```ts
 * import type { ReplaceNumericalValuesOptions } from "./replace_numerical_values.ts";
 * const o: ReplaceNumericalValuesOptions = { prob: 1 };
 * console.log(o.prob);
 * ```
 */
export interface ReplaceNumericalValuesOptions extends OperationOptions {
  /** Probability that a number is replaced (default 0.5). */
  prob?: number;
}

const SCHEMA = z.strictObject({ ...operationOptionsShape(), prob: probability(0.5) });
const DIGITS = /(?<![\p{L}\p{N}_])\d+(?![\p{L}\p{N}_\uFE0F\u20E3])/gu;

/**
 * Replaces runs of digits by other random numbers with the same number of
 * digits (no new leading zero; a different value), e.g. prices, counts and
 * years. Meant for classification robustness; it changes answers, so it does
 * not take question-answering examples. After NL-Augmenter's
 * `replace_numerical_values`.
 *
 * @example
 * ```ts
 * import { ReplaceNumericalValues } from "./replace_numerical_values.ts";
 * const [out] = new ReplaceNumericalValues({ prob: 1 }).generateText("Pay 250 dollars by 2024");
 * console.log(/^Pay [1-9]\d\d dollars by [1-9]\d{3}$/.test(out), out.includes("250")); // true false
 * ```
 */
export class ReplaceNumericalValues extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "replace_numerical_values",
    description: "numbers replaced by random numbers of the same length",
    kinds: ["sentence", "sentence_and_target", "sentence_and_targets", "sentence_pair"],
    tasks: ["text_classification", "sentiment_analysis"],
    languages: ["all"],
    keywords: ["lexical", "rule-based", "natural-looking", "high-coverage"],
    heavy: false,
    reference: "replace_numerical_values",
    preservesLabel: true,
  };
  #prob: number;

  /**
   * Creates the transformation.
   *
   * @param options Seed, maxOutputs and prob.
   */
  constructor(options: ReplaceNumericalValuesOptions = {}) {
    const o = parseOptions(SCHEMA, options, ReplaceNumericalValues.info.name);
    super(ReplaceNumericalValues.info, o.seed, o.maxOutputs);
    this.#prob = o.prob;
  }

  /**
   * Replaces numbers.
   *
   * @param text The input.
   * @param rng The call's random stream.
   * @returns The text.
   */
  protected transformText(text: string, rng: TextRng): string {
    return text.replace(DIGITS, (m) => {
      if (!rng.chance(this.#prob)) return m;
      if (m.length === 1) {
        const d = rng.int(9);
        return String(d >= Number(m) ? d + 1 : d);
      }
      for (let attempt = 0; attempt < 8; attempt++) {
        let out = String(1 + rng.int(9));
        for (let i = 1; i < m.length; i++) out += String(rng.int(10));
        if (out !== m) return out;
      }
      return m;
    });
  }
}
