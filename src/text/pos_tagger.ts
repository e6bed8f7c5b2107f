import { compromiseTerms } from "./compromise_terms.ts";
import { englishStopwords } from "./lexicons/stopwords.ts";
import { splitWords } from "./words.ts";
import { WordNet, type WordNetPos } from "./wordnet.ts";

/**
 * One word of a text with its coarse part of speech.
 *
 * @example
 * ```ts
 * import type { TaggedWord } from "./pos_tagger.ts";
 * const w: TaggedWord = { start: 0, end: 3, text: "dog", pos: "n", proper: false };
 * console.log(w.pos);
 * ```
 */
export interface TaggedWord {
  /** Start offset (UTF-16). */
  start: number;
  /** End offset (exclusive). */
  end: number;
  /** The word as written. */
  text: string;
  /** WordNet part of speech of a content word, or null (function words, numbers, names). */
  pos: WordNetPos | null;
  /** True for proper nouns (names, places, organizations). */
  proper: boolean;
}

/**
 * Texts up to this many UTF-16 units are tagged with `compromise`; longer ones
 * (compromise costs about 13 us per character) fall back to WordNet's dominant
 * part of speech per word, so a 1 MB input stays linear and fast.
 *
 * @example
 * ```ts
 * import { COMPROMISE_MAX_CHARS } from "./pos_tagger.ts";
 * console.log(COMPROMISE_MAX_CHARS); // 20000
 * ```
 */
export const COMPROMISE_MAX_CHARS = 20000;

/**
 * Tags every word of a text (as split by `splitWords`) with a coarse part of
 * speech: the `compromise` tagger for texts up to {@link COMPROMISE_MAX_CHARS},
 * WordNet's dominant sense otherwise (there capitalized words count as proper
 * nouns). compromise results are cached per text (see `compromiseTerms`).
 *
 * @example
 * ```ts
 * import { tagWords } from "./pos_tagger.ts";
 * console.log(tagWords("Mary quickly bought a red car.").map((w) => `${w.text}/${w.proper ? "NNP" : w.pos}`).join(" "));
 * // "Mary/NNP quickly/r bought/v a/null red/a car/n"
 * ```
 * @param text Any string.
 * @returns One entry per word, in order.
 */
export function tagWords(text: string): TaggedWord[] {
  return text.length <= COMPROMISE_MAX_CHARS ? withCompromise(text) : withWordNet(text);
}

function positions(text: string): TaggedWord[] {
  const out: TaggedWord[] = [];
  let at = 0;
  for (const s of splitWords(text)) {
    if (s.isWord) {
      out.push({ start: at, end: at + s.text.length, text: s.text, pos: null, proper: false });
    }
    at += s.text.length;
  }
  return out;
}

function withCompromise(text: string): TaggedWord[] {
  const out = positions(text);
  if (out.length === 0) return out;
  const byStart = new Map<number, readonly string[]>();
  for (const t of compromiseTerms(text)) if (!byStart.has(t.start)) byStart.set(t.start, t.tags);
  for (const w of out) {
    const tags = byStart.get(w.start);
    if (!tags) continue;
    const has = (t: string): boolean => tags.includes(t);
    if (has("ProperNoun") || has("Person") || has("Place") || has("Organization")) {
      w.proper = true;
    } else if (has("Pronoun") || has("Value") || has("Date") || has("Contraction")) {
      w.pos = null;
    } else if (has("Verb")) {
      w.pos = has("Auxiliary") || has("Copula") || has("Modal") ? null : "v";
    } else if (has("Adjective")) w.pos = "a";
    else if (has("Adverb")) w.pos = "r";
    else if (has("Noun")) w.pos = "n";
  }
  return out;
}

function withWordNet(text: string): TaggedWord[] {
  const out = positions(text);
  const wn = WordNet.load();
  const stop = englishStopwords();
  for (const w of out) {
    const first = w.text[0];
    if (first !== first.toLowerCase()) {
      w.proper = true;
      continue;
    }
    if (stop.has(w.text) || /\d/.test(w.text)) continue;
    w.pos = wn.dominantPos(w.text);
  }
  return out;
}
