import assert from "node:assert/strict";
import { InvalidArgumentError } from "../../src/errors.ts";
import {
  EXAMPLE_KINDS,
  examplesEqual,
  sourceText,
  type TextExample,
  validateExample,
} from "../../src/text/example.ts";

Deno.test("validateExample accepts every well-formed kind", () => {
  const good: TextExample[] = [
    { kind: "sentence", sentence: "" },
    { kind: "sentence_and_target", sentence: "a", target: "b" },
    { kind: "sentence_and_targets", sentence: "a", targets: [] },
    { kind: "sentence_pair", sentence1: "a", sentence2: "b", target: "c" },
    { kind: "question_answer", context: "c", question: "q", answers: ["c"] },
    { kind: "tagging", tokens: [], tags: [] },
    { kind: "key_value", meaning: { a: "1" }, reference: "r" },
  ];
  assert.deepEqual(good.map((e) => e.kind), [...EXAMPLE_KINDS]);
  for (const e of good) validateExample(e, "t");
});

Deno.test("validateExample names the bad field and what it got", () => {
  const bad: [unknown, RegExp][] = [
    [null, /example must be an object, got null/],
    [{ kind: "sentense", sentence: "x" }, /example.kind must be one of .*got "sentense"/],
    [
      { kind: "sentence", sentence: 3 },
      /example.sentence must be a string for kind "sentence", got 3/,
    ],
    [
      { kind: "tagging", tokens: ["a", "b"], tags: ["O"] },
      /one tag per token, got 2 tokens and 1 tags/,
    ],
    [{ kind: "tagging", tokens: "a b", tags: [] }, /example.tokens must be an array of strings/],
    [
      { kind: "key_value", meaning: { a: 1 }, reference: "" },
      /example.meaning must be a record of strings/,
    ],
    [{ kind: "question_answer", context: "c", question: "q" }, /example.answers must be an array/],
  ];
  for (const [value, message] of bad) {
    assert.throws(
      () => validateExample(value, "where"),
      (e: Error) =>
        e instanceof InvalidArgumentError && /^where: /.test(e.message) && message.test(e.message),
    );
  }
});

Deno.test("sourceText joins the source-side fields of each kind", () => {
  assert.equal(
    sourceText({ kind: "sentence_pair", sentence1: "a", sentence2: "b", target: "" }),
    "a\nb",
  );
  assert.equal(
    sourceText({ kind: "question_answer", context: "c", question: "q", answers: [] }),
    "q\nc",
  );
  assert.equal(sourceText({ kind: "tagging", tokens: ["x", "y"], tags: ["O", "O"] }), "x y");
  assert.equal(sourceText({ kind: "key_value", meaning: {}, reference: "r" }), "r");
});

Deno.test("examplesEqual compares kinds, fields, arrays and key order", () => {
  const t = (tokens: string[]): TextExample => ({
    kind: "tagging",
    tokens,
    tags: tokens.map(() => "O"),
  });
  assert.ok(examplesEqual(t(["a"]), t(["a"])));
  assert.ok(!examplesEqual(t(["a"]), t(["b"])));
  assert.ok(
    !examplesEqual({ kind: "sentence", sentence: "a" }, {
      kind: "sentence_and_target",
      sentence: "a",
      target: "",
    }),
  );
  const kv = (meaning: Record<string, string>): TextExample => ({
    kind: "key_value",
    meaning,
    reference: "",
  });
  assert.ok(examplesEqual(kv({ a: "1", b: "2" }), kv({ a: "1", b: "2" })));
  assert.ok(!examplesEqual(kv({ a: "1", b: "2" }), kv({ b: "2", a: "1" })), "order matters");
});
