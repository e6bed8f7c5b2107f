/**
 * gpusci's presentation layer, shared by every experiment: the experiment contract,
 * arquero tables as Markdown/CSV/terminal text, vega-lite charts rendered headlessly
 * to SVG and PNG, progress bars, atomic run records (`metrics.json`), the experiment
 * runner and the self-contained `report.html`.
 *
 * @example
 * ```ts
 * import * as aq from "arquero";
 * import { z } from "zod";
 * import { type Experiment, runSuite, tableToText } from "./mod.ts";
 *
 * const schema = z.strictObject({ n: z.number().int().positive().default(8) });
 * const squares: Experiment<z.infer<typeof schema>> = {
 *   name: "squares",
 *   module: "demo",
 *   description: "Tabulates and plots n*n.",
 *   claim: "Squares grow faster than n.",
 *   schema,
 *   presets: { quick: { n: 4 }, full: { n: 100 } },
 *   keyMetric: "largest",
 *   run(config) {
 *     const n = Array.from({ length: config.n }, (_, i) => i + 1);
 *     const table = aq.table({ n, square: n.map((x) => x * x) });
 *     console.log(tableToText(table));
 *     return Promise.resolve({
 *       metrics: { largest: config.n ** 2 },
 *       tables: [{ name: "squares", title: "Squares", table }],
 *       charts: [{
 *         name: "squares", title: "n squared",
 *         spec: {
 *           data: { values: table.objects() }, mark: "line",
 *           encoding: {
 *             x: { field: "n", type: "quantitative", title: "n" },
 *             y: { field: "square", type: "quantitative", title: "n²" },
 *           },
 *         },
 *       }],
 *     });
 *   },
 * };
 *
 * const outRoot = await Deno.makeTempDir();
 * const [outcome] = await runSuite([{ experiment: squares, config: { n: 4 } }], {
 *   outRoot, write: () => {},
 * });
 * console.log(outcome.keyValue); // 16; outRoot now holds squares/ and report.html
 * await Deno.remove(outRoot, { recursive: true });
 * ```
 * @module
 */

export * from "./experiment.ts";
export * from "./format.ts";
export * from "./table.ts";
export * from "./chart.ts";
export * from "./png.ts";
export * from "./progress.ts";
export * from "./atomic_write.ts";
export * from "./run_record.ts";
export * from "./manifest.ts";
export * from "./artifacts.ts";
export * from "./config.ts";
export * from "./report_data.ts";
export * from "./html_report.ts";
export * from "./runner.ts";
export * from "./adapter_line.ts";
export * from "./version.ts";
export type { AdapterSummary } from "../gpu/device.ts";
