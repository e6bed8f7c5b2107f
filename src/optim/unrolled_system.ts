/**
 * The unrolled-system interface every gradient estimator in `src/optim` works on: an initial
 * state, a step function `(theta, state, t) -> (state, loss)`, and a horizon `T` after which an
 * episode ends and the state resets. Everything is vectorized over a leading particle axis: a
 * system always receives `P` particles at once, each with its own meta-parameters
 * `theta [P, D]`, its own state rows and its own step index `t` (particles may be staggered in
 * their episodes).
 *
 * This is the same split as learned_optimization's `TruncatedStep` (init_step_state /
 * unroll_step, Metz et al.) and the unrolled systems of Vicol, Metz & Sohl-Dickstein (2021),
 * "Unbiased Gradient Estimation in Unrolled Computation Graphs with Persistent Evolution
 * Strategies": the meta-objective is the mean per-step loss over an episode,
 * `L(theta) = (1/T) sum_{t<T} loss_t(theta)`, and a learned optimizer's meta-training fits the
 * same shape (theta = optimizer weights, state = the inner parameters of many tasks).
 *
 * A system may also provide `unroll`, a fused multi-step forward (one GPU dispatch per
 * truncation instead of one per op per step). It must match K calls of `step` with resets as
 * done by {@link import("./truncation.ts").runTruncation}; if it records gradients, TBPTT uses it.
 *
 * @example
 * ```ts
 * import { add, mul, square, sub, reshape, zeros, type Tensor } from "../gpu/mod.ts";
 * import type { UnrolledSystem } from "./unrolled_system.ts";
 * // s_{t+1} = 0.5 s_t + theta; loss = (s_{t+1} - 1)^2; episodes of 4 steps from s = 0
 * const toy: UnrolledSystem<Tensor> = {
 *   name: "toy", thetaDim: 1, horizon: 4,
 *   init: (_theta, ctx) => zeros([ctx.particles, 1]),
 *   step: (theta, s) => {
 *     const next = add(mul(s, 0.5), theta);
 *     return { state: next, loss: reshape(square(sub(next, 1)), [theta.shape[0]]) };
 *   },
 * };
 * console.log(toy.horizon); // 4
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError, ShapeError } from "../errors.ts";
import { broadcastTo, concat, reshape, type Tensor, treeFlatten, where } from "../gpu/mod.ts";
import type { Key } from "../gpu/random.ts";

/** Context of {@link UnrolledSystem.init}: how many particles and the randomness to use. */
export interface InitContext {
  /** Number of particles `P` (rows of every state tensor). */
  readonly particles: number;
  /**
   * Particles come in `replicas` equal blocks (antithetic pairs: 2) that must see the same
   * randomness: draw `[P / replicas, ...]` samples with `key` and tile them with
   * {@link tileReplicas}.
   */
  readonly replicas: number;
  /** Random key for this initialisation (task sampling, initial weights). */
  readonly key: Key;
}

/** Context of {@link UnrolledSystem.step}. */
export interface StepContext {
  /** Per-particle step index within the episode before this step (host copy, length P). */
  readonly t: Int32Array;
  /** The same indices as an f32 tensor `[P]` on the GPU. */
  readonly time: Tensor;
  /** Episode length `T` of the system (Infinity: never resets). */
  readonly horizon: number;
  /** Random key for this step (data batches); shared by replicas, see {@link InitContext}. */
  readonly key: Key;
  /** Number of replica blocks, see {@link InitContext.replicas}. */
  readonly replicas: number;
}

/** Context of {@link UnrolledSystem.unroll}: K steps starting at per-particle indices `t0`. */
export interface UnrollContext {
  /** Per-particle step index before the first step (host, length P; each < horizon). */
  readonly t0: Int32Array;
  /**
   * The distinct particles' indices on the GPU, u32 `[P / replicas]`: particle p's index is
   * `t0Gpu[p % (P / replicas)]` (kernels read it instead of uploading `t0`).
   */
  readonly t0Gpu: Tensor;
  /** Number of steps K. */
  readonly steps: number;
  /** Episode length `T` (Infinity: never resets). */
  readonly horizon: number;
  /** Random key for the truncation. */
  readonly key: Key;
  /** Number of replica blocks, see {@link InitContext.replicas}. */
  readonly replicas: number;
}

/** What one step returns: the next state and the per-particle loss `[P]` of this step. */
export interface StepOutput<S> {
  /** The state after the step (same structure and shapes as the input state). */
  state: S;
  /** Loss of this step for each particle, `[P]`. */
  loss: Tensor;
}

/** What a fused unroll returns: the final state and the per-step losses `[P, K]`. */
export interface UnrollOutput<S> {
  /** The state after K steps (with resets applied). */
  state: S;
  /** `losses[p, k]` is particle p's loss at step k of the truncation. */
  losses: Tensor;
}

/**
 * A vectorized unrolled computation graph with episodes.
 *
 * `S` is the state: a tree of tensors whose leading axis is the particle axis `P`.
 * `theta` is always `[P, D]` with `D = thetaDim`.
 *
 * Semantics (shared by every estimator): a particle at index `t` takes a step, producing the
 * loss of step `t`; its index becomes `t + 1`; when `t + 1 === horizon` the episode ends, the
 * state is replaced by a fresh `init` and the index becomes 0. The loss of the last step belongs
 * to the ending episode.
 *
 * @example
 * ```ts
 * import { influenceBalancing } from "./tasks/influence_balancing.ts";
 * const sys = influenceBalancing();
 * console.log(sys.thetaDim, sys.horizon); // 1 Infinity
 * ```
 */
