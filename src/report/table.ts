/**
 * Arquero tables as Markdown, CSV and aligned terminal text.
 *
 * @example
 * ```ts
 * import * as aq from "arquero";
 * import { tableToText } from "./table.ts";
 * console.log(tableToText(aq.table({ width: [32, 64], acc: [0.91234, 0.9381] })));
 * ```
 * @module
 */

import type { ColumnTable } from "arquero";
import { formatValue } from "./format.ts";

/**
 * A table's column names and its cells as formatted strings, plus which columns are
 * numeric (right-aligned).
 *
 * @example
 * ```ts
 * import * as aq from "arquero";
 * import { tableCells } from "./table.ts";
 * const { columns, rows, numeric } = tableCells(aq.table({ a: [1.5], b: ["x"] }));
 * console.log(columns, rows, numeric); // ["a", "b"] [["1.5", "x"]] [true, false]
 * ```
 */
export function tableCells(
  table: ColumnTable,
): { columns: string[]; rows: string[][]; numeric: boolean[] } {
  const columns = table.columnNames();
  const raw = table.objects() as Record<string, unknown>[];
  const numeric = columns.map((c) =>
    raw.length > 0 &&
    raw.every((r) => r[c] === null || r[c] === undefined || typeof r[c] === "number")
  );
  const rows = raw.map((r) => columns.map((c) => formatValue(r[c])));
  return { columns, rows, numeric };
}

/**
 * Renders a table as GitHub-flavoured Markdown; numeric columns are right-aligned and
 * numbers are rounded to about four significant digits.
 *
 * @example
 * ```ts
 * import * as aq from "arquero";
 * import { tableToMarkdown } from "./table.ts";
 * console.log(tableToMarkdown(aq.table({ n: [1, 2], name: ["a|b", "c"] })));
 * // | n | name |
 * // | ---: | :--- |
 * // | 1 | a\|b |
 * // | 2 | c |
 * ```
 */
export function tableToMarkdown(table: ColumnTable): string {
  const { columns, rows, numeric } = tableCells(table);
  const esc = (s: string) => s.replaceAll("|", "\\|").replaceAll("\n", " ");
  const lines = [
    `| ${columns.map(esc).join(" | ")} |`,
    `| ${numeric.map((n) => (n ? "---:" : ":---")).join(" | ")} |`,
    ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`),
  ];
  return lines.join("\n") + "\n";
}

/**
 * Renders a table as CSV (RFC 4180 quoting, full numeric precision).
 *
 * @example
 * ```ts
 * import * as aq from "arquero";
 * import { tableToCsv } from "./table.ts";
 * console.log(tableToCsv(aq.table({ x: [0.1234567], s: ["a,b"] })));
 * // x,s
 * // 0.1234567,"a,b"
 * ```
 */
export function tableToCsv(table: ColumnTable): string {
  const columns = table.columnNames();
  const quote = (v: unknown): string => {
    if (v === null || v === undefined) return "";
    const s = v instanceof Date
      ? v.toISOString()
      : typeof v === "object"
      ? JSON.stringify(v)
      : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const rows = (table.objects() as Record<string, unknown>[]).map((r) =>
    columns.map((c) => quote(r[c])).join(",")
  );
  return [columns.map(quote).join(","), ...rows].join("\n") + "\n";
}

/**
 * Renders a table as aligned plain text for a terminal: a header, a rule, and one
 * line per row, numbers right-aligned.
 *
 * @example
 * ```ts
 * import * as aq from "arquero";
 * import { tableToText } from "./table.ts";
 * console.log(tableToText(aq.table({ experiment: ["a", "bb"], seconds: [1.25, 10] })));
 * // experiment  seconds
 * // ──────────  ───────
 * // a              1.25
 * // bb               10
 * ```
 */
export function tableToText(table: ColumnTable): string {
  const { columns, rows, numeric } = tableCells(table);
  const width = columns.map((c, j) =>
    Math.max(displayWidth(c), ...rows.map((r) => displayWidth(r[j])))
  );
  const pad = (s: string, j: number) => {
    const fill = " ".repeat(width[j] - displayWidth(s));
    return numeric[j] ? fill + s : s + fill;
  };
  const line = (cells: string[]) => cells.map(pad).join("  ").trimEnd();
  return [
    line(columns),
    width.map((w) => "─".repeat(w)).join("  "),
    ...rows.map(line),
  ].join("\n") + "\n";
}

function displayWidth(s: string): number {
  return [...s].length;
}
