// Invariants every registered operation must keep: determinism, typed errors for wrong kinds,
// empty/whitespace/1 MB inputs, grapheme safety on unicode and RTL text, labels preserved,
// tagging lengths aligned, maxOutputs respected.
import assert from "node:assert/strict";
import { InvalidArgumentError } from "../../src/errors.ts";
import {
  EXAMPLE_KINDS,
  type ExampleKind,
  examplesEqual,
  type TextExample,
} from "../../src/text/example.ts";
import type { Filter } from "../../src/text/filter.ts";
import { listOperations, type RegistryEntry } from "../../src/text/registry.ts";
import { TaskKindError } from "../../src/text/task_kind_error.ts";
import type { Transformation } from "../../src/text/transformation.ts";
import { clusters, longText } from "./_cases.ts";

const SENTENCE =
  "However, Mary can't believe the red car is so fast! She said: I love Paris on Monday, " +
  "and 42 people will receive the colour TV tomorrow.";

function sample(kind: ExampleKind, text = SENTENCE): TextExample {
  switch (kind) {
    case "sentence":
      return { kind, sentence: text };
    case "sentence_and_target":
      return { kind, sentence: text, target: "positive" };
    case "sentence_and_targets":
      return { kind, sentence: text, targets: ["t1", "t2"] };
    case "sentence_pair":
      return { kind, sentence1: text, sentence2: "He is not happy.", target: "contradiction" };
    case "question_answer":
      return { kind, context: text, question: "Where does Mary love?", answers: ["Paris"] };
    case "tagging":
      return {
        kind,
        tokens: ["Mary", "Jane", "flew", "to", "New", "York", "with", "IBM", "."],
        tags: ["B-PER", "I-PER", "O", "O", "B-LOC", "I-LOC", "O", "B-ORG", "O"],
      };
    case "key_value":
      return { kind, meaning: { name: "Aromi", food: "Italian" }, reference: text };
  }
}

function make(e: RegistryEntry, extra: Record<string, unknown> = {}): Transformation | Filter {
  return e.create({ ...e.exampleOptions, ...extra });
}

function run(op: Transformation | Filter, ex: TextExample): TextExample[] | boolean {
  return "generate" in op ? op.generate(ex) : op.filter(ex);
}

const ALL = listOperations();
const TRANSFORMS = ALL.filter((e) => e.type === "transformation");
const FILTERS = ALL.filter((e) => e.type === "filter");

Deno.test("registry holds at least 40 transformations and 12 filters, unique names", () => {
  assert.ok(TRANSFORMS.length >= 40, `${TRANSFORMS.length} transformations`);
  assert.ok(FILTERS.length >= 12, `${FILTERS.length} filters`);
  const names = ALL.map((e) => e.info.name);
  assert.equal(new Set(names).size, names.length);
  for (const e of ALL) {
    assert.ok(e.info.languages.length > 0 && e.info.tasks.length > 0 && e.info.kinds.length > 0);
    assert.equal(e.info.heavy, false, `${e.info.name} needs no model`);
    const op = make(e, { seed: 3, maxOutputs: 2 });
    assert.equal(op.seed, 3);
    assert.equal(op.maxOutputs, 2);
  }
});

Deno.test("every operation is deterministic for a seed, on every kind it declares", () => {
  for (const e of ALL) {
    for (const kind of e.info.kinds) {
      const a = run(make(e, { seed: 11, maxOutputs: 3 }), sample(kind));
      const b = run(make(e, { seed: 11, maxOutputs: 3 }), sample(kind));
      assert.deepEqual(a, b, `${e.info.name} on ${kind}`);
    }
  }
});

Deno.test("an undeclared example kind raises TaskKindError naming operation and kinds", () => {
  for (const e of ALL) {
    const missing = EXAMPLE_KINDS.find((k) => !e.info.kinds.includes(k));
    const op = make(e);
    if (missing === undefined) {
      // Accepts every kind: a malformed example is still a typed error.
      assert.throws(
        () => run(op, { kind: "tagging", tokens: ["a", "b"], tags: ["O"] }),
        InvalidArgumentError,
        e.info.name,
      );
      continue;
    }
    assert.throws(() => run(op, sample(missing)), (err: unknown) => {
      assert.ok(err instanceof TaskKindError, `${e.info.name}: ${err}`);
      assert.equal(err.operation, e.info.name);
      assert.equal(err.kind, missing);
      assert.match(err.message, new RegExp(`"${missing}" is not supported`));
      return true;
    });
  }
});

Deno.test("transformations keep labels, targets and tagging alignment; respect maxOutputs", () => {
  for (const e of TRANSFORMS) {
    const op = make(e, { maxOutputs: 4, seed: 5 }) as Transformation;
    for (const kind of e.info.kinds) {
      const input = sample(kind);
      const outs = op.generate(input);
      assert.ok(outs.length >= 1 && outs.length <= 4, `${e.info.name} ${kind}: ${outs.length}`);
      for (let i = 0; i < outs.length; i++) {
        const o = outs[i];
        assert.equal(o.kind, kind);
        for (let j = 0; j < i; j++) assert.ok(!examplesEqual(o, outs[j]), "outputs are distinct");
        if (o.kind === "sentence_and_target" && input.kind === o.kind) {
          assert.equal(o.target, input.target);
        }
        if (o.kind === "sentence_and_targets" && input.kind === o.kind) {
          assert.deepEqual(o.targets, input.targets);
        }
        if (o.kind === "sentence_pair" && input.kind === o.kind) {
          assert.equal(o.target, input.target);
        }
        if (o.kind === "question_answer" && input.kind === o.kind) {
          assert.deepEqual(o.answers, input.answers);
          for (const a of o.answers) {
            assert.ok(o.context.includes(a), `${e.info.name}: answer span`);
          }
        }
        if (o.kind === "tagging") assert.equal(o.tokens.length, o.tags.length, e.info.name);
      }
    }
    if (op.supports("sentence") && op.supports("sentence_and_target")) {
      // A (sentence, label) pair is transformed exactly as the bare sentence.
      const bare = op.generate(sample("sentence")).map((o) => (o as { sentence: string }).sentence);
      const labelled = op.generate(sample("sentence_and_target")).map((o) =>
        (o as { sentence: string }).sentence
      );
      assert.deepEqual(labelled, bare, e.info.name);
    }
  }
});

