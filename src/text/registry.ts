import { AddHashtags } from "./transformations/add_hashtags.ts";
import { AmericanizeBritishize } from "./transformations/americanize_britishize.ts";
import { AntonymSubstitution } from "./transformations/antonym_substitution.ts";
import { AzertyQwertySwap } from "./transformations/azerty_qwerty_swap.ts";
import { ButterFingers } from "./transformations/butter_fingers.ts";
import { ChangeCharCase } from "./transformations/change_char_case.ts";
import { ColorTransformation } from "./transformations/color_transformation.ts";
import { CommonMisspellings } from "./transformations/common_misspellings.ts";
import { Contraction } from "./transformations/contraction.ts";
import { ContractionExpansion } from "./transformations/contraction_expansion.ts";
import { CountryStateAbbreviation } from "./transformations/country_state_abbreviation.ts";
import { DiacriticFilter } from "./filters/diacritic_filter.ts";
import { DiacriticRemoval } from "./transformations/diacritic_removal.ts";
import { DiscourseMarkerSubstitution } from "./transformations/discourse_marker_substitution.ts";
import { DyslexiaWordsSwap } from "./transformations/dyslexia_words_swap.ts";
import { EmojiFilter } from "./filters/emoji_filter.ts";
import { Emojify } from "./transformations/emojify.ts";
import { EncodingFilter } from "./filters/encoding_filter.ts";
import { EntityMentionReplacement } from "./transformations/entity_mention_replacement.ts";
import { FillerWords } from "./transformations/filler_words.ts";
import { GenderFilter } from "./filters/gender_filter.ts";
import { GenderSwap } from "./transformations/gender_swap.ts";
import { GreetingsAndFarewells } from "./transformations/greetings_and_farewells.ts";
import { InsertAbbreviation } from "./transformations/insert_abbreviation.ts";
import { KeyValueShuffle } from "./transformations/key_value_shuffle.ts";
import { KeywordsFilter } from "./filters/keywords_filter.ts";
import { LanguageFilter } from "./filters/language_filter.ts";
import { LeetLetters } from "./transformations/leet_letters.ts";
import { LengthFilter } from "./filters/length_filter.ts";
import { NameSubstitution } from "./transformations/name_substitution.ts";
import { NamedEntityFilter } from "./filters/named_entity_filter.ts";
import { NumericFilter } from "./filters/numeric_filter.ts";
import { NumericToWord } from "./transformations/numeric_to_word.ts";
import { OcrPerturbation } from "./transformations/ocr_perturbation.ts";
import { PigLatin } from "./transformations/pig_latin.ts";
import { PolarityFilter } from "./filters/polarity_filter.ts";
import { PosFilter } from "./filters/pos_filter.ts";
import { QuantitativeQuestionFilter } from "./filters/quantitative_question_filter.ts";
import { QuestionTypeFilter } from "./filters/question_type_filter.ts";
import { RandomDeletion } from "./transformations/random_deletion.ts";
import { RandomSwap } from "./transformations/random_swap.ts";
import { RandomUpper } from "./transformations/random_upper.ts";
import { RedundantContext } from "./transformations/redundant_context.ts";
import { RemovePunctuation } from "./transformations/remove_punctuation.ts";
import { RepetitionsFilter } from "./filters/repetitions_filter.ts";
import { ReplaceAcronyms } from "./transformations/replace_acronyms.ts";
import { ReplaceNumericalValues } from "./transformations/replace_numerical_values.ts";
import { SentenceReordering } from "./transformations/sentence_reordering.ts";
import { SentimentEmoji } from "./transformations/sentiment_emoji.ts";
import { ShuffleWithinSegments } from "./transformations/shuffle_within_segments.ts";
import { SimpleCiphers } from "./transformations/simple_ciphers.ts";
import { SpecialCharactersFilter } from "./filters/special_characters_filter.ts";
import { SpeechDisfluency } from "./transformations/speech_disfluency.ts";
import { SwapCharacters } from "./transformations/swap_characters.ts";
import { SynonymInsertion } from "./transformations/synonym_insertion.ts";
import { SynonymSubstitution } from "./transformations/synonym_substitution.ts";
import { TokenCountFilter } from "./filters/token_count_filter.ts";
import { UnderscoreTrick } from "./transformations/underscore_trick.ts";
import { VisualAttackLetters } from "./transformations/visual_attack_letters.ts";
import { WeekdayMonthAbbreviation } from "./transformations/weekday_month_abbreviation.ts";
import { WhitespacePerturbation } from "./transformations/whitespace_perturbation.ts";
import { InvalidArgumentError, UnknownNameError } from "../errors.ts";
import type { ExampleKind } from "./example.ts";
import type { Filter } from "./filter.ts";
import type { OperationInfo, TransformationInfo } from "./operation.ts";
import type { TaskType } from "./task_type.ts";
import type { Transformation } from "./transformation.ts";

