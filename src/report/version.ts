/**
 * The gpusci package version, read from `deno.json` (the one place versions live).
 *
 * @example
 * ```ts
 * import { GPUSCI_VERSION } from "./version.ts";
 * console.log(/^\d+\.\d+\.\d+/.test(GPUSCI_VERSION)); // true
 * ```
 * @module
 */

import denoJson from "../../deno.json" with { type: "json" };

/**
 * The version string of this gpusci build, e.g. `"0.1.0"`.
 *
 * @example
 * ```ts
 * import { GPUSCI_VERSION } from "./version.ts";
 * console.log(`gpusci ${GPUSCI_VERSION}`);
 * ```
 */
export const GPUSCI_VERSION: string = denoJson.version;
