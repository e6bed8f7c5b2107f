import { z } from "zod";
import { matchCase } from "../case_pattern.ts";
import { parsePairs } from "../lexicons/parse_pairs.ts";
import type { TransformationInfo } from "../operation.ts";
import {
  type OperationOptions,
  operationOptionsShape,
  parseOptions,
  probability,
} from "../options.ts";
import { PhraseTable } from "../phrase_table.ts";
import type { TextRng } from "../rng.ts";
import { SentenceTransformation, TEXT_KINDS } from "../sentence_transformation.ts";

/**
 * Options of {@link InsertAbbreviation}.
 *
 * @example
 * ```ts
 * import type { InsertAbbreviationOptions } from "./insert_abbreviation.ts";
 * const o: InsertAbbreviationOptions = { prob: 1 };
 * console.log(o.prob);
 * ```
 */
export interface InsertAbbreviationOptions extends OperationOptions {
  /** Probability that an abbreviable word or phrase is abbreviated (default 0.5). */
  prob?: number;
}

const SCHEMA = z.strictObject({ ...operationOptionsShape(), prob: probability(0.5) });
/** Internet and texting abbreviations (own list of widely used forms). */
const SLANG = parsePairs(`
you|u
are|r
please|pls
thanks|thx
thank you|ty
to be honest|tbh
by the way|btw
in my opinion|imo
oh my god|omg
laughing out loud|lol
for your information|fyi
as soon as possible|asap
because|bc
before|b4
see you|cu
great|gr8
tonight|2nite
tomorrow|tmrw
message|msg
people|ppl
really|rly
okay|ok
be right back|brb
I don't know|idk
with|w/
without|w/o
`);
let table: PhraseTable | undefined;

/**
 * Writes words and phrases as texting abbreviations ("see you tomorrow" ->
 * "cu tmrw", "thank you" -> "ty"). Abbreviations are lower case unless the
 * source was all capitals. After NL-Augmenter's `insert_abbreviation`.
 *
 * @example
 * ```ts
 * import { InsertAbbreviation } from "./insert_abbreviation.ts";
 * console.log(new InsertAbbreviation({ prob: 1 }).generateText("Thank you, see you tomorrow!")[0]); // "ty, cu tmrw!"
 * ```
 */
export class InsertAbbreviation extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "insert_abbreviation",
    description: "words and phrases written as texting abbreviations",
    kinds: TEXT_KINDS,
    tasks: ["text_classification", "text_to_text_generation"],
    languages: ["en"],
    keywords: ["lexical", "rule-based", "written", "natural-looking"],
    heavy: false,
    reference: "insert_abbreviation",
    preservesLabel: true,
  };
  #prob: number;

  /**
   * Creates the transformation.
   *
   * @param options Seed, maxOutputs and prob.
   */
  constructor(options: InsertAbbreviationOptions = {}) {
    const o = parseOptions(SCHEMA, options, InsertAbbreviation.info.name);
    super(InsertAbbreviation.info, o.seed, o.maxOutputs);
    this.#prob = o.prob;
    this.randomized = o.prob > 0 && o.prob < 1;
    table ??= new PhraseTable(SLANG.map(([p, a]) => [p, [a]] as const));
  }

  /**
   * Abbreviates.
   *
   * @param text The input.
   * @param rng The call's random stream.
   * @returns The text.
   */
  protected transformText(text: string, rng: TextRng): string {
    return table!.replace(text, (m) => {
      if (!rng.chance(this.#prob)) return null;
      const caps = m.text.length > 1 && m.text === m.text.toUpperCase() &&
        m.text !== m.text.toLowerCase();
      return caps ? matchCase(m.text, m.candidates[0]) : m.candidates[0];
    });
  }
}
