/**
 * A maximal run of tokens sharing one entity type in a tag sequence.
 *
 * @example
 * ```ts
 * import type { TagSpan } from "./tag_spans.ts";
 * const s: TagSpan = { start: 0, end: 2, type: "PER" };
 * console.log(s.end - s.start);
 * ```
 */
export interface TagSpan {
  /** First token index. */
  start: number;
  /** One past the last token index. */
  end: number;
  /** Entity type ("PER", "LOC"...), or "O" for tokens outside mentions. */
  type: string;
}

/**
 * The entity type of a tag in BIO/IOB1/IO notation: "B-PER" and "I-PER" -> "PER",
 * "PER" -> "PER", "O" -> "O".
 *
 * @example
 * ```ts
 * import { tagType } from "./tag_spans.ts";
 * console.log(tagType("B-LOC"), tagType("I-LOC"), tagType("O"), tagType("MISC")); // "LOC" "LOC" "O" "MISC"
 * ```
 * @param tag One tag.
 * @returns Its type.
 */
export function tagType(tag: string): string {
  return /^[BI]-/.test(tag) ? tag.slice(2) : tag;
}

/**
 * Splits a tag sequence into segments: each entity mention (a "B-" tag starts a
 * new one; consecutive same-type "I-" or bare tags continue it) and each run of
 * "O" tokens. This is the segmentation of Dai & Adel (2020) used by
 * shuffle-within-segments and mention replacement.
 *
 * @example
 * ```ts
 * import { tagSpans } from "./tag_spans.ts";
 * console.log(tagSpans(["O", "B-PER", "I-PER", "B-PER", "O", "O"]).map((s) => `${s.type}:${s.start}-${s.end}`).join(" "));
 * // "O:0-1 PER:1-3 PER:3-4 O:4-6"
 * ```
 * @param tags The tags.
 * @returns Consecutive spans covering every token.
 */
export function tagSpans(tags: readonly string[]): TagSpan[] {
  const spans: TagSpan[] = [];
  for (let i = 0; i < tags.length; i++) {
    const type = tagType(tags[i]);
    const last = spans[spans.length - 1];
    if (last !== undefined && last.type === type && !tags[i].startsWith("B-")) last.end = i + 1;
    else spans.push({ start: i, end: i + 1, type });
  }
  return spans;
}
