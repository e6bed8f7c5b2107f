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
import { SentenceTransformation } from "../sentence_transformation.ts";
import { rewriteWithAlternatives } from "../wordnet_alternatives.ts";

/**
 * Options of {@link AntonymSubstitution}.
 *
 * @example
 * ```ts
 * import type { AntonymSubstitutionOptions } from "./antonym_substitution.ts";
 * const o: AntonymSubstitutionOptions = { prob: 0.5 };
 * console.log(o.prob);
 * ```
 */
export interface AntonymSubstitutionOptions extends OperationOptions {
  /** Probability that a word with an antonym is replaced (default 1). */
  prob?: number;
  /** How many WordNet senses of each word supply antonyms (default 1). */
  senses?: number;
}

const SCHEMA = z.strictObject({
  ...operationOptionsShape(),
  prob: probability(1),
  senses: z.number().int().min(1).max(20).default(1),
});

/**
 * Replaces adjectives, adverbs and verbs by WordNet antonyms ("good" -> "bad",
 * "increase" -> "decrease"; adjective satellites use the antonym of their head).
 * This changes meaning on purpose: a counterfactual that flips sentiment labels,
 * so `preservesLabel` is false. After NL-Augmenter's `antonyms_substitute`.
 *
 * @example
 * ```ts
 * import { AntonymSubstitution } from "./antonym_substitution.ts";
 * console.log(new AntonymSubstitution().generateText("A good film, I was happy.")[0]); // "A bad film, I was unhappy."
 * ```
 */
export class AntonymSubstitution extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "antonym_substitution",
    description: "adjectives, adverbs and verbs replaced by WordNet antonyms (label-changing)",
    kinds: ["sentence", "sentence_and_target", "sentence_and_targets"],
    tasks: ["sentiment_analysis", "text_classification", "text_to_text_generation"],
    languages: ["en"],
    keywords: ["lexical", "rule-based", "external-knowledge-based", "meaning-alteration"],
    heavy: false,
    reference: "antonyms_substitute",
    preservesLabel: false,
  };
  #prob: number;
  #senses: number;

  /**
   * Creates the transformation.
   *
   * @param options Seed, maxOutputs, prob and senses.
   */
  constructor(options: AntonymSubstitutionOptions = {}) {
    const o = parseOptions(SCHEMA, options, AntonymSubstitution.info.name);
    super(AntonymSubstitution.info, o.seed, o.maxOutputs);
    this.#prob = o.prob;
    this.#senses = o.senses;
    this.randomized = o.prob < 1;
  }

  /**
   * Substitutes antonyms.
   *
   * @param text The input.
   * @param rng The call's random stream.
   * @returns The text.
   */
  protected transformText(text: string, rng: TextRng): string {
    // Only adjectives, adverbs and verbs (see the class doc).
    return rewriteWithAlternatives(text, "antonyms", this.#senses, (w, alts, gap) => {
      if (w.pos === "n" || !rng.chance(this.#prob)) return null;
      const rep = matchCase(w.text, alts[0]);
      return agreeArticle(gap, rep) + rep;
    });
  }
}
