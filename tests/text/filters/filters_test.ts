// Filters: fixed cases (at least five per filter, both outcomes), kind handling and option errors.
import assert from "node:assert/strict";
import type { Filter } from "../../../src/text/filter.ts";
import { DiacriticFilter } from "../../../src/text/filters/diacritic_filter.ts";
import { EmojiFilter } from "../../../src/text/filters/emoji_filter.ts";
import { EncodingFilter } from "../../../src/text/filters/encoding_filter.ts";
import { GenderFilter } from "../../../src/text/filters/gender_filter.ts";
import { KeywordsFilter } from "../../../src/text/filters/keywords_filter.ts";
import { LanguageFilter } from "../../../src/text/filters/language_filter.ts";
import { LengthFilter } from "../../../src/text/filters/length_filter.ts";
import { NamedEntityFilter } from "../../../src/text/filters/named_entity_filter.ts";
import { NumericFilter } from "../../../src/text/filters/numeric_filter.ts";
import { PolarityFilter } from "../../../src/text/filters/polarity_filter.ts";
import { PosFilter } from "../../../src/text/filters/pos_filter.ts";
import { QuantitativeQuestionFilter } from "../../../src/text/filters/quantitative_question_filter.ts";
import { QuestionTypeFilter } from "../../../src/text/filters/question_type_filter.ts";
import { RepetitionsFilter } from "../../../src/text/filters/repetitions_filter.ts";
import { SpecialCharactersFilter } from "../../../src/text/filters/special_characters_filter.ts";
import { TokenCountFilter } from "../../../src/text/filters/token_count_filter.ts";

type FilterCase = [options: Record<string, unknown>, text: string, expected: boolean];

function filterCases(
  ctor: (new (options: never) => Filter) & { info: { name: string } },
  cases: FilterCase[],
): void {
  Deno.test(`${ctor.info.name}: ${cases.length} cases`, () => {
    assert.ok(cases.length >= 5);
    assert.ok(cases.some((c) => c[2]) && cases.some((c) => !c[2]), "both outcomes covered");
    for (const [options, text, expected] of cases) {
      const f = new ctor(options as never);
      assert.equal(
        f.filterText(text),
        expected,
        `${ctor.info.name} ${JSON.stringify(options)} ${JSON.stringify(text)}`,
      );
      assert.equal(
        f.filter({ kind: "sentence_and_target", sentence: text, target: "x" }),
        expected,
      );
    }
  });
}

filterCases(LengthFilter, [
  [{ "op": "<=", "threshold": 3 }, "é👩‍👩‍👧!", true],
  [{ "op": "<=", "threshold": 3 }, "four", false],
  [{}, "short", false],
  [{ "op": "==", "threshold": 5 }, "שלום!", true],
  [{ "op": ">", "threshold": 10 }, "a longer sentence here", true],
  [{ "op": "!=", "threshold": 0 }, "", false],
]);

filterCases(TokenCountFilter, [
  [{ "min": 2, "max": 3 }, "one two three", true],
  [{ "min": 2, "max": 3 }, "one", false],
  [{ "min": 1 }, "naïve café", true],
  [{ "max": 0 }, "   ", true],
  [{ "min": 3, "max": 3 }, "can't stop, won't stop", false],
]);

filterCases(KeywordsFilter, [
  [{ "keywords": ["free money", "winner"] }, "You are a WINNER!", true],
  [{ "keywords": ["free money", "winner"] }, "winners", false],
  [{ "keywords": ["free", "money"], "match": "all" }, "Free MONEY here", true],
  [{ "keywords": ["free", "money"], "match": "all" }, "free time", false],
  [{ "keywords": ["Apple"], "caseSensitive": true }, "an apple a day", false],
  [{ "keywords": ["café"] }, "Le Café!", true],
]);

filterCases(LanguageFilter, [
  [{ "languages": ["fr", "he"] }, "Le chat est sur la table", true],
  [{ "languages": ["fr", "he"] }, "שלום עולם", true],
  [{ "languages": ["fr", "he"] }, "The cat is here", false],
  [{}, "This is English and it is fine", true],
  [{ "languages": ["ja"] }, "こんにちは世界", true],
  [{ "languages": ["de"] }, "Der Hund ist nicht hier", true],
]);

filterCases(PolarityFilter, [
  [{ "polarity": "negative" }, "This is awful", true],
  [{ "polarity": "negative" }, "This is great", false],
  [{}, "I love this wonderful film", true],
  [{ "polarity": "neutral" }, "The meeting is at noon", true],
  [{ "polarity": "positive", "threshold": 5 }, "good", false],
  [{ "polarity": "negative" }, "not good", true],
]);

filterCases(NumericFilter, [
  [{}, "Call ٣ times", true],
  [{ "min": 2 }, "Pay 1,250.50 now", false],
  [{}, "no digits", false],
  [{ "min": 2 }, "1 and 2", true],
  [{}, "room 101", true],
]);

filterCases(QuestionTypeFilter, [
  [{ "types": ["who"] }, "Who wrote Hamlet?", true],
  [{ "types": ["which"] }, "In which year did it end?", true],
  [{ "types": ["yes_no"] }, "Is it raining?", true],
  [{}, "What is this?", true],
  [{ "types": ["why", "how"] }, "When is it?", false],
  [{ "types": ["other"] }, "Tell me more.", true],
]);