/**
 * One registered operation: its kind ("transformation" or "filter"), its
 * declarations, a factory taking the operation's options, and options that make
 * a representative instance (used by the experiment and the benchmark; empty
 * means defaults).
 *
 * @example
 * ```ts
 * import { getOperation } from "./registry.ts";
 * const e = getOperation("butter_fingers");
 * console.log(e.type, e.info.languages.includes("en")); // "transformation" true
 * ```
 */
export type RegistryEntry =
  | {
    /** Discriminant. */
    readonly type: "transformation";
    /** Declarations. */
    readonly info: TransformationInfo;
    /** Builds an instance; throws InvalidArgumentError for bad options. */
    create(options?: Record<string, unknown>): Transformation;
    /** Options of a representative instance. */
    readonly exampleOptions: Readonly<Record<string, unknown>>;
  }
  | {
    /** Discriminant. */
    readonly type: "filter";
    /** Declarations. */
    readonly info: OperationInfo;
    /** Builds an instance; throws InvalidArgumentError for bad options. */
    create(options?: Record<string, unknown>): Filter;
    /** Options of a representative instance. */
    readonly exampleOptions: Readonly<Record<string, unknown>>;
  };

function entry(
  type: "transformation",
  info: TransformationInfo,
  create: (o: Record<string, unknown> | undefined) => Transformation,
  exampleOptions?: Record<string, unknown>,
): RegistryEntry;
function entry(
  type: "filter",
  info: OperationInfo,
  create: (o: Record<string, unknown> | undefined) => Filter,
  exampleOptions?: Record<string, unknown>,
): RegistryEntry;
function entry(
  type: "transformation" | "filter",
  info: OperationInfo,
  create: (o: Record<string, unknown> | undefined) => Transformation | Filter,
  exampleOptions: Record<string, unknown> = {},
): RegistryEntry {
  return { type, info, create, exampleOptions } as RegistryEntry;
}

