/**
 * Parses "left|right" lines into pairs (blank lines skipped).
 *
 * @example
 * ```ts
 * import { parsePairs } from "./parse_pairs.ts";
 * console.log(parsePairs("a|b\nc|d")); // [["a", "b"], ["c", "d"]]
 * ```
 * @param raw The table text.
 * @returns The pairs.
 */
export function parsePairs(raw: string): (readonly [string, string])[] {
  return raw.split("\n").map((l) => l.trim()).filter((l) => l.length > 0).map((l) => {
    const i = l.indexOf("|");
    return [l.slice(0, i), l.slice(i + 1)] as const;
  });
}
