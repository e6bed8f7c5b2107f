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
 * Options of {@link LeetLetters}.
 *
 * @example
 * ```ts
 * import type { LeetLettersOptions } from "./leet_letters.ts";
 * const o: LeetLettersOptions = { prob: 1 };
 * console.log(o.prob);
 * ```
 */
export interface LeetLettersOptions extends OperationOptions {
  /** Probability that a letter with a leet form is replaced (default 0.5). */
  prob?: number;
}

const SCHEMA = z.strictObject({ ...operationOptionsShape(), prob: probability(0.5) });

/** Letter -> digit look-alikes of basic leetspeak. */
const LEET: Readonly<Record<string, string>> = {
  a: "4",
  b: "8",
  e: "3",
  g: "9",
  i: "1",
  l: "1",
  o: "0",
  s: "5",
  t: "7",
  z: "2",
};

/**
 * Leetspeak: letters replaced by look-alike digits (a->4, e->3, i->1, o->0,
 * s->5, t->7, ...), each with probability `prob`. Only plain ASCII letters
 * change. After NL-Augmenter's `leet_letters`.
 *
 * @example
 * ```ts
 * import { LeetLetters } from "./leet_letters.ts";
 * console.log(new LeetLetters({ prob: 1 }).generateText("Elite toast")[0]); // "31173 70457"
 * ```
 */
export class LeetLetters extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "leet_letters",
    description: "letters replaced by look-alike digits (leetspeak)",
    kinds: TEXT_KINDS,
    tasks: ["text_classification", "text_to_text_generation"],
    languages: ["en"],
    keywords: ["morphological", "noise", "rule-based", "unnatural", "written"],
    heavy: false,
    reference: "leet_letters",
    preservesLabel: true,
  };
  #prob: number;

  /**
   * Creates the transformation.
   *
   * @param options Seed, maxOutputs and prob.
   */
  constructor(options: LeetLettersOptions = {}) {
    const o = parseOptions(SCHEMA, options, LeetLetters.info.name);
    super(LeetLetters.info, o.seed, o.maxOutputs);
    this.#prob = o.prob;
  }

  /**
   * Writes letters as digits.
   *
   * @param text The input.
   * @param rng The call's random stream.
   * @returns The text.
   */
  protected transformText(text: string, rng: TextRng): string {
    const out = graphemes(text);
    for (let i = 0; i < out.length; i++) {
      const d = out[i].length === 1 ? LEET[out[i].toLowerCase()] : undefined;
      if (d !== undefined && rng.chance(this.#prob)) out[i] = d;
    }
    return out.join("");
  }
}
