/**
 * Learning-rate schedules: plain functions `step -> learning rate` evaluated on the host (the
 * value travels to the GPU in the update kernel's uniform block, so a schedule costs nothing on
 * the device). Formulas follow optax's schedules of the same names; `step` counts from 0.
 *
 * @example
 * ```ts
 * import { cosineDecay } from "./schedules.ts";
 * const lr = cosineDecay(0.1, 100);
 * console.log(lr(0), lr(50), lr(100)); // 0.1 0.05 0
 * ```
 * @module
 */
import { InvalidArgumentError } from "../../errors.ts";

/** A learning-rate schedule: the learning rate used for update number `step` (from 0). */
export type Schedule = (step: number) => number;

/** A constant learning rate or a schedule. */
export type LearningRate = number | Schedule;

function num(where: string, name: string, v: unknown, min = -Infinity, minOpen = false): number {
  const ok = typeof v === "number" && Number.isFinite(v) && (minOpen ? v > min : v >= min);
  if (!ok) {
    throw new InvalidArgumentError(
      `${where}: ${name} must be a finite number ${minOpen ? ">" : ">="} ${min}, got ${String(v)}`,
    );
  }
  return v as number;
}

/**
 * The learning rate for `step`, validating that it is a finite number >= 0.
 *
 * @example
 * ```ts
 * import { learningRateAt } from "./schedules.ts";
 * learningRateAt("sgd", (t) => 1 / (t + 1), 3); // 0.25
 * ```
 */
export function learningRateAt(where: string, lr: LearningRate, step: number): number {
  const v = typeof lr === "function" ? lr(step) : lr;
  if (!(typeof v === "number" && Number.isFinite(v) && v >= 0)) {
    throw new InvalidArgumentError(
      `${where}: learning rate at step ${step} must be a finite number >= 0, got ${String(v)}`,
    );
  }
  return v;
}

/**
 * Checks a learning-rate option (a number >= 0 or a function).
 *
 * @example
 * ```ts
 * import { checkLearningRate } from "./schedules.ts";
 * checkLearningRate("adam", 1e-3);
 * ```
 */
export function checkLearningRate(where: string, lr: unknown): LearningRate {
  if (typeof lr === "function") return lr as Schedule;
  return num(where, "lr", lr, 0);
}

/**
 * Always `value`.
 *
 * @example
 * ```ts
 * import { constantSchedule } from "./schedules.ts";
 * constantSchedule(0.01)(1000); // 0.01
 * ```
 */
export function constantSchedule(value: number): Schedule {
  const v = num("constantSchedule", "value", value, 0);
  return () => v;
}

/**
 * Cosine decay from `initValue` to `alpha * initValue` over `decaySteps`, then flat:
 * `init * ((1 - alpha) * 0.5 * (1 + cos(pi * min(t, T) / T)) + alpha)`.
 *
 * @example
 * ```ts
 * import { cosineDecay } from "./schedules.ts";
 * cosineDecay(1, 10, 0.1)(10); // 0.1
 * ```
 */
export function cosineDecay(initValue: number, decaySteps: number, alpha = 0): Schedule {
  const v = num("cosineDecay", "initValue", initValue, 0);
  const T = num("cosineDecay", "decaySteps", decaySteps, 0, true);
  const a = num("cosineDecay", "alpha", alpha, 0);
  return (t) => {
    const c = 0.5 * (1 + Math.cos((Math.PI * Math.min(Math.max(t, 0), T)) / T));
    return v * ((1 - a) * c + a);
  };
}

/**
 * Exponential decay `init * rate^(t / transitionSteps)` (with `staircase`, the exponent is
 * floored), optionally bounded by `endValue` (a floor when decaying, a ceiling when growing).
 *
 * @example
 * ```ts
 * import { exponentialDecay } from "./schedules.ts";
 * exponentialDecay(1, 10, 0.5)(20); // 0.25
 * exponentialDecay(1, 10, 0.5, { staircase: true })(15); // 0.5
 * ```
 */
export function exponentialDecay(
  initValue: number,
  transitionSteps: number,
  decayRate: number,
  options: { staircase?: boolean; endValue?: number } = {},
): Schedule {
  const v = num("exponentialDecay", "initValue", initValue, 0);
  const T = num("exponentialDecay", "transitionSteps", transitionSteps, 0, true);
  const r = num("exponentialDecay", "decayRate", decayRate, 0, true);
  const end = options.endValue === undefined
    ? undefined
    : num("exponentialDecay", "endValue", options.endValue, 0);
  return (t) => {
    const e = options.staircase ? Math.floor(t / T) : t / T;
    const x = v * r ** e;
    if (end === undefined) return x;
    return r < 1 ? Math.max(x, end) : Math.min(x, end);
  };
}

/**
 * Linear warm-up from `initValue` to `peakValue` over `warmupSteps`, then cosine decay to
 * `endValue` at step `decaySteps` (the total length, warm-up included), then flat (optax's
 * `warmup_cosine_decay_schedule`).
 *
 * @example
 * ```ts
 * import { warmupCosine } from "./schedules.ts";
 * const lr = warmupCosine(0, 1e-3, 100, 1000);
 * console.log(lr(50), lr(100), lr(1000)); // 0.0005 0.001 0
 * ```
 */
export function warmupCosine(
  initValue: number,
  peakValue: number,
  warmupSteps: number,
  decaySteps: number,
  endValue = 0,
): Schedule {
  const v0 = num("warmupCosine", "initValue", initValue, 0);
  const peak = num("warmupCosine", "peakValue", peakValue, 0);
  const W = num("warmupCosine", "warmupSteps", warmupSteps, 0);
  const T = num("warmupCosine", "decaySteps", decaySteps, W, true);
  const end = num("warmupCosine", "endValue", endValue, 0);
  return (t) => {
    if (t < W) return v0 + ((peak - v0) * t) / W;
    const frac = Math.min(t - W, T - W) / (T - W);
    return end + (peak - end) * 0.5 * (1 + Math.cos(Math.PI * frac));
  };
}
