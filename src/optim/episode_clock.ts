/**
 * Each particle's step index within its episode, kept on the host and mirrored on the GPU.
 *
 * Time advances deterministically (one step per step, back to 0 when an episode of `horizon`
 * steps ends), so the host always knows which particle resets at which step of a truncation
 * without reading anything back, and the GPU copy (a u32 tensor, advanced by a kernel) lets
 * kernels use per-particle indices without an upload per truncation (an upload into a buffer
 * the pending command stream uses would force a submission). Estimators use the plan of a
 * truncation to split a particle's losses into the part before its episode ended and the part
 * after (PES), and to know when a fresh initial state is needed at all.
 *
 * @example
 * ```ts
 * import { EpisodeClock } from "./episode_clock.ts";
 * const clock = new EpisodeClock(5, Int32Array.from([0, 3]));
 * const plan = clock.plan(4);
 * console.log(plan.firstEnd); // Int32Array [4, 1]: particle 1 ends its episode at step 1
 * clock.advance(4);
 * console.log(clock.t); // Int32Array [4, 2]
 * ```
 * @module
 */
import { InvalidArgumentError } from "../errors.ts";
import { keep, type Tensor, tensor } from "../gpu/mod.ts";
import type { Key } from "../gpu/random.ts";
import { memoKernel, paramWords } from "../gpu/kernels/indexing.ts";
import { philoxHost } from "../gpu/kernels/philox.ts";
import { grid, runtime } from "../gpu/runtime.ts";
import { Tensor as TensorClass } from "../gpu/tensor.ts";
import { clockKernel, type ClockMode } from "./kernels/clock.ts";

const clockK = memoKernel(clockKernel);

/** Which particles end an episode where, within one truncation of K steps. */
export interface TruncationPlan {
  /** Number of steps K. */
  readonly steps: number;
  /** Episode length T of the clock. */
  readonly horizon: number;
  /** Index of each particle before the truncation (a copy). */
  readonly t0: Int32Array;
  /** The same indices on the GPU, u32 `[n]` (valid until the clock advances). */
  readonly t0Gpu: Tensor;
  /** Step k at which each particle's current episode ends (K if it does not end). */
  readonly firstEnd: Int32Array;
  /** `ends[k]`: particles whose episode ends at step k (empty arrays when none). */
  readonly ends: readonly Int32Array[];
  /** True when some particle's episode ends inside this truncation. */
  readonly anyEnd: boolean;
}

/**
 * Per-particle step indices for `n` particles with episodes of `horizon` steps.
 *
 * @example
 * ```ts
 * import { EpisodeClock } from "./episode_clock.ts";
 * const c = new EpisodeClock(Infinity, new Int32Array(3));
 * c.advance(10);
 * console.log(c.t[0]); // 10
 * ```
 */
export class EpisodeClock {
  /** Current index of each particle (0 <= t < horizon). */
  readonly t: Int32Array;
  #gpu: Tensor | null = null;

  /** Starts the clock at `t0` (each entry an integer in [0, horizon)). */
  constructor(readonly horizon: number, t0: Int32Array) {
    if (!(horizon === Infinity || (Number.isInteger(horizon) && horizon >= 1))) {
      throw new InvalidArgumentError(
        `EpisodeClock: horizon must be a positive integer or Infinity, got ${horizon}`,
      );
    }
    for (let i = 0; i < t0.length; i++) {
      if (!(t0[i] >= 0 && t0[i] < horizon)) {
        throw new InvalidArgumentError(
          `EpisodeClock: initial index t0[${i}] = ${t0[i]} is outside [0, ${horizon})`,
        );
      }
    }
    this.t = Int32Array.from(t0);
  }

  /** Number of particles tracked. */
  get size(): number {
    return this.t.length;
  }

