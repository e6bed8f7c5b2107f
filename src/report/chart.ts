/**
 * Vega-lite charts rendered headlessly: a shared readable theme (DejaVu Sans, axis
 * titles, sensible sizes), SVG through a vega `View` with renderer `"none"`, and PNG
 * through resvg ({@linkcode svgToPng}).
 *
 * @example
 * ```ts
 * import { renderChart } from "./chart.ts";
 * const { svg, png } = await renderChart({
 *   data: { values: [{ step: 0, loss: 1 }, { step: 1, loss: 0.5 }] },
 *   mark: "line",
 *   encoding: {
 *     x: { field: "step", type: "quantitative", title: "Step" },
 *     y: { field: "loss", type: "quantitative", title: "Loss" },
 *   },
 * });
 * console.log(svg.includes("Loss"), png.length > 0); // true true
 * ```
 * @module
 */

import * as vega from "vega";
import * as vl from "vega-lite";
import { InvalidArgumentError } from "../errors.ts";
import { type PngOptions, svgToPng } from "./png.ts";

/**
 * Font stack used in charts: DejaVu Sans (which the PNG renderer loads) first.
 *
 * @example
 * ```ts
 * import { CHART_FONT } from "./chart.ts";
 * console.log(CHART_FONT.startsWith('"DejaVu Sans"')); // true
 * ```
 */
export const CHART_FONT = '"DejaVu Sans", "Helvetica Neue", Arial, sans-serif';

/**
 * The vega-lite `config` every chart gets unless its own `config` overrides a field:
 * DejaVu Sans everywhere, 12-13 px labels and titles, a 440x280 view, white background.
 *
 * @example
 * ```ts
 * import { CHART_THEME } from "./chart.ts";
 * console.log((CHART_THEME.axis as { titleFontSize: number }).titleFontSize); // 13
 * ```
 */
export const CHART_THEME: Record<string, unknown> = {
  font: CHART_FONT,
  background: "white",
  padding: 12,
  view: { continuousWidth: 440, continuousHeight: 280, stroke: "#d0d4da" },
  title: { fontSize: 15, fontWeight: "bold", anchor: "start", offset: 10, color: "#1f2328" },
  axis: {
    labelFontSize: 12,
    titleFontSize: 13,
    titleFontWeight: "normal",
    titleColor: "#1f2328",
    labelColor: "#444c56",
    gridColor: "#e6e8eb",
    domainColor: "#8c959f",
    tickColor: "#8c959f",
    titlePadding: 8,
  },
  legend: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: "normal" },
  header: { labelFontSize: 12, titleFontSize: 13 },
  line: { strokeWidth: 2 },
  point: { size: 40 },
  range: {
    category: [
      "#4c78a8",
      "#f58518",
      "#54a24b",
      "#e45756",
      "#72b7b2",
      "#b279a2",
      "#eeca3b",
      "#9d755d",
    ],
  },
};

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function deepMerge(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = isPlainObject(v) && isPlainObject(out[k])
      ? deepMerge(out[k] as Record<string, unknown>, v)
      : v;
  }
  return out;
}

/**
 * Returns a copy of a vega-lite spec with {@linkcode CHART_THEME} merged under its
 * own `config` (the spec's settings win).
 *
 * @example
 * ```ts
 * import { themed } from "./chart.ts";
 * const spec = themed({ mark: "point", config: { axis: { labelFontSize: 20 } } });
 * const axis = (spec.config as { axis: Record<string, unknown> }).axis;
 * console.log(axis.labelFontSize, axis.titleFontSize); // 20 13
 * ```
 */
export function themed(spec: Record<string, unknown>): Record<string, unknown> {
  const own = isPlainObject(spec.config) ? spec.config : {};
  return { ...spec, config: deepMerge(CHART_THEME, own) };
}

/**
 * Compiles a vega-lite spec (themed) and renders it to an SVG string headlessly.
 * Throws {@linkcode InvalidArgumentError} when the spec does not compile.
 *
 * @example
 * ```ts
 * import { chartToSvg } from "./chart.ts";
 * const svg = await chartToSvg({
 *   data: { values: [{ a: "x", b: 1 }, { a: "y", b: 3 }] },
 *   mark: "bar",
 *   encoding: { x: { field: "a", type: "nominal" }, y: { field: "b", type: "quantitative" } },
 * });
 * console.log(svg.startsWith("<svg")); // true
 * ```
 */
export async function chartToSvg(spec: Record<string, unknown>): Promise<string> {
  let vgSpec: vega.Spec;
  try {
    vgSpec = vl.compile(themed(spec) as unknown as vl.TopLevelSpec).spec;
  } catch (e) {
    throw new InvalidArgumentError(`chart: invalid vega-lite spec: ${(e as Error).message}`, {
      cause: e,
    });
  }
  const view = new vega.View(vega.parse(vgSpec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * A rendered chart: the SVG text and PNG bytes.
 *
 * @example
 * ```ts
 * import type { RenderedChart } from "./chart.ts";
 * const r: RenderedChart = { svg: "<svg/>", png: new Uint8Array() };
 * console.log(r.svg.length); // 6
 * ```
 */
export interface RenderedChart {
  /** SVG document (no XML prolog). */
  svg: string;
  /** PNG bytes rendered from the SVG. */
  png: Uint8Array;
}

/**
 * Renders a vega-lite spec to SVG and PNG.
 *
 * @example
 * ```ts
 * import { renderChart } from "./chart.ts";
 * import { pngSize } from "./png.ts";
 * const { png } = await renderChart({
 *   data: { values: [{ x: 1, y: 1 }] }, mark: "point",
 *   encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } },
 * }, { scale: 1 });
 * console.log(pngSize(png).width > 400); // true
 * ```
 */
export async function renderChart(
  spec: Record<string, unknown>,
  options: PngOptions = {},
): Promise<RenderedChart> {
  const svg = await chartToSvg(spec);
  return { svg, png: await svgToPng(svg, options) };
}
