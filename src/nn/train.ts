/**
 * A small training loop that keeps the GPU busy (DESIGN.md principle 1): each step runs inside
 * `scope` (nothing leaks), the loss is accumulated on the GPU, and the host reads back only every
 * `readEvery` steps. Readbacks are pipelined: the read of window k is started, then the steps of
 * window k+1 are encoded and submitted before the host waits for it.
 *
 * @example
 * ```ts
 * import { random } from "../gpu/mod.ts";
 * import { batches } from "./datasets/batches.ts";
 * import { linearRegression } from "./datasets/regression.ts";
 * import { dense } from "./dense.ts";
 * import { mse } from "./losses.ts";
 * import { sgd } from "./optimizers/sgd.ts";
 * import { train } from "./train.ts";
 * const data = linearRegression(0, { n: 64, dim: 3 });
 * const net = dense(1, { parameterization: "standard" });
 * const { params } = net.init(random.key(0), [3]);
 * const out = await train({
 *   params,
 *   loss: (p, b) => mse(net.apply(p, b.x), b.y),
 *   optimizer: sgd({ lr: 0.1 }),
 *   batches: batches(1, { x: data.x, y: data.y }, 16),
 *   steps: 40,
 *   readEvery: 20,
 * });
 * console.log(out.history.step, out.history.loss[1] < out.history.loss[0]); // [20, 40] true
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError, NonFiniteError } from "../errors.ts";
import { add, dispose, runtime, scope, Tensor, valueAndGrad } from "../gpu/mod.ts";
import { createProgress } from "../report/progress.ts";
import type { Params } from "./layer.ts";
import type { Optimizer } from "./optimizers/optimizer.ts";
import { assertFloatTree } from "./tree_check.ts";
import { parseOptions } from "../options.ts";

/** A progress display: `tick` per step, `done` at the end (as `src/report`'s `createProgress`). */
export interface ProgressLike {
  /** Advances by `n` steps (default 1). */
  tick(n?: number): void;
  /** Marks the loop finished. */
  done(): void;
}

/** What `onProgress` receives at each read-back (and after each evaluation). */
export interface TrainProgress {
  /** Steps completed. */
  step: number;
  /** Total steps. */
  steps: number;
  /** Mean training loss over the last read window. */
  loss: number;
  /** The evaluation's metrics: present only on the call that follows an evaluation. */
  metrics?: Record<string, number>;
  /** Milliseconds since training started. */
  elapsedMs: number;
}

/** Metrics an `evaluate` callback returns: GPU scalars (read in one batch) or numbers. */
export type EvalMetrics = Record<string, Tensor | number>;

/** Options of {@link train}. */
export interface TrainOptions<P extends Params, B, S> {
  /** Initial parameters (not disposed by `train` unless `disposeInitial`). */
  params: P;
  /** Scalar loss of params on one batch. */
  loss: (params: P, batch: B) => Tensor;
  /** The optimizer. */
  optimizer: Optimizer<S>;
  /**
   * Batches, e.g. from `batches(key, data, size)`; one is taken per step, inside the step's
   * scope (batch tensors created by the iterator are freed after the step). The iterator is
   * closed (`return()`) when training ends.
   */
  batches: Iterable<B> | Iterator<B>;
  /** Number of steps. */
  steps: number;
  /** Read the accumulated loss back every this many steps (default min(steps, 100)). */
  readEvery?: number;
  /** Call `evaluate` every this many steps (and after the last step); default: never. */
  evalEvery?: number;
  /**
   * Computes metrics for the current params, synchronously (it runs inside `scope`: the tensors
   * it returns are read back in one batch and freed, everything else it creates is freed too).
   */
  evaluate?: (params: P, step: number) => EvalMetrics;
  /** Called after each read-back and each evaluation. */
  onProgress?: (p: TrainProgress) => void;
  /** A progress bar: true for `src/report`'s stderr bar, or your own {@link ProgressLike}. */
  progress?: boolean | ProgressLike;
  /** Optimizer state to resume from (default `optimizer.init(params)`). */
  optimizerState?: S;
  /** Submit the recorded GPU work every this many steps (default 1). */
  flushEvery?: number;
  /** Dispose the initial params once replaced (default false). */
  disposeInitial?: boolean;
  /** Throw a NonFiniteError when a window's mean loss is NaN/inf (default true). */
  stopOnNonFinite?: boolean;
}

