/**
 * The one-line adapter description recorded in every run (`ctx.adapter`, `metrics.json`,
 * `report.html`).
 *
 * @example
 * ```ts
 * import { adapterLine } from "./adapter_line.ts";
 * console.log(adapterLine(null)); // "none (no WebGPU adapter)"
 * ```
 * @module
 */

import type { AdapterSummary } from "../gpu/device.ts";

/**
 * Describes an adapter in one line: its name, the backend, and whether it is a
 * software fallback; `"none (no WebGPU adapter)"` for `null`.
 *
 * @example
 * ```ts
 * import { adapterLine } from "./adapter_line.ts";
 * console.log(adapterLine({
 *   description: "llvmpipe (LLVM 15.0.6, 256 bits)", vendor: "mesa", architecture: "",
 *   isFallback: true, backend: "vulkan", features: [], limits: {},
 * })); // "llvmpipe (LLVM 15.0.6, 256 bits) [vulkan, fallback]"
 * ```
 */
export function adapterLine(summary: AdapterSummary | null): string {
  if (!summary) return "none (no WebGPU adapter)";
  const tags = [summary.backend, summary.isFallback ? "fallback" : ""].filter(Boolean);
  return `${summary.description}${tags.length ? ` [${tags.join(", ")}]` : ""}`;
}
