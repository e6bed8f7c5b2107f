/**
 * The outer (meta-training) loop: repeatedly ask a gradient estimator for an estimate at the
 * current theta and apply an outer optimizer from `src/nn` (SGD, Adam, ...), with optional
 * global-norm clipping. Everything stays on the GPU; the loop reads back only every
 * `readEvery` iterations (one sync for theta, the loss history and the health check).
 *
 * Non-finite estimates are detected on the GPU and reported, never silently zeroed:
 * `onNonFinite: "throw"` (default) raises a NonFiniteError naming the first bad iteration;
 * `"skip"` leaves theta and the optimizer state unchanged for that iteration, counts it in
 * `skipped`, and still throws if every iteration between two reads was non-finite (the unroll
 * state itself is then broken).
 *
 * @example
 * ```ts
 * import { adam } from "../nn/optimizers.ts";
 * import { key } from "../gpu/random.ts";
 * import { metaTrain } from "./outer_loop.ts";
 * import { pes } from "./estimators/pes.ts";
 * import { influenceBalancing } from "./tasks/influence_balancing.ts";
 * const est = pes(influenceBalancing(), { particles: 100, truncationLength: 1, sigma: 0.1 });
 * const r = await metaTrain({
 *   estimator: est, theta0: [0.5], optimizer: adam({ lr: 0.01 }), iterations: 20, key: key(0),
 *   readEvery: 10,
 * });
 * console.log(r.history.length, r.skipped); // 2 0
 * est.dispose();
 * ```
 * @module
 */
import { InvalidArgumentError, NonFiniteError, ShapeError } from "../errors.ts";
import { concat, dispose, keep, reshape, scope, slice, Tensor, tensor, where } from "../gpu/mod.ts";
import { memoKernel, paramWords } from "../gpu/kernels/indexing.ts";
import { runtime } from "../gpu/runtime.ts";
import { foldIn, type Key } from "../gpu/random.ts";
import { forEachTensor, Tensor as TensorClass } from "../gpu/tensor.ts";
import type { Optimizer } from "../nn/optimizers.ts";
import type { GradientEstimator } from "./estimators/estimator.ts";
import { guardKernel } from "./kernels/es_combine.ts";

const guardK = memoKernel(guardKernel);

/** One recorded point of the outer loop. */
export interface MetaTrainRecord {
  /** Outer iteration after which this was recorded (1-based count of updates done). */
  iteration: number;
  /** The estimator's mean truncation loss at this iteration. */
  loss: number;
  /** Norm of the (unclipped) gradient estimate. */
  gradNorm: number;
  /** Theta after the update. */
  theta: number[];
}

/** Options of {@link metaTrain}. */
export interface MetaTrainOptions {
  /** The gradient estimator (it keeps its own unroll state across iterations). */
  estimator: GradientEstimator;
  /** Initial meta-parameters `[D]`. */
  theta0: Tensor | readonly number[];
  /** Outer optimizer over theta (from `src/nn`: `sgd`, `adam`, ...). */
  optimizer: Optimizer;
  /** Number of outer iterations (one truncation each). */
  iterations: number;
  /** Root random key; iteration i uses `foldIn(key, i)`. */
  key: Key;
  /** Clip each estimate to this global L2 norm (none by default). */
  clipNorm?: number;
  /** What to do with a non-finite estimate or loss (default "throw"). */
  onNonFinite?: "throw" | "skip";
  /** Read back (and call onProgress) every this many iterations (default 50). */
  readEvery?: number;
  /** Record a history point every this many iterations (default readEvery). */
  recordEvery?: number;
  /** Called after each read with the newest record. */
  onProgress?: (record: MetaTrainRecord) => void;
  /** Stops early (after the current read) when aborted. */
  signal?: AbortSignal;
}

