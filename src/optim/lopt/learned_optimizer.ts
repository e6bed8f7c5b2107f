/**
 * The interface every learned optimizer in `src/optim/lopt` implements: weights `theta`, a
 * per-parameter state of `stateRows` numbers, and an update vectorized over a particle axis
 * (each particle its own weights, parameters and state), so that meta-gradient estimators run
 * all perturbed optimizers in the same dispatches.
 *
 * @example
 * ```ts
 * import type { LearnedOptimizer } from "./learned_optimizer.ts";
 * const describe = (l: LearnedOptimizer) => `${l.name}: ${l.thetaDim} weights`;
 * ```
 * @module
 */
import { ShapeError } from "../../errors.ts";
import type { Tensor } from "../../gpu/mod.ts";
import type { KeyOrSeed } from "../../nn/host_rng.ts";

/** Inputs of {@link LearnedOptimizer.update}; every tensor has the particle axis `P` first. */
export interface LoptUpdateInput {
  /** Optimizer weights, `[P, D]`. */
  theta: Tensor;
  /** Parameters being trained, `[P, n]`. */
  params: Tensor;
  /** Their gradients, `[P, n]`. */
  grads: Tensor;
  /** Optimizer state before this step, `[P, stateRows, n]` (zeros at the start). */
  state: Tensor;
  /** Training step index of each particle before this step (0 first), f32 `[P]`. */
  iteration: Tensor;
  /**
   * Sizes of the parameter tensors laid end to end in `params` (optimizers that normalize
   * per tensor use them); they must sum to `n` [one tensor of size n].
   */
  segments?: readonly number[];
  /**
   * Training loss of each particle's problem at `params` (before this step), f32 `[P]`: the
   * minibatch loss whose gradient is `grads`. Optional: optimizers with loss features
   * (`hierarchicalLopt`) give them a neutral value when it is absent; the others ignore it.
   */
  loss?: Tensor;
}

/** What {@link LearnedOptimizer.update} returns. */
export interface LoptUpdateOutput {
  /** Updated parameters `[P, n]`. */
  params: Tensor;
  /** Updated optimizer state `[P, stateRows, n]`. */
  state: Tensor;
  /** The step that was subtracted, `[P, n]`. */
  step: Tensor;
}

/** A learned optimizer (see the module doc). */
export interface LearnedOptimizer {
  /** Short name, e.g. `mlp-lopt`. */
  readonly name: string;
  /** Number of optimizer weights D. */
  readonly thetaDim: number;
  /** Per-parameter state size (rows of the `[P, stateRows, n]` state). */
  readonly stateRows: number;
  /** Initial weights `[D]` from a key or integer seed. */
  initTheta(seed: KeyOrSeed): Tensor;
  /** The same initial weights as a host array. */
  initThetaHost(seed: KeyOrSeed): Float32Array;
  /** One learned update of every particle's parameters. */
  update(input: LoptUpdateInput): LoptUpdateOutput;
}

/**
 * Checks `segments` against `n` (positive integers summing to n) and returns them.
 *
 * @example
 * ```ts
 * import { checkSegments } from "./learned_optimizer.ts";
 * console.log(checkSegments(undefined, 5, "demo")); // [5]
 * ```
 */
export function checkSegments(
  segments: readonly number[] | undefined,
  n: number,
  where: string,
): readonly number[] {
  const s = segments ?? [n];
  if (
    s.length === 0 || s.some((v) => !Number.isInteger(v) || v < 1) ||
    s.reduce((a, b) => a + b, 0) !== n
  ) {
    throw new ShapeError(
      `${where}: segments must be positive integers summing to n = ${n}, got [${s}]`,
    );
  }
  return s;
}
