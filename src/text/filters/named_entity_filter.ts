import { z } from "zod";
import { compromiseTerms } from "../compromise_terms.ts";
import { EXAMPLE_KINDS } from "../example.ts";
import { Filter } from "../filter.ts";
import { ENTITY_MENTIONS } from "../lexicons/entity_mentions.ts";
import { firstNames } from "../lexicons/first_names.ts";
import { COUNTRIES, US_STATES } from "../lexicons/geo_abbreviations.ts";
import type { OperationInfo } from "../operation.ts";
import { type OperationOptions, operationOptionsShape, parseOptions } from "../options.ts";
import { PhraseTable } from "../phrase_table.ts";
import { COMPROMISE_MAX_CHARS } from "../pos_tagger.ts";

/**
 * An entity type counted by {@link NamedEntityFilter}.
 *
 * @example
 * ```ts
 * import type { EntityType } from "./named_entity_filter.ts";
 * const t: EntityType = "place";
 * console.log(t);
 * ```
 */
export type EntityType = "person" | "place" | "organization";

/**
 * Options of {@link NamedEntityFilter}.
 *
 * @example
 * ```ts
 * import type { NamedEntityFilterOptions } from "./named_entity_filter.ts";
 * const o: NamedEntityFilterOptions = { min: 2, types: ["person"] };
 * console.log(o.min);
 * ```
 */
export interface NamedEntityFilterOptions extends OperationOptions {
  /** Fewest entity mentions (default 1). */
  min?: number;
  /** Which entity types count (default all three). */
  types?: EntityType[];
}

const SCHEMA = z.strictObject({
  ...operationOptionsShape(),
  min: z.number().int().min(1).default(1),
  types: z.array(z.enum(["person", "place", "organization"])).min(1)
    .default(["person", "place", "organization"]),
});
let gazetteer: Map<EntityType, PhraseTable> | undefined;

/**
 * Keeps texts that mention at least `min` named entities of the given types,
 * found by `compromise` (people, places, organizations). Texts longer than
 * `COMPROMISE_MAX_CHARS` use a gazetteer instead (first-name lists, countries,
 * U.S. states, capitals, known organizations), which keeps very long inputs
 * linear. After NL-Augmenter's `named-entity-count` filter (spaCy there).
 *
 * @example
 * ```ts
 * import { NamedEntityFilter } from "./named_entity_filter.ts";
 * const f = new NamedEntityFilter({ min: 2 });
 * console.log(f.filterText("Barack Obama visited Paris."), f.filterText("It rained all day.")); // true false
 * ```
 */
export class NamedEntityFilter extends Filter {
  /** Declarations. */
  static readonly info: OperationInfo = {
    name: "named_entity_filter",
    description: "texts mentioning named entities (people, places, organizations)",
    kinds: EXAMPLE_KINDS,
    tasks: ["text_classification", "text_to_text_generation", "question_answering", "text_tagging"],
    languages: ["en"],
    keywords: ["rule-based", "parser-based", "external-knowledge-based"],
    heavy: false,
    reference: "named-entity-count",
  };
  #min: number;
  #types: readonly EntityType[];

  /**
   * Creates the filter.
   *
   * @param options Seed, maxOutputs, min and types.
   */
  constructor(options: NamedEntityFilterOptions = {}) {
    const o = parseOptions(SCHEMA, options, NamedEntityFilter.info.name);
    super(NamedEntityFilter.info, o.seed, o.maxOutputs);
    this.#min = o.min;
    this.#types = [...new Set(o.types)];
  }

  /**
   * Counts entities.
   *
   * @param text The text.
   * @returns Whether there are enough.
   */
  protected test(text: string): boolean {
    let n = 0;
    if (text.length <= COMPROMISE_MAX_CHARS) {
      let previous: EntityType | null = null;
      for (const t of compromiseTerms(text)) {
        const type = entityType(t.tags);
        if (type !== null && type !== previous && this.#types.includes(type)) n++;
        previous = type;
      }
      return n >= this.#min;
    }
    const tables = gazetteers();
    for (const t of this.#types) {
      n += tables.get(t)!.findAll(text).length;
      if (n >= this.#min) return true;
    }
    return false;
  }
}

/**
 * The entity type of a compromise term from its tags, or null.
 *
 * @example
 * ```ts
 * import { entityType } from "./named_entity_filter.ts";
 * console.log(entityType(["Noun", "Place", "City"]), entityType(["Verb"])); // "place" null
 * ```
 * @param tags compromise tags.
 * @returns person, place, organization or null.
 */
export function entityType(tags: readonly string[]): EntityType | null {
  if (tags.includes("Person")) return "person";
  if (tags.includes("Place")) return "place";
  if (tags.includes("Organization")) return "organization";
  return null;
}

function gazetteers(): Map<EntityType, PhraseTable> {
  if (gazetteer) return gazetteer;
  const names = firstNames();
  const entry = (s: string): readonly [string, string[]] => [s, [s]] as const;
  gazetteer = new Map([
    ["person", new PhraseTable([...names.femaleList, ...names.maleList].map(entry), true)],
    [
      "place",
      new PhraseTable(
        [
          ...US_STATES.map(([n]) => n),
          ...COUNTRIES.map(([n]) => n),
          ...ENTITY_MENTIONS.LOC.map((m) => m.join(" ")),
        ].map(entry),
        true,
      ),
    ],
    ["organization", new PhraseTable(ENTITY_MENTIONS.ORG.map((m) => entry(m.join(" "))), true)],
  ]);
  return gazetteer;
}
