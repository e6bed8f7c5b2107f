import { z } from "zod";
import { FILLER_WORDS } from "../lexicons/filler_words.ts";
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
 * A category of filler phrases.
 *
 * @example
 * ```ts
 * import type { FillerCategory } from "./filler_words.ts";
 * const c: FillerCategory = "uncertainty";
 * console.log(c);
 * ```
 */
export type FillerCategory = "opinion" | "uncertainty" | "filler";

/**
 * Options of {@link FillerWords}.
 *
 * @example
 * ```ts
 * import type { FillerWordsOptions } from "./filler_words.ts";
 * const o: FillerWordsOptions = { prob: 0.2, categories: ["filler"] };
 * console.log(o.categories);
 * ```
 */
export interface FillerWordsOptions extends OperationOptions {
  /** Probability of a filler after each word but the last (default 0.1). */
  prob?: number;
  /** Which filler categories to draw from (default all three). */
  categories?: FillerCategory[];
}

const SCHEMA = z.strictObject({
  ...operationOptionsShape(),
  prob: probability(0.1),
  categories: z.array(z.enum(["opinion", "uncertainty", "filler"])).min(1)
    .default(["opinion", "uncertainty", "filler"]),
});

/**
 * Inserts filler phrases between words: speaker opinion ("I think"),
 * uncertainty ("maybe") and fillers ("um", "you know"). After NL-Augmenter's
 * `filler_word_augmentation`.
 *
 * @example
 * ```ts
 * import { FillerWords } from "./filler_words.ts";
 * const [out] = new FillerWords({ prob: 1, categories: ["filler"], seed: 3 }).generateText("I like tea");
 * console.log(out.startsWith("I ") && out.endsWith(" tea") && out.length > 10); // true
 * ```
 */
export class FillerWords extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "filler_words",
    description: "filler phrases (um, I think, maybe) inserted between words",
    kinds: TEXT_KINDS,
    tasks: ["text_classification", "text_to_text_generation", "sentiment_analysis"],
    languages: ["en"],
    keywords: ["lexical", "rule-based", "natural-sounding", "aural", "discourse"],
    heavy: false,
    reference: "filler_word_augmentation",
    preservesLabel: true,
  };
  #prob: number;
  #fillers: readonly string[];

  /**
   * Creates the transformation.
   *
   * @param options Seed, maxOutputs, prob and categories.
   */
  constructor(options: FillerWordsOptions = {}) {
    const o = parseOptions(SCHEMA, options, FillerWords.info.name);
    super(FillerWords.info, o.seed, o.maxOutputs);
    this.#prob = o.prob;
    this.#fillers = [...new Set(o.categories)].flatMap((c) => FILLER_WORDS[c]);
  }

  /**
   * Inserts fillers.
   *
   * @param text The input.
   * @param rng The call's random stream.
   * @returns The text.
   */
  protected transformText(text: string, rng: TextRng): string {
    const segs = splitWords(text);
    let remaining = segs.filter((s) => s.isWord).length;
    const out: string[] = [];
    for (const s of segs) {
      out.push(s.text);
      if (!s.isWord) continue;
      remaining--;
      if (remaining > 0 && rng.chance(this.#prob)) out.push(" " + rng.pick(this.#fillers));
    }
    return out.join("");
  }
}
