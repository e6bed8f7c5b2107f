/**
 * `report.html`: one self-contained page (inline SVG charts, inline PNG images, inline
 * CSS, no scripts, no network) with a run summary and a section per experiment: its
 * claim, metrics, charts, tables, notes and the adapter it ran on.
 *
 * @example
 * ```ts
 * import { renderHtmlReport } from "./html_report.ts";
 * const html = renderHtmlReport({
 *   runs: [],
 *   planned: [{ name: "sde-gmm", module: "sde", description: "Score SDE on a GMM" }],
 * });
 * console.log(html.includes("not yet implemented")); // true
 * ```
 * @module
 */

import { writeTextFileAtomic } from "./atomic_write.ts";
import type { PlannedExperiment } from "./experiment.ts";
import { formatNumber, formatValue } from "./format.ts";
import { collectRuns, type ReportRun } from "./report_data.ts";
import { tableCells } from "./table.ts";
import { GPUSCI_VERSION } from "./version.ts";

/**
 * File name of the report inside the output root.
 *
 * @example
 * ```ts
 * import { REPORT_FILE } from "./html_report.ts";
 * console.log(`out/${REPORT_FILE}`); // "out/report.html"
 * ```
 */
export const REPORT_FILE = "report.html";

/**
 * What {@linkcode renderHtmlReport} draws.
 *
 * @example
 * ```ts
 * import type { ReportInput } from "./html_report.ts";
 * const input: ReportInput = { runs: [], planned: [], title: "My runs" };
 * console.log(input.title); // "My runs"
 * ```
 */
export interface ReportInput {
  /** Runs read from disk (see `collectRuns`). */
  runs: readonly ReportRun[];
  /** Experiments listed as "not yet implemented". */
  planned?: readonly PlannedExperiment[];
  /** Page title (default "gpusci experiment report"). */
  title?: string;
  /** Generation time (default now). */
  generated?: Date;
  /** The adapter of the current invocation, shown even when nothing ran on it. */
  adapter?: string;
}

/**
 * Escapes text for HTML content and attribute values.
 *
 * @example
 * ```ts
 * import { escapeHtml } from "./html_report.ts";
 * console.log(escapeHtml('<a href="x">&</a>')); // "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"
 * ```
 */
export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/**
 * Prepares an SVG document for inlining: drops any XML prolog, prefixes every `id`
 * (and its `url(#…)`/`href="#…"` references) so several charts on one page cannot
 * clash, and adds a class and an accessible label.
 *
 * @example
 * ```ts
 * import { inlineSvg } from "./html_report.ts";
 * const svg = '<?xml version="1.0"?><svg width="10"><clipPath id="c1"/><g clip-path="url(#c1)"/></svg>';
 * console.log(inlineSvg(svg, "p", "Loss"));
 * ```
 */
export function inlineSvg(svg: string, prefix: string, label: string): string {
  const safe = prefix.replace(/[^A-Za-z0-9_-]/g, "_");
  return svg
    .replace(/^\s*<\?xml[^>]*\?>\s*/, "")
    .replace(/<!DOCTYPE[^>]*>\s*/i, "")
    .replace(/\sid="([^"]+)"/g, ` id="${safe}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${safe}-$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${safe}-$1"`)
    .replace(/<svg\b/, `<svg class="chart" role="img" aria-label="${escapeHtml(label)}"`);
}

function base64(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

const STATUS_LABEL: Record<string, string> = {
  ok: "ok",
  failed: "failed",
  interrupted: "interrupted",
  planned: "not yet implemented",
};

function badge(status: string): string {
  return `<span class="badge ${escapeHtml(status)}">${
    escapeHtml(STATUS_LABEL[status] ?? status)
  }</span>`;
}

function anchor(name: string): string {
  return `exp-${name.replace(/[^A-Za-z0-9_-]/g, "_")}`;
}

function metricCell(value: unknown): string {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    return `<table class="sub"><tr>${
      entries.map(([k]) => `<th>${escapeHtml(k)}</th>`).join("")
    }</tr><tr>${
      entries.map(([, v]) => `<td class="num">${escapeHtml(formatValue(v))}</td>`).join("")
    }</tr></table>`;
  }
  const cls = typeof value === "number" ? ` class="num"` : "";
  return `<span${cls}>${escapeHtml(formatValue(value))}</span>`;
}

