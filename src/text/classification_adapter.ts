import { tagEntities } from "./entity_tagger.ts";
import type { TextExample } from "./example.ts";
import { InvalidArgumentError } from "../errors.ts";
import { Transformation } from "./transformation.ts";

/**
 * Runs a tagging or question-answering transformation on text-classification
 * data (`sentence_and_target`): a tagging operation sees the text as tokens
 * with entity tags (`tagEntities`) and its output tokens are joined back with
 * spaces; a QA operation sees the text as the context of a question ("What is
 * this text about?") and its output context becomes the text. The label is
 * kept. This is how the robustness experiment applies every operation to one
 * classification set.
 *
 * @example
 * ```ts
 * import { ClassificationAdapter } from "./classification_adapter.ts";
 * import { RedundantContext } from "./transformations/redundant_context.ts";
 * const op = new ClassificationAdapter(new RedundantContext());
 * console.log(op.generate({ kind: "sentence_and_target", sentence: "Buy now.", target: "spam" }));
 * // [{ kind: "sentence_and_target", sentence: "Buy now. Buy now.", target: "spam" }]
 * ```
 */
export class ClassificationAdapter extends Transformation {
  #inner: Transformation;
  #via: "tagging" | "question_answer";

  /**
   * Wraps a transformation that accepts tagging or question-answering examples.
   *
   * @param inner The wrapped transformation.
   */
  constructor(inner: Transformation) {
    const via = inner.supports("tagging")
      ? "tagging"
      : inner.supports("question_answer")
      ? "question_answer"
      : null;
    if (via === null) {
      throw new InvalidArgumentError(
        `ClassificationAdapter: ${inner.name} accepts neither tagging nor question_answer examples (kinds: ${
          inner.info.kinds.join(", ")
        })`,
      );
    }
    super(
      {
        ...inner.info,
        kinds: ["sentence_and_target"],
        description: `${inner.info.description} (via ${via})`,
      },
      inner.seed,
      1,
    );
    this.#inner = inner;
    this.#via = via;
  }

  /** The example kind the wrapped operation is applied through. */
  get via(): "tagging" | "question_answer" {
    return this.#via;
  }

  /**
   * Converts, applies the wrapped operation, converts back.
   *
   * @param example A validated `sentence_and_target` example.
   * @returns The output.
   */
  protected apply(example: TextExample): TextExample[] {
    if (example.kind !== "sentence_and_target") return [example];
    if (this.#via === "tagging") {
      const tagged = tagEntities(example.sentence);
      const [out] = this.#inner.generate(tagged);
      const tokens = out.kind === "tagging" ? out.tokens : tagged.tokens;
      const changed = tokens.some((t, i) => t !== tagged.tokens[i]) ||
        tokens.length !== tagged.tokens.length;
      return [changed ? { ...example, sentence: tokens.join(" ") } : example];
    }
    const [out] = this.#inner.generate({
      kind: "question_answer",
      context: example.sentence,
      question: "What is this text about?",
      answers: [],
    });
    return [out.kind === "question_answer" ? { ...example, sentence: out.context } : example];
  }
}
