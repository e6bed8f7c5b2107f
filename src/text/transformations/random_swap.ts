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
import { splitWords } from "../words.ts";

/**
 * Options of {@link RandomSwap}.
 *
 * @example
 * ```ts
 * import type { RandomSwapOptions } from "./random_swap.ts";
 * const o: RandomSwapOptions = { ratio: 0.2 };
 * console.log(o.ratio);
 * ```
 */
export interface RandomSwapOptions extends OperationOptions {
  /** Swaps per word: round(ratio * words), at least one (default 0.1). */
  ratio?: number;
}

const SCHEMA = z.strictObject({ ...operationOptionsShape(), ratio: probability(0.1) });

/**
 * Swaps the positions of random pairs of words, round(ratio x words) times
 * (at least once); spacing and punctuation stay in place. EDA's random swap
 * (Wei & Zou 2019), a word-order perturbation.
 *
 * @example
 * ```ts
 * import { RandomSwap } from "./random_swap.ts";
 * const [out] = new RandomSwap({ seed: 1 }).generateText("alpha beta, gamma delta.");
 * console.log(out.split(/\W+/).filter(Boolean).sort().join(" ")); // "alpha beta delta gamma"
 * ```
 */
export class RandomSwap extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "random_swap",
    description: "random pairs of words swap positions",
    kinds: TEXT_KINDS,
    tasks: ["text_classification", "text_to_text_generation"],
    languages: ["all"],
    keywords: ["word-order", "noise", "rule-based", "unnatural"],
    heavy: false,
    reference: "EDA random swap (Wei & Zou 2019)",
    preservesLabel: true,
  };
  #ratio: number;

  /**
   * Creates the transformation.
   *
   * @param options Seed, maxOutputs and ratio.
   */
  constructor(options: RandomSwapOptions = {}) {
    const o = parseOptions(SCHEMA, options, RandomSwap.info.name);
    super(RandomSwap.info, o.seed, o.maxOutputs);
    this.#ratio = o.ratio;
  }

  /**
   * Swaps words.
   *
   * @param text The input.
   * @param rng The call's random stream.
   * @returns The text.
   */
  protected transformText(text: string, rng: TextRng): string {
    const segs = splitWords(text);
    const idx: number[] = [];
    segs.forEach((s, i) => s.isWord && idx.push(i));
    if (idx.length < 2) return text;
    const swaps = Math.max(1, Math.round(this.#ratio * idx.length));
    for (let k = 0; k < swaps; k++) {
      const a = idx[rng.int(idx.length)];
      let b = idx[rng.int(idx.length - 1)];
      if (b === a) b = idx[idx.length - 1];
      const t = segs[a].text;
      segs[a].text = segs[b].text;
      segs[b].text = t;
    }
    return segs.map((s) => s.text).join("");
  }
}
