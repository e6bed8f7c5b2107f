import { z } from "zod";
import { matchCase } from "../case_pattern.ts";
import { CONTRACTIONS } from "../lexicons/contractions.ts";
import type { TransformationInfo } from "../operation.ts";
import { type OperationOptions, operationOptionsShape, parseOptions } from "../options.ts";
import { PhraseTable } from "../phrase_table.ts";
import { SentenceTransformation, TEXT_KINDS } from "../sentence_transformation.ts";

/**
 * Options of {@link ContractionExpansion} (only the common ones).
 *
 * @example
 * ```ts
 * import type { ContractionExpansionOptions } from "./contraction_expansion.ts";
 * const o: ContractionExpansionOptions = {};
 * console.log(o);
 * ```
 */
export type ContractionExpansionOptions = OperationOptions;

const SCHEMA = z.strictObject(operationOptionsShape());
let table: PhraseTable | undefined;

/**
 * Expands English contractions ("can't" -> "cannot", "they're" -> "they are"),
 * with straight or curly apostrophes, keeping the letter case. Possessive "'s"
 * is never touched. Deterministic. One direction of NL-Augmenter's
 * `contraction_expansions`.
 *
 * @example
 * ```ts
 * import { ContractionExpansion } from "./contraction_expansion.ts";
 * console.log(new ContractionExpansion().generateText("I'm sure it’s John's. DON'T go!")[0]);
 * // "I am sure it is John's. DO NOT go!"
 * ```
 */
export class ContractionExpansion extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "contraction_expansion",
    description: "contractions expanded (can't -> cannot)",
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
  constructor(options: ContractionExpansionOptions = {}) {
    const o = parseOptions(SCHEMA, options, ContractionExpansion.info.name);
    super(ContractionExpansion.info, o.seed, o.maxOutputs);
    this.randomized = false;
    table ??= new PhraseTable(CONTRACTIONS.map(([c, e]) => [c, [e]] as const));
  }

  /**
   * Expands contractions.
   *
   * @param text The input.
   * @returns The text.
   */
  protected transformText(text: string): string {
    return table!.replace(text, (m) => matchCase(m.text, m.candidates[0]));
  }
}
