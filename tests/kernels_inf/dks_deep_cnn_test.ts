/** Smoke test of the dks-deep-cnn experiment at tiny scale: finite metrics, tables, charts. */
import assert from "node:assert/strict";
import { validateMetrics } from "../../src/report/run_record.ts";
import { quietContext } from "../_util.ts";
import { InvalidArgumentError } from "../../src/errors.ts";
import {
  dksDeepCnn,
  parseDksDeepCnnConfig,
} from "../../src/kernels_inf/experiments/dks_deep_cnn.ts";

Deno.test("dks-deep-cnn runs at tiny scale and reports every variant", async () => {
  const config = dksDeepCnn.schema.parse({
    trainSize: 32,
    testSize: 10,
    pool: 4,
    depth: 3,
    channels: 4,
    eta: 0.5, // a 3-layer ReLU chain reaches C_f(0) = 0.62 at most, below the default 0.9
    batchSize: 16,
    steps: 4,
    readEvery: 2,
  });
  const r = await dksDeepCnn.run(config, quietContext(5));
  validateMetrics(r.metrics);
  const losses = r.metrics.final_train_loss as Record<string, number>;
  assert.deepEqual(Object.keys(losses), [
    "dks",
    "standard",
    "tanh_orthogonal",
    "dks_gaussian",
    "tat",
    "relu_he",
  ]);
  for (const [v, loss] of Object.entries(losses)) {
    assert.ok(Number.isFinite(loss) && loss > 0, `${v}: ${loss}`);
  }
  assert.ok(Number.isFinite(r.metrics.loss_ratio_standard_over_dks as number));
  const rows = r.tables![0].table.objects() as Record<string, unknown>[];
  assert.equal(rows.length, 6);
  // Delta-orthogonal filters with TAT's positively homogeneous activation keep the mean q of
  // the last hidden layer at the input's (1, per-example standardized) up to finite-width noise.
  const tat = rows.find((o) => o.variant === "tat")!;
  assert.equal(tat.init, "orthogonal");
  assert.ok(Number.isFinite(tat.init_q_out as number) && (tat.init_q_out as number) > 0);
  const he = rows.find((o) => o.variant === "relu_he")!;
  assert.equal(he.init, "gaussian (w_std 1.4142)");
  assert.ok(r.notes!.some((n) => n.includes("3x3") && n.includes("7x7 MNIST")), r.notes![1]);
  const values = (r.charts![0].spec.data as { values: { step: number }[] }).values;
  assert.deepEqual([...new Set(values.map((v) => v.step))], [0, 2, 4]);
});

Deno.test("dks-deep-cnn: schema, presets and the run-all exclusion", () => {
  const full = dksDeepCnn.schema.parse({ ...dksDeepCnn.presets.full });
  assert.equal(full.channels, 128);
  assert.equal(full.pool, 2);
  assert.equal(dksDeepCnn.schema.safeParse({ kernelSize: 2 }).success, false);
  assert.equal(dksDeepCnn.schema.safeParse({ pool: 3 }).success, false);
  assert.equal(dksDeepCnn.schema.safeParse({ channels: 0 }).success, false);
  assert.throws(
    () => parseDksDeepCnnConfig({ trainSize: 100, batchSize: 200 }),
    InvalidArgumentError,
  );
  assert.match(dksDeepCnn.notInRunAll ?? "", /sized for a GPU/);
});
