/**
 * A piece of a text: a word (letters, marks and digits, with inner apostrophes
 * as in "can't") or the run of other characters between words. Joining the
 * `text` of all segments gives back the input.
 *
 * @example
 * ```ts
 * import type { TextSegment } from "./words.ts";
 * const s: TextSegment = { text: "hello", isWord: true };
 * console.log(s.isWord);
 * ```
 */
export interface TextSegment {
  /** The characters. */
  text: string;
  /** True for a word. */
  isWord: boolean;
}

const WORD = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*(?:['’][\p{L}\p{M}\p{N}]+)*/gu;

/**
 * Splits a text into alternating word and non-word segments in one linear scan.
 * Words start with a letter or digit and run on through letters, combining marks
 * and digits (so "naïve", "שָׁלוֹם" and "क्षत्रिय" stay whole); emoji (with their
 * variation selectors and joiners) and punctuation fall between words, whole.
 *
 * @example
 * ```ts
 * import { splitWords } from "./words.ts";
 * console.log(splitWords("I can't, ok?").map((s) => s.text)); // ["I", " ", "can't", ", ", "ok", "?"]
 * ```
 * @param text Any string.
 * @returns The segments.
 */
export function splitWords(text: string): TextSegment[] {
  const out: TextSegment[] = [];
  let last = 0;
  WORD.lastIndex = 0;
  for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) {
    if (m.index > last) out.push({ text: text.slice(last, m.index), isWord: false });
    out.push({ text: m[0], isWord: true });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last), isWord: false });
  return out;
}

/**
 * The words of a text (see {@link splitWords}).
 *
 * @example
 * ```ts
 * import { words } from "./words.ts";
 * console.log(words("Hello, wörld 42!")); // ["Hello", "wörld", "42"]
 * ```
 * @param text Any string.
 * @returns The words in order.
 */
export function words(text: string): string[] {
  return text.match(WORD) ?? [];
}

/**
 * Joins segments back into text.
 *
 * @example
 * ```ts
 * import { joinSegments, splitWords } from "./words.ts";
 * console.log(joinSegments(splitWords("a b"))); // "a b"
 * ```
 * @param segments Segments as returned by {@link splitWords}.
 * @returns The concatenated text.
 */
export function joinSegments(segments: readonly TextSegment[]): string {
  let out = "";
  for (const s of segments) out += s.text;
  return out;
}
