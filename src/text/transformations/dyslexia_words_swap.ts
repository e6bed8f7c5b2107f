import { z } from "zod";
import { matchCase } from "../case_pattern.ts";
import type { TransformationInfo } from "../operation.ts";
import {
  type OperationOptions,
  operationOptionsShape,
  parseOptions,
  probability,
} from "../options.ts";
import { PhraseTable } from "../phrase_table.ts";
import type { TextRng } from "../rng.ts";
import { SentenceTransformation, TEXT_KINDS } from "../sentence_transformation.ts";

/**
 * Options of {@link DyslexiaWordsSwap}.
 *
 * @example
 * ```ts
 * import type { DyslexiaWordsSwapOptions } from "./dyslexia_words_swap.ts";
 * const o: DyslexiaWordsSwapOptions = { prob: 0.5 };
 * console.log(o.prob);
 * ```
 */
export interface DyslexiaWordsSwapOptions extends OperationOptions {
  /** Probability that a confusable word is swapped (default 1). */
  prob?: number;
}

const SCHEMA = z.strictObject({ ...operationOptionsShape(), prob: probability(1) });
/** Groups of words commonly confused in writing (homophones and near-homophones). */
const GROUPS: readonly (readonly string[])[] = [
  ["their", "there", "they're"],
  ["your", "you're"],
  ["its", "it's"],
  ["then", "than"],
  ["affect", "effect"],
  ["lose", "loose"],
  ["were", "where"],
  ["whose", "who's"],
  ["accept", "except"],
  ["quiet", "quite"],
  ["weather", "whether"],
  ["advice", "advise"],
  ["piece", "peace"],
  ["brake", "break"],
  ["principal", "principle"],
  ["desert", "dessert"],
];
let table: PhraseTable | undefined;

/**
 * Swaps words that people with dyslexia (and hurried writers) confuse:
 * their/there/they're, your/you're, its/it's, then/than, affect/effect...
 * After NL-Augmenter's `dyslexia_words_swap`.
 *
 * @example
 * ```ts
 * import { DyslexiaWordsSwap } from "./dyslexia_words_swap.ts";
 * console.log(new DyslexiaWordsSwap().generateText("Your dog is bigger than its bed.")[0]); // "You're dog is bigger then it's bed."
 * ```
 */
export class DyslexiaWordsSwap extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "dyslexia_words_swap",
    description: "commonly confused words swapped (their/there, your/you're)",
    kinds: TEXT_KINDS,
    tasks: ["text_classification", "text_to_text_generation"],
    languages: ["en"],
    keywords: ["lexical", "noise", "rule-based", "written", "natural-looking"],
    heavy: false,
    reference: "dyslexia_words_swap",
    preservesLabel: true,
  };
  #prob: number;

  /**
   * Creates the transformation.
   *
   * @param options Seed, maxOutputs and prob.
   */
  constructor(options: DyslexiaWordsSwapOptions = {}) {
    const o = parseOptions(SCHEMA, options, DyslexiaWordsSwap.info.name);
    super(DyslexiaWordsSwap.info, o.seed, o.maxOutputs);
    this.#prob = o.prob;
    table ??= new PhraseTable(
      GROUPS.flatMap((g) => g.map((w) => [w, g.filter((x) => x !== w)] as const)),
    );
  }

  /**
   * Swaps confusable words.
   *
   * @param text The input.
   * @param rng The call's random stream.
   * @returns The text.
   */
  protected transformText(text: string, rng: TextRng): string {
    return table!.replace(text, (m) => {
      if (!rng.chance(this.#prob)) return null;
      const pick = m.candidates.length === 1 ? m.candidates[0] : rng.pick(m.candidates);
      return matchCase(m.text, pick);
    });
  }
}
