/**
 * A task family for learned-optimizer training: a distribution over inner training problems
 * (Metz et al. 2020, "Tasks, stability, architecture, and compute"), vectorized so that `P`
 * independent problems (one per particle) are sampled, evaluated and differentiated at once.
 *
 * @example
 * ```ts
 * import type { TaskFamily } from "./task_family.ts";
 * const describe = (f: TaskFamily) => `${f.name}: ${f.paramSize} parameters`;
 * ```
 * @module
 */
import type { Tensor } from "../../gpu/mod.ts";
import type { Key } from "../../gpu/random.ts";

/** What one inner problem hands back for the current parameters. */
export interface TaskLossAndGrad {
  /** Training loss of each problem, `[P]`. */
  loss: Tensor;
  /** Its gradient with respect to the parameters, `[P, n]`. */
  grad: Tensor;
}

/**
 * A vectorized family of inner problems. `T` is one batch of sampled problems: a record of
 * tensors whose leading axis is the problem axis.
 *
 * @example
 * ```ts
 * import { linearRegressionFamily } from "../tasks/linear_regression_family.ts";
 * import { key } from "../../gpu/random.ts";
 * const family = linearRegressionFamily({ dim: 4 });
 * const tasks = family.sample(key(0), 3);
 * console.log(family.initParams(tasks).shape); // [3, 4]
 * ```
 */
export interface TaskFamily<T extends Record<string, Tensor> = Record<string, Tensor>> {
  /** Short name (used in errors and reports). */
  readonly name: string;
  /** Number of trainable parameters `n` of one problem (laid out flat). */
  readonly paramSize: number;
  /** Sizes of the parameter tensors in the flat layout (they sum to `paramSize`). */
  readonly segments: readonly number[];
  /** Draws `count` problems. */
  sample(key: Key, count: number): T;
  /** Initial parameters `[P, n]` of the problems. */
  initParams(tasks: T): Tensor;
  /**
   * Minibatch loss and gradient of every problem. Data are drawn with `key` for
   * `P / replicas` problems and repeated `replicas` times (antithetic copies see the same batch).
   */
  lossAndGrad(tasks: T, params: Tensor, key: Key, replicas: number): TaskLossAndGrad;
}
