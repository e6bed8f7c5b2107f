import { z } from "zod";
import { graphemes } from "../graphemes.ts";
import type { TransformationInfo } from "../operation.ts";
import {
  type OperationOptions,
  operationOptionsShape,
  parseOptions,
  probability,
} from "../options.ts";
import type { TextRng } from "../rng.ts";
import { SentenceTransformation, TEXT_KINDS } from "../sentence_transformation.ts";

/**
 * Options of {@link VisualAttackLetters}.
 *
 * @example
 * ```ts
 * import type { VisualAttackLettersOptions } from "./visual_attack_letters.ts";
 * const o: VisualAttackLettersOptions = { prob: 0.5 };
 * console.log(o.prob);
 * ```
 */
export interface VisualAttackLettersOptions extends OperationOptions {
  /** Probability that a letter with a homoglyph is replaced (default 0.3). */
  prob?: number;
}

const SCHEMA = z.strictObject({ ...operationOptionsShape(), prob: probability(0.3) });

/**
 * ASCII letters -> visually identical Cyrillic/Greek/Latin-extended code points
 * (single code points, no combining marks).
 */
const HOMOGLYPHS: Readonly<Record<string, string>> = {
  a: "а",
  c: "с",
  e: "е",
  i: "і",
  j: "ј",
  o: "ο",
  p: "р",
  s: "ѕ",
  x: "х",
  y: "у",
  A: "Α",
  B: "Β",
  C: "С",
  E: "Ε",
  H: "Η",
  I: "Ι",
  J: "Ј",
  K: "Κ",
  M: "Μ",
  N: "Ν",
  O: "Ο",
  P: "Ρ",
  S: "Ѕ",
  T: "Τ",
  X: "Χ",
  Y: "Υ",
  Z: "Ζ",
};

/**
 * Visual attack: letters replaced by homoglyphs from other scripts (Latin "a"
 * -> Cyrillic "а"), which look the same to a reader but not to a model. After
 * NL-Augmenter's `visual_attack_letters`.
 *
 * @example
 * ```ts
 * import { VisualAttackLetters } from "./visual_attack_letters.ts";
 * const [out] = new VisualAttackLetters({ prob: 1 }).generateText("easy");
 * console.log(out === "easy", out.length); // false 4
 * ```
 */
export class VisualAttackLetters extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "visual_attack_letters",
    description: "letters replaced by look-alike characters of other scripts",
    kinds: TEXT_KINDS,
    tasks: ["text_classification", "text_to_text_generation"],
    languages: ["en"],
    keywords: ["morphological", "noise", "rule-based", "visual", "natural-looking"],
    heavy: false,
    reference: "visual_attack_letters",
    preservesLabel: true,
  };
  #prob: number;

  /**
   * Creates the transformation.
   *
   * @param options Seed, maxOutputs and prob.
   */
  constructor(options: VisualAttackLettersOptions = {}) {
    const o = parseOptions(SCHEMA, options, VisualAttackLetters.info.name);
    super(VisualAttackLetters.info, o.seed, o.maxOutputs);
    this.#prob = o.prob;
  }

  /**
   * Swaps in homoglyphs.
   *
   * @param text The input.
   * @param rng The call's random stream.
   * @returns The text.
   */
  protected transformText(text: string, rng: TextRng): string {
    const out = graphemes(text);
    for (let i = 0; i < out.length; i++) {
      const h = out[i].length === 1 ? HOMOGLYPHS[out[i]] : undefined;
      if (h !== undefined && rng.chance(this.#prob)) out[i] = h;
    }
    return out.join("");
  }
}
