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
