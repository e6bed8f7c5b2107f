/**
 * Runs experiments: builds the {@linkcode ExperimentContext}, calls `run`, writes the
 * artifacts, `metrics.json` and `run.json` into `DIR/<name>/`, records failures and
 * Ctrl-C interruptions instead of crashing, and refreshes `DIR/report.html` after
 * every experiment.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { runSuite } from "./runner.ts";
 * const schema = z.strictObject({ n: z.number().default(3) });
 * const exp = {
 *   name: "triple", module: "demo", description: "Triples n.", claim: "3n > n.",
 *   schema, presets: { quick: {}, full: {} }, keyMetric: "value",
 *   run: (c: { n: number }) => Promise.resolve({ metrics: { value: 3 * c.n } }),
 * };
 * const outRoot = await Deno.makeTempDir();
 * const [outcome] = await runSuite([{ experiment: exp, config: { n: 2 } }], {
 *   outRoot, write: () => {},
 * });
 * console.log(outcome.status, outcome.keyValue); // "ok" 6
 * await Deno.remove(outRoot, { recursive: true });
 * ```
 * @module
 */

import { writeArtifacts } from "./artifacts.ts";
import type {
  Experiment,
  ExperimentContext,
  MetricValue,
  PlannedExperiment,
  ResultTable,
} from "./experiment.ts";
import { writeHtmlReport } from "./html_report.ts";
import { type RunManifest, type RunStatus, writeManifest } from "./manifest.ts";
import { createProgress, stderrIsTerminal, writeStderr } from "./progress.ts";
import { METRICS_FILE, runRecord, writeRunRecord } from "./run_record.ts";

/**
 * Options shared by {@linkcode runExperiment} and {@linkcode runSuite}.
 *
 * @example
 * ```ts
 * import type { RunOptions } from "./runner.ts";
 * const o: RunOptions = { outRoot: "out", preset: "quick", seed: 1 };
 * console.log(o.outRoot); // "out"
 * ```
 */
export interface RunOptions {
  /** Output root `DIR`; each experiment writes into `DIR/<name>/`. */
  outRoot: string;
  /** Preset name recorded in `metrics.json` (default `"default"`). */
  preset?: string;
  /** Root seed handed to experiments (default 0). */
  seed?: number;
  /** One-line adapter description (default `"none"`). */
  adapter?: string;
  /** Aborted on Ctrl-C; the running experiment is recorded as interrupted. */
  signal?: AbortSignal;
  /** Where logs and progress go (default: stderr). */
  write?: (text: string) => void;
  /** Draw progress bars (default: whether stderr is a terminal). */
  tty?: boolean;
  /** Milliseconds between plain progress lines when not a terminal (default 10 000). */
  progressIntervalMs?: number;
}

/**
 * How one experiment (or a planned one) ended up.
 *
 * @example
 * ```ts
 * import type { RunOutcome } from "./runner.ts";
 * const o: RunOutcome = {
 *   name: "sde-gmm", module: "sde", status: "planned", keyMetric: "", seconds: 0,
 * };
 * console.log(o.status); // "planned"
 * ```
 */
export interface RunOutcome {
  /** Experiment name. */
  name: string;
  /** Module. */
  module: string;
  /** `"planned"` for experiments that are not implemented yet. */
  status: RunStatus | "planned";
  /** Name of the key metric. */
  keyMetric: string;
  /** Its value, when the run produced it. */
  keyValue?: MetricValue;
  /** Wall-clock seconds. */
  seconds: number;
  /** Error message for failed or interrupted runs. */
  error?: string;
  /** The run directory (absent for planned experiments). */
  dir?: string;
  /** All metrics the experiment reported (absent on failure). */
  metrics?: Record<string, MetricValue>;
  /** The experiment's tables, in memory, for printing (absent on failure). */
  tables?: ResultTable[];
}

