import type { TextExample } from "./example.ts";
import { sourceText } from "./example.ts";
import { Operation } from "./operation.ts";

/**
 * A filter splits data by a feature: `filter(example)` is true when the example
 * has it (NL-Augmenter's `filter`). Filters declare the same metadata as
 * transformations and raise a `TaskKindError` for an undeclared kind. Text
 * filters test {@link sourceText} of the example unless they say otherwise.
 *
 * @example
 * ```ts
 * import { NumericFilter } from "./filters/numeric_filter.ts";
 * const f = new NumericFilter();
 * console.log(f.filter({ kind: "sentence", sentence: "Call 911 now" })); // true
 * console.log(f.filterText("no digits here")); // false
 * ```
 */
export abstract class Filter extends Operation {
  /**
   * Whether the example has the feature.
   *
   * @param example An example of a declared kind.
   * @returns True to keep it in the filtered subset.
   */
  filter(example: TextExample): boolean {
    this.checkExample(example);
    return this.test(this.textOf(example));
  }

  /**
   * Tests a bare text, as `filter({ kind: "sentence", sentence: text })` would.
   *
   * @param text Any string.
   * @returns True if the text has the feature.
   */
  filterText(text: string): boolean {
    return this.filter({ kind: "sentence", sentence: text });
  }

  /**
   * The text of an example the filter looks at (default: {@link sourceText}).
   *
   * @param example A validated example.
   * @returns The text to test.
   */
  protected textOf(example: TextExample): string {
    return sourceText(example);
  }

  /**
   * The predicate on text.
   *
   * @param text The text to test.
   * @returns Whether it has the feature.
   */
  protected abstract test(text: string): boolean;
}
