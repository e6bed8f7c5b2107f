import { z } from "zod";
import { graphemes } from "../graphemes.ts";
import type { TransformationInfo } from "../operation.ts";
import { type OperationOptions, operationOptionsShape, parseOptions } from "../options.ts";
import type { TextRng } from "../rng.ts";
import { SentenceTransformation, TEXT_KINDS } from "../sentence_transformation.ts";
import { splitWords } from "../words.ts";

/**
 * The ciphers {@link SimpleCiphers} knows: ROT13, Atbash (a<->z), a Caesar shift
 * by a random 1..25, each word's characters reversed, or one of these at random.
 *
 * @example
 * ```ts
 * import { CIPHERS } from "./simple_ciphers.ts";
 * console.log(CIPHERS.join(" ")); // "rot13 atbash caesar reversed_words random"
 * ```
 */
export const CIPHERS: readonly Cipher[] = ["rot13", "atbash", "caesar", "reversed_words", "random"];

/**
 * A cipher name (see {@link CIPHERS}).
 *
 * @example
 * ```ts
 * import type { Cipher } from "./simple_ciphers.ts";
 * const c: Cipher = "atbash";
 * console.log(c);
 * ```
 */
export type Cipher = "rot13" | "atbash" | "caesar" | "reversed_words" | "random";

/**
 * Options of {@link SimpleCiphers}.
 *
 * @example
 * ```ts
 * import type { SimpleCiphersOptions } from "./simple_ciphers.ts";
 * const o: SimpleCiphersOptions = { cipher: "caesar" };
 * console.log(o.cipher);
 * ```
 */
export interface SimpleCiphersOptions extends OperationOptions {
  /** Which cipher (default "rot13"). */
  cipher?: Cipher;
}

const SCHEMA = z.strictObject({
  ...operationOptionsShape(),
  cipher: z.enum(["rot13", "atbash", "caesar", "reversed_words", "random"]).default("rot13"),
});
const FIXED: readonly Exclude<Cipher, "random">[] = ["rot13", "atbash", "caesar", "reversed_words"];

/**
 * Simple ciphers over ASCII letters (other characters pass through) or reversal
 * of each word by grapheme clusters (so "café" reversed keeps its accent on the
 * "e"). After NL-Augmenter's `simple_ciphers`.
 *
 * @example
 * ```ts
 * import { SimpleCiphers } from "./simple_ciphers.ts";
 * console.log(new SimpleCiphers().generateText("Hello, World!")[0]); // "Uryyb, Jbeyq!"
 * console.log(new SimpleCiphers({ cipher: "reversed_words" }).generateText("Hello café")[0]); // "olleH éfac"
 * ```
 */
export class SimpleCiphers extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "simple_ciphers",
    description: "text encoded with ROT13, Atbash, a Caesar shift or word reversal",
    kinds: TEXT_KINDS,
    tasks: ["text_classification", "text_to_text_generation"],
    languages: ["en"],
    keywords: ["morphological", "noise", "rule-based", "unnatural", "written"],
    heavy: false,
    reference: "simple_ciphers",
    preservesLabel: true,
  };
  #cipher: Cipher;

  /**
   * Creates the transformation.
   *
   * @param options Seed, maxOutputs and cipher.
   */
  constructor(options: SimpleCiphersOptions = {}) {
    const o = parseOptions(SCHEMA, options, SimpleCiphers.info.name);
    super(SimpleCiphers.info, o.seed, o.maxOutputs);
    this.#cipher = o.cipher;
    this.randomized = o.cipher === "caesar" || o.cipher === "random";
  }

  /**
   * Encodes the text.
   *
   * @param text The input.
   * @param rng The call's random stream.
   * @returns The text.
   */
  protected transformText(text: string, rng: TextRng): string {
    const cipher = this.#cipher === "random" ? rng.pick(FIXED) : this.#cipher;
    switch (cipher) {
      case "rot13":
        return shiftLetters(text, () => 13);
      case "caesar": {
        const k = 1 + rng.int(25);
        return shiftLetters(text, () => k);
      }
      case "atbash":
        return text.replace(/[A-Za-z]/g, (c) => {
          const base = c <= "Z" ? 65 : 97;
          return String.fromCharCode(base + 25 - (c.charCodeAt(0) - base));
        });
      case "reversed_words":
        return splitWords(text).map((s) => s.isWord ? graphemes(s.text).reverse().join("") : s.text)
          .join("");
    }
  }
}

function shiftLetters(text: string, shift: () => number): string {
  const k = shift();
  return text.replace(/[A-Za-z]/g, (c) => {
    const base = c <= "Z" ? 65 : 97;
    return String.fromCharCode(base + (c.charCodeAt(0) - base + k) % 26);
  });
}