function errorMessage(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

/**
 * Runs one experiment with an already validated config and writes its results into
 * `outRoot/<name>/`. Never throws for errors inside the experiment: they come back as
 * a `"failed"` outcome (or `"interrupted"` when `signal` was aborted), with a
 * `run.json` saying so.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { runExperiment } from "./runner.ts";
 * const exp = {
 *   name: "boom", module: "demo", description: "Fails.", claim: "-",
 *   schema: z.strictObject({}), presets: { quick: {}, full: {} }, keyMetric: "x",
 *   run: () => Promise.reject(new Error("no GPU")),
 * };
 * const outRoot = await Deno.makeTempDir();
 * const o = await runExperiment(exp, {}, { outRoot, write: () => {} });
 * console.log(o.status, o.error); // "failed" "Error: no GPU"
 * await Deno.remove(outRoot, { recursive: true });
 * ```
 */
export async function runExperiment<C>(
  exp: Experiment<C>,
  config: C,
  options: RunOptions,
): Promise<RunOutcome> {
  const dir = `${options.outRoot}/${exp.name}`;
  await Deno.mkdir(dir, { recursive: true });
  const write = options.write ?? writeStderr;
  const tty = options.tty ?? (options.write ? false : stderrIsTerminal());
  const signal = options.signal ?? new AbortController().signal;
  const seed = options.seed ?? 0;
  const adapter = options.adapter ?? "none";
  const preset = options.preset ?? "default";
  const started = new Date().toISOString();
  const t0 = performance.now();
  const seconds = () => Math.round((performance.now() - t0) / 10) / 100;

  const ctx: ExperimentContext = {
    seed,
    quick: preset === "quick",
    outDir: dir,
    adapter,
    log: (msg) => write(`${tty ? "\r\x1b[K" : ""}[${exp.name}] ${msg}\n`),
    progress: (label, total) =>
      createProgress(`[${exp.name}] ${label}`, total, {
        write,
        tty,
        intervalMs: options.progressIntervalMs,
      }),
    signal,
  };
  const manifest: RunManifest = {
    name: exp.name,
    module: exp.module,
    description: exp.description,
    claim: exp.claim,
    keyMetric: exp.keyMetric,
    status: "ok",
    preset,
    seed,
    adapter,
    started,
    seconds: 0,
    config: config as Record<string, unknown>,
    tables: [],
    charts: [],
    images: [],
    notes: [],
  };
  const outcome: RunOutcome = {
    name: exp.name,
    module: exp.module,
    status: "ok",
    keyMetric: exp.keyMetric,
    seconds: 0,
    dir,
  };
  try {
    const result = await exp.run(config, ctx);
    const artifacts = await writeArtifacts(dir, result);
    manifest.seconds = seconds();
    const status: RunStatus = signal.aborted ? "interrupted" : "ok";
    const record = runRecord(result.metrics, {
      experiment: exp.name,
      preset,
      adapter,
      seed,
      config: manifest.config,
      started,
      seconds: manifest.seconds,
    });
    await writeRunRecord(dir, record);
    Object.assign(manifest, artifacts, { notes: result.notes ?? [], status });
    if (status === "interrupted") manifest.error = "interrupted (Ctrl-C); partial results";
    Object.assign(outcome, {
      status,
      metrics: result.metrics,
      tables: result.tables,
      keyValue: result.metrics[exp.keyMetric],
      error: manifest.error,
    });
  } catch (e) {
    manifest.seconds = seconds();
    manifest.status = signal.aborted ? "interrupted" : "failed";
    manifest.error = signal.aborted ? `interrupted (Ctrl-C): ${errorMessage(e)}` : errorMessage(e);
    if (!signal.aborted && e instanceof Error && e.stack) {
      manifest.notes = [e.stack];
    }
    // A metrics.json from an earlier run would not describe this one.
    await Deno.remove(`${dir}/${METRICS_FILE}`).catch(() => {});
    Object.assign(outcome, { status: manifest.status, error: manifest.error });
  }
  outcome.seconds = manifest.seconds;
  await writeManifest(dir, manifest);
  return outcome;
}

/**
 * One experiment to run in a suite, with its validated config.
 *
 * @example
 * ```ts
 * import type { SuiteItem } from "./runner.ts";
 * const items: SuiteItem[] = [];
 * console.log(items.length); // 0
 * ```
 */
export interface SuiteItem {
  /** The experiment. */
  // deno-lint-ignore no-explicit-any
  experiment: Experiment<any>;
  /** Its validated config. */
  config: unknown;
}

/**
 * Options for {@linkcode runSuite}.
 *
 * @example
 * ```ts
 * import type { SuiteOptions } from "./runner.ts";
 * const o: SuiteOptions = { outRoot: "out", planned: [], report: false };
 * console.log(o.report); // false
 * ```
 */
export interface SuiteOptions extends RunOptions {
  /** Planned experiments to list as "not yet implemented" (outcomes and report). */
  planned?: readonly PlannedExperiment[];
  /** Write `DIR/report.html` after each experiment (default true). */
  report?: boolean;
  /** Called after each experiment finishes. */
  onOutcome?: (outcome: RunOutcome) => void;
}

/**
 * Runs experiments in order, refreshing `DIR/report.html` after each one, and stops
 * early (recording the rest as not run) once `signal` is aborted. Planned experiments
 * are appended as `"planned"` outcomes.
 *
 * @example
 * ```ts
 * import { runSuite } from "./runner.ts";
 * const outRoot = await Deno.makeTempDir();
 * const outcomes = await runSuite([], {
 *   outRoot, write: () => {},
 *   planned: [{ name: "sde-gmm", module: "sde", description: "Score SDE on a GMM" }],
 * });
 * console.log(outcomes[0].status); // "planned"
 * await Deno.remove(outRoot, { recursive: true });
 * ```
 */
export async function runSuite(
  items: readonly SuiteItem[],
  options: SuiteOptions,
): Promise<RunOutcome[]> {
  await Deno.mkdir(options.outRoot, { recursive: true });
  const outcomes: RunOutcome[] = [];
  const planned = options.planned ?? [];
  const report = async () => {
    if (options.report === false) return;
    await writeHtmlReport(options.outRoot, {
      order: items.map((i) => i.experiment.name),
      planned,
      adapter: options.adapter,
    });
  };
  for (const item of items) {
    if (options.signal?.aborted) break;
    const outcome = await runExperiment(item.experiment, item.config, options);
    outcomes.push(outcome);
    options.onOutcome?.(outcome);
    await report();
  }
  for (const p of planned) {
    outcomes.push({
      name: p.name,
      module: p.module,
      status: "planned",
      keyMetric: "",
      seconds: 0,
    });
  }
  if (items.length === 0) await report();
  return outcomes;
}
