/**
 * Experiment configs: presets, `--set key=value` overrides parsed by the expected
 * type of each field, zod validation with one-line errors, and field descriptions
 * for `gpusci list`.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { resolveConfig } from "./config.ts";
 * const schema = z.strictObject({
 *   steps: z.number().int().positive().default(100),
 *   widths: z.array(z.number().int()).default([32]),
 * });
 * const exp = { name: "demo", schema, presets: { quick: { steps: 5 }, full: {} } };
 * console.log(resolveConfig(exp, { preset: "quick", sets: ["widths=8,16"] }));
 * // { steps: 5, widths: [8, 16] }
 * ```
 * @module
 */

import { z, type ZodType } from "zod";
import { InvalidArgumentError, UnknownNameError } from "../errors.ts";
import type { ConfigSchema, Experiment } from "./experiment.ts";

/**
 * Which preset a run uses: `"default"` means the schema's own defaults.
 *
 * @example
 * ```ts
 * import type { PresetName } from "./config.ts";
 * const p: PresetName = "quick";
 * console.log(p); // "quick"
 * ```
 */
export type PresetName = "quick" | "full" | "default";

/** A JSON-schema fragment as produced by `z.toJSONSchema`. */
type JsonSchema = Record<string, unknown>;

/**
 * One config field, as shown by `gpusci list`.
 *
 * @example
 * ```ts
 * import type { ConfigField } from "./config.ts";
 * const f: ConfigField = { name: "steps", type: "integer > 0", default: 100 };
 * console.log(f.type); // "integer > 0"
 * ```
 */
export interface ConfigField {
  /** Field name (the `key` in `--set key=value`). */
  name: string;
  /** Human-readable expected type, e.g. `"integer > 0"`, `"one of \"a\" | \"b\""`. */
  type: string;
  /** Default value, if the schema has one. */
  default?: unknown;
  /** The field's `.describe()` text, if any. */
  description?: string;
}

function properties(schema: ConfigSchema<unknown>): Record<string, JsonSchema> | null {
  try {
    const js = z.toJSONSchema(schema as unknown as ZodType, {
      io: "input",
      unrepresentable: "any",
    }) as JsonSchema;
    const props = js.properties;
    return props && typeof props === "object" ? props as Record<string, JsonSchema> : null;
  } catch {
    return schema instanceof z.ZodObject
      ? Object.fromEntries(Object.keys(schema.shape).map((k) => [k, {}]))
      : null;
  }
}

/**
 * Describes a JSON-schema fragment as a short type for people.
 *
 * @example
 * ```ts
 * import { describeType } from "./config.ts";
 * console.log(describeType({ type: "integer", exclusiveMinimum: 0 })); // "integer > 0"
 * console.log(describeType({ type: "array", items: { type: "number" } })); // "number[]"
 * console.log(describeType({ type: "string", enum: ["vp", "ve"] })); // 'one of "vp" | "ve"'
 * ```
 */
export function describeType(js: Record<string, unknown>): string {
  if (Array.isArray(js.enum)) return `one of ${js.enum.map((v) => JSON.stringify(v)).join(" | ")}`;
  if ("const" in js) return JSON.stringify(js.const);
  const alts = (js.anyOf ?? js.oneOf) as JsonSchema[] | undefined;
  if (Array.isArray(alts)) return alts.map(describeType).join(" | ");
  switch (js.type) {
    case "integer":
    case "number": {
      const bounds: string[] = [];
      const big = (v: unknown) => typeof v === "number" && Math.abs(v) >= Number.MAX_SAFE_INTEGER;
      if (typeof js.exclusiveMinimum === "number") bounds.push(`> ${js.exclusiveMinimum}`);
      else if (typeof js.minimum === "number" && !big(js.minimum)) bounds.push(`>= ${js.minimum}`);
      if (typeof js.exclusiveMaximum === "number") bounds.push(`< ${js.exclusiveMaximum}`);
      else if (typeof js.maximum === "number" && !big(js.maximum)) bounds.push(`<= ${js.maximum}`);
      return [js.type, bounds.join(" and ")].filter(Boolean).join(" ");
    }
    case "array":
      return `${
        js.items && typeof js.items === "object" ? describeType(js.items as JsonSchema) : "value"
      }[]`;
    case "object":
      return "object (JSON)";
    case "string":
    case "boolean":
    case "null":
      return js.type;
    default:
      return "value";
  }
}

