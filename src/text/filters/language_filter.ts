import { z } from "zod";
import { EXAMPLE_KINDS } from "../example.ts";
import { Filter } from "../filter.ts";
import { DETECTABLE_LANGUAGES, detectLanguage } from "../language_detection.ts";
import type { OperationInfo } from "../operation.ts";
import { type OperationOptions, operationOptionsShape, parseOptions } from "../options.ts";

/**
 * Options of {@link LanguageFilter}.
 *
 * @example
 * ```ts
 * import type { LanguageFilterOptions } from "./language_filter.ts";
 * const o: LanguageFilterOptions = { languages: ["en", "fr"] };
 * console.log(o.languages);
 * ```
 */
export interface LanguageFilterOptions extends OperationOptions {
  /** ISO 639-1 codes to keep (default ["en"]); see `DETECTABLE_LANGUAGES`. */
  languages?: string[];
}

const SCHEMA = z.strictObject({
  ...operationOptionsShape(),
  languages: z.array(z.enum(DETECTABLE_LANGUAGES as [string, ...string[]])).min(1).default(["en"]),
});

/**
 * Keeps texts detected to be in one of the given languages (script and
 * function-word heuristics, see `detectLanguage`). After NL-Augmenter's `lang`
 * filter, which uses the `langid` model instead.
 *
 * @example
 * ```ts
 * import { LanguageFilter } from "./language_filter.ts";
 * const f = new LanguageFilter({ languages: ["fr", "he"] });
 * console.log(f.filterText("Le chat est sur la table"), f.filterText("שלום עולם"), f.filterText("The cat is here")); // true true false
 * ```
 */
export class LanguageFilter extends Filter {
  /** Declarations. */
  static readonly info: OperationInfo = {
    name: "language_filter",
    description: "texts in given languages (rule-based detection)",
    kinds: EXAMPLE_KINDS,
    tasks: ["text_classification", "text_to_text_generation", "question_answering", "text_tagging"],
    languages: ["all"],
    keywords: ["rule-based", "high-coverage"],
    heavy: false,
    reference: "lang",
  };
  #languages: ReadonlySet<string>;

  /**
   * Creates the filter.
   *
   * @param options Seed, maxOutputs and languages.
   */
  constructor(options: LanguageFilterOptions = {}) {
    const o = parseOptions(SCHEMA, options, LanguageFilter.info.name);
    super(LanguageFilter.info, o.seed, o.maxOutputs);
    this.#languages = new Set(o.languages);
  }

  /**
   * Detects the language.
   *
   * @param text The text.
   * @returns Whether it is one of the languages.
   */
  protected test(text: string): boolean {
    return this.#languages.has(detectLanguage(text));
  }
}
