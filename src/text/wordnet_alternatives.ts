import { contentWords } from "./content_words.ts";
import { pluralize, singularCandidates } from "./inflection.ts";
import type { TaggedWord } from "./pos_tagger.ts";
import { WordNet } from "./wordnet.ts";

/**
 * WordNet synonyms or antonyms of a tagged word, inflected back to the word's
 * form: a regular plural noun ("cars") is looked up as its singular and the
 * alternatives are pluralized ("autos"). Other inflected forms ("ran",
 * "bigger") are looked up as written, so they only get alternatives when WordNet
 * lists that form itself. Alternatives that contain the word, and proper or
 * taxonomic names (any capital letter, e.g. "Canis familiaris"), are dropped.
 *
 * @example
 * ```ts
 * import { wordnetAlternatives } from "./wordnet_alternatives.ts";
 * const w = { start: 0, end: 4, text: "cars", pos: "n" as const, proper: false };
 * console.log(wordnetAlternatives(w, "synonyms", 1)); // ["autos", "automobiles", "machines", "motorcars"]
 * ```
 * @param word The word with its part of speech (no alternatives when pos is null).
 * @param relation Which WordNet relation.
 * @param senses How many senses of the word to use.
 * @returns The alternatives, lower case as WordNet lists them.
 */
export function wordnetAlternatives(
  word: TaggedWord,
  relation: "synonyms" | "antonyms",
  senses: number,
): string[] {
  if (word.pos === null || word.proper) return [];
  const wn = WordNet.load();
  const lower = word.text.toLowerCase();
  const lookup = (lemma: string): string[] =>
    relation === "synonyms"
      ? wn.synonyms(lemma, word.pos!, senses)
      : wn.antonyms(lemma, word.pos!, senses);
  let found: string[] = [];
  if (wn.has(lower, word.pos)) {
    found = lookup(lower);
  } else if (word.pos === "n") {
    for (const singular of singularCandidates(lower)) {
      if (!wn.has(singular, "n")) continue;
      found = lookup(singular).map(pluralize);
      break;
    }
  }
  return found.filter((alt) =>
    alt === alt.toLowerCase() && !alt.split(/[ -]/).includes(lower) &&
    !(word.pos === "n" &&
      alt.split(/[ -]/).some((part) => singularCandidates(lower).includes(part)))
  );
}

/**
 * Walks the content words of `text` that have WordNet alternatives and lets `edit` rewrite each
 * one: `edit(word, alternatives, gap)` gets the text between the previous rewrite and the word
 * (`gap`, so an article before it can be adjusted) and returns what replaces `gap + word`, or
 * `null` to keep both. The one loop behind synonym insertion, synonym substitution and antonym
 * substitution, which differ only in what they emit.
 *
 * @example
 * ```ts
 * import { rewriteWithAlternatives } from "./wordnet_alternatives.ts";
 * const out = rewriteWithAlternatives("The car is fast.", "synonyms", 1,
 *   (w, alts, gap) => gap + w.text.toUpperCase() + "/" + alts[0]);
 * console.log(out); // "The CAR/auto is fast."
 * ```
 * @param text The input.
 * @param relation Which WordNet relation supplies alternatives.
 * @param senses How many senses of each word to use.
 * @param edit Rewrites one word (called only when it has alternatives, in text order).
 * @returns The rewritten text.
 */
export function rewriteWithAlternatives(
  text: string,
  relation: "synonyms" | "antonyms",
  senses: number,
  edit: (word: TaggedWord, alternatives: string[], gap: string) => string | null,
): string {
  const parts: string[] = [];
  let last = 0;
  for (const w of contentWords(text)) {
    const alts = wordnetAlternatives(w, relation, senses);
    if (alts.length === 0) continue;
    const rewritten = edit(w, alts, text.slice(last, w.start));
    if (rewritten === null) continue;
    parts.push(rewritten);
    last = w.end;
  }
  parts.push(text.slice(last));
  return parts.join("");
}
