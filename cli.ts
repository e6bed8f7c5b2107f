/**
 * The gpusci command line: list, run and inspect experiments.
 *
 * ```sh
 * deno run -A jsr:@gpusci/gpusci/cli list
 * deno run -A jsr:@gpusci/gpusci/cli run nngp-mnist --quick --seed 1 --set widths=64,256
 * deno run -A jsr:@gpusci/gpusci/cli run all --quick --out out   # = deno task demo
 * deno run -A jsr:@gpusci/gpusci/cli info
 * ```
 *
 * Exit codes: 0 success, 1 an experiment failed, 2 usage error (bad flag, unknown
 * experiment, bad `--set` value), 130 interrupted with Ctrl-C (what was written is kept).
 * Arguments are parsed with `parseArgs` from `node:util` (JSR's `@std/cli` is not
 * reachable from every machine gpusci runs on).
 *
 * @example
 * ```ts
 * import { main } from "./cli.ts";
 * let out = "";
 * const code = await main(["list"], {
 *   experiments: [], planned: [], stdout: (s) => (out += s), stderr: () => {},
 * });
 * console.log(code, out.includes("no experiments")); // 0 true
 * ```
 * @module
 */

import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { InvalidArgumentError, UnknownNameError } from "./src/errors.ts";
import { experiments as registeredExperiments, plannedExperiments } from "./src/experiments.ts";
import { type AdapterSummary, adapterSummary } from "./src/gpu/device.ts";
import { adapterLine } from "./src/report/adapter_line.ts";
import { configFields, type PresetName, resolveConfig } from "./src/report/config.ts";
import type { Experiment, PlannedExperiment } from "./src/report/experiment.ts";
import { formatValue } from "./src/report/format.ts";
import { REPORT_FILE } from "./src/report/html_report.ts";
import { stderrIsTerminal, writeStderr } from "./src/report/progress.ts";
import { type RunOutcome, runSuite, type SuiteItem } from "./src/report/runner.ts";
import { tableToText } from "./src/report/table.ts";
import { GPUSCI_VERSION } from "./src/report/version.ts";
import * as aq from "arquero";

/**
 * Everything `main` touches outside its arguments, so tests can run it in-process.
 *
 * @example
 * ```ts
 * import type { CliOptions } from "./cli.ts";
 * const opts: CliOptions = { experiments: [], stdout: () => {}, stderr: () => {} };
 * console.log(opts.experiments?.length); // 0
 * ```
 */
export interface CliOptions {
  /** Implemented experiments (default: the registry in `src/experiments.ts`). */
  // deno-lint-ignore no-explicit-any
  experiments?: readonly Experiment<any>[];
  /** Planned experiments (default: the registry's `plannedExperiments`). */
  planned?: readonly PlannedExperiment[];
  /** Standard output (default: `console.log` without the newline). */
  stdout?: (text: string) => void;
  /** Standard error for messages, logs and progress (default: stderr). */
  stderr?: (text: string) => void;
  /** Draw progress bars (default: whether stderr is a terminal; false when `stderr` is given). */
  tty?: boolean;
  /** Adapter lookup (default: `adapterSummary` from `src/gpu/device.ts`). */
  adapter?: () => Promise<AdapterSummary | null>;
  /** Stop signal; when omitted, `main` installs a SIGINT (Ctrl-C) handler during `run`. */
  signal?: AbortSignal;
  /** Milliseconds between plain progress lines when stderr is not a terminal (default 10 000). */
  progressIntervalMs?: number;
}

/** A command-line mistake: exit code 2 with a one-line message. */
class UsageError extends InvalidArgumentError {}

const MAIN_HELP = `gpusci ${GPUSCI_VERSION}: WebGPU scientific experiments

Usage: gpusci <command> [options]

Commands:
  list                     experiments with descriptions and config fields
  run <name>|all [opts]    run one experiment, or all of them
  info                     WebGPU adapter, limits, features, Deno version, backend

Options:
  -h, --help               show help (also: gpusci <command> --help)
  --version                print the gpusci version

Exit codes: 0 success, 1 experiment failure, 2 usage error, 130 interrupted.
`;

