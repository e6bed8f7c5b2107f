/**
 * The gradient-estimator interface shared by TBPTT, full-unroll backprop, truncated ES, PES and
 * PES-A, and the option fields they have in common.
 *
 * An estimator owns a persistent *unroll state* (the particles' system states, their episode
 * clocks and, for PES, the perturbation accumulators), like learned_optimization's
 * `GradientEstimator.init_worker_state` / `compute_gradient_estimate`. Each `estimate(theta, key)`
 * runs one truncation of K steps for every particle, entirely on the GPU (nothing is read back),
 * advances the unroll state and returns a gradient estimate of the meta-objective
 * `L(theta) = (1/T) sum_t loss_t` (the mean per-step loss over an episode) and the mean loss of
 * the truncation.
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { key } from "../../gpu/random.ts";
 * import { pes } from "./pes.ts";
 * import { influenceBalancing } from "../tasks/influence_balancing.ts";
 * const est = pes(influenceBalancing(), { particles: 8, truncationLength: 1, sigma: 0.1 });
 * const { grad, loss } = est.estimate(tensor([0.5]), key(0));
 * console.log(grad.shape, loss.shape); // [1] []
 * est.dispose();
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError, ShapeError } from "../../errors.ts";
import { dispose, keep, scope, type Tensor, zeros } from "../../gpu/mod.ts";
import { forEachTensor } from "../../gpu/tensor.ts";
import { foldIn, type Key } from "../../gpu/random.ts";
import { EpisodeClock, initialOffsets, validateOffsets } from "../episode_clock.ts";
import { broadcastTheta, type UnrolledSystem } from "../unrolled_system.ts";

/** What one call of {@link GradientEstimator.estimate} returns (tensors on the GPU). */
export interface EstimateOut {
  /** The gradient estimate, `[D]`. */
  grad: Tensor;
  /** Mean per-step loss over the truncation and the particles, `[]`. */
  loss: Tensor;
}

/**
 * A gradient estimator for an unrolled system.
 *
 * @example
 * ```ts
 * import type { GradientEstimator } from "./estimator.ts";
 * const describe = (e: GradientEstimator) => `${e.name}: ${e.particles} x ${e.truncationLength}`;
 * ```
 */
export interface GradientEstimator {
  /** Method name, e.g. `"pes"`, `"tbptt"`. */
  readonly name: string;
  /** The system it unrolls. */
  readonly system: UnrolledSystem<unknown>;
  /** Steps K per truncation. */
  readonly truncationLength: number;
  /** Unrolls per truncation (antithetic copies included). */
  readonly particles: number;
  /** (Re)creates the persistent unroll state at `theta` (done on the first estimate otherwise). */
  init(theta: Tensor, key: Key): void;
  /** One truncation: returns the estimate and advances the unroll state. */
  estimate(theta: Tensor, key: Key): EstimateOut;
  /** The per-particle step indices (host; copies replicated particles once). */
  readonly times: Int32Array;
  /** Frees the unroll state. */
  dispose(): void;
}

/** Options every truncated estimator accepts (defaults in brackets). */
export interface TruncationOptions {
  /** Steps per truncation K [10]. */
  truncationLength?: number;
  /** Number of particles (unrolls) per truncation; antithetic estimators need an even count. */
  particles?: number;
  /**
   * Particles start at a uniformly random step in [0, maxInitialOffset) of their first episode
   * (learned_optimization's `random_initial_iteration_offset`) [0: all at step 0]. As there, a
   * particle that starts at step t0 > 0 starts from a fresh initial state, so its first
   * (shortened) episode is not an exact sample of the dynamics; estimates are exact from each
   * particle's second episode on.
   */
  maxInitialOffset?: number;
  /** Explicit initial step index per distinct particle (pair); overrides maxInitialOffset. */
  offsets?: number[];
  /** Use the system's fused `unroll` when it has one [true]. */
  fused?: boolean;
}

