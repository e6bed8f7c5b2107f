import { z } from "zod";
import { isSingleCodePoint } from "../graphemes.ts";
import { graphemes } from "../graphemes.ts";
import {
  KEYBOARD_LAYOUTS,
  type KeyboardLayout,
  keyboardNeighbors,
} from "../lexicons/keyboard_layouts.ts";
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
 * Options of {@link ButterFingers}.
 *
 * @example
 * ```ts
 * import type { ButterFingersOptions } from "./butter_fingers.ts";
 * const o: ButterFingersOptions = { prob: 0.1, layout: "azerty" };
 * console.log(o.layout);
 * ```
 */
export interface ButterFingersOptions extends OperationOptions {
  /** Probability that a letter is mistyped (default 0.05, as the reference's sentence operation). */
  prob?: number;
  /** Keyboard whose neighbouring keys produce the typos (default "qwerty"). */
  layout?: KeyboardLayout;
}

const SCHEMA = z.strictObject({
  ...operationOptionsShape(),
  prob: probability(0.05),
  layout: z.enum(KEYBOARD_LAYOUTS as [KeyboardLayout, ...KeyboardLayout[]]).default("qwerty"),
});

/**
 * Butter fingers: each letter is, with probability `prob`, replaced by a letter
 * on a neighbouring key of the chosen keyboard layout (case kept). Only
 * single-code-point letters change, so accents, emoji and non-Latin scripts pass
 * through intact. After NL-Augmenter's `butter_fingers_perturbation`.
 *
 * @example
 * ```ts
 * import { ButterFingers } from "./butter_fingers.ts";
 * const op = new ButterFingers({ prob: 0.3, seed: 1 });
 * const [out] = op.generateText("Hello world");
 * console.log(out.length, out === op.generateText("Hello world")[0]); // 11 true
 * ```
 */
export class ButterFingers extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "butter_fingers",
    description: "letters replaced by neighbouring keys of a keyboard layout",
    kinds: TEXT_KINDS,
    tasks: ["text_classification", "text_to_text_generation", "text_tagging"],
    languages: ["en", "fr", "de"],
    keywords: ["morphological", "noise", "rule-based", "high-coverage", "high-precision"],
    heavy: false,
    reference: "butter_fingers_perturbation",
    preservesLabel: true,
  };
  #prob: number;
  #neighbors: ReadonlyMap<string, string>;

  /**
   * Creates the transformation.
   *
   * @param options Seed, maxOutputs, prob and layout.
   */
  constructor(options: ButterFingersOptions = {}) {
    const o = parseOptions(SCHEMA, options, ButterFingers.info.name);
    super(ButterFingers.info, o.seed, o.maxOutputs);
    this.#prob = o.prob;
    this.#neighbors = keyboardNeighbors(o.layout);
  }

  /**
   * Mistypes letters.
   *
   * @param text The input.
   * @param rng The call's random stream.
   * @returns The text with typos.
   */
  protected transformText(text: string, rng: TextRng): string {
    const out = graphemes(text);
    for (let i = 0; i < out.length; i++) {
      const g = out[i];
      if (!isSingleCodePoint(g)) continue;
      const lower = g.toLowerCase();
      const near = this.#neighbors.get(lower);
      if (near === undefined || near.length === 0 || !rng.chance(this.#prob)) continue;
      const typo = near[rng.int(near.length)];
      out[i] = g === lower ? typo : typo.toUpperCase();
    }
    return out.join("");
  }
}
