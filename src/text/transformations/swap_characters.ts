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
 * Options of {@link SwapCharacters}.
 *
 * @example
 * ```ts
 * import type { SwapCharactersOptions } from "./swap_characters.ts";
 * const o: SwapCharactersOptions = { prob: 0.1 };
 * console.log(o.prob);
 * ```
 */
export interface SwapCharactersOptions extends OperationOptions {
  /** Probability that a character swaps with the next one (default 0.05). */
  prob?: number;
}

const SCHEMA = z.strictObject({ ...operationOptionsShape(), prob: probability(0.05) });
const SPACE = /^\s+$/;

/**
 * Swaps adjacent characters (grapheme clusters, both non-space) at random,
 * like a fast typist's transpositions. After NL-Augmenter's `swap_characters`.
 *
 * @example
 * ```ts
 * import { SwapCharacters } from "./swap_characters.ts";
 * const [out] = new SwapCharacters({ prob: 1 }).generateText("abcd ef");
 * console.log(out); // "badc fe"
 * ```
 */
export class SwapCharacters extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "swap_characters",
    description: "adjacent characters transposed at random",
    kinds: TEXT_KINDS,
    tasks: ["text_classification", "text_to_text_generation", "text_tagging"],
    languages: ["all"],
    keywords: ["morphological", "noise", "rule-based", "high-coverage"],
    heavy: false,
    reference: "swap_characters",
    preservesLabel: true,
  };
  #prob: number;

  /**
   * Creates the transformation.
   *
   * @param options Seed, maxOutputs and prob.
   */
  constructor(options: SwapCharactersOptions = {}) {
    const o = parseOptions(SCHEMA, options, SwapCharacters.info.name);
    super(SwapCharacters.info, o.seed, o.maxOutputs);
    this.#prob = o.prob;
  }

  /**
   * Transposes characters.
   *
   * @param text The input.
   * @param rng The call's random stream.
   * @returns The text.
   */
  protected transformText(text: string, rng: TextRng): string {
    const g = graphemes(text);
    for (let i = 0; i + 1 < g.length; i++) {
      if (SPACE.test(g[i]) || SPACE.test(g[i + 1]) || !rng.chance(this.#prob)) continue;
      const t = g[i];
      g[i] = g[i + 1];
      g[i + 1] = t;
      i++;
    }
    return g.join("");
  }
}