/** Metrics recorded during training. */
export interface TrainHistory {
  /** Step at the end of each read window. */
  step: number[];
  /** Mean training loss over each read window. */
  loss: number[];
  /** Evaluations: the step and the metrics read back. */
  eval: { step: number; metrics: Record<string, number> }[];
  /** Wall-clock milliseconds of the whole run. */
  elapsedMs: number;
}

/** What {@link train} returns. */
export interface TrainResult<P, S> {
  /** Final parameters. */
  params: P;
  /** Final optimizer state (dispose it, or pass it as `optimizerState` to resume). */
  state: S;
  /** Loss and metric history. */
  history: TrainHistory;
}

const schema = z.object({
  steps: z.number().int().min(0),
  readEvery: z.number().int().min(1).optional(),
  evalEvery: z.number().int().min(1).optional(),
  flushEvery: z.number().int().min(1).default(1),
  disposeInitial: z.boolean().default(false),
  stopOnNonFinite: z.boolean().default(true),
}).passthrough();

/**
 * Trains `params` for `steps` optimizer steps (see the module doc).
 *
 * @example
 * ```ts
 * import { random, zeros } from "../gpu/mod.ts";
 * import { adam } from "./optimizers/adam.ts";
 * import { mse } from "./losses.ts";
 * import { train } from "./train.ts";
 * const target = random.normal(random.key(0), [4]);
 * const { params, history } = await train({
 *   params: { w: zeros([4]) },
 *   loss: (p) => mse(p.w, target),
 *   optimizer: adam({ lr: 0.1 }),
 *   batches: { [Symbol.iterator]: function* () { while (true) yield null; } },
 *   steps: 30,
 *   evalEvery: 30,
 *   evaluate: (p) => ({ err: mse(p.w, target) }),
 * });
 * console.log(history.eval[0].metrics.err < 0.5); // true
 * ```
 */
