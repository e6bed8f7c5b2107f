/**
 * Option validation for `src/bnn`: zod schemas whose failures become InvalidArgumentErrors
 * naming the function, the field, the value and the expectation (DESIGN.md principle 6).
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { parseOptions } from "./options.ts";
 * console.log(parseOptions(z.object({ n: z.number().default(3) }), {}, "demo").n); // 3
 * ```
 * @module
 */
import type { z } from "zod";
import { InvalidArgumentError } from "../errors.ts";

/**
 * Parses `value` with `schema`; on failure throws e.g.
 * `hmc: option leapfrogSteps = 0: Too small: expected number to be >0`.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { parseOptions } from "./options.ts";
 * try {
 *   parseOptions(z.object({ n: z.number().positive() }), { n: -1 }, "demo");
 * } catch (e) {
 *   console.log((e as Error).name); // "InvalidArgumentError"
 * }
 * ```
 */
export function parseOptions<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const path = issue.path.map(String).join(".");
  let got: unknown = value;
  for (const p of issue.path) {
    got = (got as Record<PropertyKey, unknown> | undefined)?.[p as string];
  }
  let shown: string;
  try {
    shown = JSON.stringify(path ? got : value) ?? String(got);
  } catch {
    shown = String(got);
  }
  throw new InvalidArgumentError(
    `${where}: ${path ? `option ${path}` : "options"} = ${shown}: ${issue.message}`,
  );
}
