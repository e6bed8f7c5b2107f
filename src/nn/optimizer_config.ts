/**
 * The optimizer choice experiments expose in their configs (Adam or SGD with heavy-ball
 * momentum, one learning rate): the zod fields, the optimizer they describe, and a phrase for
 * the report notes, so every experiment parses, builds and describes it the same way.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { describeOptimizer, optimizerFields, optimizerFromConfig } from "./optimizer_config.ts";
 * const c = z.strictObject(optimizerFields()).parse({ optimizer: "sgd", lr: 0.1 });
 * console.log(optimizerFromConfig(c).name, describeOptimizer(c)); // sgd(...) "SGD (momentum 0.9), lr 0.1"
 * ```
 * @module
 */
import { z } from "zod";
import { adam, sgd } from "./optimizers.ts";
import type { Optimizer } from "./optimizers/optimizer.ts";

/** A parsed optimizer choice. */
export interface OptimizerConfig {
  /** Which optimizer. */
  optimizer: "adam" | "sgd";
  /** Learning rate. */
  lr: number;
  /** Heavy-ball momentum of `sgd` (ignored by adam). */
  momentum: number;
}

/**
 * The zod fields of the choice, to spread into an experiment schema (Adam, lr 1e-3 and
 * momentum 0.9 by default).
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { optimizerFields } from "./optimizer_config.ts";
 * console.log(z.strictObject(optimizerFields()).parse({})); // { optimizer: "adam", lr: 0.001, momentum: 0.9 }
 * ```
 */
export function optimizerFields(): {
  optimizer: z.ZodDefault<z.ZodEnum<{ adam: "adam"; sgd: "sgd" }>>;
  lr: z.ZodDefault<z.ZodNumber>;
  momentum: z.ZodDefault<z.ZodNumber>;
} {
  return {
    /** Optimizer, shared by every variant. */
    optimizer: z.enum(["adam", "sgd"]).default("adam"),
    /** Learning rate. */
    lr: z.number().positive().default(1e-3),
    /** Heavy-ball momentum of `sgd` (ignored by adam). */
    momentum: z.number().min(0).lt(1).default(0.9),
  };
}

/**
 * The optimizer a parsed choice describes.
 *
 * @example
 * ```ts
 * import { optimizerFromConfig } from "./optimizer_config.ts";
 * console.log(optimizerFromConfig({ optimizer: "adam", lr: 0.01, momentum: 0.9 }).name); // "adam(...)"
 * ```
 */
export function optimizerFromConfig(c: OptimizerConfig): Optimizer {
  return c.optimizer === "adam" ? adam({ lr: c.lr }) : sgd({ lr: c.lr, momentum: c.momentum });
}

/**
 * A phrase for report notes: `Adam, lr 0.001` or `SGD (momentum 0.9), lr 0.1`.
 *
 * @example
 * ```ts
 * import { describeOptimizer } from "./optimizer_config.ts";
 * console.log(describeOptimizer({ optimizer: "adam", lr: 0.001, momentum: 0.9 })); // "Adam, lr 0.001"
 * ```
 */
export function describeOptimizer(c: OptimizerConfig): string {
  return `${c.optimizer === "adam" ? "Adam" : `SGD (momentum ${c.momentum})`}, lr ${c.lr}`;
}
