/**
 * A 32-bit FNV-1a hash of a string's UTF-16 code units.
 *
 * Used to mix the input text into an operation's random stream, so that the
 * same seed gives different (but reproducible) perturbation patterns for
 * different sentences. Pure integer arithmetic: identical on every platform.
 *
 * @example
 * ```ts
 * import { hashString } from "./hash.ts";
 * console.log(hashString("")); // 2166136261
 * console.log(hashString("a") === hashString("a")); // true
 * ```
 * @param text Any string (lone surrogates included).
 * @returns An unsigned 32-bit integer.
 */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
