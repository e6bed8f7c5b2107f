import { z } from "zod";
import { EXAMPLE_KINDS } from "../example.ts";
import { Filter } from "../filter.ts";
import type { OperationInfo } from "../operation.ts";
import { type OperationOptions, operationOptionsShape, parseOptions } from "../options.ts";

/**
 * Options of {@link NumericFilter}.
 *
 * @example
 * ```ts
 * import type { NumericFilterOptions } from "./numeric_filter.ts";
 * const o: NumericFilterOptions = { min: 2 };
 * console.log(o.min);
 * ```
 */
export interface NumericFilterOptions extends OperationOptions {
  /** Fewest numbers the text must contain (default 1). */
  min?: number;
}

const SCHEMA = z.strictObject({
  ...operationOptionsShape(),
  min: z.number().int().min(1).default(1),
});
const NUMBER = /\p{Nd}+(?:[.,]\p{Nd}+)*/gu;

/**
 * Keeps texts that contain at least `min` numbers (runs of decimal digits in
 * any script, with inner "." or ","). After NL-Augmenter's `numeric` filter.
 *
 * @example
 * ```ts
 * import { NumericFilter } from "./numeric_filter.ts";
 * console.log(new NumericFilter().filterText("Call ٣ times"), new NumericFilter({ min: 2 }).filterText("Pay 1,250.50 now")); // true false
 * ```
 */
export class NumericFilter extends Filter {
  /** Declarations. */
  static readonly info: OperationInfo = {
    name: "numeric_filter",
    description: "texts containing numbers",
    kinds: EXAMPLE_KINDS,
    tasks: ["text_classification", "text_to_text_generation", "question_answering", "text_tagging"],
    languages: ["all"],
    keywords: ["rule-based", "high-precision"],
    heavy: false,
    reference: "numeric",
  };
  #min: number;

  /**
   * Creates the filter.
   *
   * @param options Seed, maxOutputs and min.
   */
  constructor(options: NumericFilterOptions = {}) {
    const o = parseOptions(SCHEMA, options, NumericFilter.info.name);
    super(NumericFilter.info, o.seed, o.maxOutputs);
    this.#min = o.min;
  }

  /**
   * Counts numbers.
   *
   * @param text The text.
   * @returns Whether there are enough.
   */
  protected test(text: string): boolean {
    let n = 0;
    NUMBER.lastIndex = 0;
    while (NUMBER.exec(text) !== null) if (++n >= this.#min) return true;
    return false;
  }
}
