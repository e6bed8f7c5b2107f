/**
 * The experiment contract: what every `src/<module>/experiments/<name>.ts` exports
 * and what the runner hands it (DESIGN.md, "Experiments").
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import type { Experiment } from "./experiment.ts";
 *
 * const schema = z.strictObject({ steps: z.number().int().positive().default(10) });
 * const hello: Experiment<z.infer<typeof schema>> = {
 *   name: "hello",
 *   module: "demo",
 *   description: "Counts to `steps`.",
 *   claim: "Counting works.",
 *   schema,
 *   presets: { quick: { steps: 3 }, full: { steps: 100 } },
 *   keyMetric: "count",
 *   run(config, ctx) {
 *     const p = ctx.progress("counting", config.steps);
 *     for (let i = 0; i < config.steps; i++) p.tick();
 *     p.done();
 *     return Promise.resolve({ metrics: { count: config.steps } });
 *   },
 * };
 * console.log(hello.name); // "hello"
 * ```
 * @module
 */

import type { ColumnTable } from "arquero";

/**
 * A metric value: a number, a string, or one level of `{ key: number }`
 * (e.g. `ess_ratio_by_width: { "32": 1.4, "64": 2.0 }`).
 *
 * @example
 * ```ts
 * import type { MetricValue } from "./experiment.ts";
 * const v: MetricValue = { "32": 1.4, "64": 2.0 };
 * console.log(Object.keys(v)); // ["32", "64"]
 * ```
 */
export type MetricValue = number | string | Record<string, number>;

/**
 * Progress of one long loop; the runner shows it as a bar (TTY) or periodic lines.
 *
 * @example
 * ```ts
 * import type { Progress } from "./experiment.ts";
 * const p: Progress = { tick() {}, done() {} };
 * p.tick(5);
 * p.done();
 * ```
 */
export interface Progress {
  /** Advances by `n` steps (default 1). */
  tick(n?: number): void;
  /** Marks the loop finished (idempotent). */
  done(): void;
}

/**
 * What the runner gives an experiment's `run`.
 *
 * @example
 * ```ts
 * import type { ExperimentContext } from "./experiment.ts";
 * const ctx: ExperimentContext = {
 *   seed: 0, quick: true, outDir: "/tmp", adapter: "none",
 *   log: (m) => console.log(m),
 *   progress: () => ({ tick() {}, done() {} }),
 *   signal: new AbortController().signal,
 * };
 * ctx.log(`seed ${ctx.seed}`);
 * ```
 */
export interface ExperimentContext {
  /** Root random seed (from `--seed`, default 0). */
  seed: number;
  /** True when running the `quick` preset. */
  quick: boolean;
  /** Directory for this experiment's files (`DIR/<name>`); it exists when `run` starts. */
  outDir: string;
  /** One-line description of the WebGPU adapter in use ("none" when there is none). */
  adapter: string;
  /** Writes one line of progress text to stderr. */
  log(msg: string): void;
  /** Starts a progress indicator for a loop of `total` steps. */
  progress(label: string, total: number): Progress;
  /** Aborted on Ctrl-C; long loops should check it and stop early. */
  signal: AbortSignal;
}

/**
 * A named arquero table an experiment returns; written as `<name>.md` and `<name>.csv`.
 *
 * @example
 * ```ts
 * import * as aq from "arquero";
 * import type { ResultTable } from "./experiment.ts";
 * const t: ResultTable = { name: "acc", title: "Accuracy", table: aq.table({ x: [1, 2] }) };
 * console.log(t.table.numRows()); // 2
 * ```
 */
export interface ResultTable {
  /** File stem (letters, digits, `-`, `_`). */
  name: string;
  /** Human-readable title shown in the report. */
  title: string;
  /** The data. */
  table: ColumnTable;
}

/**
 * A named vega-lite chart; written as `<name>.vl.json`, `<name>.svg` and `<name>.png`.
 *
 * @example
 * ```ts
 * import type { ResultChart } from "./experiment.ts";
 * const c: ResultChart = {
 *   name: "loss", title: "Loss",
 *   spec: { data: { values: [{ x: 1, y: 2 }] }, mark: "line",
 *     encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } } },
 * };
 * console.log(c.name); // "loss"
 * ```
 */
export interface ResultChart {
  /** File stem (letters, digits, `-`, `_`). */
  name: string;
  /** Human-readable title shown in the report. */
  title: string;
  /** A vega-lite `TopLevelSpec` as plain JSON. */
  spec: Record<string, unknown>;
}

/**
 * A named PNG image an experiment produced itself (e.g. a grid of samples).
 *
 * @example
 * ```ts
 * import type { ResultImage } from "./experiment.ts";
 * const img: ResultImage = { name: "samples", title: "Samples", png: new Uint8Array() };
 * console.log(img.png.length); // 0
 * ```
 */
