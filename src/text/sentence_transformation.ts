import type { ExampleKind, TextExample } from "./example.ts";
import { sourceText } from "./example.ts";
import type { TransformationInfo } from "./operation.ts";
import { TextRng } from "./rng.ts";
import { Transformation } from "./transformation.ts";

/**
 * The kinds a text-to-text transformation can be lifted to: the sentence, the
 * sentence of a (sentence, target(s)) pair with targets kept, both sentences of a
 * pair with the label kept, and the question of a QA example (context and answers
 * kept, so answers stay spans of the context).
 *
 * @example
 * ```ts
 * import { TEXT_KINDS } from "./sentence_transformation.ts";
 * console.log(TEXT_KINDS.includes("tagging")); // false
 * ```
 */
export const TEXT_KINDS: readonly ExampleKind[] = [
  "sentence",
  "sentence_and_target",
  "sentence_and_targets",
  "sentence_pair",
  "question_answer",
];

/**
 * Base of transformations defined by one text-to-text function
 * `transformText(text, rng)`. Each call of `generate` seeds a fresh
 * {@link TextRng} from `(seed, input text)`; output i of `maxOutputs` continues
 * the same stream, so outputs differ from one another but repeat exactly across
 * runs. Deterministic transformations (`randomized = false`) return one output.
 *
 * @example
 * ```ts
 * import { RandomUpper } from "./transformations/random_upper.ts";
 * const op = new RandomUpper({ seed: 1, prob: 0.5 });
 * console.log(op.generateText("hello world")[0].toLowerCase()); // "hello world"
 * ```
 */
export abstract class SentenceTransformation extends Transformation {
  /** Whether outputs depend on the random stream (false: one output only). */
  protected randomized = true;

  /**
   * Stores declarations and common options.
   *
   * @param info The declarations (kinds usually a subset of {@link TEXT_KINDS}).
   * @param seed The seed.
   * @param maxOutputs The most outputs per call.
   */
  protected constructor(info: TransformationInfo, seed: number, maxOutputs: number) {
    super(info, seed, maxOutputs);
  }

  /**
   * Transforms a bare text (the `sentence` kind) and returns the output texts.
   *
   * @param text Any string.
   * @returns Between 1 and `maxOutputs` distinct texts.
   */
  generateText(text: string): string[] {
    return this.generate({ kind: "sentence", sentence: text }).map((e) =>
      (e as { sentence: string }).sentence
    );
  }

  /**
   * Applies `transformText` to the text fields of the example's kind.
   *
   * @param example A validated example.
   * @returns The outputs.
   */
  protected apply(example: TextExample): TextExample[] {
    const rng = TextRng.forInput(this.seed, sourceText(example));
    const n = this.randomized ? this.maxOutputs : 1;
    const outputs: TextExample[] = [];
    for (let i = 0; i < n; i++) {
      switch (example.kind) {
        case "sentence":
        case "sentence_and_target":
        case "sentence_and_targets":
          outputs.push({ ...example, sentence: this.transformText(example.sentence, rng) });
          break;
        case "sentence_pair": {
          const sentence1 = this.transformText(example.sentence1, rng);
          const sentence2 = this.transformText(example.sentence2, rng);
          outputs.push({ ...example, sentence1, sentence2 });
          break;
        }
        case "question_answer":
          outputs.push({ ...example, question: this.transformText(example.question, rng) });
          break;
        default:
          outputs.push(example);
      }
    }
    return outputs;
  }

  /**
   * The text-to-text function.
   *
   * @param text The input text.
   * @param rng The call's random stream.
   * @returns The transformed text.
   */
  protected abstract transformText(text: string, rng: TextRng): string;
}
