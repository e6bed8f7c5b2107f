import assert from "node:assert/strict";
import { InvalidArgumentError } from "../../../src/errors.ts";
import { hashedBagOfWords, type SparseRows } from "../../../src/text/models/hashed_features.ts";
import {
  predictLogistic,
  trainLogisticRegression,
} from "../../../src/text/models/logistic_regression.ts";

function meanLoss(w: Float64Array, b: number, x: SparseRows, y: number[], l2: number): number {
  const p = predictLogistic({ weights: w, bias: b }, x);
  let loss = 0;
  for (let i = 0; i < y.length; i++) {
    loss -= y[i] * Math.log(p[i]) + (1 - y[i]) * Math.log(1 - p[i]);
  }
  return loss / y.length + (l2 / 2) * w.reduce((s, v) => s + v * v, 0);
}

const TEXTS = [
  "free money now",
  "win a free prize",
  "cheap pills online",
  "meeting notes attached",
  "lunch on friday",
  "project review at noon",
];
const Y = [1, 1, 1, 0, 0, 0];

Deno.test("host logistic regression separates a separable set and lowers the loss every step", () => {
  const x = hashedBagOfWords(TEXTS, 64);
  let prev = Infinity;
  for (const steps of [0, 5, 20, 80]) {
    const m = trainLogisticRegression(x, Y, { steps, learningRate: 2, l2: 1e-3 });
    const loss = meanLoss(m.weights, m.bias, x, Y, 1e-3);
    assert.ok(loss < prev, `steps ${steps}: ${loss} < ${prev}`);
    prev = loss;
  }
  const m = trainLogisticRegression(x, Y, { steps: 200 });
  assert.deepEqual(Array.from(predictLogistic(m, x), (p) => (p > 0.5 ? 1 : 0)), Y);
});

Deno.test("host gradient matches finite differences of the loss", () => {
  const x = hashedBagOfWords(TEXTS, 16);
  const l2 = 0.01;
  // One step from w = 0 with lr = 1 gives w1 = -grad(0), so grad_j = -w1_j.
  const one = trainLogisticRegression(x, Y, { steps: 1, learningRate: 1, l2 });
  for (const j of [0, 3, 7, 11]) {
    const h = 1e-6;
    const wp = new Float64Array(16), wm = new Float64Array(16);
    wp[j] = h;
    wm[j] = -h;
    const fd = (meanLoss(wp, 0, x, Y, l2) - meanLoss(wm, 0, x, Y, l2)) / (2 * h);
    assert.ok(Math.abs(-one.weights[j] - fd) < 1e-6, `feature ${j}: ${-one.weights[j]} vs ${fd}`);
  }
});

Deno.test("host trainer validates its inputs", () => {
  const x = hashedBagOfWords(TEXTS, 8);
  assert.throws(() => trainLogisticRegression(x, [1, 0]), InvalidArgumentError);
  assert.throws(() => trainLogisticRegression(x, Y, { steps: -1 }), InvalidArgumentError);
});
