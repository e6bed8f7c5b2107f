/** Smoke test of the dks-deep-mlp experiment at tiny scale: finite metrics, tables, charts. */
import assert from "node:assert/strict";
import { validateMetrics } from "../../src/report/run_record.ts";
import { quietContext } from "../_util.ts";
import { InvalidArgumentError } from "../../src/errors.ts";
import {
  dksDeepMlp,
  parseDksDeepMlpConfig,
} from "../../src/kernels_inf/experiments/dks_deep_mlp.ts";

const ctx = quietContext(3);

Deno.test("dks-deep-mlp runs at tiny scale and reports every metric", async () => {
  const config = dksDeepMlp.schema.parse({
    trainSize: 64,
    testSize: 20,
    pool: 2,
    depth: 4,
    width: 16,
    variants: ["dks", "standard", "tanh_orthogonal", "dks_gaussian", "tat", "relu_he"],
    eta: 0.5, // a 4-layer ReLU chain reaches C_f(0) = 0.68 at most, below the default 0.9
    batchSize: 32,
    steps: 6,
    readEvery: 3,
  });
  const r = await dksDeepMlp.run(config, ctx);
  validateMetrics(r.metrics); // what the runner checks before writing metrics.json
  for (
    const k of [
      "dks_final_loss",
      "standard_final_loss",
      "dks_test_acc",
      "standard_test_acc",
      "loss_ratio_standard_over_dks",
      "tanh_orthogonal_final_loss",
      "dks_gaussian_test_acc",
      "dks_alpha",
      "dks_beta",
      "dks_gamma",
      "dks_delta",
      "tat_final_loss",
      "tat_test_acc",
      "loss_ratio_standard_over_tat",
      "tat_negative_slope",
      "tat_output_scale",
      "relu_he_final_loss",
      "relu_he_test_acc",
    ]
  ) {
    assert.equal(typeof r.metrics[k], "number", k);
    assert.ok(Number.isFinite(r.metrics[k] as number), `${k} = ${r.metrics[k]}`);
  }
  for (const k of ["dks_test_acc", "standard_test_acc", "tat_test_acc"]) {
    const v = r.metrics[k] as number;
    assert.ok(v >= 0 && v <= 1, `${k} = ${v}`);
  }
  assert.deepEqual(Object.keys(r.metrics.final_train_loss as Record<string, number>), [
    "dks",
    "standard",
    "tanh_orthogonal",
    "dks_gaussian",
    "tat",
    "relu_he",
  ]);
  // The TAT parameters are the transform's: slope in (0, 1), Q(q) = q scale.
  const a = r.metrics.tat_negative_slope as number;
  assert.ok(a > 0 && a < 1, `tat_negative_slope = ${a}`);
  assert.ok(Math.abs((r.metrics.tat_output_scale as number) - Math.sqrt(2 / (1 + a * a))) < 1e-12);
  assert.deepEqual(r.tables!.map((t) => t.name), ["variants"]);
  const t = r.tables![0].table;
  assert.equal(t.numRows(), 6);
  // relu_he: plain ReLU with Gaussian He weights (w_std sqrt(2))
  const he = (t.objects() as Record<string, unknown>[]).find((o) => o.variant === "relu_he")!;
  assert.equal(he.activation, "relu");
  assert.equal(he.init, "gaussian (w_std 1.4142)");
  for (const col of ["variant", "final_train_loss", "test_acc", "init_mean_abs_cos"]) {
    assert.ok(t.columnNames().includes(col), col);
  }
  assert.deepEqual(r.charts!.map((c) => c.name), ["loss-curves"]);
  const values = (r.charts![0].spec.data as { values: { variant: string; step: number }[] })
    .values;
  // Step 0 plus two read windows per variant.
  assert.equal(values.length, 6 * 3);
  assert.deepEqual([...new Set(values.map((v) => v.step))], [0, 3, 6]);
  assert.ok(r.notes!.some((n) => n.includes("alpha") && n.includes("delta")));
  assert.ok(r.notes!.some((n) => n.includes("TAT") && n.includes("He init")));
});

Deno.test("dks-deep-mlp schema fills defaults and rejects bad fields", () => {
  const full = dksDeepMlp.schema.parse({});
  assert.equal(full.depth, 64);
  assert.equal(full.width, 512);
  const quick = dksDeepMlp.schema.parse({ ...dksDeepMlp.presets.quick });
  assert.equal(quick.depth, 24);
  assert.throws(() => dksDeepMlp.schema.parse({ bogus: 1 }));
  assert.throws(() => dksDeepMlp.schema.parse({ depth: 0 }));
  assert.throws(() => dksDeepMlp.schema.parse({ variants: ["resnet"] }));
  assert.throws(() => dksDeepMlp.schema.parse({ variants: [] }));
  assert.throws(() => dksDeepMlp.schema.parse({ zeta: 1 }));
  assert.throws(() => dksDeepMlp.schema.parse({ eta: 1 }));
  assert.throws(() => dksDeepMlp.schema.parse({ eta: -0.1 }));
  assert.ok(quick.variants.includes("tat") && quick.variants.includes("relu_he"));
  assert.throws(() => dksDeepMlp.schema.parse({ optimizer: "lbfgs" }));
  assert.throws(() => dksDeepMlp.schema.parse({ trainSize: 100, batchSize: 200 }));
  assert.equal(dksDeepMlp.schema.safeParse({ pool: 3 }).success, false);
  assert.throws(() => parseDksDeepMlpConfig({ lr: -1 }), InvalidArgumentError);
});
