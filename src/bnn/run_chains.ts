/**
 * The sampling loop: warm-up (with optional GPU dual-averaging step-size adaptation), then
 * sampling with thinning, for C chains, reading back only in blocks (DESIGN.md principle 1).
 *
 * Every `thin` steps the `record` function maps the chains' positions to a `[C, P]` tensor (e.g.
 * network outputs on test inputs, random projections of the weights); records stay on the GPU
 * until `readEvery` of them are stacked into one `[C, readEvery, P]` block whose readback is
 * started while the next block is encoded (pipelined). Acceptance statistics accumulate on the
 * GPU and are read once at the end.
 *
 * @example
 * ```ts
 * import { random, reshape, square, sum } from "../gpu/mod.ts";
 * import { runChains } from "./run_chains.ts";
 * import { hmc } from "./samplers/hmc.ts";
 * import { potentialTarget } from "./target.ts";
 * const target = potentialTarget((q) => sum(square(q.x), 1));
 * const r = await runChains({
 *   target, sampler: hmc({ leapfrogSteps: 3 }), key: random.key(0),
 *   init: { x: random.normal(random.key(1), [4, 2]) },
 *   warmup: 5, steps: 10, stepSize: 0.3,
 *   record: (q) => reshape(q.x, [4, 2]),
 * });
 * console.log(r.drawShape); // [4, 10, 2]
 * ```
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError } from "../errors.ts";
import { add, full, random, runtime, stack, type Tensor } from "../gpu/mod.ts";
import { keep, scope } from "../gpu/tensor.ts";
import { chainCount, type ChainParams } from "./chain_params.ts";
import { DualAveraging, type DualAveragingOptions } from "./dual_averaging.ts";
import { parseOptions } from "../options.ts";
import { type ChainState, disposeState, type Sampler } from "./samplers/sampler.ts";
import type { Target } from "./target.ts";

const runSchema = z.strictObject({
  warmup: z.number().int().nonnegative().default(0),
  steps: z.number().int().positive(),
  thin: z.number().int().positive().default(1),
  stepSize: z.number().positive(),
  readEvery: z.number().int().positive().default(64),
});

/** Options of {@link runChains}. */
export interface RunChainsOptions {
  /** The target density. */
  target: Target;
  /** The transition. */
  sampler: Sampler;
  /** Root random key; step i uses `foldIn(key, i)`. */
  key: random.Key;
  /** Initial positions `[C, ...]` (not modified). */
  init: ChainParams;
  /** Warm-up steps (adaptation happens here; nothing is recorded). */
  warmup?: number;
  /** Sampling steps after warm-up. */
  steps: number;
  /** Record every `thin`-th sampling step (default 1). */
  thin?: number;
  /** Step size (the initial one when adapting). */
  stepSize: number;
  /** Dual-averaging options for warm-up, or false/undefined for a fixed step size. */
  adapt?: false | Omit<DualAveragingOptions, "initialStepSize">;
  /** Maps positions to the recorded `[C, P]` tensor. */
  record?: (q: ChainParams) => Tensor;
  /** Records per read-back block (default 64). */
  readEvery?: number;
  /** Called after every step with (steps done, total steps); host-side only. */
  onProgress?: (done: number, total: number) => void;
  /** Stops early (between steps) when aborted. */
  signal?: AbortSignal;
}

/** What {@link runChains} returns. */
export interface RunChainsResult {
  /** Recorded values, row-major `[C, S, P]` (S = recorded steps), or empty without `record`. */
  draws: Float32Array;
  /** `[C, S, P]`. */
  drawShape: [number, number, number];
  /** Mean Metropolis-Hastings acceptance probability per chain over the sampling steps. */
  acceptProb: Float64Array;
  /** Fraction of accepted proposals per chain over the sampling steps. */
  acceptRate: Float64Array;
  /** Step size used for sampling, per chain. */
  stepSize: Float64Array;
  /** Sampling steps actually run (fewer when aborted). */
  stepsRun: number;
  /** Wall-clock seconds of the sampling phase (warm-up excluded), GPU work included. */
  samplingSeconds: number;
  /** Wall-clock seconds of warm-up. */
  warmupSeconds: number;
  /** Target gradient evaluations in the sampling phase, per chain. */
  gradientEvaluations: number;
  /** The final state (on the GPU; dispose it, or continue from `state.q`). */
  state: ChainState;
}

/**
 * Runs `warmup + steps` transitions of `sampler` on `target` for all chains.
 *
 * @example
 * ```ts
 * import { random, square, sum } from "../gpu/mod.ts";
 * import { runChains } from "./run_chains.ts";
 * import { mala } from "./samplers/mala.ts";
 * import { potentialTarget } from "./target.ts";
 * const r = await runChains({
 *   target: potentialTarget((q) => sum(square(q.x), 1)), sampler: mala(),
 *   key: random.key(0), init: { x: random.normal(random.key(1), [2, 1]) },
 *   warmup: 20, steps: 5, stepSize: 0.5, adapt: { targetAccept: 0.7 },
 * });
 * console.log(r.acceptProb.length, r.stepSize[0] > 0); // 2 true
 * ```
 */
