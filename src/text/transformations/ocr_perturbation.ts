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
 * Options of {@link OcrPerturbation}.
 *
 * @example
 * ```ts
 * import type { OcrPerturbationOptions } from "./ocr_perturbation.ts";
 * const o: OcrPerturbationOptions = { prob: 0.2 };
 * console.log(o.prob);
 * ```
 */
export interface OcrPerturbationOptions extends OperationOptions {
  /** Probability that a confusable character (pair) is misread (default 0.1). */
  prob?: number;
}

const SCHEMA = z.strictObject({ ...operationOptionsShape(), prob: probability(0.1) });

/** Two-character sequences an OCR engine merges. */
const PAIRS: Readonly<Record<string, string>> = { rn: "m", cl: "d", vv: "w", li: "h" };
/** Single characters an OCR engine confuses with look-alikes. */
const SINGLES: Readonly<Record<string, readonly string[]>> = {
  m: ["rn"],
  d: ["cl"],
  w: ["vv"],
  l: ["1", "I"],
  I: ["l", "1"],
  i: ["l"],
  O: ["0"],
  o: ["0"],
  e: ["c"],
  c: ["e"],
  S: ["5"],
  s: ["5"],
  B: ["8"],
  g: ["q", "9"],
  h: ["b"],
  u: ["v"],
  n: ["ri"],
  Z: ["2"],
};

/**
 * OCR errors without an OCR engine: characters and pairs that scanners confuse
 * ("rn" <-> "m", "cl" <-> "d", "l" -> "1", "O" -> "0", "e" -> "c" ...) are
 * swapped with probability `prob`. NL-Augmenter's `ocr_perturbation` renders
 * text and runs Tesseract; this rule-based version keeps the kind of error
 * without the model.
 *
 * @example
 * ```ts
 * import { OcrPerturbation } from "./ocr_perturbation.ts";
 * console.log(new OcrPerturbation({ prob: 1 }).generateText("modern")[0]); // "rn0clcm"
 * ```
 */
export class OcrPerturbation extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "ocr_perturbation",
    description: "characters swapped for ones an OCR engine confuses them with",
    kinds: TEXT_KINDS,
    tasks: ["text_classification", "text_to_text_generation"],
    languages: ["en"],
    keywords: ["morphological", "noise", "rule-based", "visual", "natural-looking"],
    heavy: false,
    reference: "ocr_perturbation (rule-based, no Tesseract)",
    preservesLabel: true,
  };
  #prob: number;

  /**
   * Creates the transformation.
   *
   * @param options Seed, maxOutputs and prob.
   */
  constructor(options: OcrPerturbationOptions = {}) {
    const o = parseOptions(SCHEMA, options, OcrPerturbation.info.name);
    super(OcrPerturbation.info, o.seed, o.maxOutputs);
    this.#prob = o.prob;
  }

  /**
   * Misreads characters.
   *
   * @param text The input.
   * @param rng The call's random stream.
   * @returns The text.
   */
  protected transformText(text: string, rng: TextRng): string {
    const g = graphemes(text);
    const out: string[] = [];
    for (let i = 0; i < g.length; i++) {
      const pair = i + 1 < g.length ? PAIRS[g[i] + g[i + 1]] : undefined;
      if (pair !== undefined && rng.chance(this.#prob)) {
        out.push(pair);
        i++;
        continue;
      }
      const alts = SINGLES[g[i]];
      out.push(alts !== undefined && rng.chance(this.#prob) ? rng.pick(alts) : g[i]);
    }
    return out.join("");
  }
}
