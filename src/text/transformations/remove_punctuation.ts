import { z } from "zod";
import type { TransformationInfo } from "../operation.ts";
import { type OperationOptions, operationOptionsShape, parseOptions } from "../options.ts";
import { SentenceTransformation, TEXT_KINDS } from "../sentence_transformation.ts";

/**
 * Options of {@link RemovePunctuation} (only the common ones).
 *
 * @example
 * ```ts
 * import type { RemovePunctuationOptions } from "./remove_punctuation.ts";
 * const o: RemovePunctuationOptions = {};
 * console.log(o);
 * ```
 */
export type RemovePunctuationOptions = OperationOptions;

const SCHEMA = z.strictObject(operationOptionsShape());
// Punctuation not inside a word (apostrophes and hyphens between letters stay),
// with the spaces before it when it stood alone between spaces.
const PUNCT = /(?<=[\p{L}\p{M}\p{N}])['’-](?=[\p{L}\p{N}])|( ?)\p{P}+/gu;

/**
 * Removes punctuation (every Unicode punctuation character), keeping
 * apostrophes and hyphens inside words ("don't", "well-known"); a mark that
 * stood between two spaces leaves one space. Deterministic. In the spirit of
 * NL-Augmenter's `punctuation` transformation.
 *
 * @example
 * ```ts
 * import { RemovePunctuation } from "./remove_punctuation.ts";
 * console.log(new RemovePunctuation().generateText("Well-known, isn't it? Yes - «oui»!")[0]);
 * // "Well-known isn't it Yes oui"
 * ```
 */
export class RemovePunctuation extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "remove_punctuation",
    description: "punctuation removed (apostrophes and hyphens inside words kept)",
    kinds: TEXT_KINDS,
    tasks: ["text_classification", "text_to_text_generation"],
    languages: ["all"],
    keywords: ["morphological", "noise", "rule-based", "written", "high-coverage"],
    heavy: false,
    reference: "punctuation",
    preservesLabel: true,
  };

  /**
   * Creates the transformation (deterministic: one output).
   *
   * @param options Seed and maxOutputs.
   */
  constructor(options: RemovePunctuationOptions = {}) {
    const o = parseOptions(SCHEMA, options, RemovePunctuation.info.name);
    super(RemovePunctuation.info, o.seed, o.maxOutputs);
    this.randomized = false;
  }

  /**
   * Removes punctuation.
   *
   * @param text The input.
   * @returns The text.
   */
  protected transformText(text: string): string {
    return text.replace(PUNCT, (m: string, space: string | undefined, offset: number) => {
      if (space === undefined) return m; // an apostrophe or hyphen inside a word
      const next = text[offset + m.length];
      return space === " " && next !== " " && next !== undefined ? " " : "";
    });
  }
}
