import { z } from "zod";
import { matchCase } from "../case_pattern.ts";
import type { TransformationInfo } from "../operation.ts";
import { type OperationOptions, operationOptionsShape, parseOptions } from "../options.ts";
import { PhraseTable } from "../phrase_table.ts";
import type { TextRng } from "../rng.ts";
import { SentenceTransformation, TEXT_KINDS } from "../sentence_transformation.ts";

/**
 * Options of {@link GreetingsAndFarewells}.
 *
 * @example
 * ```ts
 * import type { GreetingsAndFarewellsOptions } from "./greetings_and_farewells.ts";
 * const o: GreetingsAndFarewellsOptions = { insert: true };
 * console.log(o.insert);
 * ```
 */
export interface GreetingsAndFarewellsOptions extends OperationOptions {
  /** When the text has no greeting, prepend one (default false: only substitute). */
  insert?: boolean;
}

const SCHEMA = z.strictObject({
  ...operationOptionsShape(),
  insert: z.boolean().default(false),
});
const GREETINGS = [
  "hi",
  "hello",
  "hey",
  "hi there",
  "hello there",
  "good morning",
  "good afternoon",
  "good evening",
  "greetings",
  "howdy",
];
const FAREWELLS = [
  "bye",
  "goodbye",
  "see you",
  "see you later",
  "take care",
  "cheers",
  "best regards",
  "kind regards",
  "farewell",
  "all the best",
];
let table: PhraseTable | undefined;

/**
 * Replaces greetings and farewells by other ones ("Hi" -> "Good morning",
 * "Best regards" -> "Take care"); with `insert`, a greeting is prepended to
 * texts that have none. After NL-Augmenter's `greetings_and_farewells`.
 *
 * @example
 * ```ts
 * import { GreetingsAndFarewells } from "./greetings_and_farewells.ts";
 * const [out] = new GreetingsAndFarewells().generateText("Hello Ann, the report is ready. Cheers");
 * console.log(out.includes(", the report is ready. "), out.startsWith("Hello ")); // true false
 * ```
 */
export class GreetingsAndFarewells extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "greetings_and_farewells",
    description: "greetings and farewells replaced by equivalent ones",
    kinds: TEXT_KINDS,
    tasks: ["text_classification", "text_to_text_generation", "dialogue_act_to_text"],
    languages: ["en"],
    keywords: ["lexical", "discourse", "rule-based", "natural-sounding", "high-precision"],
    heavy: false,
    reference: "greetings_and_farewells",
    preservesLabel: true,
  };
  #insert: boolean;

  /**
   * Creates the transformation.
   *
   * @param options Seed, maxOutputs and insert.
   */
  constructor(options: GreetingsAndFarewellsOptions = {}) {
    const o = parseOptions(SCHEMA, options, GreetingsAndFarewells.info.name);
    super(GreetingsAndFarewells.info, o.seed, o.maxOutputs);
    this.#insert = o.insert;
    table ??= new PhraseTable([
      ...GREETINGS.map((g) => [g, GREETINGS.filter((x) => x !== g)] as const),
      ...FAREWELLS.map((f) => [f, FAREWELLS.filter((x) => x !== f)] as const),
    ]);
  }

  /**
   * Swaps greetings and farewells.
   *
   * @param text The input.
   * @param rng The call's random stream.
   * @returns The text.
   */
  protected transformText(text: string, rng: TextRng): string {
    let found = false;
    const out = table!.replace(text, (m) => {
      found = true;
      return matchCase(m.text, rng.pick(m.candidates));
    });
    if (!found && this.#insert && text.trim().length > 0) {
      return matchCase("X", rng.pick(GREETINGS)) + ", " + text;
    }
    return out;
  }
}
