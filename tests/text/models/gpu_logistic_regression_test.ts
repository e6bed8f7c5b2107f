// The GPU trainer (gpusci tensor core + autodiff) against the f64 host trainer.
import assert from "node:assert/strict";
import { hashedBagOfWords } from "../../../src/text/models/hashed_features.ts";
import { trainLogisticRegressionGpu } from "../../../src/text/models/gpu_logistic_regression.ts";
import { trainLogisticRegression } from "../../../src/text/models/logistic_regression.ts";
import { BagOfWordsClassifier } from "../../../src/text/models/bag_of_words_classifier.ts";

const hasGpu = (await navigator.gpu?.requestAdapter()) != null;

Deno.test({
  name: "GPU logistic regression (grad on the tensor core) matches the host f64 trainer",
  ignore: !hasGpu,
  fn: async () => {
    const texts = Array.from(
      { length: 48 },
      (_, i) => i % 2 === 0 ? `free offer ${i} win cash now` : `meeting ${i} notes for the project`,
    );
    const y = texts.map((_, i) => (i % 2 === 0 ? 1 : 0));
    const x = hashedBagOfWords(texts, 40);
    const opts = { steps: 60, learningRate: 4, l2: 1e-3 };
    let steps = 0;
    const gpu = await trainLogisticRegressionGpu(x, y, { ...opts, onStep: () => steps++ });
    const host = trainLogisticRegression(x, y, opts);
    assert.equal(steps, 60);
    let maxDiff = 0;
    for (let j = 0; j < 40; j++) {
      maxDiff = Math.max(maxDiff, Math.abs(gpu.weights[j] - host.weights[j]));
    }
    assert.ok(maxDiff < 1e-4, `max |w_gpu - w_host| = ${maxDiff}`);
    assert.ok(Math.abs(gpu.bias - host.bias) < 1e-4);
  },
});

Deno.test({
  name: "BagOfWordsClassifier trainer 'gpu' predicts like the host one",
  ignore: !hasGpu,
  fn: async () => {
    const train = ["win free cash", "free prize now", "lunch at noon", "notes from the meeting"]
      .map((
        sentence,
        i,
      ) => ({ kind: "sentence_and_target" as const, sentence, target: i < 2 ? "spam" : "ham" }));
    const gpu = await BagOfWordsClassifier.train(train, {
      features: 32,
      steps: 40,
      trainer: "gpu",
    });
    const host = await BagOfWordsClassifier.train(train, { features: 32, steps: 40 });
    assert.equal(gpu.trainedOn, "gpu-f32");
    assert.equal(host.trainedOn, "host-f64");
    const probe = ["free cash", "meeting at noon", "prize", "notes"];
    assert.deepEqual(await gpu.predict(probe), await host.predict(probe));
  },
});

Deno.test({
  name: "GPU trainer stops at an aborted signal",
  ignore: !hasGpu,
  fn: async () => {
    const x = hashedBagOfWords(["a b", "c d"], 8);
    const ctl = new AbortController();
    let steps = 0;
    await trainLogisticRegressionGpu(x, [1, 0], {
      steps: 100,
      signal: ctl.signal,
      onStep: (s) => {
        steps = s;
        if (s === 5) ctl.abort();
      },
    });
    assert.equal(steps, 5);
  },
});
