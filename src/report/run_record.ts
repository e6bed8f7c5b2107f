/**
 * Run records: the `metrics.json` an experiment run leaves behind, holding the
 * experiment's flat metrics plus `adapter`, `seed`, `config`, `gpusci_version`,
 * `started` and `seconds`. Written atomically.
 *
 * @example
 * ```ts
 * import { readRunRecord, runRecord, writeRunRecord } from "./run_record.ts";
 * const dir = await Deno.makeTempDir();
 * const record = runRecord({ accuracy: 0.93 }, {
 *   experiment: "demo", preset: "quick", adapter: "llvmpipe", seed: 0, config: { steps: 3 },
 *   started: new Date().toISOString(), seconds: 1.5,
 * });
 * await writeRunRecord(dir, record);
 * console.log((await readRunRecord(dir))?.accuracy); // 0.93
 * await Deno.remove(dir, { recursive: true });
 * ```
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import { writeJsonAtomic } from "./atomic_write.ts";
import type { MetricValue } from "./experiment.ts";
import { GPUSCI_VERSION } from "./version.ts";

/**
 * File name of a run record inside an experiment's output directory.
 *
 * @example
 * ```ts
 * import { METRICS_FILE } from "./run_record.ts";
 * console.log(`out/bnn-ess/${METRICS_FILE}`); // "out/bnn-ess/metrics.json"
 * ```
 */
export const METRICS_FILE = "metrics.json";

/**
 * What the runner adds to an experiment's own metrics.
 *
 * @example
 * ```ts
 * import type { RunMeta } from "./run_record.ts";
 * const meta: RunMeta = {
 *   experiment: "demo", preset: "quick", adapter: "none", seed: 1, config: {},
 *   started: "2025-01-01T00:00:00.000Z", seconds: 0.1,
 * };
 * console.log(meta.seed); // 1
 * ```
 */
export interface RunMeta {
  /** Experiment name. */
  experiment: string;
  /** `"quick"`, `"full"` or `"default"`. */
  preset: string;
  /** One-line adapter description. */
  adapter: string;
  /** Root seed. */
  seed: number;
  /** The validated config the experiment ran with. */
  config: Record<string, unknown>;
  /** ISO time the run started. */
  started: string;
  /** Wall-clock seconds the run took. */
  seconds: number;
}

/**
 * A `metrics.json` record: the experiment's metrics plus {@linkcode RunMeta} and
 * `gpusci_version`.
 *
 * @example
 * ```ts
 * import type { RunRecord } from "./run_record.ts";
 * function keyMetric(r: RunRecord, key: string): unknown {
 *   return r[key];
 * }
 * ```
 */
export type RunRecord = RunMeta & { gpusci_version: string } & Record<string, unknown>;

/**
 * Keys the runner owns; an experiment may not report a metric with these names.
 *
 * @example
 * ```ts
 * import { RESERVED_METRIC_KEYS } from "./run_record.ts";
 * console.log(RESERVED_METRIC_KEYS.includes("seed")); // true
 * ```
 */
export const RESERVED_METRIC_KEYS: readonly string[] = [
  "experiment",
  "preset",
  "adapter",
  "seed",
  "config",
  "gpusci_version",
  "started",
  "seconds",
];

/**
 * Checks that metrics are flat numbers/strings or one level of `{ key: number }`, and
 * that no metric uses a reserved name. Throws {@linkcode InvalidArgumentError} naming
 * the metric, its value and what was expected.
 *
 * @example
 * ```ts
 * import { validateMetrics } from "./run_record.ts";
 * validateMetrics({ acc: 0.9, by_width: { "32": 1.2 } }); // fine
 * try {
 *   validateMetrics({ nested: { a: { b: 1 } } });
 * } catch (e) {
 *   console.log((e as Error).message);
 * }
 * ```
 */
export function validateMetrics(metrics: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(metrics)) {
    if (RESERVED_METRIC_KEYS.includes(key)) {
      throw new InvalidArgumentError(
        `metric "${key}" uses a reserved name (the runner sets ${RESERVED_METRIC_KEYS.join(", ")})`,
      );
    }
    if (typeof value === "number" || typeof value === "string") continue;
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== "number") {
          throw new InvalidArgumentError(
            `metric "${key}.${k}" is ${describe(v)}; expected a number ` +
              `(metrics are numbers, strings, or one level of {key: number})`,
          );
        }
      }
      continue;
    }
    throw new InvalidArgumentError(
      `metric "${key}" is ${describe(value)}; expected a number, a string, or {key: number}`,
    );
  }
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return `an array (${JSON.stringify(v).slice(0, 40)})`;
  if (v === null) return "null";
  if (typeof v === "object") return `an object (${JSON.stringify(v).slice(0, 40)})`;
  return `${typeof v} ${String(v)}`;
}

/** JSON cannot hold NaN or Infinity: they are written as the strings "NaN", "Infinity". */
function jsonSafe(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

/**
 * Builds a run record from validated metrics and the runner's metadata. Non-finite
 * numbers become the strings `"NaN"`, `"Infinity"` and `"-Infinity"` (JSON has no
 * such numbers).
 *
 * @example
 * ```ts
 * import { runRecord } from "./run_record.ts";
 * const r = runRecord({ loss: NaN }, {
 *   experiment: "x", preset: "quick", adapter: "none", seed: 0, config: {},
 *   started: new Date().toISOString(), seconds: 0,
 * });
 * console.log(r.loss); // "NaN"
 * ```
 */
export function runRecord(metrics: Record<string, MetricValue>, meta: RunMeta): RunRecord {
  validateMetrics(metrics);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metrics)) {
    if (typeof value === "number") out[key] = jsonSafe(value);
    else if (typeof value === "string") out[key] = value;
    else {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
    }
  }
  return { ...out, ...meta, gpusci_version: GPUSCI_VERSION };
}

/**
 * Writes `dir/metrics.json` atomically.
 *
 * @example
 * ```ts
 * import { runRecord, writeRunRecord } from "./run_record.ts";
 * const dir = await Deno.makeTempDir();
 * await writeRunRecord(dir, runRecord({ n: 1 }, {
 *   experiment: "x", preset: "quick", adapter: "none", seed: 0, config: {},
 *   started: new Date().toISOString(), seconds: 0,
 * }));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function writeRunRecord(dir: string, record: RunRecord): Promise<void> {
  return writeJsonAtomic(`${dir}/${METRICS_FILE}`, record);
}

/**
 * Reads `dir/metrics.json`, or returns `null` when there is none.
 *
 * @example
 * ```ts
 * import { readRunRecord } from "./run_record.ts";
 * const dir = await Deno.makeTempDir();
 * console.log(await readRunRecord(dir)); // null
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function readRunRecord(dir: string): Promise<RunRecord | null> {
  try {
    return JSON.parse(await Deno.readTextFile(`${dir}/${METRICS_FILE}`)) as RunRecord;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}
