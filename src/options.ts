/**
 * Option parsing shared by every module: a zod schema in, defaults filled, and on bad input one
 * InvalidArgumentError that names the function, each bad field, the value given and what was
 * expected (DESIGN.md principle 6), e.g. `adam: option lr = -1: Too small: expected number to be
 * >0`. Unknown keys of a strict schema are listed together with the keys it accepts.
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
import { z } from "zod";
import { InvalidArgumentError } from "./errors.ts";

/**
 * Parses `options` with `schema` (undefined or null mean all defaults); on failure throws an
 * {@link InvalidArgumentError} such as `sgd: option lr = -1: Too small: ...` or
 * `pes: option(s) sigmaa not recognised; expected keys: sigma, particles`.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { parseOptions } from "./options.ts";
 * const schema = z.strictObject({ snr: z.number().positive().default(0.16) });
 * try {
 *   parseOptions(schema, { snr: -1 }, "langevin");
 * } catch (e) {
 *   console.log((e as Error).message); // langevin: option snr = -1: Too small: ...
 * }
 * ```
 * @param schema The options schema (usually `z.strictObject`, so typos are caught).
 * @param options The caller's options.
 * @param where The function or operation name that starts the message.
 * @returns The parsed options with defaults filled in.
 */
export function parseOptions<S extends z.ZodType>(
  schema: S,
  options: unknown,
  where: string,
): z.output<S> {
  const result = schema.safeParse(options ?? {});
  if (result.success) return result.data;
  const parts = result.error.issues.map((issue) => {
    if (issue.code === "unrecognized_keys") {
      const keys = schema instanceof z.ZodObject ? Object.keys(schema.shape).join(", ") : "";
      return `option(s) ${issue.keys.join(", ")} not recognised` +
        (keys ? `; expected keys: ${keys}` : "");
    }
    const path = issue.path.map(String).join(".");
    if (path === "") return `options = ${show(options)}: ${issue.message}`;
    let value: unknown = options;
    for (const key of issue.path) {
      value = (value as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey];
    }
    return `option ${path} = ${show(value)}: ${issue.message}`;
  });
  throw new InvalidArgumentError(`${where}: ${parts.join("; ")}`);
}

/** A short, readable rendering of a bad value (strings quoted, long values cut with "..."). */
function show(value: unknown): string {
  if (typeof value === "function") return "a function";
  try {
    const s = JSON.stringify(value);
    return s === undefined ? String(value) : s.length > 60 ? s.slice(0, 57) + "..." : s;
  } catch {
    return String(value);
  }
}
