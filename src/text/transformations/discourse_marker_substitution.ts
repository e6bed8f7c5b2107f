import { z } from "zod";
import { matchCase } from "../case_pattern.ts";
import { DISCOURSE_MARKERS } from "../lexicons/discourse_markers.ts";
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
 * Options of {@link DiscourseMarkerSubstitution}.
 *
 * @example
 * ```ts
 * import type { DiscourseMarkerSubstitutionOptions } from "./discourse_marker_substitution.ts";
 * const o: DiscourseMarkerSubstitutionOptions = { prob: 0.5 };
 * console.log(o.prob);
 * ```
 */
export interface DiscourseMarkerSubstitutionOptions extends OperationOptions {
  /** Probability that a marker is substituted (default 1). */
  prob?: number;
}

const SCHEMA = z.strictObject({ ...operationOptionsShape(), prob: probability(1) });
let table: PhraseTable | undefined;

/**
 * Replaces discourse markers by others of the same sense ("however" ->
 * "nevertheless", "therefore" -> "as a result", "for example" -> "for
 * instance"), keeping the case. After NL-Augmenter's
 * `discourse_marker_substitution`.
 *
 * @example
 * ```ts
 * import { DiscourseMarkerSubstitution } from "./discourse_marker_substitution.ts";
 * const [out] = new DiscourseMarkerSubstitution().generateText("However, it rained.");
 * console.log(out.endsWith(", it rained."), out.startsWith("However")); // true false
 * ```
 */
export class DiscourseMarkerSubstitution extends SentenceTransformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "discourse_marker_substitution",
    description: "discourse markers replaced by markers of the same sense",
    kinds: TEXT_KINDS,
    tasks: ["text_classification", "text_to_text_generation", "textual_entailment"],
    languages: ["en"],
    keywords: ["lexical", "discourse", "rule-based", "natural-sounding", "high-precision"],
    heavy: false,
    reference: "discourse_marker_substitution",
    preservesLabel: true,
  };
  #prob: number;

  /**
   * Creates the transformation.
   *
   * @param options Seed, maxOutputs and prob.
   */
  constructor(options: DiscourseMarkerSubstitutionOptions = {}) {
    const o = parseOptions(SCHEMA, options, DiscourseMarkerSubstitution.info.name);
    super(DiscourseMarkerSubstitution.info, o.seed, o.maxOutputs);
    this.#prob = o.prob;
    table ??= new PhraseTable(
      Object.values(DISCOURSE_MARKERS).flatMap((group) =>
        group.map((m) => [m, group.filter((x) => x !== m)] as const)
      ),
    );
  }

  /**
   * Substitutes markers.
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
