// Small helpers: letter case, inflection, number words, AFINN scoring, tag spans.
import assert from "node:assert/strict";
import { afinnScore } from "../../src/text/afinn.ts";
import { capitalize, matchCase } from "../../src/text/case_pattern.ts";
import { agreeArticle, pluralize, singularCandidates } from "../../src/text/inflection.ts";
import { integerToWords, numeralToWords } from "../../src/text/number_words.ts";
import { tagSpans, tagType } from "../../src/text/tag_spans.ts";

Deno.test("matchCase and capitalize", () => {
  assert.equal(matchCase("Colour", "color"), "Color");
  assert.equal(matchCase("COLOUR", "color"), "COLOR");
  assert.equal(matchCase("colour", "color"), "color");
  assert.equal(matchCase("I", "me"), "Me", "a single capital letter capitalizes");
  assert.equal(matchCase("Élan", "verve"), "Verve");
  assert.equal(capitalize("école"), "École");
  assert.equal(capitalize("ßeta"), "SSeta");
  assert.equal(capitalize("42"), "42");
  assert.equal(capitalize(""), "");
});

Deno.test("pluralize, singularCandidates, agreeArticle", () => {
  assert.deepEqual(["city", "box", "church", "dog", "day", "motor vehicle"].map(pluralize), [
    "cities",
    "boxes",
    "churches",
    "dogs",
    "days",
    "motor vehicles",
  ]);
  assert.deepEqual(singularCandidates("glass"), []);
  assert.deepEqual(singularCandidates("cars"), ["car"]);
  assert.equal(agreeArticle("a ", "apple"), "an ");
  assert.equal(agreeArticle("An ", "unit"), "A ");
  assert.equal(agreeArticle("AN ", "car"), "A ");
  assert.equal(agreeArticle("the ", "apple"), "the ");
  assert.equal(agreeArticle("banana ", "apple"), "banana ", "only a standalone article");
});

Deno.test("integerToWords and numeralToWords", () => {
  const cases: [number, string][] = [
    [0, "zero"],
    [13, "thirteen"],
    [40, "forty"],
    [99, "ninety-nine"],
    [100, "one hundred"],
    [101, "one hundred one"],
    [2021, "two thousand twenty-one"],
    [1_000_000, "one million"],
    [
      999_999_999_999_999,
      "nine hundred ninety-nine trillion nine hundred ninety-nine billion " +
      "nine hundred ninety-nine million nine hundred ninety-nine thousand nine hundred ninety-nine",
    ],
  ];
  for (const [n, w] of cases) assert.equal(integerToWords(n), w);
  assert.equal(integerToWords(1e15), null);
  assert.equal(integerToWords(-1), null);
  assert.equal(integerToWords(1.5), null);
  assert.equal(numeralToWords("1,234.05"), "one thousand two hundred thirty-four point zero five");
  assert.equal(numeralToWords("-3"), "minus three");
  assert.equal(numeralToWords("1,23"), null);
  assert.equal(numeralToWords("abc"), null);
});

Deno.test("afinnScore: valences, negation, comparative", () => {
  assert.deepEqual(afinnScore("good"), { score: 3, comparative: 3 });
  assert.equal(afinnScore("not good").score, -3);
  assert.equal(afinnScore("").score, 0);
  assert.ok(afinnScore("I hate this awful day").score < 0);
});

Deno.test("tagSpans and tagType", () => {
  assert.equal(tagType("B-ORG"), "ORG");
  assert.deepEqual(
    tagSpans(["B-PER", "I-PER", "B-PER", "O", "I-LOC", "I-LOC", "LOC", "O"]).map((
      s,
    ) => [s.type, s.start, s.end]),
    [["PER", 0, 2], ["PER", 2, 3], ["O", 3, 4], ["LOC", 4, 7], ["O", 7, 8]],
  );
  assert.deepEqual(tagSpans([]), []);
});
