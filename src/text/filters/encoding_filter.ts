import { z } from "zod";
import { EXAMPLE_KINDS } from "../example.ts";
import { Filter } from "../filter.ts";
import type { OperationInfo } from "../operation.ts";
import { type OperationOptions, operationOptionsShape, parseOptions } from "../options.ts";

/**
 * Options of {@link EncodingFilter}.
 *
 * @example
 * ```ts
 * import type { EncodingFilterOptions } from "./encoding_filter.ts";
 * const o: EncodingFilterOptions = { charset: "latin1" };
 * console.log(o.charset);
 * ```
 */
export interface EncodingFilterOptions extends OperationOptions {
  /** Keep texts with characters outside this character set (default "ascii"). */
  charset?: "ascii" | "latin1";
}

const SCHEMA = z.strictObject({
  ...operationOptionsShape(),
  charset: z.enum(["ascii", "latin1"]).default("ascii"),
});

/**
 * Keeps texts with characters that the given legacy character set cannot
 * encode (non-ASCII, or beyond Latin-1): accented letters, other scripts,
 * emoji, typographic quotes. After NL-Augmenter's `encoding` filter.
 *
 * @example
 * ```ts
 * import { EncodingFilter } from "./encoding_filter.ts";
 * const f = new EncodingFilter({ charset: "latin1" });
 * console.log(f.filterText("café"), f.filterText("“quoted”"), new EncodingFilter().filterText("café")); // false true true
 * ```
 */
export class EncodingFilter extends Filter {
  /** Declarations. */
  static readonly info: OperationInfo = {
    name: "encoding_filter",
    description: "texts with characters outside ASCII or Latin-1",
    kinds: EXAMPLE_KINDS,
    tasks: ["text_classification", "text_to_text_generation", "text_tagging"],
    languages: ["all"],
    keywords: ["rule-based", "high-precision", "written"],
    heavy: false,
    reference: "encoding",
  };
  #max: number;

  /**
   * Creates the filter.
   *
   * @param options Seed, maxOutputs and charset.
   */
  constructor(options: EncodingFilterOptions = {}) {
    const o = parseOptions(SCHEMA, options, EncodingFilter.info.name);
    super(EncodingFilter.info, o.seed, o.maxOutputs);
    this.#max = o.charset === "ascii" ? 0x7f : 0xff;
  }

  /**
   * Looks for unencodable characters.
   *
   * @param text The text.
   * @returns Whether one occurs.
   */
  protected test(text: string): boolean {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > this.#max) return true;
    return false;
  }
}