  /** Where episodes end in the next `steps` steps (does not advance the clock). */
  plan(steps: number): TruncationPlan {
    if (!Number.isInteger(steps) || steps < 1) {
      throw new InvalidArgumentError(
        `EpisodeClock.plan: steps must be a positive integer, got ${steps}`,
      );
    }
    const n = this.t.length, T = this.horizon;
    const firstEnd = new Int32Array(n).fill(steps);
    const endLists: number[][] = Array.from({ length: steps }, () => []);
    let anyEnd = false;
    if (T !== Infinity) {
      for (let i = 0; i < n; i++) {
        // The episode ends at step k when t0 + k + 1 is a multiple of T.
        let k = T - 1 - this.t[i];
        if (k < steps) {
          firstEnd[i] = k;
          anyEnd = true;
        }
        for (; k < steps; k += T) endLists[k].push(i);
      }
    }
    return {
      steps,
      horizon: T,
      t0: Int32Array.from(this.t),
      t0Gpu: this.gpu,
      firstEnd,
      ends: endLists.map((l) => Int32Array.from(l)),
      anyEnd,
    };
  }

  /** The indices on the GPU, u32 `[n]` (uploaded once, then advanced by a kernel). */
  get gpu(): Tensor {
    if (!this.#gpu || this.#gpu.disposed) this.#gpu = keep(tensor(Uint32Array.from(this.t)));
    return this.#gpu;
  }

  /** Advances every particle by `steps` steps, wrapping at the horizon. */
  advance(steps: number): void {
    const T = this.horizon;
    for (let i = 0; i < this.t.length; i++) {
      this.t[i] = T === Infinity ? this.t[i] + steps : (this.t[i] + steps) % T;
    }
    if (this.#gpu && !this.#gpu.disposed) {
      const next = clockOp("advance", this.#gpu, T, steps, this.t.length);
      this.#gpu.dispose();
      this.#gpu = keep(next);
    }
  }

  /** Frees the GPU copy. */
  dispose(): void {
    this.#gpu?.dispose();
    this.#gpu = null;
  }

  /** Indices at step `k` of a plan (before that step), for `n` particles. */
  static indicesAt(plan: TruncationPlan, k: number, horizon: number): Int32Array {
    const out = new Int32Array(plan.t0.length);
    for (let i = 0; i < out.length; i++) {
      out[i] = horizon === Infinity ? plan.t0[i] + k : (plan.t0[i] + k) % horizon;
    }
    return out;
  }
}

/**
 * Repeats a per-particle host array `replicas` times (the layout of antithetic copies).
 *
 * @example
 * ```ts
 * import { tileHost } from "./episode_clock.ts";
 * console.log(tileHost(Int32Array.from([1, 2]), 2)); // Int32Array [1, 2, 1, 2]
 * ```
 */
export function tileHost(a: Int32Array, replicas: number): Int32Array {
  const out = new Int32Array(a.length * replicas);
  for (let r = 0; r < replicas; r++) out.set(a, r * a.length);
  return out;
}

/**
 * Checks offset options: explicit `offsets` (n integers in [0, horizon)) or a `maxOffset`
 * (an integer <= horizon). Throws InvalidArgumentError naming the entry.
 *
 * @example
 * ```ts
 * import { validateOffsets } from "./episode_clock.ts";
 * validateOffsets(2, 10, { offsets: [0, 9] });
 * ```
 */
export function validateOffsets(
  n: number,
  horizon: number,
  how: { maxOffset?: number; offsets?: ArrayLike<number> },
): void {
  if (how.offsets) {
    if (how.offsets.length !== n) {
      throw new InvalidArgumentError(
        `offsets: expected ${n} entries (one per distinct particle), got ${how.offsets.length}`,
      );
    }
    for (let i = 0; i < n; i++) {
      const v = how.offsets[i];
      if (!(Number.isInteger(v) && v >= 0 && v < horizon)) {
        throw new InvalidArgumentError(
          `offsets[${i}] = ${v} must be an integer in [0, horizon = ${horizon})`,
        );
      }
    }
    return;
  }
  const m = how.maxOffset ?? 0;
  if (!(Number.isInteger(m) && m >= 0 && m <= horizon)) {
    throw new InvalidArgumentError(
      `maxInitialOffset must be an integer in [0, horizon = ${horizon}], got ${m}`,
    );
  }
}

/**
 * Initial indices for `n` particles: all zero, uniform random in [0, maxOffset) from `key`
 * (learned_optimization's `random_initial_iteration_offset`), or given explicitly.
 *
 * @example
 * ```ts
 * import { initialOffsets } from "./episode_clock.ts";
 * import { key } from "../gpu/random.ts";
 * console.log(initialOffsets(4, 10, { maxOffset: 10, key: key(0) }).length); // 4
 * ```
 */
export function initialOffsets(
  n: number,
  horizon: number,
  how: { maxOffset?: number; key?: Key; offsets?: ArrayLike<number> } = {},
): Int32Array {
  validateOffsets(n, horizon, how);
  if (how.offsets) return Int32Array.from(how.offsets);
  const m = how.maxOffset ?? 0;
  if (m <= 1) return new Int32Array(n);
  if (!how.key) {
    throw new InvalidArgumentError("initialOffsets: a random key is needed with maxOffset");
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r = philoxHost([i, 0, 0, 0x6f666673], how.key.words);
    out[i] = Math.floor((r[0] / 2 ** 32) * m);
  }
  return out;
}

function clockOp(mode: ClockMode, t0: Tensor, horizon: number, k: number, count: number): Tensor {
  const n = t0.size;
  const out = TensorClass.empty([count], mode === "advance" ? "u32" : "f32", "episodeClock");
  const w = paramWords();
  w.u[0] = n;
  w.u[1] = count;
  w.u[2] = k;
  w.u[3] = horizon === Infinity ? 0 : horizon;
  runtime().dispatch(clockK(mode), [t0.buffer("episodeClock")], [out.buffer()], w.u, grid(count));
  return out;
}

/**
 * Each particle's index before step `k` of a plan, as f32 `[n * replicas]` on the GPU.
 *
 * @example
 * ```ts
 * import { EpisodeClock, stepTimes } from "./episode_clock.ts";
 * const plan = new EpisodeClock(3, Int32Array.from([0, 2])).plan(2);
 * console.log(await stepTimes(plan, 1, 2).read()); // Float32Array [1, 0, 1, 0]
 * ```
 */
export function stepTimes(plan: TruncationPlan, k: number, replicas: number): Tensor {
  return clockOp("time", plan.t0Gpu, plan.horizon, k, plan.t0.length * replicas);
}

/**
 * 1 for the particles whose episode ends at step `k` of a plan, f32 `[n * replicas]`.
 *
 * @example
 * ```ts
 * import { EpisodeClock, stepEndMask } from "./episode_clock.ts";
 * const plan = new EpisodeClock(3, Int32Array.from([0, 2])).plan(2);
 * console.log(await stepEndMask(plan, 0, 1).read()); // Float32Array [0, 1]
 * ```
 */
export function stepEndMask(plan: TruncationPlan, k: number, replicas: number): Tensor {
  return clockOp("endMask", plan.t0Gpu, plan.horizon, k, plan.t0.length * replicas);
}

/**
 * 1 for the particles whose episode ends anywhere inside the truncation, f32 `[n]`.
 *
 * @example
 * ```ts
 * import { EpisodeClock, truncationEnded } from "./episode_clock.ts";
 * const plan = new EpisodeClock(3, Int32Array.from([0, 2])).plan(2);
 * console.log(await truncationEnded(plan).read()); // Float32Array [0, 1]
 * ```
 */
export function truncationEnded(plan: TruncationPlan): Tensor {
  return clockOp("ended", plan.t0Gpu, plan.horizon, plan.steps, plan.t0.length);
}