export async function runChains(options: RunChainsOptions): Promise<RunChainsResult> {
  const o = parseOptions(runSchema, {
    warmup: options.warmup,
    steps: options.steps,
    thin: options.thin,
    stepSize: options.stepSize,
    readEvery: options.readEvery,
  }, "runChains");
  const { target, sampler, key } = options;
  const C = chainCount(options.init);
  if (C < 1) throw new InvalidArgumentError(`runChains: init needs at least one chain, got ${C}`);
  const total = o.warmup + o.steps;
  let state = keep(sampler.init(target, options.init, random.foldIn(key, -1 >>> 0)));
  const da = options.adapt && o.warmup > 0
    ? new DualAveraging(C, { ...options.adapt, initialStepSize: o.stepSize })
    : null;
  let eps: Tensor = keep(full([C], o.stepSize));
  let acceptSum = keep(full([C], 0));
  let acceptCount = keep(full([C], 0));
  const pending: Tensor[] = [];
  const blocks: Promise<{ data: Float32Array; n: number }>[] = [];
  let P = 0;
  const flushBlock = () => {
    if (pending.length === 0) return;
    const blk = keep(scope(() => stack(pending, 1)));
    for (const t of pending) t.dispose();
    const n = pending.length;
    pending.length = 0;
    blocks.push(
      blk.read().then((d) => {
        blk.dispose();
        return { data: d as Float32Array, n };
      }),
    );
  };
  const t0 = performance.now();
  let tWarm = t0;
  let stepsRun = 0;
  for (let i = 0; i < total; i++) {
    if (options.signal?.aborted) break;
    if (i === o.warmup) {
      if (da) {
        eps.dispose();
        eps = keep(da.finalStepSize());
        da.dispose();
      }
      await runtime().sync();
      tWarm = performance.now();
    }
    const r = sampler.step(target, state, random.foldIn(key, i), eps);
    keep(r);
    disposeState(state);
    state = r.state;
    if (i < o.warmup) {
      if (da) {
        da.update(r.acceptProb);
        eps.dispose();
        eps = keep(add(da.stepSize, 0));
      }
    } else {
      stepsRun++;
      const [s1, s2] = scope(() => [add(acceptSum, r.acceptProb), add(acceptCount, r.accepted)]);
      keep([s1, s2]);
      acceptSum.dispose();
      acceptCount.dispose();
      acceptSum = s1;
      acceptCount = s2;
      const j = i - o.warmup;
      if (options.record && j % o.thin === o.thin - 1) {
        const rec = keep(scope(() => {
          const v = options.record!(state.q);
          // a record that is one of the state's own tensors must outlive the state: copy it
          return Object.values(state.q).includes(v) ? add(v, 0) : v;
        }));
        if (rec.rank !== 2 || rec.shape[0] !== C) {
          throw new InvalidArgumentError(
            `runChains: record must return [${C}, P], got [${rec.shape.join(", ")}]`,
          );
        }
        P = rec.shape[1];
        pending.push(rec);
        if (pending.length === o.readEvery) {
          flushBlock();
          // keep at most two blocks in flight: bounds GPU latency and progress-report drift
          if (blocks.length >= 2) await blocks[blocks.length - 2];
        }
      }
    }
    r.acceptProb.dispose();
    r.accepted.dispose();
    options.onProgress?.(i + 1, total);
  }
  flushBlock();
  const [as, ac, ep] = await Promise.all([acceptSum.read(), acceptCount.read(), eps.read()]);
  const parts = await Promise.all(blocks);
  const tEnd = performance.now();
  const S = parts.reduce((a, b) => a + b.n, 0);
  const draws = new Float32Array(C * S * P);
  let off = 0;
  for (const part of parts) {
    for (let c = 0; c < C; c++) {
      draws.set(
        part.data.subarray(c * part.n * P, (c + 1) * part.n * P),
        (c * S + off) * P,
      );
    }
    off += part.n;
  }
  acceptSum.dispose();
  acceptCount.dispose();
  eps.dispose();
  const n = Math.max(stepsRun, 1);
  return {
    draws,
    drawShape: [C, S, P],
    acceptProb: Float64Array.from(as, (v) => v / n),
    acceptRate: Float64Array.from(ac, (v) => v / n),
    stepSize: Float64Array.from(ep),
    stepsRun,
    samplingSeconds: (tEnd - tWarm) / 1000,
    warmupSeconds: (tWarm - t0) / 1000,
    gradientEvaluations: stepsRun * sampler.gradientsPerStep,
    state,
  };
}
