import { z } from "zod";
import { EXAMPLE_KINDS } from "../example.ts";
import { Filter } from "../filter.ts";
import { GENDER_PAIRS } from "../lexicons/gender_pairs.ts";
import type { OperationInfo } from "../operation.ts";
import { type OperationOptions, operationOptionsShape, parseOptions } from "../options.ts";
import { PhraseTable } from "../phrase_table.ts";

/**
 * Options of {@link GenderFilter}.
 *
 * @example
 * ```ts
 * import type { GenderFilterOptions } from "./gender_filter.ts";
 * const o: GenderFilterOptions = { gender: "female", min: 2 };
 * console.log(o.gender);
 * ```
 */
export interface GenderFilterOptions extends OperationOptions {
  /** Which gender's words to count (default "female"). */
  gender?: "female" | "male";
  /** Fewest such words (default 1). */
  min?: number;
  /** Also require more words of this gender than of the other (default false). */
  dominant?: boolean;
}

const SCHEMA = z.strictObject({
  ...operationOptionsShape(),
  gender: z.enum(["female", "male"]).default("female"),
  min: z.number().int().min(1).default(1),
  dominant: z.boolean().default(false),
});
let tables: { female: PhraseTable; male: PhraseTable } | undefined;

/**
 * Keeps texts that mention one gender: at least `min` gendered words or
 * pronouns ("she", "her", "queen", "sisters"...), and with `dominant`, more
 * of them than of the other gender. Splits data for gender-bias analysis, after
 * NL-Augmenter's `gender_bias` filter.
 *
 * @example
 * ```ts
 * import { GenderFilter } from "./gender_filter.ts";
 * const f = new GenderFilter({ gender: "female", dominant: true });
 * console.log(f.filterText("She thanked her sister"), f.filterText("He and his brother met her")); // true false
 * ```
 */
export class GenderFilter extends Filter {
  /** Declarations. */
  static readonly info: OperationInfo = {
    name: "gender_filter",
    description: "texts mentioning (mostly) one gender",
    kinds: EXAMPLE_KINDS,
    tasks: ["text_classification", "text_to_text_generation", "sentiment_analysis"],
    languages: ["en"],
    keywords: ["rule-based", "social-reasoning"],
    heavy: false,
    reference: "gender_bias",
  };
  #gender: "female" | "male";
  #min: number;
  #dominant: boolean;

  /**
   * Creates the filter.
   *
   * @param options Seed, maxOutputs, gender, min and dominant.
   */
  constructor(options: GenderFilterOptions = {}) {
    const o = parseOptions(SCHEMA, options, GenderFilter.info.name);
    super(GenderFilter.info, o.seed, o.maxOutputs);
    this.#gender = o.gender;
    this.#min = o.min;
    this.#dominant = o.dominant;
    tables ??= {
      female: new PhraseTable(
        [...GENDER_PAIRS.map(([, f]) => f), "her", "hers", "mrs."].map((w) => [w, [w]] as const),
      ),
      male: new PhraseTable(
        [...GENDER_PAIRS.map(([m]) => m), "him", "his"].map((w) => [w, [w]] as const),
      ),
    };
  }

  /**
   * Counts gendered words.
   *
   * @param text The text.
   * @returns Whether the gender is mentioned (enough).
   */
  protected test(text: string): boolean {
    const own = tables![this.#gender].findAll(text).length;
    if (own < this.#min) return false;
    if (!this.#dominant) return true;
    const other = tables![this.#gender === "female" ? "male" : "female"].findAll(text).length;
    return own > other;
  }
}
