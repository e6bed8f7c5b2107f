import { z } from "zod";
import { EXAMPLE_KINDS } from "../example.ts";
import { Filter } from "../filter.ts";
import type { OperationInfo } from "../operation.ts";
import { type OperationOptions, operationOptionsShape, parseOptions } from "../options.ts";

/**
 * Options of {@link SpecialCharactersFilter}.
 *
 * @example
 * ```ts
 * import type { SpecialCharactersFilterOptions } from "./special_characters_filter.ts";
 * const o: SpecialCharactersFilterOptions = { min: 3 };
 * console.log(o.min);
 * ```
 */
export interface SpecialCharactersFilterOptions extends OperationOptions {
  /** Fewest special characters (default 1). */
  min?: number;
  /** Characters that count as special (default: symbols and #@%&*_~|\\/<>{}[]^`). */
  characters?: string;
}

const SCHEMA = z.strictObject({
  ...operationOptionsShape(),
  min: z.number().int().min(1).default(1),
  characters: z.string().min(1).optional(),
});
const DEFAULT = /[\p{S}#@%&*_~|\\/<>{}[\]^`]/gu;

/**
 * Keeps texts with at least `min` special characters: by default Unicode
 * symbols (currency, math, emoji...) and the ASCII signs #@%&*_~|\/<>{}[]^`;
 * letters, digits, spaces and ordinary punctuation do not count. In the spirit
 * of NL-Augmenter's `special_casing`/`encoding` filters.
 *
 * @example
 * ```ts
 * import { SpecialCharactersFilter } from "./special_characters_filter.ts";
 * const f = new SpecialCharactersFilter({ min: 2 });
 * console.log(f.filterText("Win $$$ now!!!"), f.filterText("Hello, world.")); // true false
 * ```
 */
export class SpecialCharactersFilter extends Filter {
  /** Declarations. */
  static readonly info: OperationInfo = {
    name: "special_characters_filter",
    description: "texts with symbols and special characters",
    kinds: EXAMPLE_KINDS,
    tasks: ["text_classification", "text_to_text_generation"],
    languages: ["all"],
    keywords: ["rule-based", "high-precision", "written"],
    heavy: false,
    reference: "special_casing / encoding",
  };
  #min: number;
  #re: RegExp;

  /**
   * Creates the filter.
   *
   * @param options Seed, maxOutputs, min and characters.
   */
  constructor(options: SpecialCharactersFilterOptions = {}) {
    const o = parseOptions(SCHEMA, options, SpecialCharactersFilter.info.name);
    super(SpecialCharactersFilter.info, o.seed, o.maxOutputs);
    this.#min = o.min;
    this.#re = o.characters === undefined ? DEFAULT : new RegExp(
      `[${[...o.characters].map((c) => c.replace(/[\\\]^-]/g, "\\$&")).join("")}]`,
      "gu",
    );
  }

  /**
   * Counts special characters.
   *
   * @param text The text.
   * @returns Whether there are enough.
   */
  protected test(text: string): boolean {
    let n = 0;
    this.#re.lastIndex = 0;
    while (this.#re.exec(text) !== null) if (++n >= this.#min) return true;
    return false;
  }
}
