/**
 * Writes an experiment's tables (Markdown + CSV), charts (vega-lite JSON + SVG + PNG)
 * and images (PNG) into its run directory, atomically, and lists what was written.
 *
 * @example
 * ```ts
 * import * as aq from "arquero";
 * import { writeArtifacts } from "./artifacts.ts";
 * const dir = await Deno.makeTempDir();
 * const written = await writeArtifacts(dir, {
 *   metrics: {},
 *   tables: [{ name: "acc", title: "Accuracy", table: aq.table({ w: [1], acc: [0.5] }) }],
 * });
 * console.log(written.tables[0].files); // { md: "acc.md", csv: "acc.csv" }
 * await Deno.remove(dir, { recursive: true });
 * ```
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import { writeFileAtomic, writeJsonAtomic, writeTextFileAtomic } from "./atomic_write.ts";
import { renderChart } from "./chart.ts";
import type { ExperimentResult } from "./experiment.ts";
import type { ArtifactEntry } from "./manifest.ts";
import { tableToCsv, tableToMarkdown } from "./table.ts";

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

/**
 * Checks artifact names: file-safe (`[A-Za-z0-9_-]`, starting alphanumeric) and unique
 * among tables, and among charts and images (which share the `.png` extension).
 *
 * @example
 * ```ts
 * import { validateArtifactNames } from "./artifacts.ts";
 * try {
 *   validateArtifactNames({ metrics: {}, charts: [{ name: "a b", title: "", spec: {} }] });
 * } catch (e) {
 *   console.log((e as Error).message);
 * }
 * ```
 */
export function validateArtifactNames(result: ExperimentResult): void {
  const check = (kind: string, names: string[]) => {
    const seen = new Set<string>();
    for (const n of names) {
      if (!NAME.test(n)) {
        throw new InvalidArgumentError(
          `${kind} name "${n}" is not file-safe; expected letters, digits, "-" or "_"`,
        );
      }
      if (seen.has(n)) throw new InvalidArgumentError(`${kind} name "${n}" is used twice`);
      seen.add(n);
    }
  };
  check("table", (result.tables ?? []).map((t) => t.name));
  check("chart/image", [
    ...(result.charts ?? []).map((c) => c.name),
    ...(result.images ?? []).map((i) => i.name),
  ]);
}

/**
 * What {@linkcode writeArtifacts} wrote, per kind.
 *
 * @example
 * ```ts
 * import type { WrittenArtifacts } from "./artifacts.ts";
 * const w: WrittenArtifacts = { tables: [], charts: [], images: [] };
 * console.log(w.charts.length); // 0
 * ```
 */
export interface WrittenArtifacts {
  /** Tables: `md` and `csv` files. */
  tables: ArtifactEntry[];
  /** Charts: `spec` (`.vl.json`), `svg` and `png` files. */
  charts: ArtifactEntry[];
  /** Images: `png` files. */
  images: ArtifactEntry[];
}

/**
 * Writes every table, chart and image of `result` into `dir` (which must exist).
 * Charts are rendered with {@linkcode renderChart}; a spec that does not compile throws.
 *
 * @example
 * ```ts
 * import { writeArtifacts } from "./artifacts.ts";
 * const dir = await Deno.makeTempDir();
 * const w = await writeArtifacts(dir, {
 *   metrics: {},
 *   charts: [{ name: "pts", title: "Points", spec: {
 *     data: { values: [{ x: 1, y: 2 }] }, mark: "point",
 *     encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } },
 *   } }],
 * });
 * console.log(w.charts[0].files.svg); // "pts.svg"
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeArtifacts(
  dir: string,
  result: ExperimentResult,
): Promise<WrittenArtifacts> {
  validateArtifactNames(result);
  const out: WrittenArtifacts = { tables: [], charts: [], images: [] };
  for (const t of result.tables ?? []) {
    const md = `${t.name}.md`;
    const csv = `${t.name}.csv`;
    await writeTextFileAtomic(`${dir}/${md}`, `# ${t.title}\n\n${tableToMarkdown(t.table)}`);
    await writeTextFileAtomic(`${dir}/${csv}`, tableToCsv(t.table));
    out.tables.push({ name: t.name, title: t.title, files: { md, csv } });
  }
  for (const c of result.charts ?? []) {
    const spec = `${c.name}.vl.json`;
    const svg = `${c.name}.svg`;
    const png = `${c.name}.png`;
    await writeJsonAtomic(`${dir}/${spec}`, c.spec);
    let rendered;
    try {
      rendered = await renderChart(c.spec);
    } catch (e) {
      throw new InvalidArgumentError(`chart "${c.name}": ${(e as Error).message}`, { cause: e });
    }
    await writeTextFileAtomic(`${dir}/${svg}`, rendered.svg);
    await writeFileAtomic(`${dir}/${png}`, rendered.png);
    out.charts.push({ name: c.name, title: c.title, files: { spec, svg, png } });
  }
  for (const img of result.images ?? []) {
    const png = `${img.name}.png`;
    await writeFileAtomic(`${dir}/${png}`, img.png);
    out.images.push({ name: img.name, title: img.title, files: { png } });
  }
  return out;
}
