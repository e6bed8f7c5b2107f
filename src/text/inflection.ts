/**
 * English noun plural by spelling rules (city -> cities, box -> boxes,
 * dog -> dogs); for multi-word phrases the last word is inflected. Irregular
 * plurals are not known.
 *
 * @example
 * ```ts
 * import { pluralize } from "./inflection.ts";
 * console.log(pluralize("city"), pluralize("box"), pluralize("motor vehicle")); // "cities" "boxes" "motor vehicles"
 * ```
 * @param noun A singular noun or noun phrase.
 * @returns Its regular plural.
 */
export function pluralize(noun: string): string {
  if (/[^aeiou]y$/i.test(noun)) return noun.slice(0, -1) + "ies";
  if (/(s|x|z|ch|sh)$/i.test(noun)) return noun + "es";
  return noun + "s";
}

/**
 * Candidate singular forms of a regular English plural, most specific first
 * (cities -> city, boxes -> box, dogs -> dog); empty when the word does not end
 * in "s".
 *
 * @example
 * ```ts
 * import { singularCandidates } from "./inflection.ts";
 * console.log(singularCandidates("cities"), singularCandidates("boxes"), singularCandidates("dog"));
 * // ["city", "citie", "citi"] ["box", "boxe"] []
 * ```
 * @param word A lower-case word.
 * @returns Possible singulars.
 */
export function singularCandidates(word: string): string[] {
  const out: string[] = [];
  if (word.length < 4 || !word.endsWith("s") || word.endsWith("ss")) return out;
  if (word.endsWith("ies")) out.push(word.slice(0, -3) + "y");
  if (/(s|x|z|ch|sh)es$/.test(word)) out.push(word.slice(0, -2));
  out.push(word.slice(0, -1));
  if (word.endsWith("ies")) out.push(word.slice(0, -2));
  return out;
}

/**
 * Fixes an indefinite article that ends `before` ("a " / "an ") to agree with
 * the word that follows (spelling heuristic: vowel letter -> "an"; "u" followed
 * by a consonant and a vowel, as in "unit", and "one" take "a").
 *
 * @example
 * ```ts
 * import { agreeArticle } from "./inflection.ts";
 * console.log(agreeArticle("Mary bought a ", "apple"), agreeArticle("An ", "car")); // "Mary bought an " "A "
 * ```
 * @param before The text up to the word.
 * @param next The word that follows.
 * @returns `before` with the article adjusted (unchanged if it does not end in one).
 */
export function agreeArticle(before: string, next: string): string {
  const m = /(^|[^\p{L}])(a|an|A|An|AN)( )$/u.exec(before);
  if (m === null) return before;
  const vowel = /^[aeiou]/i.test(next) && !/^(u[bcdfghjklmnpqrstvwxyz][aeiou]|one)/i.test(next);
  const article = m[2];
  let fixed = vowel ? "an" : "a";
  if (article === "AN") fixed = fixed.toUpperCase();
  else if (article[0] === "A") fixed = fixed[0].toUpperCase() + fixed.slice(1);
  return before.slice(0, before.length - article.length - 1) + fixed + " ";
}
