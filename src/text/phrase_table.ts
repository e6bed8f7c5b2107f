/**
 * One match of a {@link PhraseTable} in a text.
 *
 * @example
 * ```ts
 * import type { PhraseMatch } from "./phrase_table.ts";
 * const m: PhraseMatch = { start: 0, end: 5, text: "Hello", key: "hello", candidates: ["hi"] };
 * console.log(m.candidates[0]);
 * ```
 */
export interface PhraseMatch {
  /** Start offset (UTF-16) in the text. */
  start: number;
  /** End offset (exclusive). */
  end: number;
  /** The matched text as written. */
  text: string;
  /** The table key it matched (lower case unless the table is case-sensitive). */
  key: string;
  /** The replacements listed for the key. */
  candidates: readonly string[];
}

/**
 * A lookup table of words and multi-word phrases matched on word boundaries in
 * one left-to-right pass (one compiled regular expression, longest phrase
 * first, so the scan is linear in the text). Apostrophes in keys match both
 * `'` and `’`. Case-insensitive unless told otherwise.
 *
 * @example
 * ```ts
 * import { PhraseTable } from "./phrase_table.ts";
 * const t = new PhraseTable([["as soon as possible", ["ASAP"]], ["possible", ["feasible"]]]);
 * console.log(t.replace("Do it as soon as possible.", (m) => m.candidates[0])); // "Do it ASAP."
 * ```
 */
export class PhraseTable {
  #map: Map<string, readonly string[]>;
  #regex: RegExp | null;
  #caseSensitive: boolean;

  /**
   * Compiles the table.
   *
   * @param entries Pairs of (phrase, replacements); later duplicates extend earlier ones.
   * @param caseSensitive Match keys exactly (default false: keys are lower-cased).
   */
  constructor(entries: Iterable<readonly [string, readonly string[]]>, caseSensitive = false) {
    this.#caseSensitive = caseSensitive;
    this.#map = new Map();
    for (const [rawKey, values] of entries) {
      const key = this.#normalize(rawKey);
      const prev = this.#map.get(key) ?? [];
      this.#map.set(key, [...prev, ...values.filter((v) => !prev.includes(v))]);
    }
    const keys = [...this.#map.keys()].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
    if (keys.length === 0) {
      this.#regex = null;
    } else {
      const alternation = keys.map((k) =>
        k.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&").replace(/'/g, "['’]")
      ).join("|");
      this.#regex = new RegExp(
        `(?<![\\p{L}\\p{M}\\p{N}_])(?:${alternation})(?![\\p{L}\\p{M}\\p{N}_])`,
        caseSensitive ? "gu" : "giu",
      );
    }
  }

  /** Number of keys. */
  get size(): number {
    return this.#map.size;
  }

  /**
   * Whether a phrase is a key of the table.
   *
   * @param phrase The phrase.
   * @returns True if present.
   */
  has(phrase: string): boolean {
    return this.#map.has(this.#normalize(phrase));
  }

  /**
   * The replacements listed for a phrase.
   *
   * @param phrase The phrase.
   * @returns Its candidates, or undefined.
   */
  get(phrase: string): readonly string[] | undefined {
    return this.#map.get(this.#normalize(phrase));
  }

  /**
   * All non-overlapping matches, left to right.
   *
   * @param text The text to scan.
   * @returns The matches.
   */
  findAll(text: string): PhraseMatch[] {
    const out: PhraseMatch[] = [];
    if (this.#regex === null) return out;
    this.#regex.lastIndex = 0;
    for (const m of text.matchAll(this.#regex)) {
      const key = this.#normalize(m[0]);
      const candidates = this.#map.get(key);
      if (candidates === undefined) continue;
      out.push({ start: m.index, end: m.index + m[0].length, text: m[0], key, candidates });
    }
    return out;
  }

  /**
   * Replaces matches by what `choose` returns (null keeps the match as written).
   *
   * @param text The text.
   * @param choose Called once per match, left to right.
   * @returns The new text.
   */
  replace(text: string, choose: (match: PhraseMatch) => string | null): string {
    const matches = this.findAll(text);
    if (matches.length === 0) return text;
    const parts: string[] = [];
    let last = 0;
    for (const m of matches) {
      const r = choose(m);
      if (r === null) continue;
      parts.push(text.slice(last, m.start), r);
      last = m.end;
    }
    parts.push(text.slice(last));
    return parts.join("");
  }

  #normalize(phrase: string): string {
    const p = phrase.replace(/’/g, "'");
    return this.#caseSensitive ? p : p.toLowerCase();
  }
}
