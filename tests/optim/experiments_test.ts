import assert from "node:assert/strict";
import { quietContext } from "../_util.ts";
import { runtime, tensor } from "../../src/gpu/mod.ts";
import { foldIn, key } from "../../src/gpu/random.ts";
import { pes } from "../../src/optim/estimators/pes.ts";
import { truncatedEs } from "../../src/optim/estimators/truncated_es.ts";
import { pesInfluence } from "../../src/optim/experiments/pes_influence.ts";
import { pesLrSchedule } from "../../src/optim/experiments/pes_lr_schedule.ts";
import { lrScheduleRegression } from "../../src/optim/tasks/lr_schedule_regression.ts";
import { sinusoidMlp } from "../../src/optim/tasks/sinusoid_mlp.ts";

const ctx = quietContext();

Deno.test("truncations stay on the GPU: no submission while estimating (resets included)", async () => {
  const systems = [
    lrScheduleRegression({ horizon: 7 }),
    sinusoidMlp({ hidden: 8, batch: 8, horizon: 7 }),
  ];
  for (const sys of systems) {
    for (const make of [pes, truncatedEs]) {
      const est = make(sys, { particles: 8, truncationLength: 3, sigma: 0.1, maxInitialOffset: 7 });
      const theta = tensor([-2, -2]);
      est.estimate(theta, key(0)).grad.dispose(); // creates the unroll state (uploads once)
      await runtime().sync();
      const s0 = runtime().submissions;
      for (let i = 1; i <= 10; i++) {
        const { grad, loss } = est.estimate(theta, foldIn(key(0), i));
        grad.dispose();
        loss.dispose();
      }
      assert.equal(runtime().submissions, s0, `${sys.name} / ${est.name}: no submission`);
      await runtime().sync();
      est.dispose();
    }
  }
});

Deno.test("pes-influence and pes-lr-schedule run end to end on tiny configs", async () => {
  const a = await pesInfluence.run(
    pesInfluence.schema.parse({ iterations: 20, tbpttK: [1, 10], particles: 64, readEvery: 10 }),
    ctx,
  );
  for (const m of ["tbptt_k1", "tbptt_k10", "es", "pes", "pes_analytic"]) {
    assert.ok(Number.isFinite(a.metrics[`theta_final_${m}`]), m);
    assert.ok(Number.isFinite(a.metrics[`loss_final_${m}`]), m);
  }
  assert.equal(a.metrics.theta_true, -1 / 6);
  assert.equal(a.charts?.length, 2);
  const b = await pesLrSchedule.run(
    pesLrSchedule.schema.parse({ iterations: 20, particles: 8, gridSize: 4, readEvery: 10 }),
    ctx,
  );
  for (const m of ["pes", "es", "tbptt"]) {
    assert.ok(Number.isFinite(b.metrics[`meta_loss_final_${m}`]), m);
  }
  assert.ok(b.charts?.some((c) => c.name === "meta-loss-surface"));
});
