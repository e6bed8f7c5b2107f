import assert from "node:assert/strict";
import { quietContext } from "../_util.ts";
import { bnnEss } from "../../src/bnn/experiments/bnn_ess.ts";

const ctx = quietContext();

Deno.test("bnn-ess: a tiny run reports the required metrics, tables and chart", async () => {
  const c = bnnEss.schema.parse({
    ...bnnEss.presets.quick,
    widths: [8, 16],
    train: 16,
    test: 4,
    chains: 2,
    warmup: 10,
    steps: 24,
    thin: 2,
    projections: 2,
  });
  const r = await bnnEss.run(c, ctx);
  const byWidth = r.metrics.ess_ratio_by_width as Record<string, number>;
  assert.deepEqual(Object.keys(byWidth).sort(), ["16", "8"]);
  for (const v of Object.values(byWidth)) assert.ok(Number.isFinite(v) && v > 0, `ratio ${v}`);
  for (const k of ["ess_ratio_max", "accept_rate_reprior", "accept_rate_standard"]) {
    const v = r.metrics[k] as number;
    assert.ok(Number.isFinite(v), `${k}: ${v}`);
  }
  for (const k of ["accept_rate_reprior", "accept_rate_standard"]) {
    const v = r.metrics[k] as number;
    assert.ok(v >= 0 && v <= 1, `${k} is a probability: ${v}`);
  }
  assert.equal(r.metrics.ess_ratio_max, Math.max(...Object.values(byWidth)));
  assert.equal(r.tables?.find((t) => t.name === "runs")?.table.numRows(), 4);
  assert.ok(r.charts?.some((ch) => ch.name === "ess-vs-width"));
});

Deno.test("bnn-ess: the schema rejects unknown fields and bad values", () => {
  assert.equal(bnnEss.schema.safeParse({ bogus: 1 }).success, false);
  assert.equal(bnnEss.schema.safeParse({ chains: 0 }).success, false);
  assert.equal(bnnEss.schema.safeParse({ sampler: "gibbs" }).success, false);
});
