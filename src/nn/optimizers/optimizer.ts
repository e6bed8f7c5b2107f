/**
 * The optimizer interface: an `(init, update)` pair of pure functions over parameter trees, in
 * the style of optax. `update` returns NEW parameter and state trees and never disposes its
 * inputs; the caller disposes the old ones (the `train` loop does this for you).
 *
 * @example
 * ```ts
 * import { dispose, tensor } from "../../gpu/mod.ts";
 * import { sgd } from "./sgd.ts";
 * const opt = sgd({ lr: 0.1 });
 * const params = { w: tensor([1, 2]) };
 * const state = opt.init(params);
 * const next = opt.update({ w: tensor([1, 1]) }, state, params);
 * console.log(await next.params.w.read()); // Float32Array [0.9, 1.9]
 * dispose([params, state]);
 * ```
 * @module
 */
import type { Params } from "../layer.ts";

/**
 * The gradient of a parameter tree: the same structure with a tensor at every leaf (checked at
 * run time, naming the first mismatching path). Typed loosely on purpose: `grad` returns
 * `MapTree<P, Tensor>`, which TypeScript cannot always relate back to `P`.
 */
export type Grads<P> = unknown;

/** An optimizer: `init(params) -> state`, `update(grads, state, params) -> { params, state }`. */
export interface Optimizer<S = unknown> {
  /** A short description, e.g. `adam(lr=0.001)`. */
  readonly name: string;
  /** The initial state for `params` (moment buffers start at zero, the step count at 0). */
  init<P extends Params>(params: P): S;
  /** One update step; returns new trees and leaves the inputs intact. */
  update<P extends Params>(grads: Grads<P>, state: S, params: P): { params: P; state: S };
}
