// Run by cli_test.ts as a child process: the CLI with one slow fake experiment and the
// real SIGINT handler, so the test can press "Ctrl-C" (send SIGINT) mid-run.
import { z } from "zod";
import { main } from "../../cli.ts";
import type { Experiment } from "../../src/report/experiment.ts";

const slow: Experiment<{ steps: number }> = {
  name: "slow-exp",
  module: "test",
  description: "Ticks every 20 ms until stopped.",
  claim: "It stops when asked.",
  schema: z.strictObject({ steps: z.number().int().positive().default(10_000) }),
  presets: { quick: {}, full: {} },
  keyMetric: "ticks",
  async run(config, ctx) {
    const p = ctx.progress("ticking", config.steps);
    let ticks = 0;
    for (; ticks < config.steps && !ctx.signal.aborted; ticks++) {
      if (ticks === 3) ctx.log("started");
      await new Promise((r) => setTimeout(r, 20));
      p.tick();
    }
    p.done();
    return { metrics: { ticks } };
  },
};

Deno.exit(await main(Deno.args, { experiments: [slow], planned: [] }));
