/**
 * Classical fixed-step fourth-order Runge-Kutta, fully GPU-resident: the time grid is host
 * numbers, each stage combination is one fused `linComb` dispatch, and nothing is read back.
 * NFE = 4 steps.
 *
 * @example
 * ```ts
 * import { neg, ones } from "../../gpu/mod.ts";
 * import { rk4 } from "./rk4.ts";
 * const { y, nfe } = rk4((y) => neg(y), ones([3]), 0, 1, 10);
 * console.log((await y.read())[0], nfe); // ~0.367879 (e^-1) 40
 * ```
 * @module
 */
import { InvalidArgumentError } from "../../errors.ts";
import { scope, type Tensor } from "../../gpu/mod.ts";
import { linComb } from "../../gpu/ops/lincomb.ts";
import type { OdeFn, OdeResult } from "./types.ts";

/** Checks a fixed-step solver's arguments. */
export function checkFixedStep(where: string, t0: number, t1: number, steps: number): void {
  if (!Number.isFinite(t0) || !Number.isFinite(t1)) {
    throw new InvalidArgumentError(`${where}: t0 and t1 must be finite, got ${t0} and ${t1}`);
  }
  if (!Number.isInteger(steps) || steps < 1) {
    throw new InvalidArgumentError(`${where}: steps must be a positive integer, got ${steps}`);
  }
}

/**
 * Integrates dy/dt = f(y, t) from t0 to t1 (either direction) in `steps` RK4 steps. `y0` is not
 * consumed.
 *
 * @example
 * ```ts
 * import { cos, mul, ones, zeros } from "../../gpu/mod.ts";
 * import { rk4 } from "./rk4.ts";
 * // dy/dt = cos(t): y(1) = sin(1)
 * const { y } = rk4((y, t) => mul(ones(y.shape), Math.cos(t as number)), zeros([1]), 0, 1, 8);
 * console.log(await y.read()); // ~0.841471
 * ```
 */
export function rk4(f: OdeFn, y0: Tensor, t0: number, t1: number, steps: number): OdeResult {
  checkFixedStep("rk4", t0, t1, steps);
  const h = (t1 - t0) / steps;
  let y = y0;
  for (let i = 0; i < steps; i++) {
    const t = t0 + i * h;
    const next = scope(() => {
      const k1 = f(y, t);
      const k2 = f(linComb([1, h / 2], [y, k1]), t + h / 2);
      const k3 = f(linComb([1, h / 2], [y, k2]), t + h / 2);
      const k4 = f(linComb([1, h], [y, k3]), t + h);
      return linComb([1, h / 6, h / 3, h / 3, h / 6], [y, k1, k2, k3, k4]);
    });
    if (y !== y0) y.dispose();
    y = next;
  }
  return { y, nfe: 4 * steps };
}
