/**
 * Collects everything `report.html` shows from an output directory: each
 * `DIR/<name>/run.json` with its `metrics.json`, chart SVGs, image PNGs and table CSVs.
 * The report is rebuilt from disk, so runs made by separate commands appear together.
 *
 * @example
 * ```ts
 * import { collectRuns } from "./report_data.ts";
 * const dir = await Deno.makeTempDir();
 * console.log((await collectRuns(dir)).length); // 0
 * await Deno.remove(dir, { recursive: true });
 * ```
 * @module
 */

import { type ColumnTable, fromCSV } from "arquero";
import { MANIFEST_FILE, readManifest, type RunManifest } from "./manifest.ts";
import { readRunRecord, RESERVED_METRIC_KEYS, type RunRecord } from "./run_record.ts";

/**
 * One run as the report sees it; artifacts whose files are missing carry `null`.
 *
 * @example
 * ```ts
 * import type { ReportRun } from "./report_data.ts";
 * function title(r: ReportRun): string {
 *   return `${r.manifest.name} (${r.manifest.status})`;
 * }
 * ```
 */
export interface ReportRun {
  /** The run manifest. */
  manifest: RunManifest;
  /** The experiment's own metrics (without the runner's fields), or null when none. */
  metrics: Record<string, unknown> | null;
  /** The full `metrics.json`, or null when none. */
  record: RunRecord | null;
  /** Charts with their SVG text. */
  charts: { name: string; title: string; svg: string | null }[];
  /** Images with their PNG bytes. */
  images: { name: string; title: string; png: Uint8Array | null }[];
  /** Tables read back from their CSV files. */
  tables: { name: string; title: string; table: ColumnTable | null }[];
}

async function readText(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return null;
  }
}

async function readBytes(path: string): Promise<Uint8Array | null> {
  try {
    return await Deno.readFile(path);
  } catch {
    return null;
  }
}

/**
 * Reads one run directory, or returns null when it has no `run.json`.
 *
 * @example
 * ```ts
 * import { readRun } from "./report_data.ts";
 * const dir = await Deno.makeTempDir();
 * console.log(await readRun(dir)); // null
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function readRun(dir: string): Promise<ReportRun | null> {
  const manifest = await readManifest(dir);
  if (!manifest) return null;
  const record = manifest.status === "failed" ? null : await readRunRecord(dir);
  const metrics = record
    ? Object.fromEntries(
      Object.entries(record).filter(([k]) => !RESERVED_METRIC_KEYS.includes(k)),
    )
    : null;
  const charts = await Promise.all(
    (manifest.charts ?? []).map(async (c) => ({
      name: c.name,
      title: c.title,
      svg: await readText(`${dir}/${c.files.svg}`),
    })),
  );
  const images = await Promise.all(
    (manifest.images ?? []).map(async (i) => ({
      name: i.name,
      title: i.title,
      png: await readBytes(`${dir}/${i.files.png}`),
    })),
  );
  const tables = await Promise.all(
    (manifest.tables ?? []).map(async (t) => {
      const csv = await readText(`${dir}/${t.files.csv}`);
      let table: ColumnTable | null = null;
      try {
        table = csv === null ? null : fromCSV(csv);
      } catch {
        table = null;
      }
      return { name: t.name, title: t.title, table };
    }),
  );
  return { manifest, metrics, record, charts, images, tables };
}

/**
 * Reads every run under `outRoot` (each subdirectory holding a `run.json`), ordered
 * by `order` first and then by name.
 *
 * @example
 * ```ts
 * import { collectRuns } from "./report_data.ts";
 * const dir = await Deno.makeTempDir();
 * const runs = await collectRuns(dir, ["b", "a"]);
 * console.log(runs); // []
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function collectRuns(
  outRoot: string,
  order: readonly string[] = [],
): Promise<ReportRun[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(outRoot)) {
      if (!e.isDirectory) continue;
      try {
        await Deno.stat(`${outRoot}/${e.name}/${MANIFEST_FILE}`);
        names.push(e.name);
      } catch { /* not a run directory */ }
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  const rank = (n: string) => {
    const i = order.indexOf(n);
    return i < 0 ? order.length : i;
  };
  names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const runs: ReportRun[] = [];
  for (const n of names) {
    const run = await readRun(`${outRoot}/${n}`);
    if (run) runs.push(run);
  }
  return runs;
}
