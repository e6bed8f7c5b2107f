import { z } from "zod";
import { EXAMPLE_KINDS, type TextExample } from "../example.ts";
import { Filter } from "../filter.ts";
import type { OperationInfo } from "../operation.ts";
import { type OperationOptions, operationOptionsShape, parseOptions } from "../options.ts";
import { words } from "../words.ts";

/**
 * Options of {@link TokenCountFilter}.
 *
 * @example
 * ```ts
 * import type { TokenCountFilterOptions } from "./token_count_filter.ts";
 * const o: TokenCountFilterOptions = { min: 5, max: 20 };
 * console.log(o.max);
 * ```
 */
export interface TokenCountFilterOptions extends OperationOptions {
  /** Fewest words (inclusive, default 0). */
  min?: number;
  /** Most words (inclusive, default unbounded). */
  max?: number;
}

const SCHEMA = z.strictObject({
  ...operationOptionsShape(),
  min: z.number().int().min(0).default(0),
  max: z.number().int().min(0).default(Number.MAX_SAFE_INTEGER),
}).refine((o) => o.min <= o.max, { message: "min must not exceed max", path: ["min"] });

/**
 * Keeps texts whose number of words lies in [min, max]. For tagging examples
 * the tokens are counted as given. After NL-Augmenter's `token_amount` filter.
 *
 * @example
 * ```ts
 * import { TokenCountFilter } from "./token_count_filter.ts";
 * const f = new TokenCountFilter({ min: 2, max: 3 });
 * console.log(f.filterText("one two three"), f.filterText("one")); // true false
 * ```
 */
export class TokenCountFilter extends Filter {
  /** Declarations. */
  static readonly info: OperationInfo = {
    name: "token_count_filter",
    description: "texts whose word count lies in a range",
    kinds: EXAMPLE_KINDS,
    tasks: ["text_classification", "text_to_text_generation", "question_answering", "text_tagging"],
    languages: ["all"],
    keywords: ["rule-based", "high-precision"],
    heavy: false,
    reference: "token_amount",
  };
  #min: number;
  #max: number;

  /**
   * Creates the filter.
   *
   * @param options Seed, maxOutputs, min and max.
   */
  constructor(options: TokenCountFilterOptions = {}) {
    const o = parseOptions(SCHEMA, options, TokenCountFilter.info.name);
    super(TokenCountFilter.info, o.seed, o.maxOutputs);
    this.#min = o.min;
    this.#max = o.max;
  }

  /**
   * Counts tokens of tagging examples as given, words otherwise.
   *
   * @param example A validated example.
   * @returns Whether the count is in range.
   */
  override filter(example: TextExample): boolean {
    this.checkExample(example);
    if (example.kind === "tagging") {
      const n = example.tokens.length;
      return n >= this.#min && n <= this.#max;
    }
    return this.test(this.textOf(example));
  }

  /**
   * Counts words.
   *
   * @param text The text.
   * @returns Whether the count is in range.
   */
  protected test(text: string): boolean {
    const n = words(text).length;
    return n >= this.#min && n <= this.#max;
  }
}
