/**
 * The project-wide option parser (src/options.ts) under the path `src/optim` files import.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { parseOptions } from "./options.ts";
 * const schema = z.strictObject({ sigma: z.number().positive().default(0.01) });
 * console.log(parseOptions(schema, {}, "pes").sigma); // 0.01
 * ```
 * @module
 */
export { parseOptions } from "../options.ts";
