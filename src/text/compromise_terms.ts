import nlp from "compromise";

/**
 * One term of the `compromise` tagger with its offsets.
 *
 * @example
 * ```ts
 * import type { CompromiseTerm } from "./compromise_terms.ts";
 * const t: CompromiseTerm = { start: 0, end: 5, text: "Paris", tags: ["Noun", "Place"] };
 * console.log(t.tags.includes("Place"));
 * ```
 */
export interface CompromiseTerm {
  /** Start offset (UTF-16). */
  start: number;
  /** End offset (exclusive). */
  end: number;
  /** The term as written. */
  text: string;
  /** compromise tags ("Noun", "Verb", "Person", "Place", "Organization"...). */
  tags: readonly string[];
}

const CACHE = new Map<string, CompromiseTerm[]>();
const CACHE_MAX = 4096;

/**
 * Runs the `compromise` part-of-speech tagger once per distinct text and
 * returns its non-empty terms with offsets; the last 4,096 results are cached,
 * so several operations over one dataset tag each text once. compromise costs
 * about 13 us per character: callers bound the text length (see
 * `COMPROMISE_MAX_CHARS`).
 *
 * @example
 * ```ts
 * import { compromiseTerms } from "./compromise_terms.ts";
 * const terms = compromiseTerms("Ann flew to Paris.");
 * console.log(terms.map((t) => t.text), terms[3].tags.includes("Place")); // ["Ann", "flew", "to", "Paris"] true
 * ```
 * @param text Any string.
 * @returns The terms in order.
 */
export function compromiseTerms(text: string): CompromiseTerm[] {
  const cached = CACHE.get(text);
  if (cached) return cached;
  const out: CompromiseTerm[] = [];
  const doc = nlp(text).json({ offset: true }) as {
    terms: { text: string; tags: string[]; offset: { start: number; length: number } }[];
  }[];
  for (const sentence of doc) {
    for (const t of sentence.terms) {
      if (t.text.length === 0) continue;
      out.push({
        start: t.offset.start,
        end: t.offset.start + t.offset.length,
        text: t.text,
        tags: t.tags,
      });
    }
  }
  if (CACHE.size >= CACHE_MAX) CACHE.delete(CACHE.keys().next().value as string);
  CACHE.set(text, out);
  return out;
}

/**
 * Empties the tagging cache of {@link compromiseTerms} (e.g. to benchmark
 * tagging cost on texts already seen).
 *
 * @example
 * ```ts
 * import { clearCompromiseCache, compromiseTerms } from "./compromise_terms.ts";
 * compromiseTerms("Ann flew.");
 * clearCompromiseCache();
 * ```
 */
export function clearCompromiseCache(): void {
  CACHE.clear();
}
