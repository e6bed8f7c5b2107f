import { z } from "zod";
import type { TransformationInfo } from "../operation.ts";
import { type OperationOptions, operationOptionsShape, parseOptions } from "../options.ts";
import type { TextRng } from "../rng.ts";
import { SentenceTransformation } from "../sentence_transformation.ts";
import { splitSentences } from "../sentences.ts";

/**
 * Options of {@link SentenceReordering} (only the common ones).
 *
 * @example
 * ```ts
 * import type { SentenceReorderingOptions } from "./sentence_reordering.ts";
 * const o: SentenceReorderingOptions = { seed: 4 };
 * console.log(o.seed);
 * ```
 */
export type SentenceReorderingOptions = OperationOptions;

const SCHEMA = z.strictObject(operationOptionsShape());

/**
 * Shuffles the order of the sentences of a multi-sentence text (each
 * sentence's text unchanged, separated by single spaces). A one-sentence text
 * comes back as is. After NL-Augmenter's `sentence_reordering` (which also
 * resolves coreferences with a model; this version does not).
 *
 * @example
 * ```ts
 * import { SentenceReordering } from "./sentence_reordering.ts";
 * const [out] = new SentenceReordering({ seed: 1 }).generateText("A one. B two. C three.");
 * console.log(out.split(". ").length, out.includes("B two.")); // 3 true
 * ```
 */
export class SentenceReordering extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "sentence_reordering",
    description: "sentences of a multi-sentence text shuffled",
    kinds: ["sentence", "sentence_and_target", "sentence_and_targets"],
    tasks: ["text_classification", "text_to_text_generation"],
    languages: ["all"],
    keywords: ["discourse", "word-order", "rule-based", "unnatural"],
    heavy: false,
    reference: "sentence_reordering (without coreference resolution)",
    preservesLabel: true,
  };

  /**
   * Creates the transformation.
   *
   * @param options Seed and maxOutputs.
   */
  constructor(options: SentenceReorderingOptions = {}) {
    const o = parseOptions(SCHEMA, options, SentenceReordering.info.name);
    super(SentenceReordering.info, o.seed, o.maxOutputs);
  }

  /**
   * Shuffles sentences.
   *
   * @param text The input.
   * @param rng The call's random stream.
   * @returns The text.
   */
  protected transformText(text: string, rng: TextRng): string {
    const sentences = splitSentences(text).map((s) => s.trim()).filter((s) => s.length > 0);
    if (sentences.length < 2) return text;
    return rng.shuffle(sentences).join(" ");
  }
}
