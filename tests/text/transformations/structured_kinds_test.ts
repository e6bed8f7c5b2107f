// Tagging, question-answering and key-value transformations: fixed-seed cases and invariants.
import assert from "node:assert/strict";
import type { TaggingExample, TextExample } from "../../../src/text/example.ts";
import { TaskKindError } from "../../../src/text/task_kind_error.ts";
import { EntityMentionReplacement } from "../../../src/text/transformations/entity_mention_replacement.ts";
import { KeyValueShuffle } from "../../../src/text/transformations/key_value_shuffle.ts";
import { RedundantContext } from "../../../src/text/transformations/redundant_context.ts";
import { ShuffleWithinSegments } from "../../../src/text/transformations/shuffle_within_segments.ts";
import { tagSpans } from "../../../src/text/tag_spans.ts";

const tag = (tokens: string, tags: string): TaggingExample => ({
  kind: "tagging",
  tokens: tokens.split(" "),
  tags: tags.split(" "),
});

Deno.test("shuffle_within_segments: 5 fixed-seed cases", () => {
  const cases: [Record<string, unknown>, TaggingExample, string[][]][] = [
    [{ prob: 1, seed: 1 }, tag("I saw New York today", "O O B-LOC I-LOC O"), [[
      "I saw New York today",
    ]]],
    [
      { seed: 0 },
      tag(
        "She did not complain of headache or any other neurological symptoms .",
        "O O O O O B-problem O B-problem I-problem I-problem I-problem O",
      ),
      [["She did not complain of headache or neurological other symptoms any ."]],
    ],
    [{ prob: 1, seed: 2 }, tag("a", "O"), [["a"]]],
    [{ prob: 1, seed: 3, maxOutputs: 2 }, tag("x y z w", "PER PER O O"), [["y x w z"], [
      "y x z w",
    ]]],
    [{ prob: 0, seed: 4 }, tag("a b c", "O O O"), [["a b c"]]],
  ];
  for (const [opts, input, expected] of cases) {
    const out = new ShuffleWithinSegments(opts).generate(input) as TaggingExample[];
    assert.deepEqual(out.map((o) => [o.tokens.join(" ")]), expected);
    for (const o of out) assert.deepEqual(o.tags, input.tags, "tags never move");
  }
});

Deno.test("shuffle_within_segments: tokens stay inside their segment (many seeds)", () => {
  const input = tag(
    "Dr John Smith of Acme Corp flew from New York City to Paris on Monday",
    "O B-PER I-PER O B-ORG I-ORG O O B-LOC I-LOC I-LOC O B-LOC O O",
  );
  for (let seed = 0; seed < 50; seed++) {
    const [out] = new ShuffleWithinSegments({ prob: 1, seed }).generate(input) as TaggingExample[];
    assert.equal(out.tokens.length, input.tokens.length);
    for (const s of tagSpans(input.tags)) {
      const a = input.tokens.slice(s.start, s.end).toSorted();
      const b = out.tokens.slice(s.start, s.end).toSorted();
      assert.deepEqual(b, a, `segment ${s.type} ${s.start}-${s.end}`);
    }
  }
});

Deno.test("entity_mention_replacement: 5 fixed-seed cases", () => {
  const cases: [Record<string, unknown>, TaggingExample, [string, string][]][] = [
    [{ prob: 1, mentions: { LOC: ["Buenos Aires"] } }, tag("Flights to Rome .", "O O B-LOC O"), [[
      "Flights to Buenos Aires .",
      "O O B-LOC I-LOC O",
    ]]],
    [{ prob: 1, seed: 1 }, tag("John Smith works at Google .", "B-PER I-PER O O B-ORG O"), [[
      "Em Brown works at BBC .",
      "B-PER I-PER O O B-ORG O",
    ]]],
    [{ prob: 1, seed: 2 }, tag("Paris and Berlin", "LOC O LOC"), [[
      "Seoul and Manila",
      "LOC O LOC",
    ]]],
    [{ prob: 0.5, seed: 3, maxOutputs: 2 }, tag("Ann met Bo in Lima", "B-PER O B-PER O B-LOC"), [
      ["Ann met Bo in Portugal", "B-PER O B-PER O B-LOC"],
      ["Ann met Bo in Madrid", "B-PER O B-PER O B-LOC"],
    ]],
    [{ prob: 1, seed: 4 }, tag("The gene BRCA1", "O O B-GENE"), [["The gene BRCA1", "O O B-GENE"]]],
  ];
  for (const [opts, input, expected] of cases) {
    const out = new EntityMentionReplacement(opts).generate(input) as TaggingExample[];
    assert.deepEqual(out.map((o) => [o.tokens.join(" "), o.tags.join(" ")]), expected);
  }
});