export interface UnrolledSystem<S = unknown> {
  /** Short name (used in errors and reports). */
  readonly name: string;
  /** Number of meta-parameters `D`. */
  readonly thetaDim: number;
  /** Episode length `T` in steps (a positive integer, or Infinity for no resets). */
  readonly horizon: number;
  /** Fresh states for `ctx.particles` particles (theta `[P, D]` may shape the init). */
  init(theta: Tensor, ctx: InitContext): S;
  /** One step of every particle. */
  step(theta: Tensor, state: S, ctx: StepContext): StepOutput<S>;
  /** Optional fused K-step forward with resets (see the module doc). */
  unroll?(theta: Tensor, state: S, ctx: UnrollContext): UnrollOutput<S>;
  /**
   * True when `unroll` records gradients (its outputs can be differentiated with respect to
   * theta and the state). Otherwise gradient-based estimators use `step` instead.
   */
  readonly unrollDifferentiable?: boolean;
}

/**
 * Checks the static fields of a system (throws InvalidArgumentError naming the field).
 *
 * @example
 * ```ts
 * import { checkSystem } from "./unrolled_system.ts";
 * import { influenceBalancing } from "./tasks/influence_balancing.ts";
 * checkSystem(influenceBalancing(), "pes");
 * ```
 */
export function checkSystem(system: UnrolledSystem<unknown>, where: string): void {
  if (!Number.isInteger(system.thetaDim) || system.thetaDim < 1) {
    throw new InvalidArgumentError(
      `${where}: system "${system.name}" thetaDim must be a positive integer, got ${system.thetaDim}`,
    );
  }
  const T = system.horizon;
  if (!(T === Infinity || (Number.isInteger(T) && T >= 1))) {
    throw new InvalidArgumentError(
      `${where}: system "${system.name}" horizon must be a positive integer or Infinity, got ${T}`,
    );
  }
}

/**
 * Repeats a `[n, ...]` tensor `replicas` times along axis 0 (`[replicas * n, ...]`), so that
 * antithetic copies see the same randomness.
 *
 * @example
 * ```ts
 * import { tensor } from "../gpu/mod.ts";
 * import { tileReplicas } from "./unrolled_system.ts";
 * console.log(await tileReplicas(tensor([[1], [2]]), 2).toArray()); // [[1], [2], [1], [2]]
 * ```
 */
export function tileReplicas(x: Tensor, replicas: number): Tensor {
  if (!Number.isInteger(replicas) || replicas < 1) {
    throw new InvalidArgumentError(
      `tileReplicas: replicas must be a positive integer, got ${replicas}`,
    );
  }
  if (replicas === 1) return reshape(x, x.shape);
  return concat(Array.from({ length: replicas }, () => x), 0);
}

/**
 * Where `mask[p]` is nonzero, takes particle p's rows from `fresh`, else from `state`; both
 * trees have the same structure and every leaf has leading axis P. Gradients flow through the
 * chosen branch only (a reset state does not depend on the pre-reset state).
 *
 * @example
 * ```ts
 * import { tensor } from "../gpu/mod.ts";
 * import { selectParticles } from "./unrolled_system.ts";
 * const s = selectParticles(tensor([1, 0]), { x: tensor([[9, 9], [9, 9]]) }, { x: tensor([[1, 2], [3, 4]]) });
 * console.log(await s.x.toArray()); // [[9, 9], [3, 4]]
 * ```
 */
export function selectParticles<S>(mask: Tensor, fresh: S, state: S): S {
  const f = treeFlatten(fresh);
  const s = treeFlatten(state);
  if (f.leaves.length !== s.leaves.length) {
    throw new ShapeError(
      `selectParticles: fresh state has ${f.leaves.length} tensors, state has ${s.leaves.length}`,
    );
  }
  const P = mask.size;
  const out = s.leaves.map((leaf, i) => {
    const fr = f.leaves[i];
    if (leaf.shape[0] !== P || fr.shape.join() !== leaf.shape.join()) {
      throw new ShapeError(
        `selectParticles: state leaf ${i} has shape [${leaf.shape}] and fresh [${fr.shape}]; ` +
          `both need leading axis ${P} (the particle count)`,
      );
    }
    const m = reshape(mask, [P, ...leaf.shape.slice(1).map(() => 1)]);
    return where(m, fr, leaf);
  });
  return s.rebuild(out) as S;
}

/**
 * `theta [D]` broadcast to every particle, `[P, D]` (differentiable: the gradient sums).
 *
 * @example
 * ```ts
 * import { tensor } from "../gpu/mod.ts";
 * import { broadcastTheta } from "./unrolled_system.ts";
 * console.log(broadcastTheta(tensor([1, 2]), 3).shape); // [3, 2]
 * ```
 */
export function broadcastTheta(theta: Tensor, particles: number): Tensor {
  if (theta.rank !== 1) {
    throw new ShapeError(`broadcastTheta: theta must be a vector [D], got shape [${theta.shape}]`);
  }
  return broadcastTo(reshape(theta, [1, theta.size]), [particles, theta.size]);
}

/**
 * A zod field for an episode length: a positive integer or `Infinity` (never resets).
 *
 * @example
 * ```ts
 * import { horizonSchema } from "./unrolled_system.ts";
 * console.log(horizonSchema(100).parse(undefined), horizonSchema(100).parse(Infinity)); // 100 Infinity
 * ```
 */
export function horizonSchema(fallback: number): z.ZodDefault<z.ZodType<number>> {
  return (z.number().int().min(1).or(
    z.custom<number>((v) => v === Infinity, "expected a positive integer or Infinity"),
  ) as z.ZodType<number>).default(fallback);
}
