import { z } from "zod";
import { EXAMPLE_KINDS } from "../example.ts";
import { Filter } from "../filter.ts";
import { graphemes } from "../graphemes.ts";
import type { OperationInfo } from "../operation.ts";
import { type OperationOptions, operationOptionsShape, parseOptions } from "../options.ts";

/**
 * A comparison operator for count filters.
 *
 * @example
 * ```ts
 * import type { Comparison } from "./length_filter.ts";
 * const c: Comparison = ">=";
 * console.log(c);
 * ```
 */
export type Comparison = "<" | "<=" | "==" | ">=" | ">" | "!=";

/**
 * Compares two numbers with a {@link Comparison}.
 *
 * @example
 * ```ts
 * import { compare } from "./length_filter.ts";
 * console.log(compare(3, ">=", 3), compare(2, "<", 1)); // true false
 * ```
 * @param value The measured value.
 * @param op The operator.
 * @param threshold The threshold.
 * @returns The comparison's result.
 */
export function compare(value: number, op: Comparison, threshold: number): boolean {
  switch (op) {
    case "<":
      return value < threshold;
    case "<=":
      return value <= threshold;
    case "==":
      return value === threshold;
    case ">=":
      return value >= threshold;
    case ">":
      return value > threshold;
    case "!=":
      return value !== threshold;
  }
}

/**
 * Options of {@link LengthFilter}.
 *
 * @example
 * ```ts
 * import type { LengthFilterOptions } from "./length_filter.ts";
 * const o: LengthFilterOptions = { op: "<", threshold: 280 };
 * console.log(o.threshold);
 * ```
 */
export interface LengthFilterOptions extends OperationOptions {
  /** Comparison of the length with the threshold (default ">="). */
  op?: Comparison;
  /** The threshold, in user-perceived characters (grapheme clusters; default 50). */
  threshold?: number;
}

const SCHEMA = z.strictObject({
  ...operationOptionsShape(),
  op: z.enum(["<", "<=", "==", ">=", ">", "!="]).default(">="),
  threshold: z.number().int().min(0).default(50),
});

/**
 * Keeps texts whose length in grapheme clusters compares to a threshold (so
 * "👩‍👩‍👧" counts as one character). After NL-Augmenter's `length` filter.
 *
 * @example
 * ```ts
 * import { LengthFilter } from "./length_filter.ts";
 * const f = new LengthFilter({ op: "<=", threshold: 3 });
 * console.log(f.filterText("e\u0301👩‍👩‍👧!"), f.filterText("four")); // true false
 * ```
 */
export class LengthFilter extends Filter {
  /** Declarations. */
  static readonly info: OperationInfo = {
    name: "length_filter",
    description: "texts whose length in characters compares to a threshold",
    kinds: EXAMPLE_KINDS,
    tasks: ["text_classification", "text_to_text_generation", "question_answering", "text_tagging"],
    languages: ["all"],
    keywords: ["rule-based", "high-precision"],
    heavy: false,
    reference: "length",
  };
  #op: Comparison;
  #threshold: number;

  /**
   * Creates the filter.
   *
   * @param options Seed, maxOutputs, op and threshold.
   */
  constructor(options: LengthFilterOptions = {}) {
    const o = parseOptions(SCHEMA, options, LengthFilter.info.name);
    super(LengthFilter.info, o.seed, o.maxOutputs);
    this.#op = o.op;
    this.#threshold = o.threshold;
  }

  /**
   * Tests the length.
   *
   * @param text The text.
   * @returns The comparison's result.
   */
  protected test(text: string): boolean {
    return compare(graphemes(text).length, this.#op, this.#threshold);
  }
}