const LIST_HELP = `Usage: gpusci list [--json]

Lists every experiment with its module, a one-line description and its config fields
(name, type, default and the quick/full preset values); planned experiments are listed
as "not yet implemented".

Options:
  --json       print the list as JSON
  -h, --help   show this help
`;

const RUN_HELP = `Usage: gpusci run <name>|all [--quick|--full] [--seed N] [--out DIR]
                  [--set key=value ...] [--json]

Runs one experiment (or all of them) and writes DIR/<name>/metrics.json, run.json,
tables (*.md, *.csv), charts (*.vl.json, *.svg, *.png), then refreshes DIR/report.html.

Options:
  --quick            use the experiment's quick preset (small, minutes on a CPU)
  --full             use the full preset (paper scale)
                     (neither: the schema's defaults)
  --seed N           root random seed, a non-negative integer (default 0)
  --out DIR          output directory (default "out")
  --set key=value    override a config field; repeatable. Lists are comma-separated
                     (--set widths=64,256). With "all", write <experiment>.key=value.
  --json             print the outcomes as JSON on stdout instead of a table
  -h, --help         show this help

Progress goes to stderr (a bar on a terminal, periodic lines otherwise). Ctrl-C stops
after the current step and keeps what was written; press it twice to quit at once.
Exit codes: 0 success, 1 an experiment failed, 2 usage error, 130 interrupted.
`;

const INFO_HELP = `Usage: gpusci info [--json]

Prints the WebGPU adapter (name, vendor, architecture, fallback), the backend requested
through DENO_WEBGPU_BACKEND, the adapter's features and limits, and the Deno, V8 and
TypeScript versions.

Options:
  --json       print the information as JSON
  -h, --help   show this help
`;

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

function parse<T extends ParseArgsOptionsConfig>(command: string, args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    const err = e as Error & { code?: string };
    err.message = err.message.replace(/\s*\n\s*/g, " ");
    if (err.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      const flag = /'([^']+)'/.exec(err.message)?.[1] ?? "?";
      throw new UsageError(
        `unknown option ${flag} for "${command}" (see gpusci ${command} --help)`,
      );
    }
    if (err.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
      throw new UsageError(
        `${err.message.replace(/^Option/, "option")} (see gpusci ${command} --help)`,
      );
    }
    throw new UsageError(`${err.message} (see gpusci ${command} --help)`);
  }
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length];
}

function suggestion(name: string, candidates: string[]): string {
  const best = candidates
    .map((c) => [c, editDistance(name, c)] as const)
    .sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= Math.max(2, Math.floor(name.length / 3))
    ? ` (did you mean "${best[0]}"?)`
    : "";
}

function parseSeed(raw: string | undefined): number {
  if (raw === undefined) return 0;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isSafeInteger(n) || n < 0) {
    throw new UsageError(`invalid --seed "${raw}": expected a non-negative integer`);
  }
  return n;
}

function presetOf(values: { quick?: boolean; full?: boolean }): PresetName {
  if (values.quick && values.full) {
    throw new UsageError("--quick and --full cannot be used together");
  }
  return values.quick ? "quick" : values.full ? "full" : "default";
}

