import { z } from "zod";
import { matchCase } from "../case_pattern.ts";
import { MISSPELLINGS } from "../lexicons/misspellings.ts";
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
 * Options of {@link CommonMisspellings}.
 *
 * @example
 * ```ts
 * import type { CommonMisspellingsOptions } from "./common_misspellings.ts";
 * const o: CommonMisspellingsOptions = { prob: 1 };
 * console.log(o.prob);
 * ```
 */
export interface CommonMisspellingsOptions extends OperationOptions {
  /** Probability that a word with a known misspelling is misspelled (default 0.5). */
  prob?: number;
}

const SCHEMA = z.strictObject({ ...operationOptionsShape(), prob: probability(0.5) });
let table: PhraseTable | undefined;

/**
 * Replaces words by their common human misspellings ("receive" -> "recieve",
 * "definitely" -> "definately"), keeping the case. After NL-Augmenter's
 * `replace_spelling`.
 *
 * @example
 * ```ts
 * import { CommonMisspellings } from "./common_misspellings.ts";
 * console.log(new CommonMisspellings({ prob: 1 }).generateText("I definitely believe it.")[0]); // "I definately beleive it."
 * ```
 */
export class CommonMisspellings extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "common_misspellings",
    description: "words replaced by their common misspellings",
    kinds: TEXT_KINDS,
    tasks: ["text_classification", "text_to_text_generation", "text_tagging"],
    languages: ["en"],
    keywords: ["morphological", "noise", "rule-based", "written", "natural-looking"],
    heavy: false,
    reference: "replace_spelling",
    preservesLabel: true,
  };
  #prob: number;

  /**
   * Creates the transformation.
   *
   * @param options Seed, maxOutputs and prob.
   */
  constructor(options: CommonMisspellingsOptions = {}) {
    const o = parseOptions(SCHEMA, options, CommonMisspellings.info.name);
    super(CommonMisspellings.info, o.seed, o.maxOutputs);
    this.#prob = o.prob;
    this.randomized = o.prob > 0 && o.prob < 1;
    table ??= new PhraseTable(MISSPELLINGS.map(([w, m]) => [w, [m]] as const));
  }

  /**
   * Misspells words.
   *
   * @param text The input.
   * @param rng The call's random stream.
   * @returns The text.
   */
  protected transformText(text: string, rng: TextRng): string {
    return table!.replace(
      text,
      (m) => rng.chance(this.#prob) ? matchCase(m.text, m.candidates[0]) : null,
    );
  }
}
