import assert from "node:assert/strict";
import { graphemes, isCasedLetter, isSingleCodePoint } from "../../src/text/graphemes.ts";
import { clusters } from "./_cases.ts";

Deno.test("graphemes agrees with Intl.Segmenter and joins back to the input", () => {
  const texts = [
    "",
    "plain ascii",
    "a\r\nb",
    "e\u0301👩‍👩‍👧!",
    "👍🏽🇫🇷1️⃣🏳️‍🌈",
    "שָׁלוֹם עולם",
    "مرحبا بالعالم",
    "क्षत्रिय 한국어 ﷽",
  ];
  for (const t of texts) {
    assert.deepEqual(graphemes(t), clusters(t), JSON.stringify(t));
    assert.equal(graphemes(t).join(""), t);
  }
  assert.deepEqual(graphemes("e\u0301👩‍👩‍👧!"), ["e\u0301", "👩‍👩‍👧", "!"]);
  assert.deepEqual(graphemes("a\r\nb"), ["a", "\r\n", "b"]);
});

Deno.test("isSingleCodePoint and isCasedLetter", () => {
  assert.deepEqual(["a", "😀", "e\u0301", "🇫🇷"].map(isSingleCodePoint), [true, true, false, false]);
  assert.deepEqual(["q", "Ж", "é", "ß", "א", "1", "😀"].map(isCasedLetter), [
    true,
    true,
    true,
    false,
    false,
    false,
    false,
  ]);
});