/** What {@link metaTrain} returns. */
export interface MetaTrainResult {
  /** Final theta `[D]` (owned by the caller). */
  theta: Tensor;
  /** Recorded points, oldest first. */
  history: MetaTrainRecord[];
  /** Iterations whose update was skipped because the estimate was non-finite. */
  skipped: number;
  /** Iterations run (less than requested when aborted). */
  iterations: number;
}

function positiveInt(v: unknown, name: string): number {
  if (!(typeof v === "number" && Number.isInteger(v) && v >= 1)) {
    throw new InvalidArgumentError(`metaTrain: ${name} must be a positive integer, got ${v}`);
  }
  return v;
}

/**
 * Runs the outer loop.
 *
 * @example
 * ```ts
 * import { sgd } from "../nn/optimizers.ts";
 * import { key } from "../gpu/random.ts";
 * import { metaTrain } from "./outer_loop.ts";
 * import { tbptt } from "./estimators/tbptt.ts";
 * import { influenceBalancing } from "./tasks/influence_balancing.ts";
 * const est = tbptt(influenceBalancing(), { truncationLength: 100 });
 * const r = await metaTrain({
 *   estimator: est, theta0: [0.5], optimizer: sgd({ lr: 1e-3 }), iterations: 10, key: key(0),
 *   clipNorm: 10,
 * });
 * console.log(r.theta.shape); // [1]
 * ```
 */
export async function metaTrain(options: MetaTrainOptions): Promise<MetaTrainResult> {
  const { estimator, optimizer } = options;
  const iterations = positiveInt(options.iterations, "iterations");
  const readEvery = positiveInt(options.readEvery ?? 50, "readEvery");
  const recordEvery = positiveInt(options.recordEvery ?? readEvery, "recordEvery");
  const mode = options.onNonFinite ?? "throw";
  if (mode !== "throw" && mode !== "skip") {
    throw new InvalidArgumentError(`metaTrain: onNonFinite must be "throw" or "skip", got ${mode}`);
  }
  if (options.clipNorm !== undefined && !(options.clipNorm > 0)) {
    throw new InvalidArgumentError(`metaTrain: clipNorm must be > 0, got ${options.clipNorm}`);
  }
  const D = estimator.system.thetaDim;
  let theta = keep(
    Array.isArray(options.theta0) || !("shape" in options.theta0)
      ? tensor(Array.from(options.theta0 as readonly number[]))
      : reshape(options.theta0 as Tensor, [(options.theta0 as Tensor).size]),
  );
  if (theta.size !== D) {
    theta.dispose();
    throw new ShapeError(
      `metaTrain: theta0 has ${theta.size} entries, the system "${estimator.system.name}" ` +
        `has thetaDim ${D}`,
    );
  }
  let optState = keep(scope(() => optimizer.init(theta)));
  // GPU-side health: [first non-finite iteration (2e9 when none), skipped, norm, ok].
  let health = keep(tensor([2e9, 0, 0, 1]));
  const pending: { iteration: number; snap: Tensor }[] = [];
  const history: MetaTrainRecord[] = [];
  let skipped = 0, lastCheckedSkips = 0, done = 0, lastReadAt = 0;

  const flushReads = async (): Promise<void> => {
    const snaps = pending.splice(0);
    const [h, ...vals] = await Promise.all([health.read(), ...snaps.map((s) => s.snap.read())]);
    snaps.forEach((s, i) => {
      const v = vals[i];
      history.push({
        iteration: s.iteration,
        loss: v[0],
        gradNorm: v[1],
        theta: Array.from(v.subarray(2)),
      });
      s.snap.dispose();
    });
    if (mode === "throw" && h[0] < 1e9) {
      throw new NonFiniteError(
        `metaTrain(${estimator.name}): the gradient estimate or loss became non-finite at outer ` +
          `iteration ${Math.round(h[0])} (expected finite values; lower the learning rate or ` +
          `sigma, clip with clipNorm, or pass onNonFinite: "skip" to skip such updates)`,
      );
    }
    skipped = Math.round(h[1]);
    const window = done - lastReadAt;
    if (mode === "skip" && window > 0 && skipped - lastCheckedSkips >= window) {
      throw new NonFiniteError(
        `metaTrain(${estimator.name}): all ${window} estimates since iteration ${lastReadAt} ` +
          `were non-finite (${skipped} skipped in total); the unroll state is broken ` +
          `(expected at least one finite estimate per ${readEvery} iterations)`,
      );
    }
    lastCheckedSkips = skipped;
    lastReadAt = done;
    if (history.length > 0) options.onProgress?.(history[history.length - 1]);
  };

  let completed = false;
  try {
    for (let i = 0; i < iterations; i++) {
      const record = (i + 1) % recordEvery === 0 || i + 1 === iterations;
      const next = scope(() => {
        const { grad, loss } = estimator.estimate(theta, foldIn(options.key, i));
        const g = guard(grad, loss, health, i + 1, options.clipNorm ?? 0);
        const upd = optimizer.update(g.safe, optState, theta);
        let p = upd.params as Tensor, st = upd.state;
        if (mode === "skip") {
          const ok = slice(g.health, [[3, 4]]);
          p = where(ok, p, theta);
          st = mapTensorPairs(st, optState, (x, old) => where(ok, x, old));
        }
        const snap = record ? concat([reshape(loss, [1]), slice(g.health, [[2, 3]]), p], 0) : null;
        return { p, st, health: g.health, snap };
      });
      keep(next);
      const keepOld = new Set<Tensor>();
      forEachTensor(next.st, (t) => keepOld.add(t));
      forEachTensor(optState, (t) => {
        if (!keepOld.has(t)) t.dispose();
      });
      if (next.p !== theta) theta.dispose();
      health.dispose();
      theta = next.p;
      optState = next.st;
      health = next.health;
      if (next.snap) pending.push({ iteration: i + 1, snap: next.snap });
      done = i + 1;
      if (done % readEvery === 0 || done === iterations) {
        await flushReads();
        if (options.signal?.aborted) break;
      }
    }
    if (pending.length > 0) await flushReads();
    completed = true;
  } finally {
    for (const s of pending) s.snap.dispose();
    dispose([optState, health]);
    if (!completed) theta.dispose();
  }
  return { theta, history, skipped, iterations: done };
}

