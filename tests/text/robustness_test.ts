import assert from "node:assert/strict";
import { InvalidArgumentError } from "../../src/errors.ts";
import type { SentenceAndTargetExample } from "../../src/text/example.ts";
import { NumericFilter } from "../../src/text/filters/numeric_filter.ts";
import type { TextClassifier } from "../../src/text/models/text_classifier.ts";
import { accuracy, evaluateRobustness, formatChange } from "../../src/text/robustness.ts";
import { TaskKindError } from "../../src/text/task_kind_error.ts";
import { AntonymSubstitution } from "../../src/text/transformations/antonym_substitution.ts";
import { ContractionExpansion } from "../../src/text/transformations/contraction_expansion.ts";
import { LeetLetters } from "../../src/text/transformations/leet_letters.ts";
import { ShuffleWithinSegments } from "../../src/text/transformations/shuffle_within_segments.ts";

const ex = (sentence: string, target: string): SentenceAndTargetExample => ({
  kind: "sentence_and_target",
  sentence,
  target,
});
// Spam if the text contains "free" (as letters), else ham; counts its calls.
function keywordModel(): TextClassifier & { calls: number; texts: number } {
  const m = {
    name: "free-keyword",
    labels: ["ham", "spam"],
    calls: 0,
    texts: 0,
    predict(texts: readonly string[]) {
      m.calls++;
      m.texts += texts.length;
      return Promise.resolve(texts.map((t) => (/free/i.test(t) ? "spam" : "ham")));
    },
  };
  return m;
}
const DATA = [
  ex("free money", "spam"),
  ex("get it free now", "spam"),
  ex("meeting at 10", "ham"),
  ex("lunch?", "ham"),
  ex("free lunch at 12", "ham"),
];

Deno.test("transformation: accuracy before and after, change in points, reference format", async () => {
  const r = await evaluateRobustness(keywordModel(), DATA, new LeetLetters({ prob: 1 }));
  // "free" becomes "fr33": both spam texts are missed, the ham text with "free" is now right.
  assert.equal(r.originalScore, 80);
  assert.equal(r.perturbedScore, 60);
  assert.equal(r.delta, -20);
  assert.equal(r.drop, 20);
  assert.equal(r.summary, "80.0 -> 60.0 (-20.0)");
  assert.equal(r.type, "transformation");
  assert.equal(r.nPerturbed, 5);
  assert.equal(r.perturbationRate, 1); // every text has a leet letter
});

Deno.test("filter: accuracy of the original predictions on the kept subset", async () => {
  const r = await evaluateRobustness(keywordModel(), DATA, new NumericFilter());
  assert.equal(r.type, "filter");
  assert.equal(r.nPerturbed, 2);
  assert.equal(r.perturbedScore, 50);
  assert.equal(r.summary, "80.0 -> 50.0 (-30.0)");
});

Deno.test("original predictions can be reused; only changed texts are predicted again", async () => {
  const m = keywordModel();
  const original = await m.predict(DATA.map((e) => e.sentence));
  m.texts = 0;
  const r = await evaluateRobustness(m, DATA, new ContractionExpansion(), {
    originalPredictions: original,
  });
  assert.equal(m.texts, 0, "nothing changed, nothing predicted");
  assert.equal(r.delta, 0);
  assert.equal(r.perturbationRate, 0);
});

Deno.test("label-changing operations are flagged", async () => {
  const r = await evaluateRobustness(
    keywordModel(),
    [ex("a good day", "ham")],
    new AntonymSubstitution(),
  );
  assert.equal(r.preservesLabel, false);
});

Deno.test("bad input: typed errors", async () => {
  const m = keywordModel();
  await assert.rejects(() => evaluateRobustness(m, [], new LeetLetters()), InvalidArgumentError);
  await assert.rejects(
    () => evaluateRobustness(m, [{ kind: "sentence", sentence: "x" } as never], new LeetLetters()),
    /dataset\[0\]\.kind must be "sentence_and_target"/,
  );
  await assert.rejects(
    () => evaluateRobustness(m, DATA, new ShuffleWithinSegments()),
    TaskKindError,
  );
  await assert.rejects(
    () => evaluateRobustness(m, DATA, new LeetLetters(), { originalPredictions: ["spam"] }),
    /originalPredictions has 1 entries, dataset has 5/,
  );
});

Deno.test("accuracy and formatChange", () => {
  assert.equal(accuracy(["a", "b"], ["a", "a"]), 50);
  assert.ok(Number.isNaN(accuracy([], [])));
  assert.throws(() => accuracy(["a"], []), InvalidArgumentError);
  assert.equal(formatChange(94, 89), "94.0 -> 89.0 (-5.0)");
  assert.equal(formatChange(50, 62.25), "50.0 -> 62.3 (+12.3)");
  assert.equal(formatChange(70, NaN), "70.0 -> n/a (empty subset)");
});
