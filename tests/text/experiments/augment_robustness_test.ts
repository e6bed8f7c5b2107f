import assert from "node:assert/strict";
import { augmentRobustness } from "../../../src/text/experiments/augment_robustness.ts";
import type { ExperimentContext } from "../../../src/report/experiment.ts";

function context(adapter = "none"): ExperimentContext & { lines: string[]; ticks: number } {
  const ctx = {
    seed: 1,
    quick: true,
    outDir: Deno.makeTempDirSync(),
    adapter,
    lines: [] as string[],
    ticks: 0,
    log: (m: string) => void ctx.lines.push(m),
    progress: () => ({ tick: (n = 1) => void (ctx.ticks += n), done: () => {} }),
    signal: new AbortController().signal,
  };
  return ctx;
}

const SMALL = {
  spamEval: 40,
  spamTrain: 120,
  features: 128,
  steps: 30,
  sentimentEval: 40,
  trainer: "gpu" as const, // with adapter "none" the experiment falls back to the host trainer
  operations: [
    "leet_letters",
    "antonym_substitution",
    "shuffle_within_segments",
    "redundant_context",
    "key_value_shuffle",
    "numeric_filter",
    "length_filter",
  ],
};

Deno.test("augment-robustness: contract fields, strict schema with defaults, presets", () => {
  assert.equal(augmentRobustness.name, "augment-robustness");
  assert.equal(augmentRobustness.module, "text");
  assert.equal(augmentRobustness.keyMetric, "worst_drop");
  const d = augmentRobustness.schema.parse({});
  assert.equal(d.trainer, "gpu");
  assert.deepEqual(d.operations, []);
  for (const p of [augmentRobustness.presets.quick, augmentRobustness.presets.full]) {
    augmentRobustness.schema.parse(p);
  }
  assert.equal(augmentRobustness.schema.safeParse({ spamEvall: 3 }).success, false);
  assert.equal(augmentRobustness.schema.safeParse({ trainer: "tpu" }).success, false);
});

Deno.test("augment-robustness: metrics, table, chart and notes on a small run", async () => {
  const ctx = context();
  const config = augmentRobustness.schema.parse(SMALL);
  const r = await augmentRobustness.run(config, ctx);
  const m = r.metrics;
  assert.equal(m.n_transformations, 4, "leet, antonym, shuffle (via tagging), redundant (via QA)");
  assert.equal(m.n_filters, 2);
  assert.equal(m.n_skipped, 1, "key_value_shuffle cannot apply to classification");
  for (
    const k of [
      "clean_acc",
      "worst_drop",
      "mean_drop",
      "sentiment_clean_acc",
      "sentiment_worst_drop",
    ]
  ) {
    assert.equal(typeof m[k], "number", k);
    assert.ok(Number.isFinite(m[k] as number), k);
  }
  assert.ok((m.clean_acc as number) > 50);
  assert.equal(m.trainer, "host-f64");
  const drops = m.drop_by_transformation as Record<string, number>;
  assert.deepEqual(Object.keys(drops).toSorted(), [
    "antonym_substitution",
    "leet_letters",
    "redundant_context",
    "shuffle_within_segments",
  ]);
  // worst/mean drop use label-preserving transformations only.
  const preserving = ["leet_letters", "redundant_context", "shuffle_within_segments"].map((k) =>
    drops[k]
  );
  assert.equal(m.worst_drop, Math.max(...preserving));
  assert.ok(Math.abs((m.mean_drop as number) - preserving.reduce((a, b) => a + b, 0) / 3) < 0.01);
  assert.notEqual(m.worst_transformation, "antonym_substitution");

  const table = r.tables![0].table;
  assert.equal(table.numRows(), 6);
  assert.ok(table.columnNames().includes("spam_delta") && table.columnNames().includes("via"));
  const vias = table.array("via") as string[];
  assert.ok(vias.includes("tagging") && vias.includes("question_answer"));
  const spec = r.charts![0].spec as { data: { values: unknown[] }; mark: string };
  assert.equal(spec.mark, "bar");
  assert.equal(spec.data.values.length, 8, "4 transformations x 2 models");
  assert.ok(r.notes!.some((n) => n.includes("key_value_shuffle")));
  assert.ok(r.notes!.some((n) => n.includes("No WebGPU adapter")), "adapter 'none' -> host");
  assert.ok(ctx.ticks > 0);

  const again = await augmentRobustness.run(config, context());
  assert.deepEqual(again.metrics, m, "deterministic for a seed");
});