const ENTRIES: readonly RegistryEntry[] = [
  entry("transformation", AddHashtags.info, (o) => new AddHashtags(o)),
  entry("transformation", AmericanizeBritishize.info, (o) => new AmericanizeBritishize(o)),
  entry("transformation", AntonymSubstitution.info, (o) => new AntonymSubstitution(o)),
  entry("transformation", AzertyQwertySwap.info, (o) => new AzertyQwertySwap(o)),
  entry("transformation", ButterFingers.info, (o) => new ButterFingers(o)),
  entry("transformation", ChangeCharCase.info, (o) => new ChangeCharCase(o)),
  entry("transformation", ColorTransformation.info, (o) => new ColorTransformation(o)),
  entry("transformation", CommonMisspellings.info, (o) => new CommonMisspellings(o)),
  entry("transformation", Contraction.info, (o) => new Contraction(o)),
  entry("transformation", ContractionExpansion.info, (o) => new ContractionExpansion(o)),
  entry("transformation", CountryStateAbbreviation.info, (o) => new CountryStateAbbreviation(o)),
  entry("transformation", DiacriticRemoval.info, (o) => new DiacriticRemoval(o)),
  entry(
    "transformation",
    DiscourseMarkerSubstitution.info,
    (o) => new DiscourseMarkerSubstitution(o),
  ),
  entry("transformation", DyslexiaWordsSwap.info, (o) => new DyslexiaWordsSwap(o)),
  entry("transformation", Emojify.info, (o) => new Emojify(o)),
  entry("transformation", EntityMentionReplacement.info, (o) => new EntityMentionReplacement(o)),
  entry("transformation", FillerWords.info, (o) => new FillerWords(o)),
  entry("transformation", GenderSwap.info, (o) => new GenderSwap(o)),
  entry("transformation", GreetingsAndFarewells.info, (o) => new GreetingsAndFarewells(o)),
  entry("transformation", InsertAbbreviation.info, (o) => new InsertAbbreviation(o)),
  entry("transformation", KeyValueShuffle.info, (o) => new KeyValueShuffle(o)),
  entry("transformation", LeetLetters.info, (o) => new LeetLetters(o)),
  entry("transformation", NameSubstitution.info, (o) => new NameSubstitution(o)),
  entry("transformation", NumericToWord.info, (o) => new NumericToWord(o)),
  entry("transformation", OcrPerturbation.info, (o) => new OcrPerturbation(o)),
  entry("transformation", PigLatin.info, (o) => new PigLatin(o)),
  entry("transformation", RandomDeletion.info, (o) => new RandomDeletion(o)),
  entry("transformation", RandomSwap.info, (o) => new RandomSwap(o)),
  entry("transformation", RandomUpper.info, (o) => new RandomUpper(o)),
  entry("transformation", RedundantContext.info, (o) => new RedundantContext(o)),
  entry("transformation", RemovePunctuation.info, (o) => new RemovePunctuation(o)),
  entry("transformation", ReplaceAcronyms.info, (o) => new ReplaceAcronyms(o)),
  entry("transformation", ReplaceNumericalValues.info, (o) => new ReplaceNumericalValues(o)),
  entry("transformation", SentenceReordering.info, (o) => new SentenceReordering(o)),
  entry("transformation", SentimentEmoji.info, (o) => new SentimentEmoji(o)),
  entry("transformation", ShuffleWithinSegments.info, (o) => new ShuffleWithinSegments(o)),
  entry("transformation", SimpleCiphers.info, (o) => new SimpleCiphers(o)),
  entry("transformation", SpeechDisfluency.info, (o) => new SpeechDisfluency(o)),
  entry("transformation", SwapCharacters.info, (o) => new SwapCharacters(o)),
  entry("transformation", SynonymInsertion.info, (o) => new SynonymInsertion(o)),
  entry("transformation", SynonymSubstitution.info, (o) => new SynonymSubstitution(o)),
  entry("transformation", UnderscoreTrick.info, (o) => new UnderscoreTrick(o)),
  entry("transformation", VisualAttackLetters.info, (o) => new VisualAttackLetters(o)),
  entry("transformation", WeekdayMonthAbbreviation.info, (o) => new WeekdayMonthAbbreviation(o)),
  entry("transformation", WhitespacePerturbation.info, (o) => new WhitespacePerturbation(o)),
  entry("filter", DiacriticFilter.info, (o) => new DiacriticFilter(o as never)),
  entry("filter", EmojiFilter.info, (o) => new EmojiFilter(o as never)),
  entry("filter", EncodingFilter.info, (o) => new EncodingFilter(o as never)),
  entry("filter", GenderFilter.info, (o) => new GenderFilter(o as never)),
  entry("filter", KeywordsFilter.info, (o) => new KeywordsFilter(o as never), {
    keywords: ["free", "money", "offer", "click", "win"],
  }),
  entry("filter", LanguageFilter.info, (o) => new LanguageFilter(o as never)),
  entry("filter", LengthFilter.info, (o) => new LengthFilter(o as never)),
  entry("filter", NamedEntityFilter.info, (o) => new NamedEntityFilter(o as never)),
  entry("filter", NumericFilter.info, (o) => new NumericFilter(o as never)),
  entry("filter", PolarityFilter.info, (o) => new PolarityFilter(o as never)),
  entry("filter", PosFilter.info, (o) => new PosFilter(o as never)),
  entry(
    "filter",
    QuantitativeQuestionFilter.info,
    (o) => new QuantitativeQuestionFilter(o as never),
  ),
  entry("filter", QuestionTypeFilter.info, (o) => new QuestionTypeFilter(o as never)),
  entry("filter", RepetitionsFilter.info, (o) => new RepetitionsFilter(o as never)),
  entry("filter", SpecialCharactersFilter.info, (o) => new SpecialCharactersFilter(o as never)),
  entry("filter", TokenCountFilter.info, (o) => new TokenCountFilter(o as never)),
];

