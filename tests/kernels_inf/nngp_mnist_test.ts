/** Smoke test of the nngp-mnist experiment at tiny scale: it runs and reports every metric. */
import assert from "node:assert/strict";
import { quietContext } from "../_util.ts";
import { nngpMnist } from "../../src/kernels_inf/experiments/nngp_mnist.ts";

Deno.test("nngp-mnist runs at tiny scale and reports the issue's metrics", async () => {
  const config = nngpMnist.schema.parse({
    trainSize: 60,
    testSize: 30,
    pool: 2,
    depths: [1],
    activations: ["relu"],
    widths: [8],
    parameterizations: ["ntk", "standard"],
    members: 2,
    steps: 5,
    batchSize: 20,
    precisionSizes: [30, 60],
    zcaRegSweep: [1],
    maxTime: 100,
  });
  const r = await nngpMnist.run(config, quietContext(1));
  for (
    const k of [
      "nngp_acc",
      "ntk_acc",
      "best_finite_acc",
      "ensemble_acc",
      "best_centered_acc",
      "centered_ensemble_acc",
      "infinite_at_steps_acc",
      "zca_gain",
      "f32_vs_precise_max_n",
    ]
  ) {
    assert.equal(typeof r.metrics[k], "number", k);
    assert.ok(Number.isFinite(r.metrics[k] as number), `${k} = ${r.metrics[k]}`);
  }
  assert.ok((r.metrics.nngp_acc as number) > 0.3, "kernel accuracy above chance");
  assert.deepEqual(r.tables!.map((t) => t.name), [
    "kernels",
    "finite",
    "regularization",
    "precision",
  ]);
  assert.equal(r.charts!.length, 4);
  const finite = r.tables!.find((t) => t.name === "finite")!.table;
  for (const col of ["single_acc", "ensemble_acc", "centered_acc", "centered_ensemble_acc"]) {
    assert.ok(finite.columnNames().includes(col), col);
  }
  assert.equal(finite.numRows(), 2);
  assert.throws(() => nngpMnist.schema.parse({ pool: 3 }));
  assert.throws(() => nngpMnist.schema.parse({ bogus: 1 }));
});
