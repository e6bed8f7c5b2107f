import assert from "node:assert/strict";
import { InvalidArgumentError } from "../../src/errors.ts";
import type { TextExample } from "../../src/text/example.ts";
import { LengthFilter } from "../../src/text/filters/length_filter.ts";
import { NumericFilter } from "../../src/text/filters/numeric_filter.ts";
import { applyFilter, applyTransformation, runPipeline } from "../../src/text/pipeline.ts";
import { TaskKindError } from "../../src/text/task_kind_error.ts";
import { ButterFingers } from "../../src/text/transformations/butter_fingers.ts";
import { ContractionExpansion } from "../../src/text/transformations/contraction_expansion.ts";
import { LeetLetters } from "../../src/text/transformations/leet_letters.ts";
import { ShuffleWithinSegments } from "../../src/text/transformations/shuffle_within_segments.ts";

const s = (sentence: string): TextExample => ({ kind: "sentence", sentence });

Deno.test("perturbation rate counts outputs that differ from their input", () => {
  const data = [s("I'm here"), s("we're fine"), s("no change"), s("none"), s("it's ok")];
  const { examples, report } = applyTransformation(new ContractionExpansion(), data);
  assert.equal(examples.length, 5);
  assert.equal(report.perturbed, 3);
  assert.equal(report.unchanged, 2);
  assert.equal(report.perturbationRate, 0.6);
});

Deno.test("runPipeline chains transformations and filters and keeps all outputs by default", () => {
  const data = [s("hello 1"), s("hmm"), s("a longer sentence with 22 words")];
  const r = runPipeline(data, [
    new LeetLetters({ prob: 1, maxOutputs: 1 }),
    new ButterFingers({ prob: 0.5, maxOutputs: 3, seed: 1 }),
    new NumericFilter({ min: 2 }),
  ]);
  assert.equal(r.steps.length, 3);
  assert.deepEqual(r.steps.map((x) => x.inputs), [3, 3, r.steps[1].outputs]);
  assert.ok(r.steps[1].outputs > 3, "maxOutputs 3 grows the data");
  assert.equal(r.steps[2].kept, r.examples.length);
  assert.ok(
    r.examples.every((e) => e.kind === "sentence" && (e.sentence.match(/\d+/g) ?? []).length >= 2),
  );
  const first = runPipeline(data, [new ButterFingers({ prob: 0.5, maxOutputs: 3, seed: 1 })], {
    outputs: "first",
  });
  assert.equal(first.examples.length, 3);
});

Deno.test("unsupported kinds: error (TaskKindError), keep or skip", () => {
  const data: TextExample[] = [s("a b"), { kind: "tagging", tokens: ["a", "b"], tags: ["O", "O"] }];
  const op = new ShuffleWithinSegments({ prob: 1 });
  assert.throws(() => runPipeline(data, [op]), TaskKindError);
  const kept = runPipeline(data, [op], { onUnsupported: "keep" });
  assert.equal(kept.examples.length, 2);
  assert.equal(kept.steps[0].skipped, 1);
  const skipped = runPipeline(data, [op], { onUnsupported: "skip" });
  assert.equal(skipped.examples.length, 1);
  assert.throws(
    () => runPipeline(data, [op], { onUnsupported: "drop" as never }),
    InvalidArgumentError,
  );
  assert.throws(() => runPipeline([{ kind: "sentence" } as never], [op]), /dataset\[0\]/);
});

Deno.test("applyFilter splits in order", () => {
  const { kept, rejected } = applyFilter(new LengthFilter({ op: "<", threshold: 4 }), [
    s("abc"),
    s("abcd"),
    s("ab"),
  ]);
  assert.deepEqual(kept.map((e) => (e as { sentence: string }).sentence), ["abc", "ab"]);
  assert.equal(rejected.length, 1);
});

Deno.test("pipeline over 2,000 examples is linear and deterministic", () => {
  const data = Array.from({ length: 2000 }, (_, i) => s(`example ${i} can't be wrong`));
  const ops = () => [new ContractionExpansion(), new ButterFingers({ prob: 0.1, seed: 9 })];
  const a = runPipeline(data, ops());
  const b = runPipeline(data, ops());
  assert.deepEqual(a.examples, b.examples);
  assert.equal(a.steps[0].perturbationRate, 1);
});
