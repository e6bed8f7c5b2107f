import type { SentenceAndTargetExample } from "../example.ts";
import { TextRng } from "../rng.ts";

/**
 * A train/evaluation split of labelled texts.
 *
 * @example
 * ```ts
 * import type { LabelledSplit } from "./labelled_split.ts";
 * const s: LabelledSplit = { train: [], eval: [] };
 * console.log(s.train.length);
 * ```
 */
export interface LabelledSplit {
  /** Training examples. */
  train: SentenceAndTargetExample[];
  /** Evaluation examples. */
  eval: SentenceAndTargetExample[];
}

/**
 * A deterministic seeded split: the examples are shuffled with the text
 * module's generator (`TextRng`, seed only), the first `evalSize` go to
 * evaluation and up to `trainSize` of the rest to training.
 *
 * @example
 * ```ts
 * import { splitLabelled } from "./labelled_split.ts";
 * const data = Array.from({ length: 10 }, (_, i) => ({ kind: "sentence_and_target" as const, sentence: `s${i}`, target: i % 2 ? "a" : "b" }));
 * const s = splitLabelled(data, 0, 3, 5);
 * console.log(s.eval.length, s.train.length, splitLabelled(data, 0, 3, 5).eval[0] === s.eval[0]); // 3 5 true
 * ```
 * @param examples All examples.
 * @param seed The shuffle seed.
 * @param evalSize Evaluation examples (capped by the data).
 * @param trainSize Most training examples (default: all the rest).
 * @returns The split.
 */
export function splitLabelled(
  examples: readonly SentenceAndTargetExample[],
  seed: number,
  evalSize: number,
  trainSize = Number.POSITIVE_INFINITY,
): LabelledSplit {
  const order = new TextRng(seed).shuffle(examples.map((_, i) => i));
  const nEval = Math.min(evalSize, examples.length);
  return {
    eval: order.slice(0, nEval).map((i) => examples[i]),
    train: order.slice(nEval, nEval + Math.min(trainSize, examples.length)).map((i) => examples[i]),
  };
}
