import { z } from "zod";
import { afinnScore } from "../afinn.ts";
import type { TransformationInfo } from "../operation.ts";
import { type OperationOptions, operationOptionsShape, parseOptions } from "../options.ts";
import type { TextRng } from "../rng.ts";
import { SentenceTransformation, TEXT_KINDS } from "../sentence_transformation.ts";

/**
 * Options of {@link SentimentEmoji}.
 *
 * @example
 * ```ts
 * import type { SentimentEmojiOptions } from "./sentiment_emoji.ts";
 * const o: SentimentEmojiOptions = { count: 2 };
 * console.log(o.count);
 * ```
 */
export interface SentimentEmojiOptions extends OperationOptions {
  /** How many emoji to append (default 1). */
  count?: number;
}

const SCHEMA = z.strictObject({
  ...operationOptionsShape(),
  count: z.number().int().min(1).max(10).default(1),
});
const POSITIVE = ["😊", "😀", "👍", "🙂", "😍", "🥰"];
const NEGATIVE = ["😞", "😠", "👎", "😢", "😒", "😡"];
const NEUTRAL = ["😐", "🤔", "😶"];

/**
 * Appends emoji that agree with the text's sentiment, as scored by the AFINN
 * lexicon (positive -> 😊/👍..., negative -> 😞/👎..., neutral -> 😐/🤔), so the
 * label is preserved. After NL-Augmenter's `sentiment_emoji_augmenter`.
 *
 * @example
 * ```ts
 * import { SentimentEmoji } from "./sentiment_emoji.ts";
 * const [out] = new SentimentEmoji().generateText("What a wonderful day");
 * console.log(out.startsWith("What a wonderful day "), ["😊", "😀", "👍", "🙂", "😍", "🥰"].includes(out.split(" ").pop()!)); // true true
 * ```
 */
export class SentimentEmoji extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "sentiment_emoji",
    description: "emoji matching the text's AFINN sentiment appended",
    kinds: TEXT_KINDS,
    tasks: ["sentiment_analysis", "text_classification"],
    languages: ["en"],
    keywords: ["lexical", "rule-based", "visual", "external-knowledge-based"],
    heavy: false,
    reference: "sentiment_emoji_augmenter",
    preservesLabel: true,
  };
  #count: number;

  /**
   * Creates the transformation.
   *
   * @param options Seed, maxOutputs and count.
   */
  constructor(options: SentimentEmojiOptions = {}) {
    const o = parseOptions(SCHEMA, options, SentimentEmoji.info.name);
    super(SentimentEmoji.info, o.seed, o.maxOutputs);
    this.#count = o.count;
  }

  /**
   * Appends emoji.
   *
   * @param text The input.
   * @param rng The call's random stream.
   * @returns The text.
   */
  protected transformText(text: string, rng: TextRng): string {
    if (text.trim().length === 0) return text;
    const s = afinnScore(text).score;
    const pool = s > 0 ? POSITIVE : s < 0 ? NEGATIVE : NEUTRAL;
    const emoji = Array.from({ length: this.#count }, () => rng.pick(pool)).join("");
    return text.replace(/\s+$/, "") + " " + emoji;
  }
}
