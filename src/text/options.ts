import { z } from "zod";
import { InvalidArgumentError } from "../errors.ts";

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

/**
 * Parses options with a zod schema; on failure throws an `InvalidArgumentError`
 * that names the operation, each bad field, the value given and what was expected.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { parseOptions } from "./options.ts";
 * const schema = z.strictObject({ prob: z.number().max(1).default(0.1) });
 * console.log(parseOptions(schema, {}, "demo").prob); // 0.1
 * try {
 *   parseOptions(schema, { prob: 3 }, "demo");
 * } catch (e) {
 *   console.log((e as Error).message); // demo: option "prob" = 3 is invalid: ...
 * }
 * ```
 * @param schema The strict options schema.
 * @param options The user's options (undefined means all defaults).
 * @param where The operation's name, used in messages.
 * @returns The parsed options with defaults filled in.
 */
export function parseOptions<T>(schema: z.ZodType<T>, options: unknown, where: string): T {
  const result = schema.safeParse(options ?? {});
  if (result.success) return result.data;
  const parts = result.error.issues.map((issue) => {
    if (issue.code === "unrecognized_keys") {
      const shape = schema instanceof z.ZodObject ? Object.keys(schema.shape).join(", ") : "";
      return `option(s) ${issue.keys.map((k) => `"${k}"`).join(", ")} not recognised` +
        (shape ? `; expected keys: ${shape}` : "");
    }
    const path = issue.path.map(String).join(".");
    if (path === "") return `options are invalid: ${issue.message}`;
    let value: unknown = options as Record<string, unknown>;
    for (const key of issue.path) {
      value = (value as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey];
    }
    return `option "${path}" = ${show(value)} is invalid: ${issue.message}`;
  });
  throw new InvalidArgumentError(`${where}: ${parts.join("; ")}`);
}

function show(value: unknown): string {
  try {
    const s = JSON.stringify(value);
    return s === undefined ? String(value) : s.length > 60 ? s.slice(0, 60) + "…" : s;
  } catch {
    return String(value);
  }
}
