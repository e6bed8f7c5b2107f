/**
 * Running one truncation of K steps of an unrolled system for all particles, with episode
 * resets, entirely on the GPU (no readback).
 *
 * With a fused `unroll` the truncation is one kernel; otherwise the step function is called K
 * times (always so under a gradient trace when the fused unroll does not record gradients)
 * and, at the steps where some particle's episode ends (known on the host from the
 * {@link TruncationPlan}), a fresh `init` state replaces those particles' rows. Every op is
 * recorded, so `grad` through `runTruncation` is truncated backprop (TBPTT).
 *
 * @example
 * ```ts
 * import { tensor } from "../gpu/mod.ts";
 * import { key } from "../gpu/random.ts";
 * import { EpisodeClock } from "./episode_clock.ts";
 * import { runTruncation } from "./truncation.ts";
 * import { influenceBalancing } from "./tasks/influence_balancing.ts";
 * const sys = influenceBalancing();
 * const theta = tensor([[0.5], [0.4]]);
 * const state = sys.init(theta, { particles: 2, replicas: 1, key: key(0) });
 * const clock = new EpisodeClock(sys.horizon, new Int32Array(2));
 * const out = runTruncation(sys, theta, state, clock.plan(3), { key: key(1), replicas: 1 });
 * console.log(out.losses.shape); // [2, 3]
 * ```
 * @module
 */
import { InvalidArgumentError, ShapeError } from "../errors.ts";
import { stack, type Tensor } from "../gpu/mod.ts";
import { foldIn, type Key } from "../gpu/random.ts";
import { isRecording } from "../gpu/tape.ts";
import {
  EpisodeClock,
  stepEndMask,
  stepTimes,
  tileHost,
  type TruncationPlan,
} from "./episode_clock.ts";
import { selectParticles, type UnrolledSystem, type UnrollOutput } from "./unrolled_system.ts";

/** Options of {@link runTruncation}. */
export interface RunTruncationOptions {
  /** Randomness of the truncation (each step and each reset derive their own key). */
  key: Key;
  /** Number of replica blocks in the particle axis (2 for antithetic pairs). */
  replicas: number;
  /** Use the system's fused `unroll` when it has one (default true). */
  fused?: boolean;
}

/**
 * Runs `plan.steps` steps of every particle. `theta` is `[P, D]`; `plan` covers the `P/replicas`
 * distinct particles (replicas share their clock). Returns the final state and losses `[P, K]`.
 *
 * @example
 * ```ts
 * import { tensor } from "../gpu/mod.ts";
 * import { key } from "../gpu/random.ts";
 * import { EpisodeClock } from "./episode_clock.ts";
 * import { runTruncation } from "./truncation.ts";
 * import { lrScheduleRegression } from "./tasks/lr_schedule_regression.ts";
 * const sys = lrScheduleRegression({ horizon: 4 });
 * const theta = tensor([[-1, -1]]);
 * const s0 = sys.init(theta, { particles: 1, replicas: 1, key: key(0) });
 * const plan = new EpisodeClock(4, Int32Array.from([2])).plan(3); // resets after step 1
 * const out = runTruncation(sys, theta, s0, plan, { key: key(0), replicas: 1, fused: false });
 * console.log(out.losses.shape); // [1, 3]
 * ```
 */
export function runTruncation<S>(
  system: UnrolledSystem<S>,
  theta: Tensor,
  state: S,
  plan: TruncationPlan,
  options: RunTruncationOptions,
): UnrollOutput<S> {
  const { replicas } = options;
  const n = plan.t0.length;
  const P = n * replicas;
  if (theta.rank !== 2 || theta.shape[0] !== P || theta.shape[1] !== system.thetaDim) {
    throw new ShapeError(
      `runTruncation(${system.name}): theta must be [${P}, ${system.thetaDim}] ` +
        `(${n} particles x ${replicas} replicas, thetaDim), got [${theta.shape}]`,
    );
  }
  const K = plan.steps;
  if (!(K >= 1)) throw new InvalidArgumentError(`runTruncation: steps must be >= 1, got ${K}`);
  const useFused = system.unroll && options.fused !== false &&
    (system.unrollDifferentiable === true || !isRecording());
  if (useFused && system.unroll) {
    const out = system.unroll(theta, state, {
      t0: tileHost(plan.t0, replicas),
      t0Gpu: plan.t0Gpu,
      steps: K,
      horizon: system.horizon,
      key: options.key,
      replicas,
    });
    if (out.losses.shape.join() !== `${P},${K}`) {
      throw new ShapeError(
        `${system.name}.unroll returned losses [${out.losses.shape}], expected [${P}, ${K}]`,
      );
    }
    return out;
  }
  const losses: Tensor[] = [];
  let s = state;
  for (let k = 0; k < K; k++) {
    const t = tileHost(EpisodeClock.indicesAt(plan, k, system.horizon), replicas);
    const time = stepTimes(plan, k, replicas);
    const out = system.step(theta, s, {
      t,
      time,
      horizon: system.horizon,
      key: foldIn(options.key, 2 * k),
      replicas,
    });
    if (out.loss.shape.join() !== `${P}`) {
      throw new ShapeError(
        `${system.name}.step returned a loss of shape [${out.loss.shape}], expected [${P}]`,
      );
    }
    losses.push(out.loss);
    s = out.state;
    const ends = plan.ends[k];
    if (ends.length > 0) {
      const fresh = system.init(theta, {
        particles: P,
        replicas,
        key: foldIn(options.key, 2 * k + 1),
      });
      s = selectParticles(stepEndMask(plan, k, replicas), fresh, s);
    }
  }
  return { state: s, losses: stack(losses, 1) };
}
