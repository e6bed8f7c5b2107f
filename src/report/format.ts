/**
 * Number and value formatting shared by tables, the terminal summary and the HTML report.
 *
 * @example
 * ```ts
 * import { formatValue } from "./format.ts";
 * console.log(formatValue(0.123456)); // "0.1235"
 * ```
 * @module
 */

/**
 * Formats a number for people: integers exactly, other values to about four
 * significant digits, very large or small values in exponent form.
 *
 * @example
 * ```ts
 * import { formatNumber } from "./format.ts";
 * console.log(formatNumber(42));          // "42"
 * console.log(formatNumber(3.14159265));  // "3.142"
 * console.log(formatNumber(12345.678));   // "12346"
 * console.log(formatNumber(0.00001234));  // "1.234e-5"
 * console.log(formatNumber(NaN));         // "NaN"
 * ```
 */
export function formatNumber(x: number, significant = 4): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const abs = Math.abs(x);
  if (abs >= 1e15 || abs < 1e-4) {
    const [mantissa, exponent] = x.toExponential(significant - 1).split("e");
    return `${trimZeros(mantissa)}e${exponent.replace("+", "")}`;
  }
  const digits = Math.max(0, significant - 1 - Math.floor(Math.log10(abs)));
  return trimZeros(x.toFixed(digits));
}

function trimZeros(s: string): string {
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}

/**
 * Formats any table cell or metric value: numbers with {@linkcode formatNumber},
 * `null`/`undefined` as an empty string, `{ key: number }` objects as `key: value` pairs,
 * dates as ISO strings, everything else with `String`.
 *
 * @example
 * ```ts
 * import { formatValue } from "./format.ts";
 * console.log(formatValue({ "32": 1.41421, "64": 2 })); // "32: 1.414, 64: 2"
 * console.log(formatValue(null));                        // ""
 * ```
 */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return formatNumber(v);
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(formatValue).join(", ");
  if (typeof v === "object") {
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${k}: ${formatValue(x)}`)
      .join(", ");
  }
  return String(v);
}
