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
 * Options of {@link AzertyQwertySwap}.
 *
 * @example
 * ```ts
 * import type { AzertyQwertySwapOptions } from "./azerty_qwerty_swap.ts";
 * const o: AzertyQwertySwapOptions = { prob: 0.5 };
 * console.log(o.prob);
 * ```
 */
export interface AzertyQwertySwapOptions extends OperationOptions {
  /** Probability that a swappable letter is typed on the wrong layout (default 1). */
  prob?: number;
}

const SCHEMA = z.strictObject({ ...operationOptionsShape(), prob: probability(1) });
/** Letters whose keys differ between AZERTY and QWERTY. */
const SWAP: Readonly<Record<string, string>> = {
  a: "q",
  q: "a",
  z: "w",
  w: "z",
  A: "Q",
  Q: "A",
  Z: "W",
  W: "Z",
};

/**
 * Text typed as if on the other layout: a<->q and z<->w (AZERTY vs QWERTY),
 * each occurrence with probability `prob`. After NL-Augmenter's
 * `azerty_qwerty_chars_swap`.
 *
 * @example
 * ```ts
 * import { AzertyQwertySwap } from "./azerty_qwerty_swap.ts";
 * console.log(new AzertyQwertySwap().generateText("Amazing quiz")[0]); // "Qmqwing auiw"
 * ```
 */
export class AzertyQwertySwap extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "azerty_qwerty_swap",
    description: "a/q and z/w swapped as when typing on the other keyboard layout",
    kinds: TEXT_KINDS,
    tasks: ["text_classification", "text_to_text_generation"],
    languages: ["en", "fr"],
    keywords: ["morphological", "noise", "rule-based", "written"],
    heavy: false,
    reference: "azerty_qwerty_chars_swap",
    preservesLabel: true,
  };
  #prob: number;

  /**
   * Creates the transformation.
   *
   * @param options Seed, maxOutputs and prob.
   */
  constructor(options: AzertyQwertySwapOptions = {}) {
    const o = parseOptions(SCHEMA, options, AzertyQwertySwap.info.name);
    super(AzertyQwertySwap.info, o.seed, o.maxOutputs);
    this.#prob = o.prob;
    this.randomized = o.prob > 0 && o.prob < 1;
  }

  /**
   * Swaps layout letters.
   *
   * @param text The input.
   * @param rng The call's random stream.
   * @returns The text.
   */
  protected transformText(text: string, rng: TextRng): string {
    const out = graphemes(text);
    for (let i = 0; i < out.length; i++) {
      const s = out[i].length === 1 ? SWAP[out[i]] : undefined;
      if (s !== undefined && rng.chance(this.#prob)) out[i] = s;
    }
    return out.join("");
  }
}
