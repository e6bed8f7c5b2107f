import { z } from "zod";
import type { TextExample } from "../example.ts";
import type { TransformationInfo } from "../operation.ts";
import { type OperationOptions, operationOptionsShape, parseOptions } from "../options.ts";
import { Transformation } from "../transformation.ts";

/**
 * Options of {@link RedundantContext} (only the common ones).
 *
 * @example
 * ```ts
 * import type { RedundantContextOptions } from "./redundant_context.ts";
 * const o: RedundantContextOptions = {};
 * console.log(o);
 * ```
 */
export type RedundantContextOptions = OperationOptions;

const SCHEMA = z.strictObject(operationOptionsShape());

/**
 * Doubles the context of a question-answering example (context + " " +
 * context); question and answers are unchanged and every answer is still a
 * span of the new context. Deterministic. After NL-Augmenter's
 * `redundant_context_for_qa`.
 *
 * @example
 * ```ts
 * import { RedundantContext } from "./redundant_context.ts";
 * const [out] = new RedundantContext().generate({ kind: "question_answer", context: "Paris is in France.", question: "Where is Paris?", answers: ["France"] });
 * console.log(out.kind === "question_answer" && out.context); // "Paris is in France. Paris is in France."
 * ```
 */
export class RedundantContext extends Transformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "redundant_context",
    description: "question-answering context repeated twice",
    kinds: ["question_answer"],
    tasks: ["question_answering", "question_generation"],
    languages: ["all"],
    keywords: ["discourse", "rule-based", "unnatural", "high-precision"],
    heavy: false,
    reference: "redundant_context_for_qa",
    preservesLabel: true,
  };

  /**
   * Creates the transformation.
   *
   * @param options Seed and maxOutputs.
   */
  constructor(options: RedundantContextOptions = {}) {
    const o = parseOptions(SCHEMA, options, RedundantContext.info.name);
    super(RedundantContext.info, o.seed, o.maxOutputs);
  }

  /**
   * Doubles the context.
   *
   * @param example A validated QA example.
   * @returns The output.
   */
  protected apply(example: TextExample): TextExample[] {
    if (example.kind !== "question_answer") return [example];
    const sep = /\s$/.test(example.context) || example.context === "" ? "" : " ";
    return [{ ...example, context: example.context + sep + example.context }];
  }
}
