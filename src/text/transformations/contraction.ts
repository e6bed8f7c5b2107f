import { z } from "zod";
import { matchCase } from "../case_pattern.ts";
import { CONTRACTIONS } from "../lexicons/contractions.ts";
import type { TransformationInfo } from "../operation.ts";
import { type OperationOptions, operationOptionsShape, parseOptions } from "../options.ts";
import { PhraseTable } from "../phrase_table.ts";
import { SentenceTransformation, TEXT_KINDS } from "../sentence_transformation.ts";

/**
 * Options of {@link Contraction} (only the common ones).
 *
 * @example
 * ```ts
 * import type { ContractionOptions } from "./contraction.ts";
 * const o: ContractionOptions = {};
 * console.log(o);
 * ```
 */
export type ContractionOptions = OperationOptions;

const SCHEMA = z.strictObject(operationOptionsShape());
// Expansions whose contraction would change or garble the meaning.
const SKIP = new Set([
  "let us",
  "what have",
  "how did",
  "where did",
  "how will",
  "why is",
  "who have",
]);
let table: PhraseTable | undefined;

/**
 * Contracts English phrases ("do not" -> "don't", "I am" -> "I'm", "cannot" ->
 * "can't", "we will not" -> "we won't"), keeping the letter case. Phrases where the contraction would change
 * the meaning ("let us go" -> "let's go") are left alone. Deterministic. The
 * other direction of NL-Augmenter's `contraction_expansions`.
 *
 * @example
 * ```ts
 * import { Contraction } from "./contraction.ts";
 * console.log(new Contraction().generateText("I am sure it is not. Do not go!")[0]); // "I'm sure it's not. Don't go!"
 * ```
 */
export class Contraction extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "contraction",
    description: "phrases contracted (do not -> don't)",
    kinds: TEXT_KINDS,
    tasks: ["text_classification", "text_to_text_generation", "sentiment_analysis"],
    languages: ["en"],
    keywords: ["lexical", "rule-based", "natural-sounding", "high-precision"],
    heavy: false,
    reference: "contraction_expansions",
    preservesLabel: true,
  };

  /**
   * Creates the transformation (deterministic: one output).
   *
   * @param options Seed and maxOutputs.
   */
  constructor(options: ContractionOptions = {}) {
    const o = parseOptions(SCHEMA, options, Contraction.info.name);
    super(Contraction.info, o.seed, o.maxOutputs);
    this.randomized = false;
    // "we will not" reads as "we won't", not "we'll not": pronoun + modal + not first.
    const negated = ["I", "you", "he", "she", "it", "we", "they"].flatMap((p) => [
      [`${p} won't`, `${p} will not`] as const,
      [`${p} wouldn't`, `${p} would not`] as const,
    ]);
    table ??= new PhraseTable(
      [
        ...CONTRACTIONS.filter(([, e]) => !SKIP.has(e.toLowerCase())),
        ["can't", "can not"] as const,
        ...negated,
      ].map(([c, e]) => [e, [c]] as const),
    );
  }

  /**
   * Contracts phrases.
   *
   * @param text The input.
   * @returns The text.
   */
  protected transformText(text: string): string {
    return table!.replace(text, (m) => matchCase(m.text, m.candidates[0]));
  }
}
