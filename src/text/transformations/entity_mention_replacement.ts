import { z } from "zod";
import type { TextExample } from "../example.ts";
import { ENTITY_MENTIONS } from "../lexicons/entity_mentions.ts";
import { firstNames } from "../lexicons/first_names.ts";
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
 * Options of {@link EntityMentionReplacement}.
 *
 * @example
 * ```ts
 * import type { EntityMentionReplacementOptions } from "./entity_mention_replacement.ts";
 * const o: EntityMentionReplacementOptions = { prob: 1, mentions: { LOC: ["Lima", "New Delhi"] } };
 * console.log(o.mentions?.LOC?.length);
 * ```
 */
export interface EntityMentionReplacementOptions extends OperationOptions {
  /** Probability that a mention is replaced (default 0.5). */
  prob?: number;
  /**
   * Replacement mentions by entity type, as space-separated strings (e.g. the
   * mentions of a training set, as in the paper). Types not listed use the
   * built-in bank: PER (first name + surname), LOC, ORG, MISC.
   */
  mentions?: Record<string, string[]>;
}

const SCHEMA = z.strictObject({
  ...operationOptionsShape(),
  prob: probability(0.5),
  mentions: z.record(z.string(), z.array(z.string().trim().min(1)).min(1)).default({}),
});

/**
 * Mention replacement (Dai & Adel 2020): each entity mention of a tagged
 * sequence (BIO, IOB1 or IO tags) is, with probability `prob`, replaced by
 * another mention of the same type; the new tokens get tags of the same scheme
 * ("B-PER", "I-PER"...), so tokens and tags stay aligned even when the length
 * changes. After NL-Augmenter's `tag_subsequence_substitution`/entity
 * replacement operations.
 *
 * @example
 * ```ts
 * import { EntityMentionReplacement } from "./entity_mention_replacement.ts";
 * const op = new EntityMentionReplacement({ prob: 1, mentions: { LOC: ["Buenos Aires"] } });
 * const [out] = op.generate({ kind: "tagging", tokens: ["Flights", "to", "Rome", "."], tags: ["O", "O", "B-LOC", "O"] });
 * console.log(out.kind === "tagging" && out.tokens.join(" "), out.kind === "tagging" && out.tags.join(" "));
 * // "Flights to Buenos Aires ." "O O B-LOC I-LOC O"
 * ```
 */
export class EntityMentionReplacement extends Transformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "entity_mention_replacement",
    description: "entity mentions replaced by other mentions of the same type; tags realigned",
    kinds: ["tagging"],
    tasks: ["text_tagging"],
    languages: ["en"],
    keywords: ["lexical", "rule-based", "external-knowledge-based", "natural-sounding"],
    heavy: false,
    reference: "entity mention replacement (Dai & Adel 2020)",
    preservesLabel: true,
  };
  #prob: number;
  #bank: Map<string, (readonly string[])[]>;

  /**
   * Creates the transformation.
   *
   * @param options Seed, maxOutputs, prob and mentions.
   */
  constructor(options: EntityMentionReplacementOptions = {}) {
    const o = parseOptions(SCHEMA, options, EntityMentionReplacement.info.name);
    super(EntityMentionReplacement.info, o.seed, o.maxOutputs);
    this.#prob = o.prob;
    this.#bank = new Map();
    for (const type of ["LOC", "ORG", "MISC"]) this.#bank.set(type, [...ENTITY_MENTIONS[type]]);
    for (const [type, list] of Object.entries(o.mentions)) {
      this.#bank.set(type, list.map((m) => m.split(/\s+/)));
    }
  }

  /**
   * Replaces mentions.
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
      const tokens: string[] = [];
      const tags: string[] = [];
      for (const s of spans) {
        const old = example.tokens.slice(s.start, s.end);
        const oldTags = example.tags.slice(s.start, s.end);
        const pool = s.type === "O" ? undefined : this.#pool(s.type);
        if (pool === undefined || !rng.chance(this.#prob)) {
          tokens.push(...old);
          tags.push(...oldTags);
          continue;
        }
        let mention = pool(rng);
        for (let tries = 0; tries < 4 && mention.join(" ") === old.join(" "); tries++) {
          mention = pool(rng);
        }
        const first = oldTags[0];
        const prefixed = /^[BI]-/.test(first);
        mention.forEach((tok, i) => {
          tokens.push(tok);
          tags.push(!prefixed ? first : i === 0 ? first : `I-${s.type}`);
        });
      }
      outputs.push({ kind: "tagging", tokens, tags });
    }
    return outputs;
  }

  #pool(type: string): ((rng: TextRng) => readonly string[]) | undefined {
    const list = this.#bank.get(type);
    if (list !== undefined) return (rng) => rng.pick(list);
    if (type === "PER") {
      const names = firstNames();
      const surnames = ENTITY_MENTIONS.SURNAME;
      return (rng) => [
        rng.pick(rng.chance(0.5) ? names.femaleList : names.maleList),
        rng.pick(surnames)[0],
      ];
    }
    return undefined;
  }
}
