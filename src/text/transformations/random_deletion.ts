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
 * Options of {@link RandomDeletion}.
 *
 * @example
 * ```ts
 * import type { RandomDeletionOptions } from "./random_deletion.ts";
 * const o: RandomDeletionOptions = { prob: 0.2 };
 * console.log(o.prob);
 * ```
 */
export interface RandomDeletionOptions extends OperationOptions {
  /** Probability that a word is deleted (default 0.1). */
  prob?: number;
}

const SCHEMA = z.strictObject({ ...operationOptionsShape(), prob: probability(0.1) });

/**
 * Deletes each word with probability `prob` (EDA's random deletion, Wei & Zou
 * 2019), tidying the spaces around it; at least one word always survives.
 * After NL-Augmenter's `random_deletion`.
 *
 * @example
 * ```ts
 * import { RandomDeletion } from "./random_deletion.ts";
 * const [out] = new RandomDeletion({ prob: 0.5, seed: 2 }).generateText("one two three four five six");
 * console.log(out.split(" ").length < 6); // true
 * ```
 */
export class RandomDeletion extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "random_deletion",
    description: "words deleted at random",
    kinds: TEXT_KINDS,
    tasks: ["text_classification", "text_to_text_generation"],
    languages: ["all"],
    keywords: ["lexical", "noise", "rule-based", "unnatural", "high-coverage"],
    heavy: false,
    reference: "random_deletion",
    preservesLabel: true,
  };
  #prob: number;

  /**
   * Creates the transformation.
   *
   * @param options Seed, maxOutputs and prob.
   */
  constructor(options: RandomDeletionOptions = {}) {
    const o = parseOptions(SCHEMA, options, RandomDeletion.info.name);
    super(RandomDeletion.info, o.seed, o.maxOutputs);
    this.#prob = o.prob;
  }

  /**
   * Deletes words.
   *
   * @param text The input.
   * @param rng The call's random stream.
   * @returns The text.
   */
  protected transformText(text: string, rng: TextRng): string {
    const segs = splitWords(text);
    const wordIdx: number[] = [];
    segs.forEach((s, i) => s.isWord && wordIdx.push(i));
    if (wordIdx.length <= 1) return text;
    const drop = new Set(wordIdx.filter(() => rng.chance(this.#prob)));
    if (drop.size === wordIdx.length) drop.delete(wordIdx[rng.int(wordIdx.length)]);
    const out: string[] = [];
    const lastChar = (): string => {
      for (let k = out.length - 1; k >= 0; k--) if (out[k].length > 0) return out[k].slice(-1);
      return "";
    };
    const trimEnd = (): void => {
      for (let k = out.length - 1; k >= 0; k--) {
        out[k] = out[k].replace(/[ \t]+$/, "");
        if (out[k].length > 0) return;
      }
    };
    let afterDrop = false;
    for (let i = 0; i < segs.length; i++) {
      if (drop.has(i)) {
        afterDrop = true;
        continue;
      }
      let t = segs[i].text;
      if (afterDrop && !segs[i].isWord) {
        const last = lastChar();
        if (last === "" || last === " " || last === "\t") t = t.replace(/^[ \t]+/, "");
        if (last === "") t = t.replace(/^[,;:]+[ \t]*/, "");
        if (/^\p{P}/u.test(t)) trimEnd();
      }
      afterDrop = false;
      out.push(t);
    }
    if (afterDrop) trimEnd();
    return out.join("");
  }
}
