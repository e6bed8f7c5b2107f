import assert from "node:assert/strict";
import { loadSentimentSentences } from "../../../src/text/datasets/sentiment_sentences.ts";
import { AfinnSentimentModel } from "../../../src/text/models/afinn_sentiment_model.ts";
import { accuracy } from "../../../src/text/robustness.ts";

Deno.test("AfinnSentimentModel: lexicon polarity, negation, neutral counts as positive", async () => {
  const m = new AfinnSentimentModel();
  assert.deepEqual(
    await m.predict(["I loved it", "Awful, just awful", "not good", "a table", ""]),
    [
      "positive",
      "negative",
      "negative",
      "positive",
      "positive",
    ],
  );
  assert.deepEqual(m.labels, ["negative", "positive"]);
});

Deno.test("AfinnSentimentModel on the UCI review sentences: well above chance", async () => {
  const { eval: test } = loadSentimentSentences({ evalSize: 600 });
  const m = new AfinnSentimentModel();
  const acc = accuracy(await m.predict(test.map((e) => e.sentence)), test.map((e) => e.target));
  // The `sentiment` package reports about 0.7 on these corpora with this rule.
  assert.ok(acc > 65 && acc < 90, `accuracy ${acc}`);
});
