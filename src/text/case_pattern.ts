/**
 * Gives `replacement` the letter case of `source`: all upper when the source is
 * an all-caps word of two or more letters, capitalized when the source starts
 * with an upper-case letter, unchanged otherwise (tables are lower case).
 *
 * @example
 * ```ts
 * import { matchCase } from "./case_pattern.ts";
 * console.log(matchCase("Colour", "color"), matchCase("COLOUR", "color"), matchCase("colour", "color"));
 * // "Color" "COLOR" "color"
 * ```
 * @param source The matched text.
 * @param replacement The lower-case replacement.
 * @returns The replacement in the source's case.
 */
export function matchCase(source: string, replacement: string): string {
  const letters = source.replace(/[^\p{L}]/gu, "");
  if (
    letters.length >= 2 && letters === letters.toUpperCase() && letters !== letters.toLowerCase()
  ) {
    return replacement.toUpperCase();
  }
  const first = source.match(/\p{L}/u)?.[0];
  if (first !== undefined && first !== first.toLowerCase()) return capitalize(replacement);
  return replacement;
}

/**
 * Upper-cases the first letter of a text (grapheme-safe: only a first code point
 * that is a letter is changed).
 *
 * @example
 * ```ts
 * import { capitalize } from "./case_pattern.ts";
 * console.log(capitalize("école"), capitalize("1st")); // "École" "1st"
 * ```
 * @param text Any string.
 * @returns The text with its first letter upper-cased.
 */
export function capitalize(text: string): string {
  const cp = text.codePointAt(0);
  if (cp === undefined) return text;
  const first = String.fromCodePoint(cp);
  if (!/\p{L}/u.test(first)) return text;
  return first.toUpperCase() + text.slice(first.length);
}
