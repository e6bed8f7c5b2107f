// Shared helpers for the text module's tests (not a test file itself).
import assert from "node:assert/strict";
import type { SentenceTransformation } from "../../src/text/sentence_transformation.ts";

/** A fixed-seed case: options, input text, expected outputs of `generateText`. */
export type Case = [options: Record<string, unknown>, input: string, expected: string[]];

/**
 * Registers one test per operation that checks every case exactly, and that
 * a second instance with the same options repeats the outputs (determinism).
 */
export function sentenceCases(
  ctor: (new (options?: never) => SentenceTransformation) & { info: { name: string } },
  cases: Case[],
): void {
  Deno.test(`${ctor.info.name}: ${cases.length} fixed-seed cases`, () => {
    assert.ok(cases.length >= 5, `${ctor.info.name} needs at least 5 cases`);
    for (const [options, input, expected] of cases) {
      const op = new ctor(options as never);
      const got = op.generateText(input);
      assert.deepEqual(
        got,
        expected,
        `${ctor.info.name} ${JSON.stringify(options)} on ${JSON.stringify(input)}`,
      );
      assert.deepEqual(
        new ctor(options as never).generateText(input),
        got,
        "same seed, same outputs",
      );
      assert.ok(got.length >= 1 && got.length <= op.maxOutputs);
    }
  });
}

/** Grapheme clusters of a string (Intl.Segmenter), for unicode assertions. */
export function clusters(text: string): string[] {
  return [...new Intl.Segmenter("en", { granularity: "grapheme" }).segment(text)].map((s) =>
    s.segment
  );
}

/** Seeded pseudo-random ASCII prose of about `bytes` bytes (for long-input tests). */
export function longText(bytes: number, unicode = false): string {
  const words = [
    "the",
    "quick",
    "brown",
    "fox",
    "jumps",
    "over",
    "lazy",
    "dog",
    "and",
    "she",
    "said",
    "hello",
    "to",
    "Mary",
    "in",
    "Paris",
    "on",
    "Monday",
    "it",
    "is",
    "not",
    "good",
    "color",
    "can't",
    "because",
    "42",
    "however,",
    "red",
    "car",
    "receive",
    "people",
    "tomorrow",
    "United",
    "Kingdom",
  ];
  const extra = ["café", "naïve", "👍🏽", "👩‍👩‍👧", "שלום", "e\u0301", "क्षत्रिय", "🇫🇷"];
  const pool = unicode ? [...words, ...extra] : words;
  const parts: string[] = [];
  let size = 0, x = 12345;
  while (size < bytes) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const w = pool[x % pool.length] + ((x >>> 8) % 11 === 0 ? ". " : " ");
    parts.push(w);
    size += w.length;
  }
  return parts.join("");
}
