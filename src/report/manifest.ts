/**
 * The run manifest (`run.json`): what the report needs to know about one experiment
 * run besides its metrics — status, claim, and the files its tables, charts and
 * images were written to. Written atomically next to `metrics.json`.
 *
 * @example
 * ```ts
 * import { readManifest, writeManifest, type RunManifest } from "./manifest.ts";
 * const dir = await Deno.makeTempDir();
 * const m: RunManifest = {
 *   name: "demo", module: "test", description: "d", claim: "c", keyMetric: "acc",
 *   status: "ok", preset: "quick", seed: 0, adapter: "none",
 *   started: new Date().toISOString(), seconds: 0.1, config: {},
 *   tables: [], charts: [], images: [], notes: [],
 * };
 * await writeManifest(dir, m);
 * console.log((await readManifest(dir))?.status); // "ok"
 * await Deno.remove(dir, { recursive: true });
 * ```
 * @module
 */

import { writeJsonAtomic } from "./atomic_write.ts";

/**
 * File name of a run manifest inside an experiment's output directory.
 *
 * @example
 * ```ts
 * import { MANIFEST_FILE } from "./manifest.ts";
 * console.log(`out/sde-gmm/${MANIFEST_FILE}`); // "out/sde-gmm/run.json"
 * ```
 */
export const MANIFEST_FILE = "run.json";

/**
 * How a run ended: `"ok"`, `"failed"` (the experiment threw) or `"interrupted"` (Ctrl-C).
 *
 * @example
 * ```ts
 * import type { RunStatus } from "./manifest.ts";
 * const s: RunStatus = "interrupted";
 * console.log(s);
 * ```
 */
export type RunStatus = "ok" | "failed" | "interrupted";

/**
 * One written artifact: a name, a title, and its files relative to the run directory.
 *
 * @example
 * ```ts
 * import type { ArtifactEntry } from "./manifest.ts";
 * const a: ArtifactEntry = { name: "loss", title: "Loss", files: { svg: "loss.svg" } };
 * console.log(a.files.svg); // "loss.svg"
 * ```
 */
export interface ArtifactEntry {
  /** File stem. */
  name: string;
  /** Human-readable title. */
  title: string;
  /** Files by kind (`md`, `csv`, `svg`, `png`, `spec`), relative to the run directory. */
  files: Record<string, string>;
}

/**
 * Everything the report shows about one run, except the metrics (in `metrics.json`).
 *
 * @example
 * ```ts
 * import type { RunManifest } from "./manifest.ts";
 * function headline(m: RunManifest): string {
 *   return `${m.name}: ${m.status} in ${m.seconds.toFixed(1)} s`;
 * }
 * ```
 */
export interface RunManifest {
  /** Experiment name. */
  name: string;
  /** Module it belongs to. */
  module: string;
  /** One-line description. */
  description: string;
  /** The paper's claim it reproduces. */
  claim: string;
  /** Name of the metric shown in summaries. */
  keyMetric: string;
  /** How the run ended. */
  status: RunStatus;
  /** Error message when the run failed or was interrupted. */
  error?: string;
  /** Preset used. */
  preset: string;
  /** Root seed. */
  seed: number;
  /** One-line adapter description. */
  adapter: string;
  /** ISO start time. */
  started: string;
  /** Wall-clock seconds. */
  seconds: number;
  /** Validated config. */
  config: Record<string, unknown>;
  /** Tables written (`md`, `csv`). */
  tables: ArtifactEntry[];
  /** Charts written (`spec`, `svg`, `png`). */
  charts: ArtifactEntry[];
  /** Images written (`png`). */
  images: ArtifactEntry[];
  /** Free-text notes. */
  notes: string[];
}

/**
 * Writes `dir/run.json` atomically.
 *
 * @example
 * ```ts
 * import { writeManifest } from "./manifest.ts";
 * const dir = await Deno.makeTempDir();
 * await writeManifest(dir, {
 *   name: "x", module: "m", description: "", claim: "", keyMetric: "k", status: "failed",
 *   error: "boom", preset: "quick", seed: 0, adapter: "none", started: "", seconds: 0,
 *   config: {}, tables: [], charts: [], images: [], notes: [],
 * });
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function writeManifest(dir: string, manifest: RunManifest): Promise<void> {
  return writeJsonAtomic(`${dir}/${MANIFEST_FILE}`, manifest);
}

/**
 * Reads `dir/run.json`, or returns `null` when there is none.
 *
 * @example
 * ```ts
 * import { readManifest } from "./manifest.ts";
 * const dir = await Deno.makeTempDir();
 * console.log(await readManifest(dir)); // null
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function readManifest(dir: string): Promise<RunManifest | null> {
  try {
    return JSON.parse(await Deno.readTextFile(`${dir}/${MANIFEST_FILE}`)) as RunManifest;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}
