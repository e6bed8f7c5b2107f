import { z } from "zod";
import { COUNTRIES, US_STATES } from "../lexicons/geo_abbreviations.ts";
import type { TransformationInfo } from "../operation.ts";
import { type OperationOptions, operationOptionsShape, parseOptions } from "../options.ts";
import { PhraseTable } from "../phrase_table.ts";
import { SentenceTransformation, TEXT_KINDS } from "../sentence_transformation.ts";

/**
 * Options of {@link CountryStateAbbreviation}.
 *
 * @example
 * ```ts
 * import type { CountryStateAbbreviationOptions } from "./country_state_abbreviation.ts";
 * const o: CountryStateAbbreviationOptions = { direction: "expand" };
 * console.log(o.direction);
 * ```
 */
export interface CountryStateAbbreviationOptions extends OperationOptions {
  /** "abbreviate" names (default) or "expand" codes. */
  direction?: "abbreviate" | "expand";
}

const SCHEMA = z.strictObject({
  ...operationOptionsShape(),
  direction: z.enum(["abbreviate", "expand"]).default("abbreviate"),
});
let abbreviate: PhraseTable | undefined;
let countryCodes: PhraseTable | undefined;
// State names that are just as often a person, city or country.
const AMBIGUOUS = new Set(["Washington", "Georgia"]);
const STATE_NAME = new Map(US_STATES.map(([name, code]) => [code, name]));
// A state code right after ", " (as in "Austin, TX") or before a ZIP code.
const STATE_CODE = /(?<=, )[A-Z]{2}(?![\p{L}\p{N}])|[A-Z]{2}(?= \d{5}(?!\d))/gu;

/**
 * Abbreviates U.S. state and country names ("Texas" -> "TX", "United
 * Kingdom" -> "UK") or expands the codes. Names match when capitalized as
 * names (not "Washington" or "Georgia", often a person or a country); two-letter state codes are expanded only in address position (after
 * ", " or before a ZIP code) because "OR", "IN" and "ME" are also words.
 * Deterministic. After NL-Augmenter's `country_state_abbreviation_transformation`.
 *
 * @example
 * ```ts
 * import { CountryStateAbbreviation } from "./country_state_abbreviation.ts";
 * console.log(new CountryStateAbbreviation().generateText("From Texas to the United Kingdom.")[0]); // "From TX to the UK."
 * console.log(new CountryStateAbbreviation({ direction: "expand" }).generateText("Austin, TX and the UK")[0]);
 * // "Austin, Texas and the United Kingdom"
 * ```
 */
export class CountryStateAbbreviation extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "country_state_abbreviation",
    description: "U.S. state and country names abbreviated (or expanded)",
    kinds: TEXT_KINDS,
    tasks: ["text_classification", "text_to_text_generation", "question_answering"],
    languages: ["en"],
    keywords: ["lexical", "rule-based", "external-knowledge-based", "high-precision"],
    heavy: false,
    reference: "country_state_abbreviation_transformation",
    preservesLabel: true,
  };
  #expand: boolean;

  /**
   * Creates the transformation (deterministic: one output).
   *
   * @param options Seed, maxOutputs and direction.
   */
  constructor(options: CountryStateAbbreviationOptions = {}) {
    const o = parseOptions(SCHEMA, options, CountryStateAbbreviation.info.name);
    super(CountryStateAbbreviation.info, o.seed, o.maxOutputs);
    this.randomized = false;
    this.#expand = o.direction === "expand";
    abbreviate ??= new PhraseTable(
      [...US_STATES, ...COUNTRIES].filter(([name]) => !AMBIGUOUS.has(name))
        .map(([name, code]) => [name, [code]] as const),
      true,
    );
    countryCodes ??= new PhraseTable(
      COUNTRIES.map(([name, code]) => [code, [name]] as const),
      true,
    );
  }

  /**
   * Abbreviates or expands.
   *
   * @param text The input.
   * @returns The text.
   */
  protected transformText(text: string): string {
    if (!this.#expand) return abbreviate!.replace(text, (m) => m.candidates[0]);
    const states = text.replace(STATE_CODE, (code) => STATE_NAME.get(code) ?? code);
    return countryCodes!.replace(states, (m) => m.candidates[0]);
  }
}