filterCases(QuantitativeQuestionFilter, [
  [{}, "How many moons has Mars?", true],
  [{}, "How are you?", false],
  [{}, "What percentage of votes?", true],
  [{}, "In what year did it start?", true],
  [{}, "Exactly how much is it?", true],
]);

filterCases(SpecialCharactersFilter, [
  [{ "min": 2 }, "Win $$$ now!!!", true],
  [{ "min": 2 }, "Hello, world.", false],
  [{}, "email me @ home", true],
  [{}, "plain text", false],
  [{ "characters": "!" }, "Wow!", true],
  [{ "min": 1 }, "price: 5€", true],
]);

filterCases(NamedEntityFilter, [
  [{ "min": 2 }, "Barack Obama visited Paris.", true],
  [{ "min": 2 }, "It rained all day.", false],
  [{ "types": ["person"] }, "Mary called.", true],
  [{ "types": ["organization"] }, "She works at Microsoft.", true],
  [{ "types": ["place"], "min": 1 }, "We met at noon.", false],
]);

filterCases(DiacriticFilter, [
  [{}, "café", true],
  [{}, "café", true],
  [{}, "cafe ❤️", false],
  [{}, "Łódź", true],
  [{}, "שָׁלוֹם", false],
]);

filterCases(RepetitionsFilter, [
  [{}, "It is is fine", true],
  [{}, "It is fine", false],
  [{ "min": 2 }, "very very very good", true],
  [{}, "The the start", true],
  [{}, "no no", true],
]);

filterCases(EncodingFilter, [
  [{ "charset": "latin1" }, "café", false],
  [{ "charset": "latin1" }, "“quoted”", true],
  [{}, "café", true],
  [{}, "plain ascii", false],
  [{}, "emoji 😀", true],
]);

filterCases(EmojiFilter, [
  [{ "min": 2 }, "👩‍👩‍👧 🇫🇷", true],
  [{ "min": 2 }, "👩‍👩‍👧 only", false],
  [{}, "©", false],
  [{}, "keycap 1️⃣", true],
  [{}, "no emoji :)", false],
]);

filterCases(PosFilter, [
  [{ "pos": "adverb" }, "She ran quickly", true],
  [{ "pos": "proper_noun" }, "She ran", false],
  [{}, "A red car", true],
  [{ "pos": "verb", "min": 2 }, "He runs and jumps", true],
  [{ "pos": "noun", "min": 3 }, "cats eat", false],
]);

filterCases(GenderFilter, [
  [{ "gender": "female", "dominant": true }, "She thanked her sister", true],
  [{ "gender": "female", "dominant": true }, "He and his brother met her", false],
  [{ "gender": "male" }, "The king spoke", true],
  [{ "gender": "male", "min": 2 }, "He left", false],
  [{}, "They left", false],
]);

Deno.test("question filters read the question of a QA example, not the context", () => {
  const qa = {
    kind: "question_answer" as const,
    context: "How many? Who knows.",
    question: "Where is Paris?",
    answers: [],
  };
  assert.equal(new QuestionTypeFilter({ types: ["where"] }).filter(qa), true);
  assert.equal(new QuestionTypeFilter({ types: ["who"] }).filter(qa), false);
  assert.equal(new QuantitativeQuestionFilter().filter(qa), false);
  assert.equal(
    new QuantitativeQuestionFilter().filter({ ...qa, question: "How many moons?" }),
    true,
  );
});

Deno.test("token_count_filter counts the tokens of a tagging example as given", () => {
  const ex = {
    kind: "tagging" as const,
    tokens: ["New York", "is", "big"],
    tags: ["B-LOC", "O", "O"],
  };
  assert.equal(new TokenCountFilter({ min: 3, max: 3 }).filter(ex), true);
  assert.equal(new TokenCountFilter({ min: 4 }).filter(ex), false);
});

Deno.test("filters see both sentences of a pair and the reference of a key-value example", () => {
  const pair = {
    kind: "sentence_pair" as const,
    sentence1: "no digits",
    sentence2: "room 101",
    target: "x",
  };
  assert.equal(new NumericFilter().filter(pair), true);
  const kv = { kind: "key_value" as const, meaning: { price: "20" }, reference: "It is cheap." };
  assert.equal(new NumericFilter().filter(kv), false);
});

Deno.test("bad filter options are typed errors naming field, value and expectation", () => {
  const cases: [() => unknown, RegExp][] = [
    [() => new LengthFilter({ op: "~" as never }), /option op = "~"/],
    [() => new LengthFilter({ threshold: -1 }), /option threshold = -1/],
    [() => new KeywordsFilter({ keywords: [] }), /option keywords = \[\]/],
    [() => new LanguageFilter({ languages: ["xx"] }), /option languages.0 = "xx"/],
    [() => new TokenCountFilter({ min: 5, max: 2 }), /min must not exceed max/],
    [
      () => new NumericFilter({ minimum: 2 } as never),
      /minimum not recognised; expected keys: seed, maxOutputs, min/,
    ],
  ];
  for (const [make, message] of cases) {
    assert.throws(make, (e: Error) => e.name === "InvalidArgumentError" && message.test(e.message));
  }
});
