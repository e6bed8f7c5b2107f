/**
 * Shared types of the ODE solvers: a right-hand side f(y, t) of dy/dt = f(y, t) on GPU tensors.
 *
 * @example
 * ```ts
 * import type { OdeFn } from "./types.ts";
 * import { neg } from "../../gpu/mod.ts";
 * const decay: OdeFn = (y) => neg(y); // dy/dt = -y
 * ```
 * @module
 */
import type { Tensor } from "../../gpu/mod.ts";
import type { TimeArg } from "../sde.ts";

/**
 * Right-hand side of dy/dt = f(y, t). Fixed-step solvers pass `t` as a number; the GPU-resident
 * adaptive solver passes a one-element tensor (the time lives on the GPU). Return a new tensor
 * shaped like `y`.
 */
export type OdeFn = (y: Tensor, t: TimeArg) => Tensor;

/** What an ODE solve returns. */
export interface OdeResult {
  /** y at the final time (on the GPU; the caller owns it). */
  y: Tensor;
  /** Number of evaluations of f. */
  nfe: number;
}