/**
 * Lists the fields of an experiment's config schema with types and defaults.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { configFields } from "./config.ts";
 * const schema = z.strictObject({ lr: z.number().positive().default(0.1) });
 * console.log(configFields(schema)); // [{ name: "lr", type: "number > 0", default: 0.1 }]
 * ```
 */
export function configFields(schema: ConfigSchema<unknown>): ConfigField[] {
  const props = properties(schema);
  if (!props) return [];
  return Object.entries(props).map(([name, js]) => {
    const field: ConfigField = { name, type: describeType(js) };
    if ("default" in js) field.default = js.default;
    if (typeof js.description === "string") field.description = js.description;
    return field;
  });
}

function schemaType(js: JsonSchema): string | undefined {
  if (Array.isArray(js.enum)) {
    return js.enum.every((v) => typeof v === "string") ? "string" : undefined;
  }
  return typeof js.type === "string" ? js.type : undefined;
}

/**
 * Turns the text of a `--set key=value` into a value of the field's expected type:
 * numbers for number fields, `true`/`false` for booleans, comma-separated or JSON
 * lists for arrays, JSON for objects; text that does not fit stays a string (so
 * validation reports it).
 *
 * @example
 * ```ts
 * import { coerceValue } from "./config.ts";
 * console.log(coerceValue("3", { type: "integer" }));  // 3
 * console.log(coerceValue("3", { type: "string" }));   // "3"
 * console.log(coerceValue("1,2", { type: "array", items: { type: "number" } })); // [1, 2]
 * console.log(coerceValue("yes", { type: "boolean" })); // true
 * ```
 */
export function coerceValue(raw: string, js: Record<string, unknown>): unknown {
  const type = schemaType(js);
  const text = raw.trim();
  switch (type) {
    case "string":
      return raw;
    case "integer":
    case "number": {
      const n = Number(text);
      return text !== "" && !Number.isNaN(n) ? n : raw;
    }
    case "boolean": {
      const t = text.toLowerCase();
      if (["true", "1", "yes", "on"].includes(t)) return true;
      if (["false", "0", "no", "off"].includes(t)) return false;
      return raw;
    }
    case "array": {
      if (text.startsWith("[")) return parseJsonOr(raw);
      if (text === "") return [];
      const items = (js.items && typeof js.items === "object" ? js.items : {}) as JsonSchema;
      return text.split(",").map((s) => coerceValue(s.trim(), items));
    }
    default:
      return parseJsonOr(raw);
  }
}

