import { compromiseTerms } from "./compromise_terms.ts";
import type { TaggingExample } from "./example.ts";
import { entityType } from "./filters/named_entity_filter.ts";
import { COMPROMISE_MAX_CHARS } from "./pos_tagger.ts";
import { splitWords } from "./words.ts";

const TYPE = { person: "PER", place: "LOC", organization: "ORG" } as const;

/**
 * Turns a plain text into a tagging example: tokens are its words and
 * punctuation marks (whitespace dropped), tags are BIO entity tags (B-PER,
 * I-LOC, B-ORG, O) from `compromise`'s people, places and organizations. Texts
 * longer than `COMPROMISE_MAX_CHARS` are tagged all "O". Used to run tagging
 * operations on classification data.
 *
 * @example
 * ```ts
 * import { tagEntities } from "./entity_tagger.ts";
 * const e = tagEntities("Ann Lee flew to Paris.");
 * console.log(e.tokens.join(" "), e.tags.join(" ")); // "Ann Lee flew to Paris ." "B-PER I-PER O O B-LOC O"
 * ```
 * @param text Any string.
 * @returns Tokens with one tag each.
 */
export function tagEntities(text: string): TaggingExample {
  const byStart = new Map<number, string>();
  if (text.length <= COMPROMISE_MAX_CHARS) {
    for (const t of compromiseTerms(text)) {
      const type = entityType(t.tags);
      if (type !== null) byStart.set(t.start, TYPE[type]);
    }
  }
  const tokens: string[] = [];
  const tags: string[] = [];
  let at = 0;
  let previous = "O";
  for (const s of splitWords(text)) {
    if (s.isWord) {
      const type = byStart.get(at) ?? "O";
      tokens.push(s.text);
      tags.push(type === "O" ? "O" : (type === previous ? "I-" : "B-") + type);
      previous = type;
    } else {
      for (const piece of s.text.split(/\s+/)) {
        if (piece.length === 0) continue;
        tokens.push(piece);
        tags.push("O");
        previous = "O";
      }
    }
    at += s.text.length;
  }
  return { kind: "tagging", tokens, tags };
}
