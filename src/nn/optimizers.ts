/**
 * Optimizers as `(init, update)` pairs over parameter trees (SGD, momentum/Nesterov, Adam/AdamW),
 * learning-rate schedules and global-norm clipping. One file per concept lives in
 * `optimizers/`; this file re-exports them.
 *
 * @example
 * ```ts
 * import { random } from "../gpu/mod.ts";
 * import { adam, cosineDecay } from "./optimizers.ts";
 * const opt = adam({ lr: cosineDecay(1e-3, 1000) });
 * const state = opt.init({ w: random.normal(random.key(0), [4]) });
 * console.log(state.count); // 0
 * ```
 * @module
 */
export type { Grads, Optimizer } from "./optimizers/optimizer.ts";
export { sgd, type SgdOptions, type SgdState } from "./optimizers/sgd.ts";
export { adam, type AdamOptions, type AdamState } from "./optimizers/adam.ts";
export { emaDecay, type EmaOptions, type EmaState, withEma } from "./optimizers/ema.ts";
export { clipByGlobalNorm, globalNorm, withGradientClipping } from "./optimizers/clip.ts";
export {
  constantSchedule,
  cosineDecay,
  exponentialDecay,
  type LearningRate,
  type Schedule,
  warmupCosine,
} from "./optimizers/schedules.ts";
