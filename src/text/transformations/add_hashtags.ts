import { z } from "zod";
import { capitalize } from "../case_pattern.ts";
import { englishStopwords } from "../lexicons/stopwords.ts";
import type { TransformationInfo } from "../operation.ts";
import { type OperationOptions, operationOptionsShape, parseOptions } from "../options.ts";
import type { TextRng } from "../rng.ts";
import { SentenceTransformation, TEXT_KINDS } from "../sentence_transformation.ts";
import { words } from "../words.ts";

/**
 * Options of {@link AddHashtags}.
 *
 * @example
 * ```ts
 * import type { AddHashtagsOptions } from "./add_hashtags.ts";
 * const o: AddHashtagsOptions = { maxTags: 3 };
 * console.log(o.maxTags);
 * ```
 */
export interface AddHashtagsOptions extends OperationOptions {
  /** The most hashtags appended (default 2). */
  maxTags?: number;
}

const SCHEMA = z.strictObject({
  ...operationOptionsShape(),
  maxTags: z.number().int().min(1).max(20).default(2),
});

/**
 * Appends hashtags made from the text's own content words (letters only, four
 * or more, not stop words), chosen at random, as social-media posts do
 * ("Loved the concert" -> "Loved the concert #Concert #Loved"). After
 * NL-Augmenter's `add_hashtags` (which picks words with a parser).
 *
 * @example
 * ```ts
 * import { AddHashtags } from "./add_hashtags.ts";
 * const [out] = new AddHashtags({ maxTags: 1 }).generateText("Loved the concert");
 * console.log(/^Loved the concert #(Loved|Concert)$/.test(out)); // true
 * ```
 */
export class AddHashtags extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "add_hashtags",
    description: "hashtags from the text's content words appended",
    kinds: TEXT_KINDS,
    tasks: ["text_classification", "text_to_text_generation", "sentiment_analysis"],
    languages: ["en"],
    keywords: ["lexical", "rule-based", "written", "natural-looking"],
    heavy: false,
    reference: "add_hashtags",
    preservesLabel: true,
  };
  #maxTags: number;

  /**
   * Creates the transformation.
   *
   * @param options Seed, maxOutputs and maxTags.
   */
  constructor(options: AddHashtagsOptions = {}) {
    const o = parseOptions(SCHEMA, options, AddHashtags.info.name);
    super(AddHashtags.info, o.seed, o.maxOutputs);
    this.#maxTags = o.maxTags;
  }

  /**
   * Appends hashtags.
   *
   * @param text The input.
   * @param rng The call's random stream.
   * @returns The text.
   */
  protected transformText(text: string, rng: TextRng): string {
    const stop = englishStopwords();
    const seen = new Set<string>();
    const pool: string[] = [];
    for (const w of words(text)) {
      const lw = w.toLowerCase();
      if (w.length < 4 || !/^\p{L}+$/u.test(w) || stop.has(lw) || seen.has(lw)) continue;
      seen.add(lw);
      pool.push(lw);
      if (pool.length >= 1000) break;
    }
    if (pool.length === 0) return text;
    const tags = rng.shuffle(pool).slice(0, this.#maxTags).map((w) => "#" + capitalize(w));
    return text.replace(/\s+$/, "") + " " + tags.join(" ");
  }
}
