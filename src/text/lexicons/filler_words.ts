/**
 * Filler phrases by kind, after the three categories of NL-Augmenter's
 * `filler_word_augmentation` (speaker opinion, uncertainty, fillers); own lists.
 *
 * @example
 * ```ts
 * import { FILLER_WORDS } from "./filler_words.ts";
 * console.log(FILLER_WORDS.filler.includes("um")); // true
 * ```
 */
export const FILLER_WORDS: Readonly<
  Record<"opinion" | "uncertainty" | "filler", readonly string[]>
> = {
  opinion: ["I think", "I believe", "I guess", "I mean", "in my opinion", "I suppose"],
  uncertainty: ["maybe", "perhaps", "probably", "possibly", "kind of", "sort of"],
  filler: ["uh", "um", "er", "ah", "like", "you know", "well", "actually", "basically"],
};

/**
 * Hesitation sounds used by speech disfluency.
 *
 * @example
 * ```ts
 * import { HESITATIONS } from "./filler_words.ts";
 * console.log(HESITATIONS[0]); // "uh"
 * ```
 */
export const HESITATIONS: readonly string[] = ["uh", "um", "er", "ah", "uhm", "hmm"];
