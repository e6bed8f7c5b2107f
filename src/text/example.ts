import { InvalidArgumentError } from "../errors.ts";

/**
 * The input shapes an operation can act on, one per NL-Augmenter interface:
 * `sentence` (SentenceOperation), `sentence_and_target` and
 * `sentence_and_targets` (SentenceAndTarget(s)Operation), `sentence_pair`
 * (SentencePairOperation), `question_answer` (QuestionAnswerOperation),
 * `tagging` (TaggingOperation) and `key_value` (KeyValuePairsOperation).
 *
 * @example
 * ```ts
 * import { EXAMPLE_KINDS } from "./example.ts";
 * console.log(EXAMPLE_KINDS.length); // 7
 * ```
 */
export const EXAMPLE_KINDS: readonly ExampleKind[] = [
  "sentence",
  "sentence_and_target",
  "sentence_and_targets",
  "sentence_pair",
  "question_answer",
  "tagging",
  "key_value",
];

/**
 * The name of one example kind (see {@link EXAMPLE_KINDS}).
 *
 * @example
 * ```ts
 * import type { ExampleKind } from "./example.ts";
 * const k: ExampleKind = "tagging";
 * console.log(k);
 * ```
 */
export type ExampleKind =
  | "sentence"
  | "sentence_and_target"
  | "sentence_and_targets"
  | "sentence_pair"
  | "question_answer"
  | "tagging"
  | "key_value";

/**
 * A single sentence (or any text).
 *
 * @example
 * ```ts
 * import type { SentenceExample } from "./example.ts";
 * const e: SentenceExample = { kind: "sentence", sentence: "Hello there." };
 * console.log(e.sentence);
 * ```
 */
export interface SentenceExample {
  /** Discriminant. */
  readonly kind: "sentence";
  /** The text. */
  readonly sentence: string;
}

/**
 * A text with one target: a class label (classification) or an output text
 * (generation, translation).
 *
 * @example
 * ```ts
 * import type { SentenceAndTargetExample } from "./example.ts";
 * const e: SentenceAndTargetExample = { kind: "sentence_and_target", sentence: "Great!", target: "positive" };
 * console.log(e.target);
 * ```
 */
export interface SentenceAndTargetExample {
  /** Discriminant. */
  readonly kind: "sentence_and_target";
  /** The source text. */
  readonly sentence: string;
  /** The label or reference output. */
  readonly target: string;
}

/**
 * A text with several targets (e.g. several reference translations).
 *
 * @example
 * ```ts
 * import type { SentenceAndTargetsExample } from "./example.ts";
 * const e: SentenceAndTargetsExample = { kind: "sentence_and_targets", sentence: "Hi", targets: ["Salut", "Bonjour"] };
 * console.log(e.targets.length);
 * ```
 */
export interface SentenceAndTargetsExample {
  /** Discriminant. */
  readonly kind: "sentence_and_targets";
  /** The source text. */
  readonly sentence: string;
  /** The references. */
  readonly targets: readonly string[];
}

/**
 * Two texts and a label (paraphrase detection, entailment).
 *
 * @example
 * ```ts
 * import type { SentencePairExample } from "./example.ts";
 * const e: SentencePairExample = { kind: "sentence_pair", sentence1: "A", sentence2: "B", target: "entailment" };
 * console.log(e.sentence2);
 * ```
 */
export interface SentencePairExample {
  /** Discriminant. */
  readonly kind: "sentence_pair";
  /** The first text (premise). */
  readonly sentence1: string;
  /** The second text (hypothesis). */
  readonly sentence2: string;
  /** The label. */
  readonly target: string;
}

/**
 * Extractive question answering: a context, a question and the answer strings.
 *
 * @example
 * ```ts
 * import type { QuestionAnswerExample } from "./example.ts";
 * const e: QuestionAnswerExample = {
 *   kind: "question_answer", context: "Paris is in France.", question: "Where is Paris?", answers: ["France"],
 * };
 * console.log(e.answers[0]);
 * ```
 */
export interface QuestionAnswerExample {
  /** Discriminant. */
  readonly kind: "question_answer";
  /** The passage. */
  readonly context: string;
  /** The question. */
  readonly question: string;
  /** Acceptable answers (spans of the context). */
  readonly answers: readonly string[];
}

/**
 * A token sequence with one tag per token (NER, POS, chunking), e.g. BIO tags.
 *
 * @example
 * ```ts
 * import type { TaggingExample } from "./example.ts";
 * const e: TaggingExample = { kind: "tagging", tokens: ["Ann", "runs"], tags: ["B-PER", "O"] };
 * console.log(e.tokens.length === e.tags.length);
 * ```
 */
export interface TaggingExample {
  /** Discriminant. */
  readonly kind: "tagging";
  /** The tokens. */
  readonly tokens: readonly string[];
  /** One tag per token. */
  readonly tags: readonly string[];
}

/**
 * A meaning representation as key-value pairs and its reference text (E2E, data-to-text).
 *
 * @example
 * ```ts
 * import type { KeyValueExample } from "./example.ts";
 * const e: KeyValueExample = { kind: "key_value", meaning: { name: "Aromi", food: "Italian" }, reference: "Aromi serves Italian food." };
 * console.log(Object.keys(e.meaning).length);
 * ```
 */
export interface KeyValueExample {
  /** Discriminant. */
  readonly kind: "key_value";
  /** The attribute-value pairs (insertion order is meaningful). */
  readonly meaning: Readonly<Record<string, string>>;
  /** The reference text. */
  readonly reference: string;
}

