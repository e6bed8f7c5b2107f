/**
 * The interface every GPU-resident MCMC sampler implements, and the chain state they share.
 *
 * A step takes the state of all C chains, a random key and per-chain step sizes, and returns the
 * next state plus each chain's Metropolis-Hastings acceptance probability and decision, all as
 * GPU tensors: nothing is read back (DESIGN.md principle 1). The accept/reject decision is a
 * per-chain `where` driven by uniforms drawn from the step's key.
 *
 * @example
 * ```ts
 * import { random } from "../../gpu/mod.ts";
 * import { potentialTarget } from "../target.ts";
 * import { hmc } from "./hmc.ts";
 * import type { Sampler } from "./sampler.ts";
 * import { square, sum, full } from "../../gpu/mod.ts";
 * const target = potentialTarget((q) => sum(square(q.x), 1));
 * const s: Sampler = hmc({ leapfrogSteps: 3 });
 * let state = s.init(target, { x: random.normal(random.key(0), [4, 2]) }, random.key(1));
 * const r = s.step(target, state, random.key(2), full([4], 0.3));
 * console.log(r.acceptProb.shape, s.gradientsPerStep); // [4] 3
 * ```
 * @module
 */
import type { random } from "../../gpu/mod.ts";
import { dispose, forEachTensor, type Tensor } from "../../gpu/tensor.ts";
import type { Target } from "../target.ts";

/** The state of C chains: position, potential, gradient and (for HMC/Langevin) momentum. */
export interface ChainState {
  /** Positions `[C, ...]` per parameter. */
  q: Record<string, Tensor>;
  /** Potential per chain `[C]` (as `Target.evaluate` returns it). */
  u: Tensor;
  /** Gradient of `u` at `q`. */
  grad: Record<string, Tensor>;
  /** Momenta shaped like `q`, or null for samplers without momentum (MALA). */
  p: Record<string, Tensor> | null;
}

/** What one sampler step returns. */
export interface StepResult {
  /** The next state of every chain. */
  state: ChainState;
  /** Metropolis-Hastings acceptance probability per chain `[C]` (0 for a non-finite energy). */
  acceptProb: Tensor;
  /** 1 where the proposal was accepted, else 0, `[C]`. */
  accepted: Tensor;
}

/** A GPU-resident MCMC transition for many chains. */
export interface Sampler {
  /** Short name for tables ("hmc", "langevin", "mala"). */
  readonly name: string;
  /** Target gradient evaluations per step. */
  readonly gradientsPerStep: number;
  /** The initial state at positions `q` (copied; the caller keeps `q`). */
  init(target: Target, q: Readonly<Record<string, Tensor>>, key: random.Key): ChainState;
  /** One transition with per-chain step sizes `stepSize` (`[C]`). */
  step(target: Target, state: ChainState, key: random.Key, stepSize: Tensor): StepResult;
}

/**
 * Disposes every tensor of `old` that is not also part of `keep` (e.g. the previous state after
 * a step, without touching what the new state shares with it).
 *
 * @example
 * ```ts
 * import { ones } from "../../gpu/mod.ts";
 * import { disposeStateExcept } from "./sampler.ts";
 * const a = ones([2]), b = ones([2]);
 * disposeStateExcept({ a, b }, { a });
 * console.log(a.disposed, b.disposed); // false true
 * ```
 */
export function disposeStateExcept(old: unknown, keep: unknown): void {
  const kept = new Set<Tensor>();
  forEachTensor(keep, (t) => kept.add(t));
  forEachTensor(old, (t) => {
    if (!kept.has(t)) t.dispose();
  });
}

/**
 * Disposes all tensors of a chain state.
 *
 * @example
 * ```ts
 * import { ones } from "../../gpu/mod.ts";
 * import { disposeState } from "./sampler.ts";
 * const s = { q: { x: ones([1]) }, u: ones([1]), grad: { x: ones([1]) }, p: null };
 * disposeState(s);
 * console.log(s.u.disposed); // true
 * ```
 */
export function disposeState(state: ChainState): void {
  dispose(state);
}
