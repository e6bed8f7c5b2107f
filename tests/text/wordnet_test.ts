// WordNet reader, POS tagging (compromise + WordNet fallback) and the lexical substitution helpers.
import assert from "node:assert/strict";
import { compromiseTerms } from "../../src/text/compromise_terms.ts";
import { contentWords } from "../../src/text/content_words.ts";
import { COMPROMISE_MAX_CHARS, tagWords } from "../../src/text/pos_tagger.ts";
import { WordNet } from "../../src/text/wordnet.ts";
import { wordnetAlternatives } from "../../src/text/wordnet_alternatives.ts";

Deno.test("WordNet 3.1: synonyms by sense order, antonyms incl. satellites, dominant POS", () => {
  const wn = WordNet.load();
  assert.deepEqual(wn.synonyms("car", "n", 1), ["auto", "automobile", "machine", "motorcar"]);
  assert.ok(wn.synonyms("car", "n", 2).includes("railcar"));
  assert.deepEqual(wn.antonyms("good", "a", 1), ["bad"]);
  assert.deepEqual(wn.antonyms("increase", "v", 1), ["decrease"]);
  assert.deepEqual(wn.antonyms("quickly", "r", 1), ["slowly"]);
  assert.ok(wn.antonyms("glad", "a", 1).includes("sad"), "satellite -> head antonym");
  assert.equal(wn.dominantPos("run"), "v");
  assert.equal(wn.dominantPos("beautiful"), "a");
  assert.equal(wn.dominantPos("the"), null);
  assert.ok(wn.has("New York", "n"), "multi-word lemmas with spaces");
  assert.deepEqual(wn.synonyms("zzzz", "n"), []);
  assert.equal(WordNet.load(), wn);
});

Deno.test("tagWords: compromise for normal texts, WordNet fallback for very long ones", () => {
  const tagged = tagWords("Mary quickly bought a red car in Paris.");
  assert.deepEqual(tagged.map((w) => (w.proper ? "NNP" : w.pos)), [
    "NNP",
    "r",
    "v",
    null,
    "a",
    "n",
    null,
    "NNP",
  ]);
  assert.equal(tagged[1].start, 5);
  const long = "the dog runs fast. ".repeat(Math.ceil((COMPROMISE_MAX_CHARS + 10) / 19));
  const fallback = tagWords(long);
  // "runs" is not a WordNet lemma (no morphology in the fallback); "fast" is mostly an adverb.
  assert.deepEqual(fallback.slice(0, 4).map((w) => w.pos), [null, "n", null, "r"]);
  assert.equal(compromiseTerms("Ann flew.").length, 2);
});

Deno.test("contentWords and wordnetAlternatives skip names, stop words, acronyms; inflect plurals", () => {
  assert.deepEqual(contentWords("The NASA team quickly built a small rocket.").map((w) => w.text), [
    "team",
    "quickly",
    "built",
    "small",
    "rocket",
  ]);
  const cars = { start: 0, end: 4, text: "cars", pos: "n" as const, proper: false };
  assert.deepEqual(wordnetAlternatives(cars, "synonyms", 1), [
    "autos",
    "automobiles",
    "machines",
    "motorcars",
  ]);
  const dogs = { start: 0, end: 4, text: "dogs", pos: "n" as const, proper: false };
  assert.deepEqual(
    wordnetAlternatives(dogs, "synonyms", 1),
    [],
    "no 'domestic dogs', no 'Canis familiaris'",
  );
  assert.deepEqual(wordnetAlternatives({ ...cars, pos: null }, "synonyms", 1), []);
  assert.deepEqual(wordnetAlternatives({ ...cars, proper: true }, "synonyms", 1), []);
});
