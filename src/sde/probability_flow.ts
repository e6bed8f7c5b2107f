/**
 * The probability-flow ODE of an SDE (Song et al. 2021, eq. 13):
 * dx/dt = f(x, t) - 1/2 g(t)^2 s(x, t), whose marginals equal the SDE's. As an {@link OdeFn} it
 * takes t as a number (one fused `linComb` after the score) or as a one-element tensor (the
 * GPU-resident adaptive solver).
 *
 * @example
 * ```ts
 * import { neg, random } from "../gpu/mod.ts";
 * import { probabilityFlow } from "./probability_flow.ts";
 * import { VPSDE } from "./vp.ts";
 * const f = probabilityFlow(new VPSDE(), neg); // N(0, I) data: the flow is stationary
 * console.log(await f(random.normal(random.key(0), [2, 2]), 0.5).read()); // ~0
 * ```
 * @module
 */
import { mul, square, sub, type Tensor } from "../gpu/mod.ts";
import { linComb } from "../gpu/ops/lincomb.ts";
import type { OdeFn } from "./ode/types.ts";
import { perSample, type ScoreFn, type Sde, type TimeArg } from "./sde.ts";

/**
 * The probability-flow drift f(x, t) - g(t)^2 s(x, t) / 2 of `sde` under `score`.
 *
 * @example
 * ```ts
 * import { tensor } from "../gpu/mod.ts";
 * import { probabilityFlow } from "./probability_flow.ts";
 * import { VESDE } from "./ve.ts";
 * const f = probabilityFlow(new VESDE(), (x) => x);
 * console.log(f(tensor([[1, 2]]), tensor([0.5])).shape); // [1, 2]
 * ```
 */
export function probabilityFlow(sde: Sde, score: ScoreFn): OdeFn {
  return (x: Tensor, t: TimeArg) => {
    const s = score(x, t);
    if (typeof t === "number") {
      const g = sde.diffusion(t);
      return linComb([sde.driftCoef(t), -0.5 * g * g], [x, s]);
    }
    const a = perSample(sde.driftCoefT(t), x, "probabilityFlow");
    const g2 = perSample(square(sde.diffusionT(t)), x, "probabilityFlow");
    return sub(mul(x, a), mul(mul(s, g2), 0.5));
  };
}
