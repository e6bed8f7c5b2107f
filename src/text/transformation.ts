import type { TextExample } from "./example.ts";
import { examplesEqual } from "./example.ts";
import { Operation, type TransformationInfo } from "./operation.ts";

/**
 * A transformation modifies examples: `generate(example)` returns up to
 * `maxOutputs` distinct transformed examples of the same kind (NL-Augmenter's
 * `generate`). The output is a pure function of the seed, the options and the
 * input. An example of a kind the transformation does not declare raises a
 * `TaskKindError`.
 *
 * @example
 * ```ts
 * import { ContractionExpansion } from "./transformations/contraction_expansion.ts";
 * const op = new ContractionExpansion();
 * console.log(op.generate({ kind: "sentence_and_target", sentence: "I can't go.", target: "neg" }));
 * // [{ kind: "sentence_and_target", sentence: "I cannot go.", target: "neg" }]
 * ```
 */
export abstract class Transformation extends Operation {
  /** The transformation's declarations. */
  declare readonly info: TransformationInfo;

  /**
   * Stores declarations and common options.
   *
   * @param info The declarations.
   * @param seed The seed.
   * @param maxOutputs The most outputs per call.
   */
  protected constructor(info: TransformationInfo, seed: number, maxOutputs: number) {
    super(info, seed, maxOutputs);
  }

  /**
   * Transforms one example.
   *
   * @param example An example of a declared kind.
   * @returns Between 1 and `maxOutputs` distinct examples (the input itself when nothing applies).
   */
  generate(example: TextExample): TextExample[] {
    this.checkExample(example);
    const outputs = this.apply(example);
    const unique: TextExample[] = [];
    for (const out of outputs) {
      if (!unique.some((u) => examplesEqual(u, out))) unique.push(out);
      if (unique.length >= this.maxOutputs) break;
    }
    return unique.length > 0 ? unique : [example];
  }

  /**
   * The transformation proper, called after the example was validated.
   *
   * @param example A validated example of a declared kind.
   * @returns The outputs (duplicates are removed by `generate`).
   */
  protected abstract apply(example: TextExample): TextExample[];
}
