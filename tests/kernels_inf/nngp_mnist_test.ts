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
    cnnTrainSize: 40,
    cnnPool: 4,
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
      "df64_vs_f64_max_rel_diff",
      "cnn_vec_nngp_acc",
      "cnn_vec_ntk_acc",
      "fc_subset_nngp_acc",
      "cnn_vec_gain",
      "cnn_gap_nngp_acc",
      "cnn_gap_ntk_acc",
      "cnn_gap_gain",
      "fc_zca_gain",
      "cnn_vec_zca_gain",
      "cnn_gap_zca_gain",
    ]
  ) {
    assert.equal(typeof r.metrics[k], "number", k);
    assert.ok(Number.isFinite(r.metrics[k] as number), `${k} = ${r.metrics[k]}`);
  }
  assert.ok((r.metrics.nngp_acc as number) > 0.3, "kernel accuracy above chance");
  // the GPU double-float solve and product agree with host f64 to about f32 rounding
  const dfDiff = r.metrics.df64_vs_f64_max_rel_diff as number;
  assert.ok(dfDiff < 1e-6, `df64 vs f64 relative difference ${dfDiff}`);
  assert.deepEqual(r.tables!.map((t) => t.name), [
    "kernels",
    "finite",
    "regularization",
    "precision",
    "architectures",
  ]);
  const arch = r.tables!.find((t) => t.name === "architectures")!.table.objects() as Record<
    string,
    unknown
  >[];
  assert.deepEqual(arch.map((o) => [o.architecture, o.inputs, o.preprocessing, o.train]), [
    ["fc", "7x7", "standardized", 40],
    ["cnn_vec", "7x7", "standardized", 40],
    ["cnn_gap", "7x7", "standardized", 40],
    ["fc", "7x7", "zca", 40],
    ["cnn_vec", "7x7", "zca", 40],
    ["cnn_gap", "7x7", "zca", 40],
  ]);
  assert.equal(r.charts!.length, 5);
  const finite = r.tables!.find((t) => t.name === "finite")!.table;
  for (const col of ["single_acc", "ensemble_acc", "centered_acc", "centered_ensemble_acc"]) {
    assert.ok(finite.columnNames().includes(col), col);
  }
  assert.equal(finite.numRows(), 2);
  assert.throws(() => nngpMnist.schema.parse({ pool: 3 }));
  assert.throws(() => nngpMnist.schema.parse({ bogus: 1 }));
  assert.throws(() => nngpMnist.schema.parse({ cnnPool: 3 }));
});

Deno.test("nngp-mnist: cnnTrainSize 0 skips the architecture comparison", async () => {
  const config = nngpMnist.schema.parse({
    trainSize: 40,
    testSize: 20,
    pool: 2,
    depths: [1],
    activations: ["relu"],
    widths: [4],
    parameterizations: ["ntk"],
    members: 1,
    steps: 2,
    precisionSizes: [40],
    zcaRegSweep: [],
    diagRegSweep: [1e-3],
    maxTime: 10,
    centered: false,
    cnnTrainSize: 0,
  });
  const r = await nngpMnist.run(config, quietContext(2));
  assert.ok(!r.tables!.some((t) => t.name === "architectures"));
  assert.equal(r.metrics.cnn_vec_gain, undefined);
});

Deno.test("nngp-mnist: cnnArchitectures picks the compared architectures and their metrics", async () => {
  const config = nngpMnist.schema.parse({
    trainSize: 30,
    testSize: 20,
    pool: 2,
    depths: [1],
    activations: ["relu"],
    widths: [4],
    parameterizations: ["ntk"],
    members: 1,
    steps: 2,
    precisionSizes: [30],
    zcaRegSweep: [],
    diagRegSweep: [1e-3],
    maxTime: 10,
    centered: false,
    cnnTrainSize: 30,
    cnnPool: 4,
    cnnArchitectures: ["cnn_gap", "fc"], // table order stays fc, cnn_gap
    cnnZca: false,
  });
  const r = await nngpMnist.run(config, quietContext(3));
  const arch = r.tables!.find((t) => t.name === "architectures")!.table.objects() as Record<
    string,
    unknown
  >[];
  assert.deepEqual(arch.map((o) => o.architecture), ["fc", "cnn_gap"]);
  for (const k of ["fc_subset_nngp_acc", "cnn_gap_nngp_acc", "cnn_gap_gain"]) {
    assert.ok(Number.isFinite(r.metrics[k] as number), k);
  }
  for (const k of ["cnn_vec_nngp_acc", "cnn_vec_gain", "cnn_gap_zca_gain"]) {
    assert.equal(r.metrics[k], undefined, k);
  }
  assert.throws(() => nngpMnist.schema.parse({ cnnArchitectures: ["cnn_gap", "resnet"] }));
  assert.throws(() => nngpMnist.schema.parse({ cnnArchitectures: [] }));
});
