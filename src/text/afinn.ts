import Sentiment from "sentiment";

/**
 * An AFINN-165 lexicon score of a text (via the npm package `sentiment`): the
 * sum of word valences in [-5, 5] with single-word negation ("not good" counts
 * -3), and that sum divided by the number of tokens.
 *
 * @example
 * ```ts
 * import type { AfinnScore } from "./afinn.ts";
 * const s: AfinnScore = { score: 3, comparative: 1 };
 * console.log(s.score);
 * ```
 */
export interface AfinnScore {
  /** Sum of valences. */
  score: number;
  /** Score per token. */
  comparative: number;
}

// deno-lint-ignore no-explicit-any
const analyzer: { analyze(text: string): AfinnScore } = new (Sentiment as any)();

/**
 * Scores a text with the AFINN lexicon.
 *
 * @example
 * ```ts
 * import { afinnScore } from "./afinn.ts";
 * console.log(afinnScore("I love it").score > 0, afinnScore("This is not good").score < 0); // true true
 * ```
 * @param text Any string.
 * @returns Its score.
 */
export function afinnScore(text: string): AfinnScore {
  const r = analyzer.analyze(text);
  return { score: r.score, comparative: r.comparative };
}
