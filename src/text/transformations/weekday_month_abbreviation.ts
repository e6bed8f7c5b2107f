import { z } from "zod";
import {
  CALENDAR_ABBREVIATIONS,
  EXTRA_CALENDAR_ABBREVIATIONS,
} from "../lexicons/calendar_abbreviations.ts";
import type { TransformationInfo } from "../operation.ts";
import { type OperationOptions, operationOptionsShape, parseOptions } from "../options.ts";
import { PhraseTable } from "../phrase_table.ts";
import { SentenceTransformation, TEXT_KINDS } from "../sentence_transformation.ts";

/**
 * Options of {@link WeekdayMonthAbbreviation}.
 *
 * @example
 * ```ts
 * import type { WeekdayMonthAbbreviationOptions } from "./weekday_month_abbreviation.ts";
 * const o: WeekdayMonthAbbreviationOptions = { direction: "expand" };
 * console.log(o.direction);
 * ```
 */
export interface WeekdayMonthAbbreviationOptions extends OperationOptions {
  /** "abbreviate" full names (default) or "expand" abbreviations. */
  direction?: "abbreviate" | "expand";
}

const SCHEMA = z.strictObject({
  ...operationOptionsShape(),
  direction: z.enum(["abbreviate", "expand"]).default("abbreviate"),
});
let abbreviate: PhraseTable | undefined;
let expand: PhraseTable | undefined;

/**
 * Abbreviates weekday and month names ("Monday" -> "Mon.", "September" ->
 * "Sept.") or expands such abbreviations back. Names match when capitalized
 * (or in capitals), so "march" the verb stays; abbreviations need their full
 * stop to be expanded. A sentence-final full stop is not doubled. Deterministic.
 * After NL-Augmenter's `weekday_month_abbreviation`.
 *
 * @example
 * ```ts
 * import { WeekdayMonthAbbreviation } from "./weekday_month_abbreviation.ts";
 * console.log(new WeekdayMonthAbbreviation().generateText("See you Monday, 3 September.")[0]); // "See you Mon., 3 Sept."
 * console.log(new WeekdayMonthAbbreviation({ direction: "expand" }).generateText("Due Fri. 3 Jan.")[0]); // "Due Friday 3 January."
 * ```
 */
export class WeekdayMonthAbbreviation extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "weekday_month_abbreviation",
    description: "weekday and month names abbreviated (or expanded)",
    kinds: TEXT_KINDS,
    tasks: ["text_classification", "text_to_text_generation", "text_tagging"],
    languages: ["en"],
    keywords: ["lexical", "rule-based", "written", "natural-looking", "high-precision"],
    heavy: false,
    reference: "weekday_month_abbreviation",
    preservesLabel: true,
  };
  #expand: boolean;

  /**
   * Creates the transformation (deterministic: one output).
   *
   * @param options Seed, maxOutputs and direction.
   */
  constructor(options: WeekdayMonthAbbreviationOptions = {}) {
    const o = parseOptions(SCHEMA, options, WeekdayMonthAbbreviation.info.name);
    super(WeekdayMonthAbbreviation.info, o.seed, o.maxOutputs);
    this.randomized = false;
    this.#expand = o.direction === "expand";
    abbreviate ??= new PhraseTable(
      CALENDAR_ABBREVIATIONS.flatMap(([full, abbr]) => [
        [full, [abbr]] as const,
        [full.toUpperCase(), [abbr.toUpperCase()]] as const,
      ]),
      true,
    );
    expand ??= new PhraseTable(
      [...CALENDAR_ABBREVIATIONS.map(([f, a]) => [a, f] as const), ...EXTRA_CALENDAR_ABBREVIATIONS]
        .flatMap(([abbr, full]) => [
          [abbr, [full]] as const,
          [abbr.toUpperCase(), [full.toUpperCase()]] as const,
        ]),
      true,
    );
  }

  /**
   * Abbreviates or expands.
   *
   * @param text The input.
   * @returns The text.
   */
  protected transformText(text: string): string {
    if (this.#expand) {
      return expand!.replace(text, (m) => {
        const after = text.slice(m.end, m.end + 2);
        const sentenceEnd = after === "" || /^\s+\p{Lu}/u.test(text.slice(m.end, m.end + 3)) ||
          /^\n/.test(after);
        return m.candidates[0] + (sentenceEnd ? "." : "");
      });
    }
    return abbreviate!.replace(text, (m) => {
      const abbr = m.candidates[0];
      return text[m.end] === "." ? abbr.slice(0, -1) : abbr;
    });
  }
}
