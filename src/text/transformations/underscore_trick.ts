import { z } from "zod";
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
 * Options of {@link UnderscoreTrick}.
 *
 * @example
 * ```ts
 * import type { UnderscoreTrickOptions } from "./underscore_trick.ts";
 * const o: UnderscoreTrickOptions = { prob: 1 };
 * console.log(o.prob);
 * ```
 */
export interface UnderscoreTrickOptions extends OperationOptions {
  /** Probability that a space becomes an underscore (default 0.5). */
  prob?: number;
}

const SCHEMA = z.strictObject({ ...operationOptionsShape(), prob: probability(0.5) });

/**
 * Spaces between words replaced by underscores at random, as in identifiers and
 * some user names. After NL-Augmenter's `underscore_trick`.
 *
 * @example
 * ```ts
 * import { UnderscoreTrick } from "./underscore_trick.ts";
 * console.log(new UnderscoreTrick({ prob: 1 }).generateText("to be or not")[0]); // "to_be_or_not"
 * ```
 */
export class UnderscoreTrick extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "underscore_trick",
    description: "spaces replaced by underscores at random",
    kinds: TEXT_KINDS,
    tasks: ["text_classification", "text_to_text_generation"],
    languages: ["all"],
    keywords: ["morphological", "noise", "rule-based", "unnatural", "written"],
    heavy: false,
    reference: "underscore_trick",
    preservesLabel: true,
  };
  #prob: number;

  /**
   * Creates the transformation.
   *
   * @param options Seed, maxOutputs and prob.
   */
  constructor(options: UnderscoreTrickOptions = {}) {
    const o = parseOptions(SCHEMA, options, UnderscoreTrick.info.name);
    super(UnderscoreTrick.info, o.seed, o.maxOutputs);
    this.#prob = o.prob;
  }

  /**
   * Replaces spaces.
   *
   * @param text The input.
   * @param rng The call's random stream.
   * @returns The text.
   */
  protected transformText(text: string, rng: TextRng): string {
    return text.replace(/ /g, () => rng.chance(this.#prob) ? "_" : " ");
  }
}
