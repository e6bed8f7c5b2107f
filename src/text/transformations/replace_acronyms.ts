import { z } from "zod";
import { ACRONYMS } from "../lexicons/acronyms.ts";
import type { TransformationInfo } from "../operation.ts";
import { type OperationOptions, operationOptionsShape, parseOptions } from "../options.ts";
import { type PhraseMatch, PhraseTable } from "../phrase_table.ts";
import { SentenceTransformation, TEXT_KINDS } from "../sentence_transformation.ts";

/**
 * Options of {@link ReplaceAcronyms}.
 *
 * @example
 * ```ts
 * import type { ReplaceAcronymsOptions } from "./replace_acronyms.ts";
 * const o: ReplaceAcronymsOptions = { direction: "contract" };
 * console.log(o.direction);
 * ```
 */
export interface ReplaceAcronymsOptions extends OperationOptions {
  /** "contract" phrases, "expand" acronyms, or "both" (default). */
  direction?: "contract" | "expand" | "both";
}

const SCHEMA = z.strictObject({
  ...operationOptionsShape(),
  direction: z.enum(["contract", "expand", "both"]).default("both"),
});
let contractTable: PhraseTable | undefined;
let expandTable: PhraseTable | undefined;

/**
 * Swaps phrases and their acronyms ("as soon as possible" <-> "ASAP",
 * "United Nations" <-> "UN"); acronyms match only as written (capitals), so
 * "un" or "it" in running text are not expanded. Deterministic. After
 * NL-Augmenter's `replace_abbreviation_and_acronyms`.
 *
 * @example
 * ```ts
 * import { ReplaceAcronyms } from "./replace_acronyms.ts";
 * console.log(new ReplaceAcronyms().generateText("Send the PDF as soon as possible.")[0]);
 * // "Send the portable document format ASAP."
 * ```
 */
export class ReplaceAcronyms extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "replace_acronyms",
    description: "phrases and acronyms swapped (as soon as possible <-> ASAP)",
    kinds: TEXT_KINDS,
    tasks: ["text_classification", "text_to_text_generation"],
    languages: ["en"],
    keywords: ["lexical", "rule-based", "written", "natural-looking", "high-precision"],
    heavy: false,
    reference: "replace_abbreviation_and_acronyms",
    preservesLabel: true,
  };
  #contract: boolean;
  #expand: boolean;

  /**
   * Creates the transformation (deterministic: one output).
   *
   * @param options Seed, maxOutputs and direction.
   */
  constructor(options: ReplaceAcronymsOptions = {}) {
    const o = parseOptions(SCHEMA, options, ReplaceAcronyms.info.name);
    super(ReplaceAcronyms.info, o.seed, o.maxOutputs);
    this.randomized = false;
    this.#contract = o.direction !== "expand";
    this.#expand = o.direction !== "contract";
    contractTable ??= new PhraseTable(ACRONYMS.map(([p, a]) => [p, [a]] as const));
    expandTable ??= new PhraseTable(ACRONYMS.map(([p, a]) => [a, [p]] as const), true);
  }

  /**
   * Contracts and/or expands.
   *
   * @param text The input.
   * @returns The text.
   */
  protected transformText(text: string): string {
    const matches: PhraseMatch[] = [
      ...(this.#contract ? contractTable!.findAll(text) : []),
      ...(this.#expand ? expandTable!.findAll(text) : []),
    ].sort((a, b) => a.start - b.start || b.end - a.end);
    const parts: string[] = [];
    let last = 0;
    for (const m of matches) {
      if (m.start < last) continue;
      parts.push(text.slice(last, m.start), m.candidates[0]);
      last = m.end;
    }
    parts.push(text.slice(last));
    return parts.join("");
  }
}
