import { z } from "zod";
import { matchCase } from "../case_pattern.ts";
import { GENDER_PAIRS } from "../lexicons/gender_pairs.ts";
import { englishStopwords } from "../lexicons/stopwords.ts";
import type { TransformationInfo } from "../operation.ts";
import { type OperationOptions, operationOptionsShape, parseOptions } from "../options.ts";
import { PhraseTable } from "../phrase_table.ts";
import { SentenceTransformation, TEXT_KINDS } from "../sentence_transformation.ts";

/**
 * Options of {@link GenderSwap} (only the common ones).
 *
 * @example
 * ```ts
 * import type { GenderSwapOptions } from "./gender_swap.ts";
 * const o: GenderSwapOptions = {};
 * console.log(o);
 * ```
 */
export type GenderSwapOptions = OperationOptions;

const SCHEMA = z.strictObject(operationOptionsShape());
let table: PhraseTable | undefined;
const NEXT_WORD = /^\s+([\p{L}\p{M}'’]+)/u;

/**
 * Swaps gendered words both ways ("he" <-> "she", "king" <-> "queen",
 * "husband" <-> "wife"), keeping the case. Pronouns with two readings follow the
 * next word: "her" becomes "his" before a noun-like word ("her book" -> "his
 * book") and "him" otherwise ("saw her." -> "saw him."); "his" becomes "her"
 * before a word and "hers" otherwise. Deterministic. After NL-Augmenter's
 * `gender_swap`.
 *
 * @example
 * ```ts
 * import { GenderSwap } from "./gender_swap.ts";
 * console.log(new GenderSwap().generateText("He gave her his book; the king thanked him.")[0]);
 * // "She gave him her book; the queen thanked her."
 * ```
 */
export class GenderSwap extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "gender_swap",
    description: "gendered words and pronouns swapped to the other gender",
    kinds: TEXT_KINDS,
    tasks: ["text_classification", "text_to_text_generation", "sentiment_analysis"],
    languages: ["en"],
    keywords: ["lexical", "rule-based", "social-reasoning", "natural-sounding"],
    heavy: false,
    reference: "gender_swap",
    preservesLabel: true,
  };

  /**
   * Creates the transformation (deterministic: one output).
   *
   * @param options Seed and maxOutputs.
   */
  constructor(options: GenderSwapOptions = {}) {
    const o = parseOptions(SCHEMA, options, GenderSwap.info.name);
    super(GenderSwap.info, o.seed, o.maxOutputs);
    this.randomized = false;
    table ??= new PhraseTable([
      ...GENDER_PAIRS.flatMap(([m, f]) => [[m, [f]] as const, [f, [m]] as const]),
      ["mrs.", ["mr."]],
      ["her", ["his", "him"]],
      ["his", ["her", "hers"]],
      ["him", ["her"]],
      ["hers", ["his"]],
    ]);
  }

  /**
   * Swaps gendered words.
   *
   * @param text The input.
   * @returns The text.
   */
  protected transformText(text: string): string {
    const stop = englishStopwords();
    return table!.replace(text, (m) => {
      if (m.key === "her" || m.key === "his") {
        const next = NEXT_WORD.exec(text.slice(m.end, m.end + 40))?.[1]?.toLowerCase();
        const beforeNoun = next !== undefined && (!stop.has(next) || next === "own");
        return matchCase(m.text, beforeNoun ? m.candidates[0] : m.candidates[1]);
      }
      return matchCase(m.text, m.candidates[0]);
    });
  }
}
