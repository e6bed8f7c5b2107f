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
 * Options of {@link ChangeCharCase}.
 *
 * @example
 * ```ts
 * import type { ChangeCharCaseOptions } from "./change_char_case.ts";
 * const o: ChangeCharCaseOptions = { prob: 0.5 };
 * console.log(o.prob);
 * ```
 */
export interface ChangeCharCaseOptions extends OperationOptions {
  /** Probability that a cased character flips case (default 0.35, as the reference). */
  prob?: number;
}

const SCHEMA = z.strictObject({ ...operationOptionsShape(), prob: probability(0.35) });

/**
 * Flips the case of characters at random. A grapheme cluster is flipped whole
 * ("é" with a combining accent stays one cluster) and only when both case forms
 * keep its length (so "ß" is left alone). After NL-Augmenter's `change_char_case`.
 *
 * @example
 * ```ts
 * import { ChangeCharCase } from "./change_char_case.ts";
 * const [out] = new ChangeCharCase({ prob: 1 }).generateText("Hello, World");
 * console.log(out); // "hELLO, wORLD"
 * ```
 */
export class ChangeCharCase extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "change_char_case",
    description: "characters flip between upper and lower case at random",
    kinds: TEXT_KINDS,
    tasks: ["text_classification", "text_to_text_generation"],
    languages: ["all"],
    keywords: ["morphological", "noise", "rule-based", "unnatural", "high-coverage"],
    heavy: false,
    reference: "change_char_case",
    preservesLabel: true,
  };
  #prob: number;

  /**
   * Creates the transformation.
   *
   * @param options Seed, maxOutputs and prob.
   */
  constructor(options: ChangeCharCaseOptions = {}) {
    const o = parseOptions(SCHEMA, options, ChangeCharCase.info.name);
    super(ChangeCharCase.info, o.seed, o.maxOutputs);
    this.#prob = o.prob;
  }

  /**
   * Flips case at random.
   *
   * @param text The input.
   * @param rng The call's random stream.
   * @returns The text.
   */
  protected transformText(text: string, rng: TextRng): string {
    const out = graphemes(text);
    for (let i = 0; i < out.length; i++) {
      const g = out[i];
      const up = g.toUpperCase(), lo = g.toLowerCase();
      if (up === lo || up.length !== g.length || lo.length !== g.length) continue;
      if (rng.chance(this.#prob)) out[i] = g === up ? lo : up;
    }
    return out.join("");
  }
}
