import { z } from "zod";
import { matchCase } from "../case_pattern.ts";
import { SPELLING_VARIANTS } from "../lexicons/spelling_variants.ts";
import type { TransformationInfo } from "../operation.ts";
import { type OperationOptions, operationOptionsShape, parseOptions } from "../options.ts";
import { PhraseTable } from "../phrase_table.ts";
import { SentenceTransformation, TEXT_KINDS } from "../sentence_transformation.ts";

/**
 * Which way {@link AmericanizeBritishize} converts spellings.
 *
 * @example
 * ```ts
 * import type { SpellingDirection } from "./americanize_britishize.ts";
 * const d: SpellingDirection = "to_british";
 * console.log(d);
 * ```
 */
export type SpellingDirection = "to_british" | "to_american" | "swap";

/**
 * Options of {@link AmericanizeBritishize}.
 *
 * @example
 * ```ts
 * import type { AmericanizeBritishizeOptions } from "./americanize_britishize.ts";
 * const o: AmericanizeBritishizeOptions = { direction: "to_american" };
 * console.log(o.direction);
 * ```
 */
export interface AmericanizeBritishizeOptions extends OperationOptions {
  /** "to_british", "to_american" or "swap" each word to the other variant (default "swap"). */
  direction?: SpellingDirection;
}

const SCHEMA = z.strictObject({
  ...operationOptionsShape(),
  direction: z.enum(["to_british", "to_american", "swap"]).default("swap"),
});
const TABLES = new Map<SpellingDirection, PhraseTable>();

/**
 * Converts between American and British spellings ("color" <-> "colour",
 * "organize" <-> "organise", "traveled" <-> "travelled"), keeping the case.
 * Deterministic. After NL-Augmenter's `americanize_britishize_english`.
 *
 * @example
 * ```ts
 * import { AmericanizeBritishize } from "./americanize_britishize.ts";
 * console.log(new AmericanizeBritishize().generateText("My favourite Color is gray.")[0]); // "My favorite Colour is grey."
 * ```
 */
export class AmericanizeBritishize extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "americanize_britishize",
    description: "spellings converted between American and British English",
    kinds: TEXT_KINDS,
    tasks: ["text_classification", "text_to_text_generation", "text_tagging"],
    languages: ["en"],
    keywords: ["morphological", "rule-based", "written", "natural-looking", "high-precision"],
    heavy: false,
    reference: "americanize_britishize_english",
    preservesLabel: true,
  };
  #table: PhraseTable;

  /**
   * Creates the transformation (deterministic: one output).
   *
   * @param options Seed, maxOutputs and direction.
   */
  constructor(options: AmericanizeBritishizeOptions = {}) {
    const o = parseOptions(SCHEMA, options, AmericanizeBritishize.info.name);
    super(AmericanizeBritishize.info, o.seed, o.maxOutputs);
    this.randomized = false;
    let table = TABLES.get(o.direction);
    if (!table) {
      const toBr = SPELLING_VARIANTS.map(([us, br]) => [us, [br]] as const);
      const toUs = SPELLING_VARIANTS.map(([us, br]) => [br, [us]] as const);
      table = new PhraseTable(
        o.direction === "to_british" ? toBr : o.direction === "to_american" ? toUs : [
          ...toBr,
          ...toUs,
        ],
      );
      TABLES.set(o.direction, table);
    }
    this.#table = table;
  }

  /**
   * Converts spellings.
   *
   * @param text The input.
   * @returns The text.
   */
  protected transformText(text: string): string {
    return this.#table.replace(text, (m) => matchCase(m.text, m.candidates[0]));
  }
}
