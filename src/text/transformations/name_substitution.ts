import { z } from "zod";
import { firstNames } from "../lexicons/first_names.ts";
import { englishStopwords } from "../lexicons/stopwords.ts";
import type { TransformationInfo } from "../operation.ts";
import { type OperationOptions, operationOptionsShape, parseOptions } from "../options.ts";
import type { TextRng } from "../rng.ts";
import { SentenceTransformation, TEXT_KINDS } from "../sentence_transformation.ts";
import { splitWords } from "../words.ts";

/**
 * Options of {@link NameSubstitution}.
 *
 * @example
 * ```ts
 * import type { NameSubstitutionOptions } from "./name_substitution.ts";
 * const o: NameSubstitutionOptions = { keepGender: false };
 * console.log(o.keepGender);
 * ```
 */
export interface NameSubstitutionOptions extends OperationOptions {
  /** Replace a name by one of the same gender list (default true). */
  keepGender?: boolean;
}

const SCHEMA = z.strictObject({
  ...operationOptionsShape(),
  keepGender: z.boolean().default(true),
});

/**
 * Capitalized words that are on the name lists but are far more often ordinary
 * words, months or titles; they are never treated as names.
 */
const NOT_NAMES = new Set(
  ("will may june april august mark bill rose grant hope art joy faith sunny summer autumn " +
    "dawn guy pat ray sue max page rich gene earl frank jack jean lane ivy iris lily daisy holly " +
    "olive ginger amber ruby pearl crystal jewel destiny honey star sky river storm rock stone " +
    "brook cliff dale glen heath forest wood woods chase hunter miles mason carter cooper porter " +
    "bishop king duke prince major sterling grace chance christian cash win wade bud " +
    "buck bunny candy cherry fancy gay merry misty noble royal young god love page penny carol " +
    "sandy rusty mercy charity trinity harmony melody tuesday january february march july " +
    "september october november december monday friday sunday london paris florence georgia " +
    "virginia austin jackson lincoln washington madison india china jordan israel kenya").split(
      " ",
    ),
);

/**
 * Replaces people's first names (capitalized words on the `@stdlib` English
 * first-name lists) by other names, the same one each time it recurs in the
 * text, of the same gender list unless `keepGender` is false. Words that are
 * usually not names ("Will", "May", "Rose"...), stop words and words in
 * capitals are left alone; a possessive "'s" is kept. After NL-Augmenter's
 * `change_person_named_entities` (which finds names with a model).
 *
 * @example
 * ```ts
 * import { NameSubstitution } from "./name_substitution.ts";
 * const [out] = new NameSubstitution({ seed: 5 }).generateText("Mary met John. Mary's cat likes John.");
 * const [a, b] = out.match(/^(\w+) met (\w+)\./)!.slice(1);
 * console.log(a !== "Mary", out === `${a} met ${b}. ${a}'s cat likes ${b}.`); // true true
 * ```
 */
export class NameSubstitution extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "name_substitution",
    description: "first names replaced consistently by other names of the same gender",
    kinds: TEXT_KINDS,
    tasks: ["text_classification", "text_to_text_generation", "question_answering"],
    languages: ["en"],
    keywords: ["lexical", "rule-based", "external-knowledge-based", "natural-sounding"],
    heavy: false,
    reference: "change_person_named_entities",
    preservesLabel: true,
  };
  #keepGender: boolean;

  /**
   * Creates the transformation.
   *
   * @param options Seed, maxOutputs and keepGender.
   */
  constructor(options: NameSubstitutionOptions = {}) {
    const o = parseOptions(SCHEMA, options, NameSubstitution.info.name);
    super(NameSubstitution.info, o.seed, o.maxOutputs);
    this.#keepGender = o.keepGender;
  }

  /**
   * Replaces names.
   *
   * @param text The input.
   * @param rng The call's random stream.
   * @returns The text.
   */
  protected transformText(text: string, rng: TextRng): string {
    const names = firstNames();
    const stop = englishStopwords();
    const mapping = new Map<string, string>();
    return splitWords(text).map((s) => {
      if (!s.isWord) return s.text;
      const m = /^(\p{Lu}\p{Ll}+)(['’]s)?$/u.exec(s.text);
      if (m === null) return s.text;
      const name = m[1];
      const lower = name.toLowerCase();
      if (NOT_NAMES.has(lower) || stop.has(lower)) return s.text;
      const female = names.female.has(name), male = names.male.has(name);
      if (!female && !male) return s.text;
      let replacement = mapping.get(name);
      if (replacement === undefined) {
        const pool = !this.#keepGender
          ? (rng.chance(0.5) ? names.femaleList : names.maleList)
          : female && !male
          ? names.femaleList
          : male && !female
          ? names.maleList
          : (rng.chance(0.5) ? names.femaleList : names.maleList);
        do replacement = rng.pick(pool); while (replacement === name);
        mapping.set(name, replacement);
      }
      return replacement + (m[2] ?? "");
    }).join("");
  }
}
