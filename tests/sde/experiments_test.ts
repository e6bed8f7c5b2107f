import assert from "node:assert/strict";
import { quietContext } from "../_util.ts";
import { sdeGmm } from "../../src/sde/experiments/sde_gmm.ts";
import { sdeMnist } from "../../src/sde/experiments/sde_mnist.ts";

const ctx = quietContext();

Deno.test("sde-gmm: a tiny run reports every required metric", async () => {
  const c = sdeGmm.schema.parse({
    ...sdeGmm.presets.quick,
    samples: 128,
    trainedSamples: 64,
    steps: 25,
    likelihoodPoints: 4,
    tol: 1e-2,
    trainSize: 256,
    trainSteps: 3,
    hidden: [8],
    chartPoints: 10,
  });
  const r = await sdeGmm.run(c, ctx);
  for (const k of ["sw_em", "sw_pc", "sw_ode", "nll_abs_err_ode", "nfe_em", "nfe_pc", "nfe_ode"]) {
    const v = r.metrics[k] as Record<string, number>;
    assert.ok(Number.isFinite(v.vp) && Number.isFinite(v.ve), `${k}: ${JSON.stringify(v)}`);
  }
  assert.ok(Number.isFinite(r.metrics.sw_trained_pc as number));
  assert.ok(Number.isFinite(r.metrics.sw_trained_em_no_ema as number), "EMA on by default");
  assert.equal((r.metrics.nfe_pc as Record<string, number>).vp, 50);
  assert.equal(r.tables?.[0].table.numRows(), 9);
  assert.ok(sdeGmm.schema.safeParse({ bogus: 1 }).success === false);
});

Deno.test("sde-mnist: a tiny run reports bits/dim, loss, throughput and two PNGs", async () => {
  const c = sdeMnist.schema.parse({
    ...sdeMnist.presets.quick,
    train: 64,
    test: 8,
    trainSteps: 2,
    batchSize: 16,
    hidden: [16],
    steps: 25,
    samples: 4,
    bpdImages: 2,
    tol: 1e-2,
    inpaintImages: 1,
    dequantizeTrain: true,
    likelihoodWeighting: true,
    importanceSampling: true,
    gaussianBaseline: true,
  });
  const r = await sdeMnist.run(c, ctx);
  assert.ok(r.notes?.some((n) => n.includes("likelihood weighting with importance-sampled t")));
  assert.ok(r.notes?.some((n) => n.includes("Gaussian baseline score")));
  // the per-image table: bits/dim = prior + flow terms + 7, averaging to bpd_test
  const rows = r.tables!.find((t) => t.name === "bpd")!.table.objects() as Record<string, number>[];
  assert.equal(rows.length, 2);
  for (const row of rows) {
    // log p = prior + flow is summed on the GPU in f32
    const sum = row.prior_bits + row.flow_bits + 7;
    assert.ok(Math.abs(row.bpd - sum) < 1e-6 * Math.abs(sum), JSON.stringify(row));
    assert.ok(row.latent_rms > 0);
  }
  assert.ok(Math.abs((rows[0].bpd + rows[1].bpd) / 2 - (r.metrics.bpd_test as number)) < 1e-9);
  for (const k of ["bpd_test", "bpd_test_median", "train_loss_final", "samples_per_second"]) {
    assert.ok(Number.isFinite(r.metrics[k] as number), `${k}: ${r.metrics[k]}`);
  }
  assert.ok((r.metrics.inpaint_known_max_abs_err as number) < 1e-5);
  assert.deepEqual(r.images?.map((i) => i.name), ["samples", "inpainting"]);
  assert.deepEqual([...r.images![0].png.slice(1, 4)], [80, 78, 71]);
  const bad = sdeMnist.schema.safeParse({ importanceSampling: true });
  assert.ok(!bad.success && bad.error.issues[0].path[0] === "importanceSampling");
});
