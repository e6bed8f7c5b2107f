/**
 * Option parsing for the sde module: zod schemas in, typed errors out (DESIGN.md principle 6).
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { parseOptions } from "./options.ts";
 * const schema = z.strictObject({ n: z.number().int().positive().default(3) });
 * console.log(parseOptions(schema, {}, "demo").n); // 3
 * ```
 * @module
 */
import type { z } from "zod";
import { InvalidArgumentError } from "../errors.ts";

/**
 * Parses `options` with a zod schema; on failure throws an {@link InvalidArgumentError} naming
 * the function, each bad field, the value given and what was expected.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { parseOptions } from "./options.ts";
 * const schema = z.strictObject({ snr: z.number().positive().default(0.16) });
 * try {
 *   parseOptions(schema, { snr: -1 }, "langevin");
 * } catch (e) {
 *   console.log((e as Error).message); // langevin: option "snr" = -1 is invalid: ...
 * }
 * ```
 */
export function parseOptions<T>(schema: z.ZodType<T>, options: unknown, where: string): T {
  const result = schema.safeParse(options ?? {});
  if (result.success) return result.data;
  const parts = result.error.issues.map((issue) => {
    if (issue.code === "unrecognized_keys") {
      return `option(s) ${issue.keys.map((k) => `"${k}"`).join(", ")} not recognised`;
    }
    const path = issue.path.map(String).join(".");
    if (path === "") return `options are invalid: ${issue.message}`;
    let value: unknown = options;
    for (const k of issue.path) {
      value = (value as Record<PropertyKey, unknown> | undefined)?.[k as PropertyKey];
    }
    return `option "${path}" = ${show(value)} is invalid: ${issue.message}`;
  });
  throw new InvalidArgumentError(`${where}: ${parts.join("; ")}`);
}

function show(value: unknown): string {
  try {
    const s = JSON.stringify(value);
    return s === undefined ? String(value) : s.length > 60 ? s.slice(0, 60) + "..." : s;
  } catch {
    return String(value);
  }
}