/**
 * The fused guard (see `kernels/es_combine.ts`): the gradient to apply (clipped; zeros when the
 * estimate or loss is non-finite) and the updated health vector.
 */
function guard(
  grad: Tensor,
  loss: Tensor,
  health: Tensor,
  iteration: number,
  clip: number,
): { safe: Tensor; health: Tensor } {
  const D = grad.size;
  const safe = TensorClass.empty([D], "f32", "metaTrain.guard");
  const h = TensorClass.empty([4], "f32", "metaTrain.guard");
  const w = paramWords();
  w.u[0] = D;
  w.u[1] = iteration;
  w.f[2] = clip;
  runtime().dispatch(
    guardK(),
    [grad.buffer("metaTrain"), loss.buffer("metaTrain"), health.buffer("metaTrain")],
    [safe.buffer(), h.buffer()],
    w.u,
    [1, 1, 1],
  );
  return { safe, health: h };
}

/**
 * Maps corresponding tensors of two values of the same structure (records, arrays, tensors);
 * other leaves (an optimizer's step count) are taken from `a`.
 */
function mapTensorPairs<T>(a: T, b: unknown, fn: (x: Tensor, y: Tensor) => Tensor): T {
  if (a instanceof Tensor) return (b instanceof Tensor ? fn(a, b) : a) as T;
  if (Array.isArray(a)) return a.map((v, i) => mapTensorPairs(v, (b as unknown[])?.[i], fn)) as T;
  if (a && typeof a === "object" && Object.getPrototypeOf(a) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(a)) {
      out[k] = mapTensorPairs(v, (b as Record<string, unknown>)?.[k], fn);
    }
    return out as T;
  }
  return a;
}
