import { GpusciError } from "../errors.ts";

/**
 * An operation was given an example of a kind it does not implement (e.g. a
 * tagging example passed to a sentence-only transformation). The message names
 * the operation, the kind it got and the kinds it accepts.
 *
 * @example
 * ```ts
 * import { TaskKindError } from "./task_kind_error.ts";
 * const e = new TaskKindError("butter_fingers", "tagging", ["sentence"]);
 * console.log(e.name, e.kind); // "TaskKindError" "tagging"
 * ```
 */
export class TaskKindError extends GpusciError {
  /** The operation's registry name. */
  readonly operation: string;
  /** The example kind that was rejected. */
  readonly kind: string;
  /** The kinds the operation accepts. */
  readonly accepted: readonly string[];

  /**
   * Builds the message from its parts.
   *
   * @param operation The operation's registry name.
   * @param kind The kind that was passed.
   * @param accepted The kinds the operation accepts.
   */
  constructor(operation: string, kind: string, accepted: readonly string[]) {
    super(
      `${operation}: example kind "${kind}" is not supported; expected one of: ${
        accepted.join(", ")
      }`,
    );
    this.operation = operation;
    this.kind = kind;
    this.accepted = accepted;
  }
}
