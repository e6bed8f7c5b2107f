/**
 * Heun's method (explicit trapezoid, second order), fixed step and fully GPU-resident.
 * NFE = 2 steps.
 *
 * @example
 * ```ts
 * import { neg, ones } from "../../gpu/mod.ts";
 * import { heun } from "./heun.ts";
 * const { y, nfe } = heun((y) => neg(y), ones([2]), 0, 1, 50);
 * console.log((await y.read())[0], nfe); // ~0.3679 100
 * ```
 * @module
 */
import { scope, type Tensor } from "../../gpu/mod.ts";
import { linComb } from "../../gpu/ops/lincomb.ts";
import { checkFixedStep } from "./rk4.ts";
import type { OdeFn, OdeResult } from "./types.ts";

/**
 * Integrates dy/dt = f(y, t) from t0 to t1 in `steps` Heun steps. `y0` is not consumed.
 *
 * @example
 * ```ts
 * import { mul, ones } from "../../gpu/mod.ts";
 * import { heun } from "./heun.ts";
 * const { y } = heun((y) => mul(y, 2), ones([1]), 0, 0.5, 100);
 * console.log(await y.read()); // ~2.718 (e^1)
 * ```
 */
export function heun(f: OdeFn, y0: Tensor, t0: number, t1: number, steps: number): OdeResult {
  checkFixedStep("heun", t0, t1, steps);
  const h = (t1 - t0) / steps;
  let y = y0;
  for (let i = 0; i < steps; i++) {
    const t = t0 + i * h;
    const next = scope(() => {
      const k1 = f(y, t);
      const k2 = f(linComb([1, h], [y, k1]), t + h);
      return linComb([1, h / 2, h / 2], [y, k1, k2]);
    });
    if (y !== y0) y.dispose();
    y = next;
  }
  return { y, nfe: 2 * steps };
}
