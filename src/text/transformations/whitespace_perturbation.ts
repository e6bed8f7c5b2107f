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
 * Options of {@link WhitespacePerturbation}.
 *
 * @example
 * ```ts
 * import type { WhitespacePerturbationOptions } from "./whitespace_perturbation.ts";
 * const o: WhitespacePerturbationOptions = { addProb: 0.1, removeProb: 0.2 };
 * console.log(o.addProb);
 * ```
 */
export interface WhitespacePerturbationOptions extends OperationOptions {
  /** Probability of inserting a space after a non-space character (default 0.05). */
  addProb?: number;
  /** Probability of deleting a space (default 0.1). */
  removeProb?: number;
}

const SCHEMA = z.strictObject({
  ...operationOptionsShape(),
  addProb: probability(0.05),
  removeProb: probability(0.1),
});

/**
 * Adds and removes spaces at random (spaces go between grapheme clusters, never
 * inside one). After NL-Augmenter's `whitespace_perturbation`.
 *
 * @example
 * ```ts
 * import { WhitespacePerturbation } from "./whitespace_perturbation.ts";
 * const [out] = new WhitespacePerturbation({ addProb: 0, removeProb: 1 }).generateText("a b c");
 * console.log(out); // "abc"
 * ```
 */
export class WhitespacePerturbation extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "whitespace_perturbation",
    description: "spaces inserted and deleted at random",
    kinds: TEXT_KINDS,
    tasks: ["text_classification", "text_to_text_generation"],
    languages: ["all"],
    keywords: ["morphological", "noise", "rule-based", "unnatural", "high-coverage"],
    heavy: false,
    reference: "whitespace_perturbation",
    preservesLabel: true,
  };
  #add: number;
  #remove: number;

  /**
   * Creates the transformation.
   *
   * @param options Seed, maxOutputs, addProb and removeProb.
   */
  constructor(options: WhitespacePerturbationOptions = {}) {
    const o = parseOptions(SCHEMA, options, WhitespacePerturbation.info.name);
    super(WhitespacePerturbation.info, o.seed, o.maxOutputs);
    this.#add = o.addProb;
    this.#remove = o.removeProb;
  }

  /**
   * Perturbs spacing.
   *
   * @param text The input.
   * @param rng The call's random stream.
   * @returns The text.
   */
  protected transformText(text: string, rng: TextRng): string {
    const out: string[] = [];
    for (const g of graphemes(text)) {
      if (g === " ") {
        if (!rng.chance(this.#remove)) out.push(g);
      } else if (/^\s+$/.test(g)) {
        out.push(g);
      } else {
        out.push(g);
        if (rng.chance(this.#add)) out.push(" ");
      }
    }
    return out.join("");
  }
}
