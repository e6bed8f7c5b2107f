import { z } from "zod";
import { capitalize } from "../case_pattern.ts";
import type { TransformationInfo } from "../operation.ts";
import {
  type OperationOptions,
  operationOptionsShape,
  parseOptions,
  probability,
} from "../options.ts";
import type { TextRng } from "../rng.ts";
import { SentenceTransformation, TEXT_KINDS } from "../sentence_transformation.ts";
import { splitWords } from "../words.ts";

/**
 * Options of {@link PigLatin}.
 *
 * @example
 * ```ts
 * import type { PigLatinOptions } from "./pig_latin.ts";
 * const o: PigLatinOptions = { prob: 0.5 };
 * console.log(o.prob);
 * ```
 */
export interface PigLatinOptions extends OperationOptions {
  /** Probability that a word is encoded (default 1: every ASCII word). */
  prob?: number;
}

const SCHEMA = z.strictObject({ ...operationOptionsShape(), prob: probability(1) });

/**
 * Pig Latin: a word's leading consonant cluster ("qu" counts as one) moves to
 * the end followed by "ay"; words starting with a vowel get "way" ("string" ->
 * "ingstray", "apple" -> "appleway"). Capitalization is kept; only ASCII words
 * change. After NL-Augmenter's `pig_latin`.
 *
 * @example
 * ```ts
 * import { PigLatin } from "./pig_latin.ts";
 * console.log(new PigLatin().generateText("Quick, string the apple!")[0]); // "Ickquay, ingstray ethay appleway!"
 * ```
 */
export class PigLatin extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "pig_latin",
    description: "words encoded in Pig Latin",
    kinds: TEXT_KINDS,
    tasks: ["text_classification", "text_to_text_generation"],
    languages: ["en"],
    keywords: ["morphological", "rule-based", "unnatural", "aural"],
    heavy: false,
    reference: "pig_latin",
    preservesLabel: true,
  };
  #prob: number;

  /**
   * Creates the transformation.
   *
   * @param options Seed, maxOutputs and prob.
   */
  constructor(options: PigLatinOptions = {}) {
    const o = parseOptions(SCHEMA, options, PigLatin.info.name);
    super(PigLatin.info, o.seed, o.maxOutputs);
    this.#prob = o.prob;
    this.randomized = o.prob > 0 && o.prob < 1;
  }

  /**
   * Encodes words.
   *
   * @param text The input.
   * @param rng The call's random stream.
   * @returns The text.
   */
  protected transformText(text: string, rng: TextRng): string {
    return splitWords(text).map((s) =>
      s.isWord && /^[A-Za-z]+$/.test(s.text) && rng.chance(this.#prob) ? encode(s.text) : s.text
    ).join("");
  }
}

function encode(word: string): string {
  const lower = word.toLowerCase();
  const m = /^(qu|[^aeiou][^aeiouy]*(?:qu)?)(.*)$/.exec(lower);
  let out: string;
  if (/^[aeiou]/.test(lower) || m === null || m[2] === "") out = lower + "way";
  else out = m[2] + m[1] + "ay";
  if (word.length > 1 && word === word.toUpperCase()) return out.toUpperCase();
  return word[0] === word[0].toUpperCase() ? capitalize(out) : out;
}
