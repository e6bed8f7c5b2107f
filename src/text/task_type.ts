/**
 * The NLP task types an operation can declare, after NL-Augmenter's `TaskType`
 * enum (Dhole et al. 2021), written as snake_case strings.
 *
 * @example
 * ```ts
 * import { TASK_TYPES } from "./task_type.ts";
 * console.log(TASK_TYPES.includes("text_classification")); // true
 * ```
 */
export const TASK_TYPES: readonly TaskType[] = [
  "text_classification",
  "text_to_text_generation",
  "text_tagging",
  "dialogue_act_to_text",
  "table_to_text",
  "rdf_to_text",
  "rdf_to_rdf",
  "question_answering",
  "question_generation",
  "amr_to_text",
  "e2e_task",
  "sentiment_analysis",
  "paraphrase_detection",
  "textual_entailment",
  "quality_estimation",
];

/**
 * One NLP task type (see {@link TASK_TYPES}).
 *
 * @example
 * ```ts
 * import type { TaskType } from "./task_type.ts";
 * const t: TaskType = "sentiment_analysis";
 * console.log(t);
 * ```
 */
export type TaskType =
  | "text_classification"
  | "text_to_text_generation"
  | "text_tagging"
  | "dialogue_act_to_text"
  | "table_to_text"
  | "rdf_to_text"
  | "rdf_to_rdf"
  | "question_answering"
  | "question_generation"
  | "amr_to_text"
  | "e2e_task"
  | "sentiment_analysis"
  | "paraphrase_detection"
  | "textual_entailment"
  | "quality_estimation";
