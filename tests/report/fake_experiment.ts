// A tiny experiment that exists only in the tests: it exercises the whole path
// (config, progress, metrics, tables, charts, images, notes) in well under a second.
import * as aq from "arquero";
import { z } from "zod";
import type { Experiment } from "../../src/report/experiment.ts";
import { svgToPng } from "../../src/report/png.ts";

export const fakeSchema = z.strictObject({
  steps: z.number().int().positive().default(20),
  lr: z.number().positive().default(0.1),
  mode: z.enum(["fast", "slow"]).default("fast"),
  widths: z.array(z.number().int().positive()).default([8, 16]),
  fail: z.boolean().default(false),
  label: z.string().default("fake"),
});

export type FakeConfig = z.infer<typeof fakeSchema>;

/** Builds the fake experiment; `hooks.onStep` lets a test act mid-run (e.g. abort). */
export function fakeExperiment(
  name = "fake-exp",
  hooks: { onStep?: (step: number) => void } = {},
): Experiment<FakeConfig> {
  return {
    name,
    module: "test",
    description: "Decays a loss exponentially; exists only in the tests.",
    claim: "Wider fake networks reach a lower fake loss.",
    schema: fakeSchema,
    presets: { quick: { steps: 5 }, full: { steps: 200 } },
    keyMetric: "final_loss",
    async run(config, ctx) {
      if (config.fail) throw new Error("fake failure requested");
      ctx.log(`running ${config.steps} steps, seed ${ctx.seed}`);
      const rows: { step: number; width: string; loss: number }[] = [];
      const p = ctx.progress("training", config.steps);
      let step = 0;
      for (; step < config.steps; step++) {
        if (ctx.signal.aborted) break;
        for (const w of config.widths) {
          rows.push({ step, width: String(w), loss: Math.exp(-config.lr * step * (1 + w / 16)) });
        }
        p.tick();
        hooks.onStep?.(step);
        await Promise.resolve();
      }
      p.done();
      const last = rows.filter((r) => r.step === step - 1);
      const byWidth = Object.fromEntries(last.map((r) => [r.width, r.loss]));
      const table = aq.from(last);
      const png = await svgToPng(
        '<svg xmlns="http://www.w3.org/2000/svg" width="28" height="28">' +
          '<rect width="28" height="28" fill="black"/><circle cx="14" cy="14" r="8" fill="white"/></svg>',
        { scale: 1 },
      );
      return {
        metrics: {
          final_loss: Math.min(...last.map((r) => r.loss)),
          steps_run: step,
          mode: config.mode,
          loss_by_width: byWidth,
        },
        tables: [{ name: "final-loss", title: "Final loss by width", table }],
        charts: [{
          name: "loss-curve",
          title: "Loss during training",
          spec: {
            data: { values: rows },
            mark: "line",
            encoding: {
              x: { field: "step", type: "quantitative", title: "Training step" },
              y: { field: "loss", type: "quantitative", title: "Fake loss" },
              color: { field: "width", type: "nominal", title: "Width" },
            },
          },
        }],
        images: [{ name: "sample", title: "A fake sample", png }],
        notes: [`label: ${config.label}`],
      };
    },
  };
}