export async function train<P extends Params, B, S>(
  options: TrainOptions<P, B, S>,
): Promise<TrainResult<P, S>> {
  const o = parseOptions(schema, options, "train");
  const { loss, optimizer, evaluate, onProgress } = options;
  if (typeof loss !== "function") {
    throw new InvalidArgumentError(
      `train: option loss must be a function (params, batch) => Tensor`,
    );
  }
  if (
    !optimizer || typeof optimizer.update !== "function" || typeof optimizer.init !== "function"
  ) {
    throw new InvalidArgumentError(
      `train: option optimizer must be an optimizer ({ init, update }, e.g. adam({ lr }))`,
    );
  }
  if (o.evalEvery !== undefined && typeof evaluate !== "function") {
    throw new InvalidArgumentError(`train: option evalEvery needs an evaluate function`);
  }
  const src = options.batches as Iterable<B> | Iterator<B>;
  const it: Iterator<B> | undefined =
    src && typeof (src as Iterable<B>)[Symbol.iterator] === "function"
      ? (src as Iterable<B>)[Symbol.iterator]()
      : src && typeof (src as Iterator<B>).next === "function"
      ? (src as Iterator<B>)
      : undefined;
  if (!it) {
    throw new InvalidArgumentError(`train: option batches must be an iterable or an iterator`);
  }
  assertFloatTree("train", "params", options.params);
  const steps = o.steps;
  const readEvery = o.readEvery ?? Math.max(1, Math.min(steps, 100));
  const bar: ProgressLike | null = options.progress === true
    ? createProgress("train", steps)
    : options.progress && typeof options.progress === "object"
    ? options.progress
    : null;

  const vg = valueAndGrad(loss);
  const initial = options.params;
  let params = initial;
  let state = options.optimizerState ?? optimizer.init(initial);
  let acc: Tensor | null = null;
  let windowStart = 0;
  const history: TrainHistory = { step: [], loss: [], eval: [], elapsedMs: 0 };
  const t0 = performance.now();
  // Reads in flight, oldest first: each resolves to the summed loss of its window.
  const pending: { promise: Promise<number>; step: number; count: number }[] = [];

  const settleOne = async () => {
    const { promise, step, count } = pending.shift()!;
    const mean = (await promise) / count;
    if (o.stopOnNonFinite && !Number.isFinite(mean)) {
      throw new NonFiniteError(
        `train: mean loss over steps ${step - count + 1}..${step} is ${mean}; lower the ` +
          `learning rate or clip gradients (withGradientClipping)`,
      );
    }
    history.step.push(step);
    history.loss.push(mean);
    onProgress?.({
      step,
      steps,
      loss: mean,
      elapsedMs: performance.now() - t0,
    });
  };
  const settleAll = async () => {
    while (pending.length) await settleOne();
  };

  try {
    for (let step = 0; step < steps; step++) {
      const prevParams: P = params, prevState: S = state, prevAcc: Tensor | null = acc;
      const r: { params: P; state: S; acc: Tensor } | null = scope(() => {
        const next = it.next();
        if (next.done) return null;
        const [l, g] = vg(params, next.value);
        const u = optimizer.update(g, state, params);
        return { params: u.params as P, state: u.state, acc: prevAcc ? add(prevAcc, l) : l };
      });
      if (!r) {
        throw new InvalidArgumentError(
          `train: the batches ran out after ${step} of ${steps} steps; pass more epochs ` +
            `(batches(key, data, size) without epochs never ends)`,
        );
      }
      params = r.params, state = r.state, acc = r.acc;
      releaseOld(prevParams, params, prevParams === initial && !o.disposeInitial);
      releaseOld(prevState, state, false);
      prevAcc?.dispose();
      if ((step + 1) % o.flushEvery === 0) runtime().flush();
      bar?.tick();

      const done = step + 1;
      if (done % readEvery === 0 || done === steps) {
        // Start this window's read (the copy is recorded now), then wait for the previous one
        // while the GPU works on this one.
        const a = acc!;
        const promise = a.read().then((v) => v[0]);
        promise.catch(() => {}); // a failure surfaces when awaited, never as unhandled
        a.dispose();
        acc = null;
        pending.push({ promise, step: done, count: done - windowStart });
        windowStart = done;
        // Wait for the previous window (the GPU meanwhile runs this one); with none in flight,
        // just let the scheduled submission happen.
        if (pending.length > 1) await settleOne();
        else await null;
      }
      if (o.evalEvery !== undefined && evaluate && (done % o.evalEvery === 0 || done === steps)) {
        await settleAll();
        const p = params;
        const metrics = await readMetrics(scope(() => evaluate(p, done)));
        history.eval.push({ step: done, metrics });
        onProgress?.({
          step: done,
          steps,
          loss: history.loss.at(-1) ?? NaN,
          metrics,
          elapsedMs: performance.now() - t0,
        });
      }
    }
    await settleAll();
  } finally {
    acc?.dispose();
    (it as Iterator<B>).return?.();
    bar?.done();
  }
  history.elapsedMs = performance.now() - t0;
  return { params, state, history };
}

/** Disposes the tensors of `old` that are not reused in `next`. */
function releaseOld(old: unknown, next: unknown, keepAll: boolean): void {
  if (keepAll || old === next) return;
  const live = new Set(treeLeavesLoose(next));
  for (const t of treeLeavesLoose(old)) if (!live.has(t)) t.dispose();
}

function treeLeavesLoose(v: unknown): Tensor[] {
  const out: Tensor[] = [];
  const walk = (x: unknown) => {
    if (x === null || x === undefined || typeof x !== "object") return;
    if (Array.isArray(x)) x.forEach(walk);
    else if (Object.getPrototypeOf(x) === Object.prototype) Object.values(x).forEach(walk);
    else if (x instanceof Tensor) out.push(x);
  };
  walk(v);
  return out;
}

/** Reads every tensor of a metrics record in one batch, then frees them. */
async function readMetrics(m: EvalMetrics): Promise<Record<string, number>> {
  if (!m || typeof m !== "object") {
    throw new InvalidArgumentError(`train: evaluate must return a record of tensors or numbers`);
  }
  const entries = Object.entries(m);
  const values = await Promise.all(entries.map(([k, v]) => {
    if (typeof v === "number") return v;
    if (!v || typeof (v as Tensor).read !== "function") {
      throw new InvalidArgumentError(
        `train: evaluate returned ${k} = ${String(v)}; expected a scalar Tensor or a number`,
      );
    }
    return (v as Tensor).read().then((a) => a[0]);
  }));
  dispose(entries.map(([, v]) => v));
  return Object.fromEntries(entries.map(([k], i) => [k, values[i]]));
}