function parseJsonOr(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/**
 * Splits `key=value` strings into pairs. Throws {@linkcode InvalidArgumentError} for
 * an entry without `=` or with an empty key.
 *
 * @example
 * ```ts
 * import { parseSets } from "./config.ts";
 * console.log(parseSets(["steps=5", "name=a=b"])); // [["steps", "5"], ["name", "a=b"]]
 * ```
 */
export function parseSets(sets: readonly string[]): [string, string][] {
  return sets.map((s) => {
    const i = s.indexOf("=");
    if (i <= 0) {
      throw new InvalidArgumentError(`--set "${s}": expected key=value`);
    }
    return [s.slice(0, i).trim(), s.slice(i + 1)];
  });
}

/**
 * Options for {@linkcode resolveConfig}.
 *
 * @example
 * ```ts
 * import type { ResolveConfigOptions } from "./config.ts";
 * const o: ResolveConfigOptions = { preset: "full", sets: ["steps=10"] };
 * console.log(o.preset); // "full"
 * ```
 */
export interface ResolveConfigOptions {
  /** Preset to start from (default `"default"`: schema defaults only). */
  preset?: PresetName;
  /** `key=value` overrides, applied over the preset. */
  sets?: readonly string[];
}

/**
 * Builds and validates an experiment's config: schema defaults, then the preset, then
 * `--set` overrides. An unknown key throws {@linkcode UnknownNameError}; a bad value
 * throws {@linkcode InvalidArgumentError}; both name the key, the value and the
 * expected type in one line.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { resolveConfig } from "./config.ts";
 * const exp = {
 *   name: "demo",
 *   schema: z.strictObject({ steps: z.number().int().positive().default(100) }),
 *   presets: { quick: { steps: 5 }, full: { steps: 1000 } },
 * };
 * try {
 *   resolveConfig(exp, { sets: ["steps=abc"] });
 * } catch (e) {
 *   console.log((e as Error).message);
 *   // invalid value for "steps" in experiment "demo": got "abc", expected integer > 0
 * }
 * ```
 */
export function resolveConfig<C>(
  exp: Pick<Experiment<C>, "name" | "schema" | "presets">,
  options: ResolveConfigOptions = {},
): C {
  const preset = options.preset ?? "default";
  const props = properties(exp.schema);
  const base: Record<string, unknown> = preset === "default"
    ? {}
    : { ...(exp.presets[preset] as Record<string, unknown>) };
  const raw = new Map<string, string>();
  for (const [key, value] of parseSets(options.sets ?? [])) {
    if (props && !(key in props)) {
      throw new UnknownNameError(
        `unknown config key "${key}" for experiment "${exp.name}"; expected one of: ${
          Object.keys(props).join(", ") || "(no fields)"
        }`,
      );
    }
    raw.set(key, value);
    base[key] = coerceValue(value, props?.[key] ?? {});
  }
  const result = exp.schema.safeParse(base);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const key = issue.path.length > 0 ? String(issue.path[0]) : undefined;
  if (issue.code === "unrecognized_keys") {
    const bad = ((issue as unknown as { keys?: string[] }).keys ?? []).join(", ");
    throw new UnknownNameError(
      `unknown config key "${bad}" for experiment "${exp.name}" (from the ${preset} preset)`,
    );
  }
  if (key !== undefined && raw.has(key)) {
    const expected = props?.[key] ? describeType(props[key]) : issue.message;
    const where = issue.path.length > 1 ? ` (at ${issue.path.join(".")}: ${issue.message})` : "";
    throw new InvalidArgumentError(
      `invalid value for "${key}" in experiment "${exp.name}": got ${
        JSON.stringify(raw.get(key))
      }, expected ${expected}${where}`,
    );
  }
  throw new InvalidArgumentError(
    `invalid config for experiment "${exp.name}" (${preset} preset): ${
      issue.path.join(".") || "(root)"
    }: ${issue.message}`,
  );
}

/**
 * Parses a config with an experiment's schema, for `run` functions called directly (the CLI
 * goes through {@link resolveConfig}). Throws {@link InvalidArgumentError} naming the
 * experiment and listing every issue as `path: message`.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { parseExperimentConfig } from "./config.ts";
 * const schema = z.strictObject({ steps: z.number().int().min(1).default(10) });
 * console.log(parseExperimentConfig("demo", schema, {}).steps); // 10
 * try {
 *   parseExperimentConfig("demo", schema, { steps: 0 });
 * } catch (e) {
 *   console.log((e as Error).message); // "demo: invalid config: steps: Too small: ..."
 * }
 * ```
 */
export function parseExperimentConfig<C>(
  name: string,
  schema: ConfigSchema<C>,
  config: unknown,
): C {
  const r = schema.safeParse(config);
  if (r.success) return r.data;
  throw new InvalidArgumentError(
    `${name}: invalid config: ${
      r.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")
    }`,
  );
}
