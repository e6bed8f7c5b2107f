import { z } from "zod";
import type { TextExample } from "../example.ts";
import type { TransformationInfo } from "../operation.ts";
import { type OperationOptions, operationOptionsShape, parseOptions } from "../options.ts";
import { TextRng } from "../rng.ts";
import { Transformation } from "../transformation.ts";

/**
 * Options of {@link KeyValueShuffle} (only the common ones).
 *
 * @example
 * ```ts
 * import type { KeyValueShuffleOptions } from "./key_value_shuffle.ts";
 * const o: KeyValueShuffleOptions = { maxOutputs: 2 };
 * console.log(o.maxOutputs);
 * ```
 */
export type KeyValueShuffleOptions = OperationOptions;

const SCHEMA = z.strictObject(operationOptionsShape());

/**
 * Shuffles the order of the attribute-value pairs of a meaning representation
 * (E2E, data-to-text); the reference text is unchanged, since the meaning does
 * not depend on the order in which attributes are listed. A key-value
 * operation in the sense of NL-Augmenter's `KeyValuePairsOperation` (own rule).
 *
 * @example
 * ```ts
 * import { KeyValueShuffle } from "./key_value_shuffle.ts";
 * const ex = { kind: "key_value" as const, meaning: { name: "Aromi", food: "Italian", area: "city centre" }, reference: "Aromi is an Italian place in the city centre." };
 * const [out] = new KeyValueShuffle({ seed: 2 }).generate(ex);
 * console.log(out.kind === "key_value" && Object.keys(out.meaning).sort().join()); // "area,food,name"
 * ```
 */
export class KeyValueShuffle extends Transformation {
  /** Declarations. */
  static readonly info: TransformationInfo = {
    name: "key_value_shuffle",
    description: "attribute-value pairs of a meaning representation reordered",
    kinds: ["key_value"],
    tasks: ["e2e_task", "table_to_text", "dialogue_act_to_text"],
    languages: ["all"],
    keywords: ["word-order", "rule-based", "high-precision"],
    heavy: false,
    reference: "KeyValuePairsOperation (own rule)",
    preservesLabel: true,
  };

  /**
   * Creates the transformation.
   *
   * @param options Seed and maxOutputs.
   */
  constructor(options: KeyValueShuffleOptions = {}) {
    const o = parseOptions(SCHEMA, options, KeyValueShuffle.info.name);
    super(KeyValueShuffle.info, o.seed, o.maxOutputs);
  }

  /**
   * Reorders pairs.
   *
   * @param example A validated key-value example.
   * @returns The outputs.
   */
  protected apply(example: TextExample): TextExample[] {
    if (example.kind !== "key_value") return [example];
    const entries = Object.entries(example.meaning);
    const rng = TextRng.forInput(this.seed, JSON.stringify(entries));
    const outputs: TextExample[] = [];
    for (let k = 0; k < this.maxOutputs; k++) {
      const shuffled = rng.shuffle([...entries]);
      outputs.push({ ...example, meaning: Object.fromEntries(shuffled) });
    }
    return outputs;
  }
}
