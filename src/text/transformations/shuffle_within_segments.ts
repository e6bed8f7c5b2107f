import { z } from "zod";
import type { TextExample } from "../example.ts";
import type { TransformationInfo } from "../operation.ts";
import {
  type OperationOptions,
  operationOptionsShape,
  parseOptions,
  probability,
} from "../options.ts";
import { TextRng } from "../rng.ts";
import { tagSpans } from "../tag_spans.ts";
import { Transformation } from "../transformation.ts";

/**
 * Options of {@link ShuffleWithinSegments}.
 *
 * @example
 * ```ts
 * import type { ShuffleWithinSegmentsOptions } from "./shuffle_within_segments.ts";
 * const o: ShuffleWithinSegmentsOptions = { prob: 1 };
 * console.log(o.prob);
 * ```
 */
export interface ShuffleWithinSegmentsOptions extends OperationOptions {
  /** Probability that a segment of two or more tokens is shuffled (default 0.5). */
  prob?: number;
}

const SCHEMA = z.strictObject({ ...operationOptionsShape(), prob: probability(0.5) });

/**
 * Shuffle within segments (Dai & Adel 2020): the token sequence is split into
 * segments of one label (each mention, each run of "O" tokens); each segment is
 * shuffled with probability `prob`, tokens only, so the tag sequence is
 * unchanged and stays aligned. After NL-Augmenter's `shuffle_within_segments`.
 *
 * @example
 * ```ts
 * import { ShuffleWithinSegments } from "./shuffle_within_segments.ts";
 * const op = new ShuffleWithinSegments({ prob: 1, seed: 1 });
 * const [out] = op.generate({ kind: "tagging", tokens: ["I", "saw", "New", "York", "today"], tags: ["O", "O", "B-LOC", "I-LOC", "O"] });
 * console.log(out.kind === "tagging" && out.tags.join(" ")); // "O O B-LOC I-LOC O"
 * ```
 */
export class ShuffleWithinSegments extends Transformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "shuffle_within_segments",
    description: "tokens shuffled within same-label segments; tags stay aligned",
    kinds: ["tagging"],
    tasks: ["text_tagging"],
    languages: ["all"],
    keywords: ["word-order", "rule-based", "unnatural", "high-coverage"],
    heavy: false,
    reference: "shuffle_within_segments",
    preservesLabel: true,
  };
  #prob: number;

  /**
   * Creates the transformation.
   *
   * @param options Seed, maxOutputs and prob.
   */
  constructor(options: ShuffleWithinSegmentsOptions = {}) {
    const o = parseOptions(SCHEMA, options, ShuffleWithinSegments.info.name);
    super(ShuffleWithinSegments.info, o.seed, o.maxOutputs);
    this.#prob = o.prob;
  }

  /**
   * Shuffles segments.
   *
   * @param example A validated tagging example.
   * @returns The outputs.
   */
  protected apply(example: TextExample): TextExample[] {
    if (example.kind !== "tagging") return [example];
    const rng = TextRng.forInput(this.seed, example.tokens.join("\u0000"));
    const spans = tagSpans(example.tags);
    const outputs: TextExample[] = [];
    for (let k = 0; k < this.maxOutputs; k++) {
      const tokens = [...example.tokens];
      for (const s of spans) {
        if (s.end - s.start < 2 || !rng.chance(this.#prob)) continue;
        const seg = rng.shuffle(tokens.slice(s.start, s.end));
        tokens.splice(s.start, seg.length, ...seg);
      }
      outputs.push({ kind: "tagging", tokens, tags: [...example.tags] });
    }
    return outputs;
  }
}
