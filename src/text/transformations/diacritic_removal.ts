import { z } from "zod";
import { graphemes } from "../graphemes.ts";
import type { TransformationInfo } from "../operation.ts";
import { type OperationOptions, operationOptionsShape, parseOptions } from "../options.ts";
import { SentenceTransformation, TEXT_KINDS } from "../sentence_transformation.ts";

/**
 * Options of {@link DiacriticRemoval} (only the common ones).
 *
 * @example
 * ```ts
 * import type { DiacriticRemovalOptions } from "./diacritic_removal.ts";
 * const o: DiacriticRemovalOptions = { seed: 0 };
 * console.log(o.seed);
 * ```
 */
export type DiacriticRemovalOptions = OperationOptions;

const SCHEMA = z.strictObject(operationOptionsShape());

/** Latin letters that do not decompose but have a plain ASCII spelling. */
const SPECIAL: Readonly<Record<string, string>> = {
  "ø": "o",
  "Ø": "O",
  "æ": "ae",
  "Æ": "AE",
  "œ": "oe",
  "Œ": "OE",
  "ß": "ss",
  "đ": "d",
  "Đ": "D",
  "ł": "l",
  "Ł": "L",
  "ı": "i",
  "þ": "th",
  "Þ": "Th",
  "ð": "d",
  "Ð": "D",
};
const LATIN_OR_GREEK = /^[\p{Script=Latin}\p{Script=Greek}]/u;

/**
 * Strips diacritics from Latin and Greek letters ("crème brûlée" -> "creme
 * brulee", "Łódź" -> "Lodz", "άλφα" -> "αλφα"), deterministically. Clusters
 * whose base is not a Latin/Greek letter keep their marks, so emoji variation
 * selectors, keycaps, Devanagari vowel signs and Hebrew/Arabic points are
 * untouched. After NL-Augmenter's `diacritic_removal`.
 *
 * @example
 * ```ts
 * import { DiacriticRemoval } from "./diacritic_removal.ts";
 * console.log(new DiacriticRemoval().generateText("Crème brûlée à Łódź ❤️")[0]); // "Creme brulee a Lodz ❤️"
 * ```
 */
export class DiacriticRemoval extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "diacritic_removal",
    description: "accents and other diacritics removed from Latin and Greek letters",
    kinds: TEXT_KINDS,
    tasks: ["text_classification", "text_to_text_generation", "text_tagging"],
    languages: ["fr", "de", "es", "pt", "it", "pl", "cs", "vi", "el", "en"],
    keywords: ["morphological", "noise", "rule-based", "written", "high-precision"],
    heavy: false,
    reference: "diacritic_removal",
    preservesLabel: true,
  };

  /**
   * Creates the transformation (deterministic: one output).
   *
   * @param options Seed and maxOutputs (no effect on the output).
   */
  constructor(options: DiacriticRemovalOptions = {}) {
    const o = parseOptions(SCHEMA, options, DiacriticRemoval.info.name);
    super(DiacriticRemoval.info, o.seed, o.maxOutputs);
    this.randomized = false;
  }

  /**
   * Removes diacritics.
   *
   * @param text The input.
   * @returns The text.
   */
  protected transformText(text: string): string {
    // deno-lint-ignore no-control-regex
    if (/^[\x00-\x7f]*$/.test(text)) return text;
    return graphemes(text).map(strip).join("");
  }
}

function strip(g: string): string {
  const special = SPECIAL[g];
  if (special !== undefined) return special;
  if (!LATIN_OR_GREEK.test(g)) return g;
  const base = g.normalize("NFD").replace(/\p{M}+/gu, "");
  if (base.length === 0) return g;
  return SPECIAL[base] ?? base.normalize("NFC");
}