/** Options of the ES-family estimators (truncated ES, PES). */
export interface EsOptions extends TruncationOptions {
  /** Standard deviation of the Gaussian perturbations (learned_optimization's `std`) [0.01]. */
  sigma?: number;
  /**
   * If set, use `sign(L+ - L-) * signDeltaLoss` instead of the loss difference
   * (learned_optimization's `sign_delta_loss_scalar`).
   */
  signDeltaLoss?: number;
}

/**
 * Zod fields every truncated estimator accepts.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { truncationFields } from "./estimator.ts";
 * console.log(z.strictObject(truncationFields(8)).parse({}).truncationLength); // 10
 * ```
 */
export function truncationFields(defaultParticles: number) {
  return {
    /** Steps per truncation (K). */
    truncationLength: z.number().int().min(1).default(10),
    /** Number of particles (unrolls) per truncation. */
    particles: z.number().int().min(1).default(defaultParticles),
    /**
     * Particles start at a uniformly random step in [0, maxInitialOffset) of their first
     * episode (learned_optimization's `random_initial_iteration_offset`); 0 = all at step 0.
     */
    maxInitialOffset: z.number().int().min(0).default(0),
    /** Explicit initial step index per (distinct) particle; overrides maxInitialOffset. */
    offsets: z.array(z.number().int().min(0)).optional(),
    /** Use the system's fused `unroll` when it has one. */
    fused: z.boolean().default(true),
  };
}

/**
 * Zod fields of the ES-family estimators (truncated ES, PES, PES-A).
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { esFields } from "./estimator.ts";
 * console.log(z.strictObject(esFields()).parse({}).sigma); // 0.01
 * ```
 */
export function esFields() {
  return {
    /** Standard deviation of the Gaussian perturbations (learned_optimization's `std`). */
    sigma: z.number().positive().default(0.01),
    /**
     * If set, use `sign(L+ - L-) * signDeltaLoss` instead of the loss difference
     * (learned_optimization's `sign_delta_loss_scalar`).
     */
    signDeltaLoss: z.number().positive().optional(),
  };
}

/**
 * Persistent per-particle unroll state: the system state and the episode clock of the
 * `distinct` particles (replicas share a clock). Disposes what it replaces.
 *
 * @example
 * ```ts
 * import { UnrollState } from "./estimator.ts";
 * import { tensor } from "../../gpu/mod.ts";
 * const u = new UnrollState<unknown>();
 * console.log(u.ready); // false
 * ```
 */
export class UnrollState<S> {
  #state: S | null = null;
  #clock: EpisodeClock | null = null;

  /** True once `reset` has run. */
  get ready(): boolean {
    return this.#state !== null;
  }

