import { z } from "zod";
import { EXAMPLE_KINDS } from "../example.ts";
import { Filter } from "../filter.ts";
import type { OperationInfo } from "../operation.ts";
import { type OperationOptions, operationOptionsShape, parseOptions } from "../options.ts";
import { tagWords } from "../pos_tagger.ts";

/**
 * A part of speech {@link PosFilter} counts.
 *
 * @example
 * ```ts
 * import type { PosName } from "./pos_filter.ts";
 * const p: PosName = "adjective";
 * console.log(p);
 * ```
 */
export type PosName = "noun" | "verb" | "adjective" | "adverb" | "proper_noun";

/**
 * Options of {@link PosFilter}.
 *
 * @example
 * ```ts
 * import type { PosFilterOptions } from "./pos_filter.ts";
 * const o: PosFilterOptions = { pos: "adverb", min: 2 };
 * console.log(o.pos);
 * ```
 */
export interface PosFilterOptions extends OperationOptions {
  /** The part of speech to count (default "adjective"). */
  pos?: PosName;
  /** Fewest words of that part of speech (default 1). */
  min?: number;
}

const SCHEMA = z.strictObject({
  ...operationOptionsShape(),
  pos: z.enum(["noun", "verb", "adjective", "adverb", "proper_noun"]).default("adjective"),
  min: z.number().int().min(1).default(1),
});
const CODE = { noun: "n", verb: "v", adjective: "a", adverb: "r" } as const;

/**
 * Keeps texts with at least `min` words of a part of speech, tagged by
 * `compromise` (WordNet's dominant sense for very long texts, see `tagWords`).
 * After NL-Augmenter's `speech_tag` filter.
 *
 * @example
 * ```ts
 * import { PosFilter } from "./pos_filter.ts";
 * console.log(new PosFilter({ pos: "adverb" }).filterText("She ran quickly"), new PosFilter({ pos: "proper_noun" }).filterText("She ran")); // true false
 * ```
 */
export class PosFilter extends Filter {
  /** Declarations. */
  static readonly info: OperationInfo = {
    name: "pos_filter",
    description: "texts with enough words of a part of speech",
    kinds: EXAMPLE_KINDS,
    tasks: ["text_classification", "text_to_text_generation", "text_tagging"],
    languages: ["en"],
    keywords: ["rule-based", "parser-based"],
    heavy: false,
    reference: "speech_tag",
  };
  #pos: PosName;
  #min: number;

  /**
   * Creates the filter.
   *
   * @param options Seed, maxOutputs, pos and min.
   */
  constructor(options: PosFilterOptions = {}) {
    const o = parseOptions(SCHEMA, options, PosFilter.info.name);
    super(PosFilter.info, o.seed, o.maxOutputs);
    this.#pos = o.pos;
    this.#min = o.min;
  }

  /**
   * Counts tagged words.
   *
   * @param text The text.
   * @returns Whether there are enough.
   */
  protected test(text: string): boolean {
    let n = 0;
    for (const w of tagWords(text)) {
      const hit = this.#pos === "proper_noun" ? w.proper : !w.proper && w.pos === CODE[this.#pos];
      if (hit && ++n >= this.#min) return true;
    }
    return false;
  }
}
