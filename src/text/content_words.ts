import { englishStopwords } from "./lexicons/stopwords.ts";
import { type TaggedWord, tagWords } from "./pos_tagger.ts";

/**
 * The content words of a text that lexical substitution may touch: tagged with
 * a WordNet part of speech (see `tagWords`), not proper nouns, not stop words,
 * letters only (no digits or apostrophes) and not written in capitals
 * (acronyms).
 *
 * @example
 * ```ts
 * import { contentWords } from "./content_words.ts";
 * console.log(contentWords("The NASA team quickly built a small rocket.").map((w) => w.text));
 * // ["team", "quickly", "built", "small", "rocket"]
 * ```
 * @param text Any string.
 * @returns The eligible words with offsets and parts of speech.
 */
export function contentWords(text: string): TaggedWord[] {
  const stop = englishStopwords();
  return tagWords(text).filter((w) =>
    w.pos !== null && !w.proper && /^\p{L}+$/u.test(w.text) &&
    !stop.has(w.text.toLowerCase()) && !(w.text.length > 1 && w.text === w.text.toUpperCase())
  );
}