  /** The current system state (throws before `reset`). */
  get state(): S {
    if (this.#state === null) throw new InvalidArgumentError("estimator used before init()");
    return this.#state;
  }

  /** The episode clock (throws before `reset`). */
  get clock(): EpisodeClock {
    if (this.#clock === null) throw new InvalidArgumentError("estimator used before init()");
    return this.#clock;
  }

  /** Starts over with a state and a clock. */
  reset(state: S, clock: EpisodeClock): void {
    this.replace(state);
    this.#clock?.dispose();
    this.#clock = clock;
  }

  /**
   * Replaces the system state, disposing the old one (tensors shared with the new are kept).
   * The new state is exempted from every enclosing `scope` (the estimator owns it).
   */
  replace(state: S): void {
    keep(state);
    if (this.#state !== null) disposeExcept(this.#state, state);
    this.#state = state;
  }

  /** Frees everything. */
  dispose(): void {
    if (this.#state !== null) dispose(this.#state);
    this.#state = null;
    this.#clock?.dispose();
    this.#clock = null;
  }
}

/**
 * Disposes the tensors of `old` that do not also appear in `next`.
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { disposeExcept } from "./estimator.ts";
 * const a = tensor([1]), b = tensor([2]);
 * disposeExcept({ a, b }, { a });
 * console.log(a.disposed, b.disposed); // false true
 * ```
 */
export function disposeExcept(old: unknown, next: unknown): void {
  const keepSet = new Set<Tensor>();
  forEachTensor(next, (t) => keepSet.add(t));
  forEachTensor(old, (t) => {
    if (!keepSet.has(t)) t.dispose();
  });
}

/**
 * The episode clock a truncated estimator starts with (offsets from the options).
 *
 * @example
 * ```ts
 * import { startClock } from "./estimator.ts";
 * import { key } from "../../gpu/random.ts";
 * console.log(startClock(100, 4, { maxInitialOffset: 0 }, key(0)).t); // Int32Array [0, 0, 0, 0]
 * ```
 */
export function startClock(
  horizon: number,
  n: number,
  o: { maxInitialOffset: number; offsets?: number[] },
  key: Key,
): EpisodeClock {
  return new EpisodeClock(
    horizon,
    initialOffsets(n, horizon, { maxOffset: o.maxInitialOffset, key, offsets: o.offsets }),
  );
}

/**
 * Validates the offset options eagerly (at construction rather than at the first estimate).
 *
 * @example
 * ```ts
 * import { checkOffsets } from "./estimator.ts";
 * checkOffsets({ maxInitialOffset: 0, offsets: [0, 3] }, 2, 10, "pes");
 * ```
 */
export function checkOffsets(
  o: { maxInitialOffset: number; offsets?: number[] },
  n: number,
  horizon: number,
  where: string,
): void {
  try {
    validateOffsets(n, horizon, { maxOffset: o.maxInitialOffset, offsets: o.offsets });
  } catch (e) {
    throw e instanceof InvalidArgumentError
      ? new InvalidArgumentError(`${where}: ${e.message}`)
      : e;
  }
}

/**
 * Checks that theta is an f32 vector `[D]` for `system`.
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { checkTheta } from "./estimator.ts";
 * import { influenceBalancing } from "../tasks/influence_balancing.ts";
 * checkTheta(tensor([0.5]), influenceBalancing(), "pes");
 * ```
 */
export function checkTheta(theta: Tensor, system: UnrolledSystem<unknown>, where: string): void {
  if (theta.rank !== 1 || theta.size !== system.thetaDim || theta.dtype !== "f32") {
    throw new ShapeError(
      `${where}: theta must be an f32 vector [${system.thetaDim}] for system "${system.name}", ` +
        `got ${theta.dtype} [${theta.shape}]`,
    );
  }
}

/**
 * Starts `pairs` antithetic PES pairs at `theta`: the unrolls of both signs (`2 * pairs`
 * particles, 2 replicas) with a zero perturbation accumulator `xi` [pairs, D], and their episode
 * clock. Shared by {@link pes} and `pesAnalytic`, which differ only in how they estimate.
 *
 * @example
 * ```ts
 * import { tensor } from "../../gpu/mod.ts";
 * import { key } from "../../gpu/random.ts";
 * import { influenceBalancing } from "../tasks/influence_balancing.ts";
 * import { startPesPairs, UnrollState } from "./estimator.ts";
 * const u = new UnrollState<{ s: unknown; xi: import("../../gpu/mod.ts").Tensor }>();
 * startPesPairs(influenceBalancing(), tensor([0.5]), 4, { maxInitialOffset: 0 }, key(0), u);
 * console.log(u.state.xi.shape); // [4, 1]
 * ```
 */
export function startPesPairs<S>(
  system: UnrolledSystem<S>,
  theta: Tensor,
  pairs: number,
  o: { maxInitialOffset: number; offsets?: number[] },
  key: Key,
  u: UnrollState<{ s: S; xi: Tensor }>,
): void {
  const state = scope(() => ({
    s: system.init(broadcastTheta(theta, 2 * pairs), {
      particles: 2 * pairs,
      replicas: 2,
      key: foldIn(key, 0),
    }),
    xi: zeros([pairs, system.thetaDim]),
  }));
  u.reset(state, startClock(system.horizon, pairs, o, foldIn(key, 1)));
}
