import { z } from "zod";
import { EXAMPLE_KINDS } from "../example.ts";
import { Filter } from "../filter.ts";
import type { OperationInfo } from "../operation.ts";
import { type OperationOptions, operationOptionsShape, parseOptions } from "../options.ts";
import { words } from "../words.ts";

/**
 * Options of {@link RepetitionsFilter}.
 *
 * @example
 * ```ts
 * import type { RepetitionsFilterOptions } from "./repetitions_filter.ts";
 * const o: RepetitionsFilterOptions = { min: 2 };
 * console.log(o.min);
 * ```
 */
export interface RepetitionsFilterOptions extends OperationOptions {
  /** Fewest immediate word repetitions (default 1). */
  min?: number;
}

const SCHEMA = z.strictObject({
  ...operationOptionsShape(),
  min: z.number().int().min(1).default(1),
});

/**
 * Keeps texts where a word is immediately repeated ("the the", "very very"),
 * case-insensitively, at least `min` times; typical of speech transcripts and
 * generation errors. After NL-Augmenter's `repetitions` filter.
 *
 * @example
 * ```ts
 * import { RepetitionsFilter } from "./repetitions_filter.ts";
 * const f = new RepetitionsFilter();
 * console.log(f.filterText("It is is fine"), f.filterText("It is fine")); // true false
 * ```
 */
export class RepetitionsFilter extends Filter {
  /** Declarations. */
  static readonly info: OperationInfo = {
    name: "repetitions_filter",
    description: "texts with immediately repeated words",
    kinds: EXAMPLE_KINDS,
    tasks: ["text_classification", "text_to_text_generation"],
    languages: ["all"],
    keywords: ["rule-based", "high-precision"],
    heavy: false,
    reference: "repetitions",
  };
  #min: number;

  /**
   * Creates the filter.
   *
   * @param options Seed, maxOutputs and min.
   */
  constructor(options: RepetitionsFilterOptions = {}) {
    const o = parseOptions(SCHEMA, options, RepetitionsFilter.info.name);
    super(RepetitionsFilter.info, o.seed, o.maxOutputs);
    this.#min = o.min;
  }

  /**
   * Counts repetitions.
   *
   * @param text The text.
   * @returns Whether there are enough.
   */
  protected test(text: string): boolean {
    const ws = words(text);
    let n = 0;
    for (let i = 1; i < ws.length; i++) {
      if (ws[i].toLowerCase() === ws[i - 1].toLowerCase() && ++n >= this.#min) return true;
    }
    return false;
  }
}
