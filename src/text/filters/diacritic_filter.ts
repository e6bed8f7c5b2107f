import { z } from "zod";
import { EXAMPLE_KINDS } from "../example.ts";
import { Filter } from "../filter.ts";
import type { OperationInfo } from "../operation.ts";
import { type OperationOptions, operationOptionsShape, parseOptions } from "../options.ts";

/**
 * Options of {@link DiacriticFilter} (only the common ones).
 *
 * @example
 * ```ts
 * import type { DiacriticFilterOptions } from "./diacritic_filter.ts";
 * const o: DiacriticFilterOptions = {};
 * console.log(o);
 * ```
 */
export type DiacriticFilterOptions = OperationOptions;

const SCHEMA = z.strictObject(operationOptionsShape());
const ACCENTED = /[\p{Script=Latin}\p{Script=Greek}]\p{M}/u;

/**
 * Keeps texts with at least one Latin or Greek letter carrying a diacritic
 * ("café", "naïve", "Łódź" has none by decomposition but "ó" and "ź" do), in
 * composed or decomposed form. After NL-Augmenter's `diacritic_filter`.
 *
 * @example
 * ```ts
 * import { DiacriticFilter } from "./diacritic_filter.ts";
 * const f = new DiacriticFilter();
 * console.log(f.filterText("café"), f.filterText("cafe\u0301"), f.filterText("cafe ❤️")); // true true false
 * ```
 */
export class DiacriticFilter extends Filter {
  /** Declarations. */
  static readonly info: OperationInfo = {
    name: "diacritic_filter",
    description: "texts with accented Latin or Greek letters",
    kinds: EXAMPLE_KINDS,
    tasks: ["text_classification", "text_to_text_generation", "text_tagging"],
    languages: ["all"],
    keywords: ["rule-based", "high-precision", "written"],
    heavy: false,
    reference: "diacritic_filter",
  };

  /**
   * Creates the filter.
   *
   * @param options Seed and maxOutputs.
   */
  constructor(options: DiacriticFilterOptions = {}) {
    const o = parseOptions(SCHEMA, options, DiacriticFilter.info.name);
    super(DiacriticFilter.info, o.seed, o.maxOutputs);
  }

  /**
   * Looks for diacritics.
   *
   * @param text The text.
   * @returns Whether one occurs.
   */
  protected test(text: string): boolean {
    // deno-lint-ignore no-control-regex
    if (/^[\x00-\x7f]*$/.test(text)) return false;
    return ACCENTED.test(text.normalize("NFD"));
  }
}
