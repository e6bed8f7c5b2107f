import { z } from "zod";
import { EMOJI_WORDS } from "../lexicons/emoji_words.ts";
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
 * Options of {@link Emojify}.
 *
 * @example
 * ```ts
 * import type { EmojifyOptions } from "./emojify.ts";
 * const o: EmojifyOptions = { prob: 0.5 };
 * console.log(o.prob);
 * ```
 */
export interface EmojifyOptions extends OperationOptions {
  /** Probability that a word with an emoji is replaced by it (default 1). */
  prob?: number;
}

const SCHEMA = z.strictObject({ ...operationOptionsShape(), prob: probability(1) });
let table: PhraseTable | undefined;

/**
 * Replaces words by emoji with the same meaning ("I love pizza" -> "I ❤️ 🍕").
 * Emoji are inserted as whole sequences (variation selectors and ZWJ joins
 * included). After NL-Augmenter's `emojify`.
 *
 * @example
 * ```ts
 * import { Emojify } from "./emojify.ts";
 * console.log(new Emojify().generateText("I love pizza and my dog!")[0]); // "I ❤️ 🍕 and my 🐶!"
 * ```
 */
export class Emojify extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "emojify",
    description: "words replaced by emoji of the same meaning",
    kinds: TEXT_KINDS,
    tasks: ["text_classification", "text_to_text_generation", "sentiment_analysis"],
    languages: ["en"],
    keywords: ["lexical", "rule-based", "visual", "written"],
    heavy: false,
    reference: "emojify",
    preservesLabel: true,
  };
  #prob: number;

  /**
   * Creates the transformation.
   *
   * @param options Seed, maxOutputs and prob.
   */
  constructor(options: EmojifyOptions = {}) {
    const o = parseOptions(SCHEMA, options, Emojify.info.name);
    super(Emojify.info, o.seed, o.maxOutputs);
    this.#prob = o.prob;
    this.randomized = o.prob > 0 && o.prob < 1;
    table ??= new PhraseTable(EMOJI_WORDS.map(([w, e]) => [w, [e]] as const));
  }

  /**
   * Replaces words by emoji.
   *
   * @param text The input.
   * @param rng The call's random stream.
   * @returns The text.
   */
  protected transformText(text: string, rng: TextRng): string {
    return table!.replace(text, (m) => rng.chance(this.#prob) ? m.candidates[0] : null);
  }
}
