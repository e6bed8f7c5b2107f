import { z } from "zod";
import { matchCase } from "../case_pattern.ts";
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
 * Options of {@link ColorTransformation}.
 *
 * @example
 * ```ts
 * import type { ColorTransformationOptions } from "./color_transformation.ts";
 * const o: ColorTransformationOptions = { prob: 0.5 };
 * console.log(o.prob);
 * ```
 */
export interface ColorTransformationOptions extends OperationOptions {
  /** Probability that a colour word is replaced (default 1). */
  prob?: number;
}

const SCHEMA = z.strictObject({ ...operationOptionsShape(), prob: probability(1) });
const COLORS = [
  "red",
  "blue",
  "green",
  "yellow",
  "orange",
  "purple",
  "pink",
  "brown",
  "black",
  "white",
  "gray",
  "grey",
  "violet",
  "turquoise",
  "beige",
  "crimson",
  "scarlet",
  "magenta",
  "maroon",
  "navy",
  "teal",
];
let table: PhraseTable | undefined;

/**
 * Replaces colour words by other colours ("a red car" -> "a teal car"),
 * keeping the case. After NL-Augmenter's `color_transformation`.
 *
 * @example
 * ```ts
 * import { ColorTransformation } from "./color_transformation.ts";
 * const [out] = new ColorTransformation().generateText("A red car");
 * console.log(out.startsWith("A "), out.endsWith(" car"), out !== "A red car"); // true true true
 * ```
 */
export class ColorTransformation extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "color_transformation",
    description: "colour words replaced by other colours",
    kinds: TEXT_KINDS,
    tasks: ["text_classification", "text_to_text_generation"],
    languages: ["en"],
    keywords: ["lexical", "rule-based", "natural-sounding", "visual"],
    heavy: false,
    reference: "color_transformation",
    preservesLabel: true,
  };
  #prob: number;

  /**
   * Creates the transformation.
   *
   * @param options Seed, maxOutputs and prob.
   */
  constructor(options: ColorTransformationOptions = {}) {
    const o = parseOptions(SCHEMA, options, ColorTransformation.info.name);
    super(ColorTransformation.info, o.seed, o.maxOutputs);
    this.#prob = o.prob;
    table ??= new PhraseTable(
      COLORS.map((c) => [c, COLORS.filter((x) => x !== c && !(c + x).match(/^(gray|grey){2}$/))]),
    );
  }

  /**
   * Replaces colours.
   *
   * @param text The input.
   * @param rng The call's random stream.
   * @returns The text.
   */
  protected transformText(text: string, rng: TextRng): string {
    return table!.replace(
      text,
      (m) => rng.chance(this.#prob) ? matchCase(m.text, rng.pick(m.candidates)) : null,
    );
  }
}