Deno.test("entity_mention_replacement: tags stay aligned and well-formed BIO (many seeds)", () => {
  const input = tag(
    "Mary Jane Watson visited the United Nations in New York with Bob",
    "B-PER I-PER I-PER O O B-ORG I-ORG O B-LOC I-LOC O B-PER",
  );
  for (let seed = 0; seed < 50; seed++) {
    const [out] = new EntityMentionReplacement({ prob: 1, seed }).generate(
      input,
    ) as TaggingExample[];
    assert.equal(out.tokens.length, out.tags.length);
    out.tags.forEach((t, i) => {
      if (t.startsWith("I-")) assert.ok(out.tags[i - 1].slice(2) === t.slice(2), out.tags.join());
    });
    assert.deepEqual(
      tagSpans(out.tags).map((s) => s.type),
      tagSpans(input.tags).map((s) => s.type),
      "same sequence of mention types",
    );
  }
});

Deno.test("entity_mention_replacement: bad mention bank is a typed error naming the field", () => {
  assert.throws(
    () => new EntityMentionReplacement({ mentions: { LOC: [] } }),
    (e: Error) => e.name === "InvalidArgumentError" && /mentions\.LOC/.test(e.message),
  );
});

Deno.test("redundant_context: 5 cases, answers remain spans of the context", () => {
  const qa = (context: string, question: string, answers: string[]): TextExample => ({
    kind: "question_answer",
    context,
    question,
    answers,
  });
  const cases: [TextExample, string][] = [
    [
      qa("Paris is in France.", "Where is Paris?", ["France"]),
      "Paris is in France. Paris is in France.",
    ],
    [qa("A b.", "Q?", ["b"]), "A b. A b."],
    [qa("Ends with space ", "Q?", ["space"]), "Ends with space Ends with space "],
    [qa("", "Empty?", []), ""],
    [qa("שלום עולם 👋", "What?", ["עולם"]), "שלום עולם 👋 שלום עולם 👋"],
  ];
  for (const [input, context] of cases) {
    const [out] = new RedundantContext().generate(input);
    assert.equal(out.kind, "question_answer");
    if (out.kind !== "question_answer" || input.kind !== "question_answer") continue;
    assert.equal(out.context, context);
    assert.equal(out.question, input.question);
    assert.deepEqual(out.answers, input.answers);
    for (const a of out.answers) assert.ok(out.context.includes(a));
  }
  assert.throws(
    () => new RedundantContext().generate({ kind: "sentence", sentence: "x" }),
    TaskKindError,
  );
});

Deno.test("key_value_shuffle: 5 cases keep every pair and the reference", () => {
  const kv = (meaning: Record<string, string>, reference = "ref"): TextExample => ({
    kind: "key_value",
    meaning,
    reference,
  });
  const cases: [Record<string, unknown>, TextExample, string[][]][] = [
    [{ seed: 2 }, kv({ name: "Aromi", food: "Italian", area: "city centre" }), [[
      "food",
      "area",
      "name",
    ]]],
    [{ seed: 3, maxOutputs: 3 }, kv({ a: "1", b: "2", c: "3" }), [["b", "a", "c"], [
      "c",
      "a",
      "b",
    ]]],
    [{ seed: 0 }, kv({ only: "one" }), [["only"]]],
    [{ seed: 0 }, kv({}), [[]]],
    [{ seed: 1 }, kv({ x: "1", y: "2" }), [["y", "x"]]],
  ];
  for (const [opts, input, expected] of cases) {
    const out = new KeyValueShuffle(opts).generate(input);
    assert.deepEqual(
      out.map((o) => (o.kind === "key_value" ? Object.keys(o.meaning) : [])),
      expected,
    );
    for (const o of out) {
      if (o.kind !== "key_value" || input.kind !== "key_value") continue;
      assert.equal(o.reference, input.reference);
      assert.deepEqual({ ...o.meaning }, { ...input.meaning });
    }
  }
});
