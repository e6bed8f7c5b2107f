import { z } from "zod";
import { EXAMPLE_KINDS } from "../example.ts";
import { Filter } from "../filter.ts";
import type { OperationInfo } from "../operation.ts";
import { type OperationOptions, operationOptionsShape, parseOptions } from "../options.ts";

/**
 * Options of {@link EmojiFilter}.
 *
 * @example
 * ```ts
 * import type { EmojiFilterOptions } from "./emoji_filter.ts";
 * const o: EmojiFilterOptions = { min: 2 };
 * console.log(o.min);
 * ```
 */
export interface EmojiFilterOptions extends OperationOptions {
  /** Fewest emoji (default 1). */
  min?: number;
}

const SCHEMA = z.strictObject({
  ...operationOptionsShape(),
  min: z.number().int().min(1).default(1),
});
// One emoji: a pictographic sequence (with modifiers, variation selectors, ZWJ joins),
// a flag (two regional indicators) or a keycap.
const EMOJI =
  /\p{Extended_Pictographic}(?:\p{Emoji_Modifier}|\uFE0F)*(?:\u200D\p{Extended_Pictographic}(?:\p{Emoji_Modifier}|\uFE0F)*)*|\p{Regional_Indicator}{2}|[#*0-9]\uFE0F?\u20E3/gu;

/**
 * Keeps texts with at least `min` emoji; a ZWJ family, a flag or a keycap
 * counts once. Useful to split social-media data.
 *
 * @example
 * ```ts
 * import { EmojiFilter } from "./emoji_filter.ts";
 * const f = new EmojiFilter({ min: 2 });
 * console.log(f.filterText("👩‍👩‍👧 🇫🇷"), f.filterText("👩‍👩‍👧 only"), f.filterText("©")); // true false false
 * ```
 */
export class EmojiFilter extends Filter {
  /** Declarations. */
  static readonly info: OperationInfo = {
    name: "emoji_filter",
    description: "texts with emoji",
    kinds: EXAMPLE_KINDS,
    tasks: ["text_classification", "sentiment_analysis", "text_to_text_generation"],
    languages: ["all"],
    keywords: ["rule-based", "high-precision", "visual"],
    heavy: false,
    reference: "own (emoji as a data feature)",
  };
  #min: number;

  /**
   * Creates the filter.
   *
   * @param options Seed, maxOutputs and min.
   */
  constructor(options: EmojiFilterOptions = {}) {
    const o = parseOptions(SCHEMA, options, EmojiFilter.info.name);
    super(EmojiFilter.info, o.seed, o.maxOutputs);
    this.#min = o.min;
  }

  /**
   * Counts emoji.
   *
   * @param text The text.
   * @returns Whether there are enough.
   */
  protected test(text: string): boolean {
    let n = 0;
    for (const m of text.matchAll(EMOJI)) {
      if (m[0] === "©" || m[0] === "®" || m[0] === "™") continue;
      if (++n >= this.#min) return true;
    }
    return false;
  }
}