Deno.test("empty and whitespace-only inputs never crash", () => {
  for (const e of ALL) {
    const op = make(e, { seed: 1 });
    for (const text of ["", " ", "   \n\t  ", "\u200B", "."]) {
      for (const kind of e.info.kinds) {
        const input: TextExample = kind === "tagging"
          ? { kind, tokens: text === "" ? [] : [text], tags: text === "" ? [] : ["O"] }
          : sample(kind, text);
        const out = run(op, input);
        if (typeof out !== "boolean") {
          assert.ok(out.length >= 1, `${e.info.name} on ${JSON.stringify(text)}`);
          if (text.trim() === "" && kind === "sentence") {
            const s = (out[0] as { sentence: string }).sentence;
            assert.equal(
              s.trim().replace(/_/g, ""),
              text.trim(),
              `${e.info.name}: ${JSON.stringify(s)}`,
            );
          }
        }
      }
    }
  }
});

const UNICODE = [
  "Café naïve e\u0301 👩‍👩‍👧 👍🏽 🇫🇷 1️⃣ ❤️ fin",
  "שָׁלוֹם עולם! מה שלומך? 123",
  "مرحبا بالعالم، كيف حالك؟ good",
  "👨‍👩‍👧‍👦👨‍👩‍👧‍👦 family 🏳️‍🌈 क्षत्रिय नमस्ते 한국어",
  "Ångström Zoë Łódź e\u0301e\u0301 ΆΛΦΑ",
];
const ORPHAN = /^[\p{M}\u200D\uFE0E\uFE0F\p{Emoji_Modifier}]/u;
const LATIN_GREEK_CYRILLIC = /^[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}]/u;
const multi = (c: string) => [...c].length > 1 && !LATIN_GREEK_CYRILLIC.test(c);

Deno.test("grapheme clusters, emoji sequences and RTL text are never broken", () => {
  for (const e of TRANSFORMS) {
    if (!e.info.kinds.includes("sentence")) continue;
    for (let seed = 0; seed < 3; seed++) {
      const op = make(e, { seed, maxOutputs: 2 }) as Transformation;
      for (const text of UNICODE) {
        for (const out of op.generate({ kind: "sentence", sentence: text })) {
          const s = (out as { sentence: string }).sentence;
          assert.ok(s.isWellFormed(), `${e.info.name}: lone surrogate in ${JSON.stringify(s)}`);
          for (const c of clusters(s)) {
            assert.ok(!ORPHAN.test(c), `${e.info.name}: orphan mark in ${JSON.stringify(c)}`);
            const ri = [...c].filter((ch) => /\p{Regional_Indicator}/u.test(ch)).length;
            assert.equal(ri % 2, 0, `${e.info.name}: split flag in ${JSON.stringify(s)}`);
          }
          if (e.info.name === "random_deletion") continue; // deletes whole words on purpose
          const have = new Map<string, number>();
          for (const c of clusters(s)) have.set(c, (have.get(c) ?? 0) + 1);
          for (const c of clusters(text).filter(multi)) {
            const n = have.get(c) ?? 0;
            assert.ok(
              n > 0,
              `${e.info.name}: cluster ${JSON.stringify(c)} lost in ${JSON.stringify(s)}`,
            );
            have.set(c, n - 1);
          }
        }
      }
    }
  }
});

Deno.test("1 MB inputs: every operation finishes in linear time (generous 5 s bound)", () => {
  const big = longText(1 << 20);
  const tokens = big.split(" ").slice(0, 200_000);
  const slow: string[] = [];
  for (const e of ALL) {
    const op = make(e, { seed: 2 });
    const kind: ExampleKind = e.info.kinds.includes("sentence") ? "sentence" : e.info.kinds[0];
    const input: TextExample = kind === "tagging"
      ? { kind, tokens, tags: tokens.map((_, i) => (i % 7 === 0 ? "B-PER" : "O")) }
      : sample(kind, big);
    const t0 = performance.now();
    const out = run(op, input);
    const ms = performance.now() - t0;
    if (typeof out !== "boolean") {
      const o = out[0];
      if (o.kind === "sentence") assert.ok(o.sentence.length > 1e5, e.info.name);
      if (o.kind === "tagging") assert.equal(o.tokens.length, o.tags.length);
    }
    if (ms > 5000) slow.push(`${e.info.name}: ${Math.round(ms)} ms`);
  }
  assert.deepEqual(slow, []);
});

Deno.test("1 MB of mixed-script text with emoji: character operations stay linear", () => {
  const big = longText(1 << 20, true);
  for (
    const name of ["butter_fingers", "swap_characters", "diacritic_removal", "change_char_case"]
  ) {
    const e = ALL.find((x) => x.info.name === name)!;
    const t0 = performance.now();
    const [out] = (make(e) as Transformation).generate({ kind: "sentence", sentence: big });
    assert.ok(performance.now() - t0 < 5000, name);
    assert.ok((out as { sentence: string }).sentence.isWellFormed());
  }
});
