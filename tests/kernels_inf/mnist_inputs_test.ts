import assert from "node:assert/strict";
import { loadMnistInputs } from "../../src/kernels_inf/experiments/mnist_inputs.ts";
import { loadMnistHost } from "../../src/nn/datasets/mnist.ts";
import { InvalidArgumentError } from "../../src/errors.ts";

Deno.test("loadMnistInputs: f x f average pooling of the same split (f = 1, 2, 4)", async () => {
  const raw = loadMnistHost({ train: 3, test: 2, seed: 4, scaling: "unit" });
  for (const f of [1, 2, 4] as const) {
    const d = loadMnistInputs({ train: 3, test: 2, pool: f, seed: 4 });
    const s = 28 / f;
    assert.equal(d.features, s * s);
    assert.deepEqual(d.xTrain.shape, [3, s * s]);
    assert.deepEqual(Array.from(d.labelsTrain), Array.from(raw.labelsTrain));
    const x = await d.xTrain.read();
    for (const [i, r, c] of [[0, 0, 0], [1, s - 1, 2], [2, 3, s - 1]]) {
      let acc = 0;
      for (let dr = 0; dr < f; dr++) {
        for (let dc = 0; dc < f; dc++) acc += raw.xTrain[i * 784 + (f * r + dr) * 28 + f * c + dc];
      }
      assert.ok(
        Math.abs(x[i * s * s + r * s + c] - acc / (f * f)) < 1e-6,
        `f ${f} (${i},${r},${c})`,
      );
    }
    for (const t of [d.xTrain, d.xTest, d.yTrain]) t.dispose();
  }
  assert.throws(
    () => loadMnistInputs({ train: 3, test: 2, pool: 3 as never, seed: 4 }),
    (e: Error) =>
      e instanceof InvalidArgumentError && /pool must be 1, 2 or 4, got 3/.test(e.message),
  );
});
