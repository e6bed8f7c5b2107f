import { z } from "zod";

/**
 * Options every operation takes: `seed` (any safe integer, default 0) and
 * `maxOutputs` (how many outputs `generate` may return, 1..1000, default 1).
 *
 * @example
 * ```ts
 * import type { OperationOptions } from "./options.ts";
 * const o: OperationOptions = { seed: 7, maxOutputs: 3 };
 * console.log(o.seed);
 * ```
 */
export interface OperationOptions {
  /** Seed of the operation's random stream (default 0). */
  seed?: number;
  /** The most outputs one call of `generate` returns (default 1). */
  maxOutputs?: number;
}

/**
 * The zod fields for {@link OperationOptions}, to spread into an operation's
 * strict options schema.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { operationOptionsShape } from "./options.ts";
 * const schema = z.strictObject({ ...operationOptionsShape(), prob: z.number().default(0.1) });
 * console.log(schema.parse({})); // { seed: 0, maxOutputs: 1, prob: 0.1 }
 * ```
 * @returns A fresh object of zod schemas.
 */
export function operationOptionsShape(): {
  seed: z.ZodDefault<z.ZodNumber>;
  maxOutputs: z.ZodDefault<z.ZodNumber>;
} {
  return {
    seed: z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER).default(0),
    maxOutputs: z.number().int().min(1).max(1000).default(1),
  };
}

/**
 * A probability field in [0, 1] with a default.
 *
 * @example
 * ```ts
 * import { probability } from "./options.ts";
 * console.log(probability(0.2).parse(undefined)); // 0.2
 * ```
 * @param fallback The default value.
 * @returns A zod schema.
 */
export function probability(fallback: number): z.ZodDefault<z.ZodNumber> {
  return z.number().min(0).max(1).default(fallback);
}

/** The project-wide option parser (src/options.ts), re-exported with the text helpers above. */
export { parseOptions } from "../options.ts";
