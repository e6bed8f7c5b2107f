/**
 * Meta-test evaluation: train `tasks` fresh problems of a family for `steps` steps with an
 * update rule and return the mean training-loss curve. The whole run is encoded on the GPU and
 * read back once (the per-step means are stacked on the device).
 *
 * @example
 * ```ts
 * import { key } from "../../gpu/random.ts";
 * import { linearRegressionFamily } from "../tasks/linear_regression_family.ts";
 * import { evaluateRule } from "./evaluate.ts";
 * import { adamRule } from "./update_rules.ts";
 * const r = await evaluateRule(linearRegressionFamily({ dim: 4 }), adamRule({ lr: 0.1 }), {
 *   tasks: 8, steps: 20, key: key(0),
 * });
 * console.log(r.meanLoss.length, r.meanLoss[19] < r.meanLoss[0]); // 20 true
 * ```
 * @module
 */
import { z } from "zod";
import { dispose, keep, log, mean, scope, stack, type Tensor } from "../../gpu/mod.ts";
import { foldIn, type Key } from "../../gpu/random.ts";
import { parseOptions } from "../../options.ts";
import type { TaskFamily } from "./task_family.ts";
import type { UpdateRule } from "./update_rules.ts";

const schema = z.strictObject({
  tasks: z.number().int().min(1).max(1 << 20),
  steps: z.number().int().min(1).max(1_000_000),
  key: z.custom<Key>((v) => v !== null && typeof v === "object", "expected a random Key"),
});

/** Options of {@link evaluateRule}. */
export interface EvaluateOptions {
  /** Number of problems trained side by side. */
  tasks: number;
  /** Training steps. */
  steps: number;
  /** Key for the problems (`foldIn(key, 0)`) and the minibatches (`foldIn(key, 1 + t)`). */
  key: Key;
}

/** What {@link evaluateRule} returns. */
export interface EvaluateResult {
  /** The rule's name. */
  rule: string;
  /** Mean over problems of the training loss before step t, for t = 0 .. steps - 1. */
  meanLoss: number[];
  /** Mean over problems of log(training loss) before step t. */
  meanLogLoss: number[];
}

/**
 * Trains fresh problems of `family` with `rule` and returns the mean loss curves. The same key
 * gives every rule the same problems and minibatches. Each step hands the rule the training
 * loss before the update (a learned optimizer's loss features read it).
 *
 * @example
 * ```ts
 * import { key } from "../../gpu/random.ts";
 * import { linearRegressionFamily } from "../tasks/linear_regression_family.ts";
 * import { evaluateRule } from "./evaluate.ts";
 * import { sgdMomentumRule } from "./update_rules.ts";
 * const r = await evaluateRule(linearRegressionFamily(), sgdMomentumRule({ lr: 0.01 }), {
 *   tasks: 4, steps: 5, key: key(1),
 * });
 * console.log(r.rule, r.meanLogLoss.length); // "sgd(lr=0.01, momentum=0.9)" 5
 * ```
 */
export async function evaluateRule(
  family: TaskFamily,
  rule: UpdateRule,
  options: EvaluateOptions,
): Promise<EvaluateResult> {
  const o = parseOptions(schema, options, "evaluateRule");
  const tasks = keep(family.sample(foldIn(o.key, 0), o.tasks));
  let params = keep(family.initParams(tasks));
  let state = keep(rule.init(params));
  const losses: Tensor[] = [];
  const logLosses: Tensor[] = [];
  try {
    for (let t = 0; t < o.steps; t++) {
      const next = scope(() => {
        const { loss, grad } = family.lossAndGrad(tasks, params, foldIn(o.key, 1 + t), 1);
        const out = rule.step(params, grad, state, t, loss); // the loss for loss features
        return { loss: mean(loss), logLoss: mean(log(loss)), ...out };
      });
      dispose([params, state]);
      params = next.params;
      state = next.state;
      losses.push(next.loss);
      logLosses.push(next.logLoss);
    }
    const curves = scope(() => stack([stack(losses), stack(logLosses)]));
    const host = await curves.read();
    curves.dispose();
    return {
      rule: rule.name,
      meanLoss: Array.from(host.subarray(0, o.steps)),
      meanLogLoss: Array.from(host.subarray(o.steps)),
    };
  } finally {
    dispose([params, state, tasks, losses, logLosses]);
  }
}