function listCommand(
  args: string[],
  io: Io,
  // deno-lint-ignore no-explicit-any
  experiments: readonly Experiment<any>[],
  planned: readonly PlannedExperiment[],
): number {
  const { values, positionals } = parse("list", args, {
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.out(LIST_HELP);
    return 0;
  }
  if (positionals.length > 0) {
    throw new UsageError(`list takes no arguments, got "${positionals[0]}"`);
  }
  const described = experiments.map((e) => ({
    name: e.name,
    module: e.module,
    description: e.description,
    claim: e.claim,
    keyMetric: e.keyMetric,
    ...(e.notInRunAll ? { notInRunAll: e.notInRunAll } : {}),
    fields: configFields(e.schema).map((f) => ({
      ...f,
      quick: (e.presets.quick as Record<string, unknown>)[f.name],
      full: (e.presets.full as Record<string, unknown>)[f.name],
    })),
  }));
  if (values.json) {
    io.out(
      JSON.stringify(
        {
          experiments: described,
          planned: planned.map((p) => ({ ...p, status: "not yet implemented" })),
        },
        null,
        2,
      ) + "\n",
    );
    return 0;
  }
  const lines: string[] = [];
  if (described.length === 0) lines.push("no experiments are implemented yet");
  for (const e of described) {
    lines.push(`${e.name}  (${e.module})`, `  ${e.description}`, `  key metric: ${e.keyMetric}`);
    if (e.notInRunAll) lines.push(`  not in "run all": ${e.notInRunAll}`);
    if (e.fields.length > 0) {
      const rows = e.fields.map((f) => ({
        field: f.name,
        type: f.type,
        default: f.default === undefined ? "" : JSON.stringify(f.default),
        quick: f.quick === undefined ? "" : JSON.stringify(f.quick),
        full: f.full === undefined ? "" : JSON.stringify(f.full),
      }));
      const text = tableToText(aq.from(rows));
      lines.push(...text.trimEnd().split("\n").map((l) => `    ${l}`));
    }
    lines.push("");
  }
  if (planned.length > 0) {
    if (described.length === 0) lines.push("");
    lines.push("not yet implemented:");
    const w = Math.max(...planned.map((p) => p.name.length));
    for (const p of planned) lines.push(`  ${p.name.padEnd(w)}  (${p.module}) ${p.description}`);
  }
  io.out(lines.join("\n").trimEnd() + "\n");
  return 0;
}

async function infoCommand(
  args: string[],
  io: Io,
  adapter: () => Promise<AdapterSummary | null>,
): Promise<number> {
  const { values, positionals } = parse("info", args, {
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.out(INFO_HELP);
    return 0;
  }
  if (positionals.length > 0) {
    throw new UsageError(`info takes no arguments, got "${positionals[0]}"`);
  }
  const summary = await adapter();
  const backend = summary?.backend ?? (Deno.env.get("DENO_WEBGPU_BACKEND") ?? "auto");
  const info = {
    gpusci: GPUSCI_VERSION,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    typescript: Deno.version.typescript,
    os: `${Deno.build.os} ${Deno.build.arch}`,
    backend,
    adapter: summary,
  };
  if (values.json) {
    io.out(JSON.stringify(info, null, 2) + "\n");
    return 0;
  }
  const lines = [
    `gpusci      ${info.gpusci}`,
    `deno        ${info.deno} (v8 ${info.v8}, typescript ${info.typescript})`,
    `os          ${info.os}`,
    `backend     ${backend}${
      backend === "auto" ? " (set DENO_WEBGPU_BACKEND=vulkan|gl|metal|dx12)" : ""
    }`,
  ];
  if (!summary) {
    lines.push(
      "adapter     none: no WebGPU adapter found",
      "            (without a GPU: apt-get install -y mesa-vulkan-drivers, then",
      "             DENO_WEBGPU_BACKEND=vulkan XDG_RUNTIME_DIR=/tmp)",
    );
  } else {
    lines.push(
      `adapter     ${summary.description}`,
      `vendor      ${summary.vendor || "(unknown)"}`,
      `arch        ${summary.architecture || "(unknown)"}`,
      `fallback    ${summary.isFallback ? "yes (software adapter)" : "no"}`,
      `features    ${summary.features.join(", ") || "(none)"}`,
      "limits:",
    );
    const w = Math.max(...Object.keys(summary.limits).map((k) => k.length));
    for (const [k, v] of Object.entries(summary.limits)) {
      lines.push(`  ${k.padEnd(w)}  ${v}`);
    }
  }
  io.out(lines.join("\n") + "\n");
  return 0;
}

const MAX_PRINTED_ROWS = 20;

function tablesText(outcome: RunOutcome): string {
  const parts: string[] = [];
  for (const t of outcome.tables ?? []) {
    const rows = t.table.numRows();
    const shown = rows > MAX_PRINTED_ROWS ? t.table.slice(0, MAX_PRINTED_ROWS) : t.table;
    parts.push(`\n${outcome.name}: ${t.title}\n${tableToText(shown)}`);
    if (rows > MAX_PRINTED_ROWS) {
      parts.push(
        `… ${rows - MAX_PRINTED_ROWS} more rows in ${outcome.dir}/${t.name}.csv\n`,
      );
    }
  }
  return parts.join("");
}

function summaryText(outcomes: readonly RunOutcome[]): string {
  const rows = outcomes.map((o) => ({
    experiment: o.name,
    status: o.status === "planned" ? "not yet implemented" : o.status,
    "key metric": o.keyMetric,
    value: o.keyValue === undefined
      ? (o.status === "ok" ? "(missing)" : "")
      : typeof o.keyValue === "number"
      ? o.keyValue
      : formatValue(o.keyValue),
    seconds: o.status === "planned" ? null : o.seconds,
  }));
  return tableToText(aq.from(rows));
}

async function runCommand(
  args: string[],
  io: Io,
  options: CliOptions,
  // deno-lint-ignore no-explicit-any
  experiments: readonly Experiment<any>[],
  planned: readonly PlannedExperiment[],
): Promise<number> {
  const { values, positionals } = parse("run", args, {
    quick: { type: "boolean" },
    full: { type: "boolean" },
    seed: { type: "string" },
    out: { type: "string" },
    set: { type: "string", multiple: true },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.out(RUN_HELP);
    return 0;
  }
  if (positionals.length === 0) {
    throw new UsageError(`run needs an experiment name or "all" (see gpusci run --help)`);
  }
  if (positionals.length > 1) {
    throw new UsageError(
      `run takes one experiment name or "all", got ${positionals.length}: ${positionals.join(" ")}`,
    );
  }
  const target = positionals[0];
  const preset = presetOf(values);
  const seed = parseSeed(values.seed);
  const outRoot = values.out ?? "out";
  if (outRoot.trim() === "") throw new UsageError(`invalid --out "": expected a directory`);
  const sets = (values.set ?? []) as string[];

  let selected: typeof experiments;
  const skipped = target === "all" ? experiments.filter((e) => e.notInRunAll) : [];
  if (target === "all") {
    selected = experiments.filter((e) => !e.notInRunAll);
  } else {
    const exp = experiments.find((e) => e.name === target);
    if (!exp) {
      if (planned.some((p) => p.name === target)) {
        throw new UsageError(`experiment "${target}" is not yet implemented`);
      }
      const names = experiments.map((e) => e.name);
      throw new UnknownNameError(
        `unknown experiment "${target}"${
          suggestion(target, [...names, ...planned.map((p) => p.name)])
        }; expected "all" or one of: ${names.join(", ") || "(none implemented yet)"}`,
      );
    }
    selected = [exp];
  }

  // Route each --set to its experiment; validate every config before anything runs.
  const setsFor = new Map<string, string[]>(selected.map((e) => [e.name, []]));
  const skippedNames = skipped.map((e) => e.name);
  const allNames = [...experiments.map((e) => e.name), ...planned.map((p) => p.name)];
  for (const s of sets) {
    const eq = s.indexOf("=");
    const key = eq < 0 ? s : s.slice(0, eq);
    const dot = key.indexOf(".");
    const prefix = dot < 0 ? "" : key.slice(0, dot);
    if (dot >= 0 && allNames.includes(prefix)) {
      const list = setsFor.get(prefix);
      if (!list) {
        throw new UsageError(
          `--set "${s}" names experiment "${prefix}", which is not being run` +
            (skippedNames.includes(prefix) ? ` ("run all" skips it: run it by name)` : ""),
        );
      }
      list.push(s.slice(dot + 1));
    } else if (target === "all") {
      throw new UsageError(
        `--set "${s}": with "run all", write <experiment>.${key}=value to say which experiment`,
      );
    } else {
      setsFor.get(target)!.push(s);
    }
  }
  const items: SuiteItem[] = selected.map((experiment) => ({
    experiment,
    config: resolveConfig(experiment, { preset, sets: setsFor.get(experiment.name) }),
  }));

  const summary = await (options.adapter ?? defaultAdapter)().catch(() => null);
  const adapter = adapterLine(summary);

  const controller = new AbortController();
  const external = options.signal;
  if (external) {
    if (external.aborted) controller.abort();
    else external.addEventListener("abort", () => controller.abort(), { once: true });
  }
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      io.err("\ninterrupted: stopping after the current step (Ctrl-C again to quit now)\n");
      controller.abort();
    } else {
      io.err("\ninterrupted twice: quitting now\n");
      Deno.exit(130);
    }
  };
  const installHandler = !external;
  if (installHandler) Deno.addSignalListener("SIGINT", onSigint);
  let outcomes: RunOutcome[];
  try {
    io.err(
      `gpusci ${GPUSCI_VERSION}: running ${selected.length} experiment${
        selected.length === 1 ? "" : "s"
      } (${preset} preset, seed ${seed}) on ${adapter}\n`,
    );
    for (const e of skipped) {
      io.err(`[${e.name}] not in "run all" (${e.notInRunAll}); run it by name\n`);
    }
    outcomes = await runSuite(items, {
      outRoot,
      preset,
      seed,
      adapter,
      signal: controller.signal,
      write: io.err,
      tty: options.tty ?? (options.stderr ? false : stderrIsTerminal()),
      progressIntervalMs: options.progressIntervalMs,
      planned, // the report always lists them; the summary only for "all"
      onOutcome: (o) => {
        io.err(
          `[${o.name}] ${o.status} in ${o.seconds.toFixed(1)}s${o.error ? `: ${o.error}` : ""}\n`,
        );
        if (!values.json) io.out(tablesText(o));
      },
    });
  } finally {
    if (installHandler) Deno.removeSignalListener("SIGINT", onSigint);
  }
  if (target !== "all") outcomes = outcomes.filter((o) => o.status !== "planned");
  const notRun = selected.slice(outcomes.filter((o) => o.status !== "planned").length);
  if (values.json) {
    io.out(
      JSON.stringify(
        {
          outDir: outRoot,
          report: `${outRoot}/${REPORT_FILE}`,
          adapter,
          preset,
          seed,
          outcomes: outcomes.map(({ tables: _tables, ...o }) => o),
          notRun: notRun.map((e) => e.name),
          notInRunAll: skippedNames,
        },
        null,
        2,
      ) + "\n",
    );
  } else {
    if (outcomes.some((o) => o.tables?.length)) io.out("\n");
    io.out(summaryText(outcomes));
    if (notRun.length > 0) {
      io.out(`not run (interrupted): ${notRun.map((e) => e.name).join(", ")}\n`);
    }
    io.out(`report: ${outRoot}/${REPORT_FILE}\n`);
  }
  if (controller.signal.aborted) return 130;
  return outcomes.some((o) => o.status === "failed") ? 1 : 0;
}

function defaultAdapter(): Promise<AdapterSummary | null> {
  return adapterSummary();
}

/**
 * Runs the command line with `args` (without the program name) and returns the exit
 * code: 0 success, 1 an experiment failed, 2 usage error, 130 interrupted.
 *
 * @example
 * ```ts
 * import { main } from "./cli.ts";
 * let err = "";
 * const code = await main(["run", "no-such-thing"], {
 *   experiments: [], planned: [], stdout: () => {}, stderr: (s) => (err += s),
 * });
 * console.log(code, err.trim()); // 2 'error: unknown experiment "no-such-thing"; ...'
 * ```
 */
export async function main(args: readonly string[], options: CliOptions = {}): Promise<number> {
  const io: Io = {
    out: options.stdout ?? ((s) => Deno.stdout.writeSync(new TextEncoder().encode(s))),
    err: options.stderr ?? writeStderr,
  };
  const experiments = options.experiments ?? registeredExperiments;
  const planned = options.planned ?? plannedExperiments;
  const [command, ...rest] = args;
  try {
    switch (command) {
      case undefined:
        io.err(MAIN_HELP);
        return 2;
      case "-h":
      case "--help":
      case "help":
        io.out(MAIN_HELP);
        return 0;
      case "--version":
        io.out(`gpusci ${GPUSCI_VERSION}\n`);
        return 0;
      case "list":
        return listCommand(rest, io, experiments, planned);
      case "info":
        return await infoCommand(rest, io, options.adapter ?? defaultAdapter);
      case "run":
        return await runCommand(rest, io, options, experiments, planned);
      default:
        throw new UsageError(
          `unknown command "${command}"${
            suggestion(command, ["list", "run", "info"])
          }; expected list, run or info (see gpusci --help)`,
        );
    }
  } catch (e) {
    if (e instanceof InvalidArgumentError || e instanceof UnknownNameError) {
      io.err(`error: ${e.message}\n`);
      return 2;
    }
    io.err(`error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    return 1;
  }
}

export type { AdapterSummary };

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
