/**
 * Option validation for `src/nn`: zod schemas whose failures become typed errors naming the
 * function, the field, the value received and what was expected (DESIGN.md principle 6).
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { parseOptions } from "./validate.ts";
 * const o = parseOptions("demo", z.object({ lr: z.number().positive() }), { lr: 0.1 });
 * console.log(o.lr); // 0.1
 * ```
 * @module
 */
import type { z } from "zod";
import { InvalidArgumentError } from "../errors.ts";

function show(v: unknown): string {
  if (typeof v === "function") return "a function";
  if (typeof v === "string") return JSON.stringify(v);
  try {
    const s = JSON.stringify(v);
    if (s !== undefined) return s.length > 60 ? s.slice(0, 57) + "..." : s;
  } catch {
    // fall through
  }
  return String(v);
}

/**
 * Parses `value` with `schema`; on failure throws an InvalidArgumentError such as
 * `adam: option lr = -1: expected a number > 0`.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { parseOptions } from "./validate.ts";
 * try {
 *   parseOptions("sgd", z.object({ lr: z.number().positive() }), { lr: -1 });
 * } catch (e) {
 *   console.log((e as Error).message); // sgd: option lr = -1: ...
 * }
 * ```
 */
export function parseOptions<S extends z.ZodType>(
  where: string,
  schema: S,
  value: unknown,
): z.output<S> {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const path = issue.path.map(String).join(".");
  let got: unknown = value;
  for (const p of issue.path) {
    got = (got as Record<PropertyKey, unknown> | undefined)?.[p as string];
  }
  const field = path ? `option ${path} = ${show(got)}` : `options ${show(value)}`;
  throw new InvalidArgumentError(`${where}: ${field}: ${issue.message}`);
}