export interface ResultImage {
  /** File stem (letters, digits, `-`, `_`). */
  name: string;
  /** Human-readable title shown in the report. */
  title: string;
  /** Encoded PNG bytes. */
  png: Uint8Array;
}

/**
 * What an experiment's `run` returns.
 *
 * @example
 * ```ts
 * import type { ExperimentResult } from "./experiment.ts";
 * const r: ExperimentResult = { metrics: { accuracy: 0.93, by_width: { "32": 0.9 } } };
 * console.log(r.metrics.accuracy); // 0.93
 * ```
 */
export interface ExperimentResult {
  /** Flat numbers/strings, plus one level of `{ key: number }` objects. */
  metrics: Record<string, MetricValue>;
  /** Tables, written as Markdown and CSV and shown in the report. */
  tables?: ResultTable[];
  /** Charts, rendered to SVG and PNG and shown in the report. */
  charts?: ResultChart[];
  /** Ready-made PNG images, shown in the report. */
  images?: ResultImage[];
  /** Free-text remarks shown in the report. */
  notes?: string[];
}

/**
 * One experiment: a config schema with presets and a `run` that returns results.
 *
 * `C` is the parsed config type (`z.infer<typeof schema>`).
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import type { Experiment } from "./experiment.ts";
 * const schema = z.strictObject({ n: z.number().int().default(4) });
 * const exp: Experiment<z.infer<typeof schema>> = {
 *   name: "square", module: "demo", description: "Squares n.", claim: "n*n >= n.",
 *   schema, presets: { quick: { n: 2 }, full: { n: 100 } }, keyMetric: "square",
 *   run: (c) => Promise.resolve({ metrics: { square: c.n * c.n } }),
 * };
 * console.log(exp.keyMetric); // "square"
 * ```
 */
// deno-lint-ignore no-explicit-any
export interface Experiment<C = any> {
  /** Stable name, e.g. `"nngp-mnist"`. */
  name: string;
  /** Module the experiment belongs to: `"kernels_inf"`, `"bnn"`, `"sde"`, `"optim"`, `"text"`, ... */
  module: string;
  /** One-line description. */
  description: string;
  /** The paper's qualitative claim the experiment reproduces. */
  claim: string;
  /** zod config schema (`z.strictObject`) with a default for every field. */
  schema: ConfigSchema<C>;
  /** Partial configs for `--quick` and `--full`. */
  presets: { quick: Partial<C>; full: Partial<C> };
  /** The metric shown in the demo summary table. */
  keyMetric: string;
  /**
   * Set when `run all` (the demo) should skip the experiment, with the reason (e.g. its quick
   * preset is sized for a GPU); `run <name>` still runs it and `list` shows the reason.
   */
  notInRunAll?: string;
  /** Runs the experiment. */
  run(config: C, ctx: ExperimentContext): Promise<ExperimentResult>;
}

/**
 * One validation problem reported by a config schema (a zod issue).
 *
 * @example
 * ```ts
 * import type { ConfigIssue } from "./experiment.ts";
 * const issue: ConfigIssue = { code: "invalid_type", path: ["steps"], message: "expected number" };
 * console.log(issue.path[0]); // "steps"
 * ```
 */
export interface ConfigIssue {
  /** Issue kind, e.g. `"invalid_type"`, `"too_small"`, `"unrecognized_keys"`. */
  readonly code: string;
  /** Where in the config the problem is (`["steps"]`, `["widths", 1]`). */
  readonly path: readonly PropertyKey[];
  /** zod's message. */
  readonly message: string;
}

/**
 * The config schema an experiment declares: any zod schema fits (use
 * `z.strictObject({...})` with a `.default()` on every field). It is typed
 * structurally, as the part of zod's `ZodType<C>` the runner uses, so the public API
 * does not expose zod's internal types.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import type { ConfigSchema } from "./experiment.ts";
 * const schema: ConfigSchema<{ steps: number }> = z.strictObject({
 *   steps: z.number().int().positive().default(100),
 * });
 * console.log(schema.parse({})); // { steps: 100 }
 * ```
 */
export interface ConfigSchema<C> {
  /** Validates and fills defaults; throws on invalid input. */
  parse(data: unknown): C;
  /** Validates and fills defaults without throwing. */
  safeParse(
    data: unknown,
  ): { success: true; data: C } | {
    success: false;
    error: { issues: readonly ConfigIssue[] };
  };
}

/**
 * An experiment that is on the roadmap but not implemented yet (listed, never faked).
 *
 * @example
 * ```ts
 * import type { PlannedExperiment } from "./experiment.ts";
 * const p: PlannedExperiment = { name: "sde-gmm", module: "sde", description: "..." };
 * console.log(p.module); // "sde"
 * ```
 */
export interface PlannedExperiment {
  /** Stable name the experiment will have. */
  name: string;
  /** Module it will live in. */
  module: string;
  /** One-line description. */
  description: string;
}
