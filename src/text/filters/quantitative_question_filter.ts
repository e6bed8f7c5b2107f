import { z } from "zod";
import type { TextExample } from "../example.ts";
import { Filter } from "../filter.ts";
import type { OperationInfo } from "../operation.ts";
import { type OperationOptions, operationOptionsShape, parseOptions } from "../options.ts";

/**
 * Options of {@link QuantitativeQuestionFilter} (only the common ones).
 *
 * @example
 * ```ts
 * import type { QuantitativeQuestionFilterOptions } from "./quantitative_question_filter.ts";
 * const o: QuantitativeQuestionFilterOptions = {};
 * console.log(o);
 * ```
 */
export type QuantitativeQuestionFilterOptions = OperationOptions;

const SCHEMA = z.strictObject(operationOptionsShape());
const QUANTITATIVE =
  /^\W*(?:\p{L}+\s+){0,2}?(?:how\s+(?:many|much|long|old|far|often|big|large|tall|high|fast)|what\s+(?:percentage|percent|proportion|number|amount|fraction)|in\s+what\s+year)\b/iu;

/**
 * Keeps questions that ask for a quantity ("How many...", "How much...",
 * "What percentage...", "In what year..."). For question-answering examples
 * the question is tested. After NL-Augmenter's `quantitative_ques` filter.
 *
 * @example
 * ```ts
 * import { QuantitativeQuestionFilter } from "./quantitative_question_filter.ts";
 * const f = new QuantitativeQuestionFilter();
 * console.log(f.filterText("How many moons has Mars?"), f.filterText("How are you?")); // true false
 * ```
 */
export class QuantitativeQuestionFilter extends Filter {
  /** Declarations. */
  static readonly info: OperationInfo = {
    name: "quantitative_question_filter",
    description: "questions asking for a quantity (how many, how much...)",
    kinds: ["sentence", "sentence_and_target", "sentence_and_targets", "question_answer"],
    tasks: ["question_answering", "question_generation"],
    languages: ["en"],
    keywords: ["rule-based", "high-precision"],
    heavy: false,
    reference: "quantitative_ques",
  };

  /**
   * Creates the filter.
   *
   * @param options Seed and maxOutputs.
   */
  constructor(options: QuantitativeQuestionFilterOptions = {}) {
    const o = parseOptions(SCHEMA, options, QuantitativeQuestionFilter.info.name);
    super(QuantitativeQuestionFilter.info, o.seed, o.maxOutputs);
  }

  /**
   * The question of a QA example, the sentence otherwise.
   *
   * @param example A validated example.
   * @returns The text to test.
   */
  protected override textOf(example: TextExample): string {
    return example.kind === "question_answer" ? example.question : super.textOf(example);
  }

  /**
   * Tests for a quantity question.
   *
   * @param text The question.
   * @returns Whether it asks for a quantity.
   */
  protected test(text: string): boolean {
    return QUANTITATIVE.test(text.slice(0, 200));
  }
}
