// Word-level transformations: fixed-seed input/output cases (at least five per operation).
// Expected outputs were produced by the implementation and checked by hand; they pin
// the text module's own random stream (not Python's), see src/text/rng.ts.
import { sentenceCases } from "../_cases.ts";
import { PigLatin } from "../../../src/text/transformations/pig_latin.ts";
import { ContractionExpansion } from "../../../src/text/transformations/contraction_expansion.ts";
import { Contraction } from "../../../src/text/transformations/contraction.ts";
import { RandomDeletion } from "../../../src/text/transformations/random_deletion.ts";
import { RandomSwap } from "../../../src/text/transformations/random_swap.ts";
import { FillerWords } from "../../../src/text/transformations/filler_words.ts";
import { SpeechDisfluency } from "../../../src/text/transformations/speech_disfluency.ts";
import { DiscourseMarkerSubstitution } from "../../../src/text/transformations/discourse_marker_substitution.ts";
import { SentenceReordering } from "../../../src/text/transformations/sentence_reordering.ts";
import { DyslexiaWordsSwap } from "../../../src/text/transformations/dyslexia_words_swap.ts";
import { InsertAbbreviation } from "../../../src/text/transformations/insert_abbreviation.ts";
import { AddHashtags } from "../../../src/text/transformations/add_hashtags.ts";
import { GreetingsAndFarewells } from "../../../src/text/transformations/greetings_and_farewells.ts";
import { NumericToWord } from "../../../src/text/transformations/numeric_to_word.ts";
import { ReplaceNumericalValues } from "../../../src/text/transformations/replace_numerical_values.ts";

sentenceCases(PigLatin, [
  [{}, "Quick, string the apple!", ["Ickquay, ingstray ethay appleway!"]],
  [{}, "Hello World", ["Ellohay Orldway"]],
  [{}, "I eat rhythm", ["Iway eatway ythmrhay"]],
  [{ "prob": 0.5, "seed": 2 }, "pig latin is a language game", [
    "pig atinlay isway a anguagelay game",
  ]],
  [{}, "café über 42", ["café über 42"]],
]);

sentenceCases(ContractionExpansion, [
  [{}, "I'm sure it’s John's. DON'T go!", ["I am sure it is John's. DO NOT go!"]],
  [{}, "We can't, won't and shouldn't.", ["We cannot, will not and should not."]],
  [{}, "They're here and you'd know.", ["They are here and you would know."]],
  [{}, "Let's see what's new", ["Let us see what is new"]],
  [{}, "No contractions here.", ["No contractions here."]],
]);

sentenceCases(Contraction, [
  [{}, "I am sure it is not. Do not go!", ["I'm sure it's not. Don't go!"]],
  [{}, "We cannot and will not.", ["We can't and won't."]],
  [{}, "They are here and you would know.", ["They're here and you'd know."]],
  [{}, "Let us go, it is late", ["Let us go, it's late"]],
  [{}, "DO NOT ENTER", ["DON'T ENTER"]],
]);

sentenceCases(RandomDeletion, [
  [{ "seed": 7 }, "The quick brown fox jumps over the lazy dog", [
    "The quick brown fox over the lazy dog",
  ]],
  [{ "seed": 1, "prob": 0.4 }, "The cat, which was black, sat on the mat.", [
    "cat, which black, sat on the.",
  ]],
  [{ "seed": 2, "prob": 1 }, "a b c", ["b"]],
  [{ "seed": 3, "prob": 0.3, "maxOutputs": 2 }, "one two three four five six", [
    "one two three six",
    "one two four five six",
  ]],
  [{ "seed": 4, "prob": 0.5 }, "single", ["single"]],
]);

sentenceCases(RandomSwap, [
  [{ "seed": 0 }, "alpha beta, gamma delta.", ["alpha gamma, beta delta."]],
  [{ "seed": 1, "ratio": 0.5 }, "one two three four five six", ["three two one six four five"]],
  [{ "seed": 2 }, "only", ["only"]],
  [{ "seed": 3, "ratio": 0.2, "maxOutputs": 2 }, "the cat sat on the mat today", [
    "the cat mat on the sat today",
    "the cat sat today the mat on",
  ]],
  [{ "seed": 4 }, "x y", ["y x"]],
]);

sentenceCases(FillerWords, [
  [{ "seed": 0, "prob": 0.5 }, "I like tea and cake", ["I like sort of tea maybe and cake"]],
  [{ "seed": 1, "prob": 1, "categories": ["filler"] }, "we should go", ["we um should well go"]],
  [{ "seed": 2, "prob": 1, "categories": ["uncertainty"] }, "it will rain", [
    "it maybe will maybe rain",
  ]],
  [{ "seed": 6 }, "The quick brown fox jumps over the lazy dog", [
    "The you know quick brown fox jumps over the lazy dog",
  ]],
  [{ "seed": 4, "prob": 1 }, "single", ["single"]],
]);

sentenceCases(SpeechDisfluency, [
  [{ "seed": 0, "prob": 1 }, "we should go", ["we we ah should go go"]],
  [{ "seed": 1, "prob": 0.3 }, "I want to tell you something important", [
    "ah I want to tell you something important",
  ]],
  [{ "seed": 2, "prob": 1 }, "a cat", ["a a cat cat"]],
  [{ "seed": 3, "prob": 0.5 }, "naïve café owners", ["n- naïve café um owners"]],
  [{ "seed": 4, "prob": 0 }, "nothing happens", ["nothing happens"]],
]);

