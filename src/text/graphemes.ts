const SEGMENTER = new Intl.Segmenter("en", { granularity: "grapheme" });
// deno-lint-ignore no-control-regex
const SIMPLE_ASCII = /^[\x00-\x0c\x0e-\x7f]*$/;

/**
 * Splits a text into extended grapheme clusters (user-perceived characters) with
 * `Intl.Segmenter`, so combining marks, emoji ZWJ sequences, flags, skin-tone
 * modifiers and Hangul syllables are never split. ASCII text without `\r` takes
 * a fast path (one code unit per cluster).
 *
 * @example
 * ```ts
 * import { graphemes } from "./graphemes.ts";
 * console.log(graphemes("e\u0301👩‍👩‍👧!")); // ["e\u0301", "👩‍👩‍👧", "!"] (3 clusters)
 * ```
 * @param text Any string.
 * @returns The clusters, in order; joining them gives back `text`.
 */
export function graphemes(text: string): string[] {
  if (SIMPLE_ASCII.test(text)) return text.split("");
  const out: string[] = [];
  for (const s of SEGMENTER.segment(text)) out.push(s.segment);
  return out;
}

/**
 * Whether a grapheme cluster is a single code point (so it can be replaced
 * without breaking a combining sequence or emoji).
 *
 * @example
 * ```ts
 * import { isSingleCodePoint } from "./graphemes.ts";
 * console.log(isSingleCodePoint("a"), isSingleCodePoint("e\u0301"), isSingleCodePoint("😀")); // true false true
 * ```
 * @param cluster One grapheme cluster.
 * @returns True if it holds exactly one code point.
 */
export function isSingleCodePoint(cluster: string): boolean {
  if (cluster.length === 1) return true;
  if (cluster.length !== 2) return false;
  const hi = cluster.charCodeAt(0);
  return hi >= 0xd800 && hi <= 0xdbff;
}

/**
 * Whether a single-code-point cluster is a cased letter (has distinct upper and
 * lower forms), e.g. "a", "Ж", "é" (precomposed); not "ß", digits or Hebrew.
 *
 * @example
 * ```ts
 * import { isCasedLetter } from "./graphemes.ts";
 * console.log(isCasedLetter("q"), isCasedLetter("Ж"), isCasedLetter("א"), isCasedLetter("1")); // true true false false
 * ```
 * @param cluster One grapheme cluster.
 * @returns True for a cased letter whose case change keeps one code point.
 */
export function isCasedLetter(cluster: string): boolean {
  if (!isSingleCodePoint(cluster)) return false;
  const up = cluster.toUpperCase(), lo = cluster.toLowerCase();
  return up !== lo && isSingleCodePoint(up) && isSingleCodePoint(lo);
}