/**
 * Any example an operation can take.
 *
 * @example
 * ```ts
 * import type { TextExample } from "./example.ts";
 * const xs: TextExample[] = [{ kind: "sentence", sentence: "Hi" }];
 * console.log(xs[0].kind);
 * ```
 */
export type TextExample =
  | SentenceExample
  | SentenceAndTargetExample
  | SentenceAndTargetsExample
  | SentencePairExample
  | QuestionAnswerExample
  | TaggingExample
  | KeyValueExample;

/**
 * Checks an example's shape (kind known, fields of the right types, one tag per
 * token) and throws an `InvalidArgumentError` naming the field otherwise. Linear
 * in the number of tokens/targets, constant in text length.
 *
 * @example
 * ```ts
 * import { validateExample } from "./example.ts";
 * validateExample({ kind: "sentence", sentence: "ok" }, "demo");
 * try {
 *   validateExample({ kind: "tagging", tokens: ["a"], tags: [] }, "demo");
 * } catch (e) {
 *   console.log((e as Error).name); // "InvalidArgumentError"
 * }
 * ```
 * @param example The value to check.
 * @param where The caller's name, used in messages.
 */
export function validateExample(example: unknown, where: string): asserts example is TextExample {
  if (typeof example !== "object" || example === null) {
    throw new InvalidArgumentError(`${where}: example must be an object, got ${describe(example)}`);
  }
  const e = example as Record<string, unknown>;
  const str = (field: string): void => {
    if (typeof e[field] !== "string") {
      throw new InvalidArgumentError(
        `${where}: example.${field} must be a string for kind "${e.kind}", got ${
          describe(e[field])
        }`,
      );
    }
  };
  const strArray = (field: string): void => {
    const v = e[field];
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
      throw new InvalidArgumentError(
        `${where}: example.${field} must be an array of strings for kind "${e.kind}", got ${
          describe(v)
        }`,
      );
    }
  };
  switch (e.kind) {
    case "sentence":
      str("sentence");
      return;
    case "sentence_and_target":
      str("sentence");
      str("target");
      return;
    case "sentence_and_targets":
      str("sentence");
      strArray("targets");
      return;
    case "sentence_pair":
      str("sentence1");
      str("sentence2");
      str("target");
      return;
    case "question_answer":
      str("context");
      str("question");
      strArray("answers");
      return;
    case "tagging": {
      strArray("tokens");
      strArray("tags");
      const n = (e.tokens as string[]).length, m = (e.tags as string[]).length;
      if (n !== m) {
        throw new InvalidArgumentError(
          `${where}: example.tags must have one tag per token, got ${n} tokens and ${m} tags`,
        );
      }
      return;
    }
    case "key_value": {
      const m = e.meaning;
      if (
        typeof m !== "object" || m === null || Array.isArray(m) ||
        Object.values(m).some((v) => typeof v !== "string")
      ) {
        throw new InvalidArgumentError(
          `${where}: example.meaning must be a record of strings, got ${describe(m)}`,
        );
      }
      str("reference");
      return;
    }
    default:
      throw new InvalidArgumentError(
        `${where}: example.kind must be one of ${EXAMPLE_KINDS.join(", ")}, got ${
          describe(e.kind)
        }`,
      );
  }
}

/**
 * The source-side text of an example, used by filters and by the pipeline's
 * statistics: the sentence; both sentences joined by a newline; question and
 * context; tokens joined by spaces; or the reference of a key-value example.
 *
 * @example
 * ```ts
 * import { sourceText } from "./example.ts";
 * console.log(sourceText({ kind: "tagging", tokens: ["New", "York"], tags: ["B-LOC", "I-LOC"] })); // "New York"
 * ```
 * @param example A valid example.
 * @returns Its text.
 */
export function sourceText(example: TextExample): string {
  switch (example.kind) {
    case "sentence":
    case "sentence_and_target":
    case "sentence_and_targets":
      return example.sentence;
    case "sentence_pair":
      return `${example.sentence1}\n${example.sentence2}`;
    case "question_answer":
      return `${example.question}\n${example.context}`;
    case "tagging":
      return example.tokens.join(" ");
    case "key_value":
      return example.reference;
  }
}

/**
 * Structural equality of two examples (same kind and same field values),
 * used to decide whether an operation changed its input.
 *
 * @example
 * ```ts
 * import { examplesEqual } from "./example.ts";
 * console.log(examplesEqual({ kind: "sentence", sentence: "a" }, { kind: "sentence", sentence: "a" })); // true
 * ```
 * @param a The first example.
 * @param b The second example.
 * @returns Whether they are equal.
 */
export function examplesEqual(a: TextExample, b: TextExample): boolean {
  if (a.kind !== b.kind) return false;
  const ra = a as unknown as Record<string, unknown>;
  const rb = b as unknown as Record<string, unknown>;
  for (const key of Object.keys(ra)) {
    if (!valueEqual(ra[key], rb[key])) return false;
  }
  return true;
}

function valueEqual(x: unknown, y: unknown): boolean {
  if (x === y) return true;
  if (Array.isArray(x) && Array.isArray(y)) {
    return x.length === y.length && x.every((v, i) => v === y[i]);
  }
  if (typeof x === "object" && typeof y === "object" && x !== null && y !== null) {
    const kx = Object.keys(x), ky = Object.keys(y);
    return kx.length === ky.length &&
      kx.every((k, i) =>
        k === ky[i] && (x as Record<string, unknown>)[k] === (y as Record<string, unknown>)[k]
      );
  }
  return false;
}

function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v);
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (v === null) return "null";
  return typeof v === "object" ? "an object" : String(v);
}