function metricsTable(metrics: Record<string, unknown>, key: string): string {
  const rows = Object.entries(metrics).map(([k, v]) =>
    `<tr${k === key ? ` class="key"` : ""}><th scope="row">${escapeHtml(k)}${
      k === key ? ` <span class="keytag">key metric</span>` : ""
    }</th><td>${metricCell(v)}</td></tr>`
  );
  return `<table class="metrics"><tbody>${rows.join("")}</tbody></table>`;
}

function dataTable(table: ReportRun["tables"][number]["table"]): string {
  if (!table) return `<p class="missing">(table file missing)</p>`;
  const { columns, rows, numeric } = tableCells(table);
  const head = columns.map((c, j) => `<th${numeric[j] ? ` class="num"` : ""}>${escapeHtml(c)}</th>`)
    .join("");
  const body = rows.map((r) =>
    `<tr>${
      r.map((c, j) => `<td${numeric[j] ? ` class="num"` : ""}>${escapeHtml(c)}</td>`).join("")
    }</tr>`
  ).join("");
  return `<div class="scroll"><table class="data"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

function keyValueText(run: ReportRun): string {
  const key = run.manifest.keyMetric;
  const v = run.metrics?.[key];
  return v === undefined ? "" : formatValue(v);
}

function section(run: ReportRun): string {
  const m = run.manifest;
  const id = anchor(m.name);
  const parts: string[] = [];
  parts.push(
    `<header class="sec-head"><h2><a href="#${id}">${escapeHtml(m.name)}</a></h2>` +
      `<span class="module">${escapeHtml(m.module)}</span>${badge(m.status)}</header>`,
  );
  parts.push(`<p class="desc">${escapeHtml(m.description)}</p>`);
  parts.push(
    `<div class="claim"><span class="label">Claim</span><p>${escapeHtml(m.claim)}</p></div>`,
  );
  const meta = [
    ["adapter", m.adapter],
    ["preset", m.preset],
    ["seed", String(m.seed)],
    ["started", m.started.replace("T", " ").replace(/\.\d+Z$/, " UTC")],
    ["time", `${formatNumber(m.seconds)} s`],
  ];
  parts.push(
    `<dl class="meta">${
      meta.map(([k, v]) => `<div><dt>${k}</dt><dd>${escapeHtml(v)}</dd></div>`).join("")
    }</dl>`,
  );
  if (m.error) {
    parts.push(`<pre class="error">${escapeHtml(m.error)}</pre>`);
  }
  if (run.metrics && Object.keys(run.metrics).length > 0) {
    parts.push(`<h3>Metrics</h3>${metricsTable(run.metrics, m.keyMetric)}`);
  }
  if (run.charts.length > 0) {
    parts.push(
      `<h3>Charts</h3><div class="figures">${
        run.charts.map((c) =>
          `<figure>${
            c.svg
              ? inlineSvg(c.svg, `${m.name}-${c.name}`, c.title)
              : `<p class="missing">(chart file missing)</p>`
          }<figcaption>${escapeHtml(c.title)}</figcaption></figure>`
        ).join("")
      }</div>`,
    );
  }
  if (run.images.length > 0) {
    parts.push(
      `<h3>Images</h3><div class="figures">${
        run.images.map((i) =>
          `<figure>${
            i.png
              ? `<img src="data:image/png;base64,${base64(i.png)}" alt="${escapeHtml(i.title)}">`
              : `<p class="missing">(image file missing)</p>`
          }<figcaption>${escapeHtml(i.title)}</figcaption></figure>`
        ).join("")
      }</div>`,
    );
  }
  for (const t of run.tables) {
    parts.push(`<h3>${escapeHtml(t.title)}</h3>${dataTable(t.table)}`);
  }
  const notes = m.status === "failed" ? [] : m.notes ?? [];
  if (notes.length > 0) {
    parts.push(
      `<h3>Notes</h3><ul class="notes">${
        notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("")
      }</ul>`,
    );
  }
  if (m.status === "failed" && (m.notes ?? []).length > 0) {
    parts.push(
      `<details><summary>Stack trace</summary><pre class="code">${
        escapeHtml(m.notes.join("\n"))
      }</pre></details>`,
    );
  }
  parts.push(
    `<details><summary>Config</summary><pre class="code">${
      escapeHtml(JSON.stringify(m.config, null, 2))
    }</pre></details>`,
  );
  return `<section class="experiment" id="${id}">${parts.join("\n")}</section>`;
}

function summaryTable(runs: readonly ReportRun[], planned: readonly PlannedExperiment[]): string {
  const rows = runs.map((r) => {
    const m = r.manifest;
    return `<tr><td><a href="#${anchor(m.name)}">${escapeHtml(m.name)}</a></td><td>${
      escapeHtml(m.module)
    }</td><td>${badge(m.status)}</td><td>${escapeHtml(m.keyMetric)}</td><td class="num">${
      escapeHtml(keyValueText(r))
    }</td><td class="num">${formatNumber(m.seconds)}</td></tr>`;
  });
  for (const p of planned) {
    rows.push(
      `<tr class="planned"><td>${escapeHtml(p.name)}</td><td>${escapeHtml(p.module)}</td><td>${
        badge("planned")
      }</td><td></td><td></td><td></td></tr>`,
    );
  }
  return `<table class="data summary"><thead><tr><th>experiment</th><th>module</th><th>status</th>` +
    `<th>key metric</th><th class="num">value</th><th class="num">seconds</th></tr></thead>` +
    `<tbody>${rows.join("")}</tbody></table>`;
}

const CSS = `
:root { --fg: #1f2328; --muted: #59636e; --line: #d8dee4; --bg: #f6f8fa; --accent: #3a6ea5; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff;
  font: 15px/1.55 "DejaVu Sans", -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 0 32px 48px; }
.top { background: linear-gradient(135deg, #22324a, #3a6ea5); color: #fff; padding: 28px 0 24px; }
.top .inner { max-width: 1120px; margin: 0 auto; padding: 0 32px; }
.top h1 { margin: 0 0 6px; font-size: 26px; font-weight: 700; letter-spacing: -0.01em; }
.top .sub { opacity: 0.85; font-size: 14px; }
.stats { display: flex; flex-wrap: wrap; gap: 10px; margin-top: 16px; }
.stat { background: rgba(255,255,255,0.12); border: 1px solid rgba(255,255,255,0.25);
  border-radius: 8px; padding: 6px 12px; font-size: 13px; }
.stat b { font-size: 17px; margin-right: 4px; }
h2 { font-size: 21px; margin: 0; }
h2 a { color: inherit; text-decoration: none; }
a { color: var(--accent); }
h3 { font-size: 15px; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted);
  margin: 22px 0 8px; }
.overview { margin-top: 28px; }
.overview h2 { margin-bottom: 12px; }
.adapters { color: var(--muted); font-size: 14px; margin: 0 0 12px; }
table { border-collapse: collapse; }
table.data { width: 100%; font-size: 14px; }
table.data th, table.data td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: left; }
table.data thead th { background: var(--bg); font-weight: 600; border-bottom: 2px solid var(--line); }
table.data tbody tr:hover { background: #fafbfc; }
.num { text-align: right !important; font-variant-numeric: tabular-nums; }
tr.planned td { color: var(--muted); }
.scroll { display: inline-block; max-width: 100%; min-width: 50%; overflow-x: auto; max-height: 480px;
  overflow-y: auto; border: 1px solid var(--line); border-radius: 6px; vertical-align: top; }
.scroll table.data th, .scroll table.data td { padding: 6px 16px; }
.scroll table.data tr:last-child td { border-bottom: none; }
section.experiment { border: 1px solid var(--line); border-radius: 10px; padding: 22px 26px;
  margin-top: 28px; box-shadow: 0 1px 2px rgba(31,35,40,0.04); }
.sec-head { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; }
.module { font-size: 12px; color: var(--muted); background: var(--bg); border: 1px solid var(--line);
  border-radius: 999px; padding: 1px 10px; font-family: "DejaVu Sans Mono", monospace; }
.badge { font-size: 12px; font-weight: 600; border-radius: 999px; padding: 2px 10px; }
.badge.ok { background: #dafbe1; color: #1a7f37; }
.badge.failed { background: #ffebe9; color: #cf222e; }
.badge.interrupted { background: #fff8c5; color: #9a6700; }
.badge.planned { background: #eaeef2; color: #59636e; }
.desc { margin: 8px 0 12px; color: var(--muted); }
.claim { border-left: 4px solid var(--accent); background: #f1f6fb; padding: 10px 14px; border-radius: 0 6px 6px 0; }
.claim .label { font-size: 11px; font-weight: 700; text-transform: uppercase; letter-spacing: 0.06em; color: var(--accent); }
.claim p { margin: 2px 0 0; }
dl.meta { display: flex; flex-wrap: wrap; gap: 6px 22px; margin: 14px 0 0; font-size: 13px; }
dl.meta div { display: flex; gap: 6px; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; font-weight: 600; }
table.metrics { font-size: 14px; min-width: 50%; }
table.metrics th, table.metrics td { padding: 5px 12px 5px 0; border-bottom: 1px solid var(--line);
  text-align: left; vertical-align: top; }
table.metrics th { font-weight: normal; font-family: "DejaVu Sans Mono", monospace; font-size: 13px; padding-right: 28px; }
table.metrics tr.key th, table.metrics tr.key td { font-weight: 700; }
.keytag { font-family: "DejaVu Sans", sans-serif; font-size: 11px; font-weight: 600; color: var(--accent);
  background: #e8f0f8; border-radius: 4px; padding: 0 6px; margin-left: 6px; }
table.sub th, table.sub td { border: 1px solid var(--line); padding: 2px 8px; font-size: 12px; font-weight: normal; }
table.sub th { background: var(--bg); }
.figures { display: flex; flex-wrap: wrap; gap: 18px; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 10px; background: #fff; max-width: 100%; }
figure svg.chart, figure img { display: block; max-width: 100%; height: auto; }
figure img { image-rendering: pixelated; min-width: 160px; }
figcaption { font-size: 13px; color: var(--muted); margin-top: 6px; text-align: center; }
ul.notes { margin: 0; padding-left: 20px; }
pre.error { background: #ffebe9; color: #82071e; border-radius: 6px; padding: 10px 12px; white-space: pre-wrap; margin: 14px 0 0; }
details { margin-top: 16px; font-size: 13px; }
summary { cursor: pointer; color: var(--muted); }
pre.code { background: var(--bg); border-radius: 6px; padding: 10px 12px; overflow-x: auto;
  font: 12px/1.45 "DejaVu Sans Mono", Menlo, Consolas, monospace; }
.planned-list { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 12px; }
.planned-card { border: 1px dashed var(--line); border-radius: 8px; padding: 12px 14px; color: var(--muted); }
.planned-card b { color: var(--fg); }
.missing { color: #cf222e; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; text-align: center; }
`;

/**
 * Renders the whole report as one self-contained HTML page.
 *
 * @example
 * ```ts
 * import { renderHtmlReport } from "./html_report.ts";
 * const html = renderHtmlReport({ runs: [] });
 * console.log(html.startsWith("<!DOCTYPE html>")); // true
 * ```
 */
export function renderHtmlReport(input: ReportInput): string {
  const runs = input.runs;
  const ran = new Set(runs.map((r) => r.manifest.name));
  const planned = (input.planned ?? []).filter((p) => !ran.has(p.name));
  const title = input.title ?? "gpusci experiment report";
  const generated = (input.generated ?? new Date()).toISOString().replace("T", " ").replace(
    /\.\d+Z$/,
    " UTC",
  );
  const count = (s: string) => runs.filter((r) => r.manifest.status === s).length;
  const adapters = [
    ...new Set([...runs.map((r) => r.manifest.adapter), ...(input.adapter ? [input.adapter] : [])]),
  ];
  const seconds = runs.reduce((s, r) => s + (r.manifest.seconds || 0), 0);
  const stats = [
    [runs.length, "experiments run"],
    [count("ok"), "ok"],
    [count("failed"), "failed"],
    [count("interrupted"), "interrupted"],
    [planned.length, "not yet implemented"],
    [formatNumber(Math.round(seconds * 10) / 10), "seconds in total"],
  ].filter(([n, label]) => n !== 0 || label === "experiments run" || label === "ok");
  const deno = typeof Deno !== "undefined" ? `Deno ${Deno.version.deno}` : "";
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<div class="top"><div class="inner">
<h1>${escapeHtml(title)}</h1>
<div class="sub">Generated ${escapeHtml(generated)} · gpusci ${escapeHtml(GPUSCI_VERSION)}${
    deno ? ` · ${escapeHtml(deno)}` : ""
  }</div>
<div class="stats">${
    stats.map(([n, label]) => `<div class="stat"><b>${n}</b>${escapeHtml(String(label))}</div>`)
      .join("")
  }</div>
</div></div>
<main>
<section class="overview">
<h2>Summary</h2>
<p class="adapters">Adapter${adapters.length === 1 ? "" : "s"}: ${
    adapters.length ? adapters.map(escapeHtml).join("; ") : "(no runs yet)"
  }</p>
${summaryTable(runs, planned)}
</section>
${runs.map(section).join("\n")}
${
    planned.length > 0
      ? `<section class="experiment" id="planned"><header class="sec-head"><h2>Not yet implemented</h2>${
        badge("planned")
      }</header><p class="desc">These experiments are on the roadmap; nothing was run for them.</p>` +
        `<div class="planned-list">${
          planned.map((p) =>
            `<div class="planned-card"><b>${escapeHtml(p.name)}</b> <span class="module">${
              escapeHtml(p.module)
            }</span><br>${escapeHtml(p.description)}</div>`
          ).join("")
        }</div></section>`
      : ""
  }
<footer>gpusci ${
    escapeHtml(GPUSCI_VERSION)
  } · self-contained report: no scripts, no network</footer>
</main>
</body>
</html>
`;
}

/**
 * Options for {@linkcode writeHtmlReport}.
 *
 * @example
 * ```ts
 * import type { WriteReportOptions } from "./html_report.ts";
 * const o: WriteReportOptions = { order: ["a", "b"], planned: [] };
 * console.log(o.order); // ["a", "b"]
 * ```
 */
export interface WriteReportOptions {
  /** Experiment order (others follow alphabetically). */
  order?: readonly string[];
  /** Experiments listed as "not yet implemented". */
  planned?: readonly PlannedExperiment[];
  /** Page title. */
  title?: string;
  /** The adapter of the current invocation. */
  adapter?: string;
}

/**
 * Rebuilds `outRoot/report.html` (atomically) from every run directory under
 * `outRoot`, and returns its path.
 *
 * @example
 * ```ts
 * import { writeHtmlReport } from "./html_report.ts";
 * const dir = await Deno.makeTempDir();
 * const path = await writeHtmlReport(dir);
 * console.log(path.endsWith("report.html")); // true
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeHtmlReport(
  outRoot: string,
  options: WriteReportOptions = {},
): Promise<string> {
  const runs = await collectRuns(outRoot, options.order);
  const path = `${outRoot}/${REPORT_FILE}`;
  await writeTextFileAtomic(
    path,
    renderHtmlReport({
      runs,
      planned: options.planned,
      title: options.title,
      adapter: options.adapter,
    }),
  );
  return path;
}
