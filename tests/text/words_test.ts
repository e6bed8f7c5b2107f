import assert from "node:assert/strict";
import { joinSegments, splitWords, words } from "../../src/text/words.ts";

Deno.test("splitWords alternates words and separators and round-trips", () => {
  const t = "I can't, ok? naïve café—שָׁלוֹם ❤️ 1️⃣ x";
  const segs = splitWords(t);
  assert.equal(joinSegments(segs), t);
  for (let i = 1; i < segs.length; i++) assert.notEqual(segs[i].isWord, segs[i - 1].isWord);
  assert.deepEqual(words(t), ["I", "can't", "ok", "naïve", "café", "שָׁלוֹם", "1️⃣", "x"]);
});

Deno.test("emoji variation selectors never start a word", () => {
  assert.deepEqual(words("❤️ love ☀️"), ["love"]);
  assert.deepEqual(splitWords("❤️x").map((s) => s.text), ["❤️", "x"]);
  assert.deepEqual(words(""), []);
  assert.deepEqual(splitWords("   "), [{ text: "   ", isWord: false }]);
});
