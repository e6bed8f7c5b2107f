import { z } from "zod";
import type { TransformationInfo } from "../operation.ts";
import {
  type OperationOptions,
  operationOptionsShape,
  parseOptions,
  probability,
} from "../options.ts";
import type { TextRng } from "../rng.ts";
import { SentenceTransformation, TEXT_KINDS } from "../sentence_transformation.ts";
import { rewriteWithAlternatives } from "../wordnet_alternatives.ts";

/**
 * Options of {@link SynonymInsertion}.
 *
 * @example
 * ```ts
 * import type { SynonymInsertionOptions } from "./synonym_insertion.ts";
 * const o: SynonymInsertionOptions = { prob: 0.3 };
 * console.log(o.prob);
 * ```
 */
export interface SynonymInsertionOptions extends OperationOptions {
  /** Probability of inserting a synonym after a word that has one (default 0.2). */
  prob?: number;
  /** How many WordNet senses supply synonyms (default 1). */
  senses?: number;
}

const SCHEMA = z.strictObject({
  ...operationOptionsShape(),
  prob: probability(0.2),
  senses: z.number().int().min(1).max(20).default(1),
});

/**
 * Inserts a WordNet synonym right after content words ("the car auto is
 * fast"), lower case. EDA's random insertion (Wei & Zou 2019) placed next to its
 * source word, after NL-Augmenter's `synonym_insertion`.
 *
 * @example
 * ```ts
 * import { SynonymInsertion } from "./synonym_insertion.ts";
 * console.log(new SynonymInsertion({ prob: 1 }).generateText("The car is fast.")[0]); // "The car auto is fast."
 * ```
 */
export class SynonymInsertion extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "synonym_insertion",
    description: "WordNet synonyms inserted after content words",
    kinds: TEXT_KINDS,
    tasks: ["text_classification", "text_to_text_generation"],
    languages: ["en"],
    keywords: ["lexical", "rule-based", "external-knowledge-based", "unnatural"],
    heavy: false,
    reference: "synonym_insertion",
    preservesLabel: true,
  };
  #prob: number;
  #senses: number;

  /**
   * Creates the transformation.
   *
   * @param options Seed, maxOutputs, prob and senses.
   */
  constructor(options: SynonymInsertionOptions = {}) {
    const o = parseOptions(SCHEMA, options, SynonymInsertion.info.name);
    super(SynonymInsertion.info, o.seed, o.maxOutputs);
    this.#prob = o.prob;
    this.#senses = o.senses;
  }

  /**
   * Inserts synonyms.
   *
   * @param text The input.
   * @param rng The call's random stream.
   * @returns The text.
   */
  protected transformText(text: string, rng: TextRng): string {
    return rewriteWithAlternatives(
      text,
      "synonyms",
      this.#senses,
      (w, alts, gap) => rng.chance(this.#prob) ? `${gap}${w.text} ${rng.pick(alts)}` : null,
    );
  }
}
