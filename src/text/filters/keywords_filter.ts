import { z } from "zod";
import { EXAMPLE_KINDS } from "../example.ts";
import { Filter } from "../filter.ts";
import type { OperationInfo } from "../operation.ts";
import { type OperationOptions, operationOptionsShape, parseOptions } from "../options.ts";
import { PhraseTable } from "../phrase_table.ts";

/**
 * Options of {@link KeywordsFilter}.
 *
 * @example
 * ```ts
 * import type { KeywordsFilterOptions } from "./keywords_filter.ts";
 * const o: KeywordsFilterOptions = { keywords: ["free", "winner"], match: "any" };
 * console.log(o.keywords.length);
 * ```
 */
export interface KeywordsFilterOptions extends OperationOptions {
  /** Words or phrases to look for (whole words). */
  keywords: string[];
  /** Keep texts with "any" keyword (default) or with "all" of them. */
  match?: "any" | "all";
  /** Match case exactly (default false). */
  caseSensitive?: boolean;
}

const SCHEMA = z.strictObject({
  ...operationOptionsShape(),
  keywords: z.array(z.string().trim().min(1)).min(1),
  match: z.enum(["any", "all"]).default("any"),
  caseSensitive: z.boolean().default(false),
});

/**
 * Keeps texts that contain any (or all) of the given keywords as whole words
 * or phrases. After NL-Augmenter's `keywords` filter.
 *
 * @example
 * ```ts
 * import { KeywordsFilter } from "./keywords_filter.ts";
 * const f = new KeywordsFilter({ keywords: ["free money", "winner"] });
 * console.log(f.filterText("You are a WINNER!"), f.filterText("winners")); // true false
 * ```
 */
export class KeywordsFilter extends Filter {
  /** Declarations. */
  static readonly info: OperationInfo = {
    name: "keywords_filter",
    description: "texts containing given keywords",
    kinds: EXAMPLE_KINDS,
    tasks: ["text_classification", "text_to_text_generation", "question_answering", "text_tagging"],
    languages: ["all"],
    keywords: ["rule-based", "lexical", "high-precision"],
    heavy: false,
    reference: "keywords",
  };
  #table: PhraseTable;
  #all: boolean;
  #count: number;

  /**
   * Creates the filter.
   *
   * @param options Seed, maxOutputs, keywords, match and caseSensitive.
   */
  constructor(options: KeywordsFilterOptions) {
    const o = parseOptions(SCHEMA, options, KeywordsFilter.info.name);
    super(KeywordsFilter.info, o.seed, o.maxOutputs);
    this.#table = new PhraseTable(o.keywords.map((k) => [k, [k]] as const), o.caseSensitive);
    this.#all = o.match === "all";
    this.#count = this.#table.size;
  }

  /**
   * Looks for keywords.
   *
   * @param text The text.
   * @returns Whether any/all keywords occur.
   */
  protected test(text: string): boolean {
    const found = new Set(this.#table.findAll(text).map((m) => m.key));
    return this.#all ? found.size === this.#count : found.size > 0;
  }
}
