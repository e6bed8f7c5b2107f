import { z } from "zod";
import { graphemes } from "../graphemes.ts";
import { HESITATIONS } from "../lexicons/filler_words.ts";
import type { TransformationInfo } from "../operation.ts";
import {
  type OperationOptions,
  operationOptionsShape,
  parseOptions,
  probability,
} from "../options.ts";
import type { TextRng } from "../rng.ts";
import { SentenceTransformation, TEXT_KINDS } from "../sentence_transformation.ts";
import { splitWords } from "../words.ts";

/**
 * Options of {@link SpeechDisfluency}.
 *
 * @example
 * ```ts
 * import type { SpeechDisfluencyOptions } from "./speech_disfluency.ts";
 * const o: SpeechDisfluencyOptions = { prob: 0.3 };
 * console.log(o.prob);
 * ```
 */
export interface SpeechDisfluencyOptions extends OperationOptions {
  /** Probability that a word is spoken disfluently (default 0.1). */
  prob?: number;
}

const SCHEMA = z.strictObject({ ...operationOptionsShape(), prob: probability(0.1) });

/**
 * Speech disfluencies before words: a hesitation ("uh word"), a repetition
 * ("word word") or a false start cut after one to three grapheme clusters
 * ("wo- word"). After NL-Augmenter's speech disfluency perturbation.
 *
 * @example
 * ```ts
 * import { SpeechDisfluency } from "./speech_disfluency.ts";
 * const [out] = new SpeechDisfluency({ prob: 1, seed: 0 }).generateText("we should go");
 * console.log(out.endsWith("go"), out.length > "we should go".length); // true true
 * ```
 */
export class SpeechDisfluency extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "speech_disfluency",
    description: "hesitations, repetitions and false starts before words",
    kinds: TEXT_KINDS,
    tasks: ["text_classification", "text_to_text_generation"],
    languages: ["en"],
    keywords: ["lexical", "noise", "rule-based", "natural-sounding", "aural"],
    heavy: false,
    reference: "speech_disfluency_perturbation",
    preservesLabel: true,
  };
  #prob: number;

  /**
   * Creates the transformation.
   *
   * @param options Seed, maxOutputs and prob.
   */
  constructor(options: SpeechDisfluencyOptions = {}) {
    const o = parseOptions(SCHEMA, options, SpeechDisfluency.info.name);
    super(SpeechDisfluency.info, o.seed, o.maxOutputs);
    this.#prob = o.prob;
  }

  /**
   * Adds disfluencies.
   *
   * @param text The input.
   * @param rng The call's random stream.
   * @returns The text.
   */
  protected transformText(text: string, rng: TextRng): string {
    return splitWords(text).map((s) => {
      if (!s.isWord || !rng.chance(this.#prob)) return s.text;
      const kind = rng.int(3);
      if (kind === 0) return `${rng.pick(HESITATIONS)} ${s.text}`;
      const g = graphemes(s.text);
      if (kind === 1 || g.length < 3) return `${s.text} ${s.text}`;
      const cut = 1 + rng.int(Math.min(3, g.length - 1));
      return `${g.slice(0, cut).join("")}- ${s.text}`;
    }).join("");
  }
}
