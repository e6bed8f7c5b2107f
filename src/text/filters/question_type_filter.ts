import { z } from "zod";
import type { TextExample } from "../example.ts";
import { Filter } from "../filter.ts";
import type { OperationInfo } from "../operation.ts";
import { type OperationOptions, operationOptionsShape, parseOptions } from "../options.ts";

/**
 * Question types {@link questionType} tells apart.
 *
 * @example
 * ```ts
 * import { QUESTION_TYPES } from "./question_type_filter.ts";
 * console.log(QUESTION_TYPES.includes("yes_no")); // true
 * ```
 */
export const QUESTION_TYPES: readonly QuestionType[] = [
  "what",
  "who",
  "when",
  "where",
  "why",
  "how",
  "which",
  "yes_no",
  "other",
];

/**
 * A question type (see {@link QUESTION_TYPES}).
 *
 * @example
 * ```ts
 * import type { QuestionType } from "./question_type_filter.ts";
 * const t: QuestionType = "how";
 * console.log(t);
 * ```
 */
export type QuestionType =
  | "what"
  | "who"
  | "when"
  | "where"
  | "why"
  | "how"
  | "which"
  | "yes_no"
  | "other";

const WH: Readonly<Record<string, QuestionType>> = {
  what: "what",
  who: "who",
  whom: "who",
  whose: "who",
  when: "when",
  where: "where",
  why: "why",
  how: "how",
  which: "which",
};
const AUX = new Set(
  ("is are was were am do does did can could will would shall should may might must has have had " +
    "isn't aren't wasn't weren't don't doesn't didn't can't couldn't won't wouldn't shouldn't " +
    "hasn't haven't hadn't").split(" "),
);

/**
 * The type of an English question from its first words: a wh-word anywhere in
 * the first three words ("In which year...?" is "which"), or "yes_no" when it
 * opens with an auxiliary verb; "other" otherwise.
 *
 * @example
 * ```ts
 * import { questionType } from "./question_type_filter.ts";
 * console.log(questionType("Who wrote Hamlet?"), questionType("In which year did it end?"), questionType("Is it raining?"));
 * // "who" "which" "yes_no"
 * ```
 * @param question The question.
 * @returns Its type.
 */
export function questionType(question: string): QuestionType {
  const first = question.slice(0, 200).toLowerCase().replace(/’/g, "'").match(/[\p{L}']+/gu) ??
    [];
  for (const w of first.slice(0, 3)) {
    const t = WH[w];
    if (t !== undefined) return t;
  }
  return first.length > 0 && AUX.has(first[0] ?? "") ? "yes_no" : "other";
}

/**
 * Options of {@link QuestionTypeFilter}.
 *
 * @example
 * ```ts
 * import type { QuestionTypeFilterOptions } from "./question_type_filter.ts";
 * const o: QuestionTypeFilterOptions = { types: ["who", "where"] };
 * console.log(o.types);
 * ```
 */
export interface QuestionTypeFilterOptions extends OperationOptions {
  /** Types to keep (default ["what"]). */
  types?: QuestionType[];
}

const SCHEMA = z.strictObject({
  ...operationOptionsShape(),
  types: z.array(z.enum(QUESTION_TYPES as [QuestionType, ...QuestionType[]])).min(1)
    .default(["what"]),
});

/**
 * Keeps questions of given types (what/who/when/where/why/how/which/yes-no).
 * For question-answering examples the question is tested; for the other text
 * kinds, the sentence. After NL-Augmenter's `question_filter` and
 * `yesno_question` filters.
 *
 * @example
 * ```ts
 * import { QuestionTypeFilter } from "./question_type_filter.ts";
 * const f = new QuestionTypeFilter({ types: ["where"] });
 * console.log(f.filter({ kind: "question_answer", context: "Paris is in France.", question: "Where is Paris?", answers: ["France"] })); // true
 * ```
 */
export class QuestionTypeFilter extends Filter {
  /** Declarations. */
  static readonly info: OperationInfo = {
    name: "question_type_filter",
    description: "questions of given types (wh-word or yes/no)",
    kinds: ["sentence", "sentence_and_target", "sentence_and_targets", "question_answer"],
    tasks: ["question_answering", "question_generation", "text_classification"],
    languages: ["en"],
    keywords: ["rule-based", "high-precision"],
    heavy: false,
    reference: "question_filter / yesno_question",
  };
  #types: ReadonlySet<QuestionType>;

  /**
   * Creates the filter.
   *
   * @param options Seed, maxOutputs and types.
   */
  constructor(options: QuestionTypeFilterOptions = {}) {
    const o = parseOptions(SCHEMA, options, QuestionTypeFilter.info.name);
    super(QuestionTypeFilter.info, o.seed, o.maxOutputs);
    this.#types = new Set(o.types);
  }

  /**
   * The question of a QA example, the sentence otherwise.
   *
   * @param example A validated example.
   * @returns The text to classify.
   */
  protected override textOf(example: TextExample): string {
    return example.kind === "question_answer" ? example.question : super.textOf(example);
  }

  /**
   * Classifies the question.
   *
   * @param text The question.
   * @returns Whether its type is kept.
   */
  protected test(text: string): boolean {
    return this.#types.has(questionType(text));
  }
}
