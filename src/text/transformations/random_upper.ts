import { z } from "zod";
import { graphemes } from "../graphemes.ts";
import type { TransformationInfo } from "../operation.ts";
import {
  type OperationOptions,
  operationOptionsShape,
  parseOptions,
  probability,
} from "../options.ts";
import type { TextRng } from "../rng.ts";
import { SentenceTransformation, TEXT_KINDS } from "../sentence_transformation.ts";

/**
 * Options of {@link RandomUpper}.
 *
 * @example
 * ```ts
 * import type { RandomUpperOptions } from "./random_upper.ts";
 * const o: RandomUpperOptions = { prob: 0.2 };
 * console.log(o.prob);
 * ```
 */
export interface RandomUpperOptions extends OperationOptions {
  /** Probability that a lower-case character is upper-cased (default 0.1). */
  prob?: number;
}

const SCHEMA = z.strictObject({ ...operationOptionsShape(), prob: probability(0.1) });

/**
 * Upper-cases random characters (whole grapheme clusters; only when the upper
 * case keeps the length). After NL-Augmenter's `random_upper_transformation`.
 *
 * @example
 * ```ts
 * import { RandomUpper } from "./random_upper.ts";
 * console.log(new RandomUpper({ prob: 1 }).generateText("straße")[0]); // "STRAßE"
 * ```
 */
export class RandomUpper extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "random_upper",
    description: "random characters upper-cased",
    kinds: TEXT_KINDS,
    tasks: ["text_classification", "text_to_text_generation"],
    languages: ["all"],
    keywords: ["morphological", "noise", "rule-based", "unnatural", "high-coverage"],
    heavy: false,
    reference: "random_upper_transformation",
    preservesLabel: true,
  };
  #prob: number;

  /**
   * Creates the transformation.
   *
   * @param options Seed, maxOutputs and prob.
   */
  constructor(options: RandomUpperOptions = {}) {
    const o = parseOptions(SCHEMA, options, RandomUpper.info.name);
    super(RandomUpper.info, o.seed, o.maxOutputs);
    this.#prob = o.prob;
  }

  /**
   * Upper-cases at random.
   *
   * @param text The input.
   * @param rng The call's random stream.
   * @returns The text.
   */
  protected transformText(text: string, rng: TextRng): string {
    const out = graphemes(text);
    for (let i = 0; i < out.length; i++) {
      const g = out[i];
      const up = g.toUpperCase();
      if (up === g || up.length !== g.length) continue;
      if (rng.chance(this.#prob)) out[i] = up;
    }
    return out.join("");
  }
}