sentenceCases(DiscourseMarkerSubstitution, [
  [{ "seed": 0 }, "However, it rained.", ["Even so, it rained."]],
  [{ "seed": 1 }, "Therefore we left; for example, Ann did.", [
    "Hence we left; for instance, Ann did.",
  ]],
  [{ "seed": 2 }, "MOREOVER it failed", ["WHAT IS MORE it failed"]],
  [{ "seed": 3 }, "Although tired, she ran. In conclusion, she won.", [
    "Even though tired, she ran. To sum up, she won.",
  ]],
  [{ "seed": 4 }, "No markers in this one.", ["No markers in this one."]],
]);

sentenceCases(SentenceReordering, [
  [{ "seed": 0 }, "A one. B two. C three.", ["A one. C three. B two."]],
  [{ "seed": 1 }, "Hi Mr. Smith! How are you? Fine.", ["How are you? Hi Mr. Smith! Fine."]],
  [{ "seed": 2 }, "Only one sentence here.", ["Only one sentence here."]],
  [{ "seed": 3, "maxOutputs": 2 }, "First. Second. Third. Fourth.", [
    "Third. First. Second. Fourth.",
    "Fourth. First. Third. Second.",
  ]],
  [{ "seed": 4 }, "Line one.\n\nLine two.", ["Line two. Line one."]],
]);

sentenceCases(DyslexiaWordsSwap, [
  [{}, "Your dog is bigger than its bed.", ["You're dog is bigger then it's bed."]],
  [{ "seed": 1 }, "Their house is over there.", ["There house is over they're."]],
  [{ "seed": 2 }, "I accept the advice.", ["I except the advise."]],
  [{ "seed": 3, "prob": 0.5 }, "Its time to lose weight, then eat dessert.", [
    "It's time to loose weight, than eat dessert.",
  ]],
  [{}, "Nothing confusable.", ["Nothing confusable."]],
]);

sentenceCases(InsertAbbreviation, [
  [{ "prob": 1 }, "Thank you, see you tomorrow!", ["ty, cu tmrw!"]],
  [{ "prob": 1 }, "By the way, are you coming tonight?", ["btw, r u coming 2nite?"]],
  [{ "seed": 1 }, "Please message people before tomorrow", ["pls message people before tmrw"]],
  [{ "prob": 1 }, "I don't know, to be honest.", ["idk, tbh."]],
  [{ "prob": 1 }, "THANKS A LOT", ["THX A LOT"]],
]);

sentenceCases(AddHashtags, [
  [{ "maxTags": 1 }, "Loved the concert", ["Loved the concert #Concert"]],
  [{ "seed": 1 }, "Great food and friendly service at this restaurant", [
    "Great food and friendly service at this restaurant #Restaurant #Service",
  ]],
  [{ "seed": 2, "maxTags": 3 }, "Deno makes TypeScript tooling simple", [
    "Deno makes TypeScript tooling simple #Tooling #Typescript #Simple",
  ]],
  [{ "seed": 3 }, "a an the", ["a an the"]],
  [{ "seed": 4 }, "Café crème délicieux  ", ["Café crème délicieux #Café #Délicieux"]],
]);

sentenceCases(GreetingsAndFarewells, [
  [{ "seed": 0 }, "Hello Ann, the report is ready. Cheers", ["Hey Ann, the report is ready. Bye"]],
  [{ "seed": 1 }, "Hi! See you later.", ["Hello there! Goodbye."]],
  [{ "seed": 2, "insert": true }, "the meeting moved", ["Hello there, the meeting moved"]],
  [{ "seed": 3 }, "GOOD MORNING team, best regards", ["GOOD AFTERNOON team, bye"]],
  [{ "seed": 4 }, "no greeting here", ["no greeting here"]],
]);

sentenceCases(NumericToWord, [
  [{}, "I have 3 cats and 1,200 fish, at 10:30 on the 2nd.", [
    "I have three cats and one thousand two hundred fish, at 10:30 on the 2nd.",
  ]],
  [{}, "Pi is 3.14 and -7 is negative", ["Pi is three point one four and minus seven is negative"]],
  [{}, "Call 555-1234 or 007", ["Call 555-1234 or 007"]],
  [{}, "In 2021 we sold 1000000 units.", ["In two thousand twenty-one we sold one million units."]],
  [{}, "version 1.2.3 costs 0", ["version 1.2.3 costs zero"]],
]);

sentenceCases(ReplaceNumericalValues, [
  [{ "prob": 1 }, "Pay 250 dollars by 2024", ["Pay 696 dollars by 2329"]],
  [{ "seed": 1 }, "Room 7, floor 3, 12 people", ["Room 8, floor 2, 17 people"]],
  [{ "seed": 2, "prob": 1 }, "0 and 9", ["2 and 4"]],
  [{ "seed": 3, "prob": 1 }, "abc123 stays", ["abc123 stays"]],
  [{ "seed": 4, "prob": 1 }, "no numbers", ["no numbers"]],
]);
