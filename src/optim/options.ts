/**
 * Option parsing for `src/optim`: zod schemas in, typed errors out (DESIGN.md principle 6).
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { parseOptions } from "./options.ts";
 * const schema = z.strictObject({ sigma: z.number().positive().default(0.01) });
 * console.log(parseOptions(schema, {}, "pes").sigma); // 0.01
 * try {
 *   parseOptions(schema, { sigma: -1 }, "pes");
 * } catch (e) {
 *   console.log((e as Error).name); // "InvalidArgumentError"
 * }
 * ```
 * @module
 */
import type { z } from "zod";
import { InvalidArgumentError } from "../errors.ts";

/**
 * Validates `input` against `schema` (filling defaults); on failure throws an
 * InvalidArgumentError naming the field, the value given and what was expected.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { parseOptions } from "./options.ts";
 * const s = z.strictObject({ k: z.number().int().min(1).default(10) });
 * console.log(parseOptions(s, { k: 5 }, "tbptt")); // { k: 5 }
 * ```
 */
export function parseOptions<S extends z.ZodType>(
  schema: S,
  input: unknown,
  where: string,
): z.output<S> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const path = issue.path.map(String).join(".");
  let value: unknown = input;
  for (const p of issue.path) {
    value = value && typeof value === "object"
      ? (value as Record<PropertyKey, unknown>)[p]
      : undefined;
  }
  const shown = issue.code === "unrecognized_keys"
    ? ""
    : ` (got ${
      typeof value === "number" || typeof value === "boolean" ? value : JSON.stringify(value)
    })`;
  throw new InvalidArgumentError(
    `${where}: option ${path || "(root)"}${shown}: ${issue.message}`,
  );
}
