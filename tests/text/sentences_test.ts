import assert from "node:assert/strict";
import { splitSentences } from "../../src/text/sentences.ts";

Deno.test("splitSentences: terminators, abbreviations, initials, blank lines", () => {
  assert.deepEqual(splitSentences("Hi Mr. Smith! How are you? Fine."), [
    "Hi Mr. Smith! ",
    "How are you? ",
    "Fine.",
  ]);
  assert.deepEqual(splitSentences("J. R. R. Tolkien wrote it. Yes."), [
    "J. R. R. Tolkien wrote it. ",
    "Yes.",
  ]);
  assert.deepEqual(splitSentences('e.g. this. And that…  Then "quoted." End'), [
    "e.g. this. ",
    "And that…  ",
    'Then "quoted." ',
    "End",
  ]);
  assert.deepEqual(splitSentences("Line one\n\nLine two"), ["Line one\n\n", "Line two"]);
  assert.deepEqual(splitSentences(""), []);
  assert.deepEqual(splitSentences("3.14 is pi."), ["3.14 is pi."]);
});
