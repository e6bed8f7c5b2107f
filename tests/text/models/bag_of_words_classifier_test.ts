import assert from "node:assert/strict";
import { InvalidArgumentError } from "../../../src/errors.ts";
import { loadSpamAssassin } from "../../../src/text/datasets/spam_assassin.ts";
import { BagOfWordsClassifier } from "../../../src/text/models/bag_of_words_classifier.ts";
import { accuracy } from "../../../src/text/robustness.ts";

Deno.test("BagOfWordsClassifier on SpamAssassin (host trainer) beats the majority class", async () => {
  const { train, eval: test } = loadSpamAssassin({ evalSize: 200, trainSize: 600 });
  const clf = await BagOfWordsClassifier.train(train, { features: 512, steps: 100 });
  assert.deepEqual(clf.labels, ["ham", "spam"]);
  const acc = accuracy(await clf.predict(test.map((e) => e.sentence)), test.map((e) => e.target));
  const majority = 100 *
    Math.max(...["ham", "spam"].map((l) => test.filter((e) => e.target === l).length)) /
    test.length;
  assert.ok(acc > majority + 5, `accuracy ${acc} vs majority ${majority}`);
  assert.ok(acc > 85, `accuracy ${acc}`);
});

Deno.test("BagOfWordsClassifier: labels, positive label and option errors", async () => {
  const ex = (sentence: string, target: string) => ({
    kind: "sentence_and_target" as const,
    sentence,
    target,
  });
  const data = [ex("good", "pos"), ex("bad", "neg")];
  const clf = await BagOfWordsClassifier.train(data, {
    features: 64,
    steps: 50,
    positiveLabel: "neg",
  });
  assert.deepEqual(clf.labels, ["pos", "neg"]);
  assert.deepEqual(await clf.predict(["bad", "good"]), ["neg", "pos"]);
  await assert.rejects(
    () => BagOfWordsClassifier.train([...data, ex("meh", "mid")]),
    /expected exactly 2 labels, got 3/,
  );
  await assert.rejects(
    () => BagOfWordsClassifier.train(data, { positiveLabel: "x" }),
    InvalidArgumentError,
  );
  await assert.rejects(
    () => BagOfWordsClassifier.train(data, { features: 0 }),
    /option features = 0/,
  );
});
