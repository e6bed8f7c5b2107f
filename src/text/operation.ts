import type { ExampleKind, TextExample } from "./example.ts";
import { validateExample } from "./example.ts";
import type { TaskType } from "./task_type.ts";
import { TaskKindError } from "./task_kind_error.ts";

/**
 * What an operation declares about itself, as NL-Augmenter's class attributes
 * do: the example kinds it accepts, task types, languages (ISO 639-1 codes),
 * keywords (from the reference's keyword list), whether it is `heavy` (needs a
 * large model or data file), and where it comes from.
 *
 * @example
 * ```ts
 * import type { OperationInfo } from "./operation.ts";
 * const info: OperationInfo = {
 *   name: "demo", description: "does nothing", kinds: ["sentence"], tasks: ["text_classification"],
 *   languages: ["en"], keywords: ["rule-based"], heavy: false, reference: "none",
 * };
 * console.log(info.name);
 * ```
 */
export interface OperationInfo {
  /** Stable snake_case registry name. */
  readonly name: string;
  /** One-line description. */
  readonly description: string;
  /** Example kinds `generate`/`filter` accept. */
  readonly kinds: readonly ExampleKind[];
  /** Task types the operation is meant for. */
  readonly tasks: readonly TaskType[];
  /** Languages (ISO 639-1), or `["all"]` for language-independent operations. */
  readonly languages: readonly string[];
  /** Keywords: linguistic change, algorithm, naturalness, precision... */
  readonly keywords: readonly string[];
  /** Whether it needs a large model or data file (none here do: all are rule-based). */
  readonly heavy: boolean;
  /** The NL-Augmenter transformation/filter it follows, or the source of the idea. */
  readonly reference: string;
}

/**
 * Declarations of a transformation: {@link OperationInfo} plus whether its
 * outputs keep the input's label for the declared tasks.
 *
 * @example
 * ```ts
 * import type { TransformationInfo } from "./operation.ts";
 * const info: TransformationInfo = {
 *   name: "demo", description: "identity", kinds: ["sentence"], tasks: ["text_classification"],
 *   languages: ["all"], keywords: [], heavy: false, reference: "none", preservesLabel: true,
 * };
 * console.log(info.preservesLabel);
 * ```
 */
export interface TransformationInfo extends OperationInfo {
  /** True when outputs keep the input's label (false e.g. for antonym substitution). */
  readonly preservesLabel: boolean;
}

/**
 * Base of transformations and filters: holds the declarations, the seed and
 * `maxOutputs`, and checks each example's kind and shape before it is used.
 *
 * @example
 * ```ts
 * import { ButterFingers } from "./transformations/butter_fingers.ts";
 * const op = new ButterFingers({ seed: 3 });
 * console.log(op.name, op.seed, op.maxOutputs, op.supports("tagging")); // "butter_fingers" 3 1 false
 * ```
 */
export abstract class Operation {
  /** The operation's declarations. */
  readonly info: OperationInfo;
  /** Seed of its random stream. */
  readonly seed: number;
  /** The most outputs one call returns. */
  readonly maxOutputs: number;

  /**
   * Stores the declarations and the common options.
   *
   * @param info The declarations.
   * @param seed The seed.
   * @param maxOutputs The most outputs per call.
   */
  protected constructor(info: OperationInfo, seed: number, maxOutputs: number) {
    this.info = info;
    this.seed = seed;
    this.maxOutputs = maxOutputs;
  }

  /** The registry name, e.g. `"butter_fingers"`. */
  get name(): string {
    return this.info.name;
  }

  /**
   * Whether the operation accepts examples of this kind.
   *
   * @param kind An example kind.
   * @returns True if accepted.
   */
  supports(kind: ExampleKind): boolean {
    return this.info.kinds.includes(kind);
  }

  /**
   * Validates an example's shape and kind; throws `InvalidArgumentError` for a
   * malformed example and `TaskKindError` for a kind this operation lacks.
   *
   * @param example The value to check.
   */
  protected checkExample(example: unknown): asserts example is TextExample {
    validateExample(example, this.info.name);
    if (!this.supports(example.kind)) {
      throw new TaskKindError(this.info.name, example.kind, this.info.kinds);
    }
  }
}