/**
 * Criteria for {@link listOperations}; all given criteria must hold.
 *
 * @example
 * ```ts
 * import type { OperationQuery } from "./registry.ts";
 * const q: OperationQuery = { type: "filter", task: "question_answering" };
 * console.log(q.type);
 * ```
 */
export interface OperationQuery {
  /** Only transformations or only filters. */
  type?: "transformation" | "filter";
  /** Declares this task type. */
  task?: TaskType;
  /** Declares this language (operations declaring "all" match any). */
  language?: string;
  /** Declares this keyword. */
  keyword?: string;
  /** Accepts this example kind. */
  kind?: ExampleKind;
  /** Case-insensitive substring of the name or description. */
  search?: string;
  /** Include heavy operations (default true; none here are heavy). */
  includeHeavy?: boolean;
}

/**
 * Lists registered operations matching a query, in registry order
 * (transformations first, each group alphabetical).
 *
 * @example
 * ```ts
 * import { listOperations } from "./registry.ts";
 * console.log(listOperations({ type: "transformation", kind: "tagging" }).map((e) => e.info.name));
 * // ["entity_mention_replacement", "shuffle_within_segments"]
 * console.log(listOperations({ search: "emoji" }).length >= 3); // true
 * ```
 * @param query The criteria (none: everything).
 * @returns The matching entries.
 */
export function listOperations(query: OperationQuery = {}): RegistryEntry[] {
  const search = query.search?.toLowerCase();
  return ENTRIES.filter((e) =>
    (query.type === undefined || e.type === query.type) &&
    (query.task === undefined || e.info.tasks.includes(query.task)) &&
    (query.language === undefined || e.info.languages.includes(query.language) ||
      e.info.languages.includes("all")) &&
    (query.keyword === undefined || e.info.keywords.includes(query.keyword)) &&
    (query.kind === undefined || e.info.kinds.includes(query.kind)) &&
    (query.includeHeavy !== false || !e.info.heavy) &&
    (search === undefined || e.info.name.includes(search) ||
      e.info.description.toLowerCase().includes(search))
  );
}

/**
 * Looks an operation up by name; an unknown name raises `UnknownNameError`
 * listing the closest names.
 *
 * @example
 * ```ts
 * import { getOperation } from "./registry.ts";
 * try {
 *   getOperation("buter_fingers");
 * } catch (e) {
 *   console.log((e as Error).message); // unknown text operation "buter_fingers"; did you mean: butter_fingers, ...
 * }
 * ```
 * @param name A registry name.
 * @returns Its entry.
 */
export function getOperation(name: string): RegistryEntry {
  const found = ENTRIES.find((e) => e.info.name === name);
  if (found) return found;
  if (typeof name !== "string") {
    throw new InvalidArgumentError(`getOperation: name must be a string, got ${typeof name}`);
  }
  const close = ENTRIES.map((e) => ({ n: e.info.name, d: editDistance(name, e.info.name) }))
    .sort((a, b) => a.d - b.d).slice(0, 3).map((x) => x.n);
  throw new UnknownNameError(
    `unknown text operation "${name}"; did you mean: ${close.join(", ")}? ` +
      `(${ENTRIES.length} operations; listOperations() lists them)`,
  );
}

/**
 * Creates an operation by name with options (validated by the operation).
 *
 * @example
 * ```ts
 * import { createOperation } from "./registry.ts";
 * const op = createOperation("leet_letters", { prob: 1 });
 * console.log(op.name); // "leet_letters"
 * ```
 * @param name A registry name.
 * @param options The operation's options.
 * @returns A transformation or filter.
 */
export function createOperation(
  name: string,
  options?: Record<string, unknown>,
): Transformation | Filter {
  return getOperation(name).create(options);
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}
