/**
 * Local Q and C maps of an activation under Gaussian inputs (Martens et al. 2021, "Rapid
 * training of deep neural networks without skip connections or normalization layers using Deep
 * Kernel Shaping", section 2): for z, z1, z2 independent standard normals,
 *
 * - Q(q) = E[phi(sqrt(q) z)^2], the squared-length map, and its slope
 *   Q'(q) = E[z phi(sqrt(q) z) phi'(sqrt(q) z)] / sqrt(q) (differentiate under the integral);
 * - C(c) = E[phi(u) phi(v)] / Q(1) with u = z1, v = c z1 + sqrt(1 - c^2) z2 (inputs with q = 1),
 *   the cosine-similarity map, and its slope C'(c) = E[phi'(u) phi'(v)] / Q(1) (Price's theorem),
 *   so C'(1) = E[phi'(z)^2] / E[phi(z)^2] and C(0) = E[phi(z)]^2 / E[phi(z)^2].
 *
 * All in f64 by {@link gaussianExpectation} (nested for the bivariate expectations, with the
 * inner breakpoints moved to where the kinks of phi(v) fall for each z1).
 *
 * @example
 * ```ts
 * import { localCMap, localCSlope, localQMap } from "./local_maps.ts";
 * import { baseActivation } from "./base_activations.ts";
 * const relu = baseActivation("relu");
 * console.log(+localQMap(relu, 2).toFixed(12), +localCSlope(relu).toFixed(12)); // 1 1
 * console.log(+localCMap(relu, 0).toFixed(10), +(1 / Math.PI).toFixed(10)); // 0.3183098862 0.3183098862
 * ```
 * @module
 */
import { InvalidArgumentError } from "../../errors.ts";
import type { ScalarActivation } from "./base_activations.ts";
import { gaussianExpectation } from "./gaussian_expectation.ts";

function checkQ(where: string, q: number): void {
  if (!(Number.isFinite(q) && q > 0)) {
    throw new InvalidArgumentError(`${where}: q must be a finite number > 0, got ${q}`);
  }
}

function checkC(where: string, c: number): void {
  if (!(Number.isFinite(c) && c >= -1 && c <= 1)) {
    throw new InvalidArgumentError(`${where}: c must be a number in [-1, 1], got ${c}`);
  }
}

/**
 * E[g(u) h(v)] with u = z1, v = c z1 + sqrt(1 - c^2) z2; `gk`, `hk` are the kinks of g and h.
 *
 * @example
 * ```ts
 * import { bivariateExpectation } from "./local_maps.ts";
 * const id = (x: number) => x;
 * console.log(+bivariateExpectation(id, [], id, [], 0.3).toFixed(12)); // 0.3
 * ```
 */
export function bivariateExpectation(
  g: (x: number) => number,
  gk: readonly number[],
  h: (x: number) => number,
  hk: readonly number[],
  c: number,
): number {
  checkC("bivariateExpectation", c);
  const s = Math.sqrt(Math.max(0, 1 - c * c));
  if (s === 0) return gaussianExpectation((z) => g(z) * h(c * z), [...gk, ...hk.map((k) => k / c)]);
  const outerBreaks = c === 0 ? [...gk] : [...gk, ...hk.map((k) => k / c)];
  return gaussianExpectation((z1) => {
    const gz = g(z1);
    if (gz === 0) return 0;
    const inner = gaussianExpectation((z2) => h(c * z1 + s * z2), hk.map((k) => (k - c * z1) / s));
    return gz * inner;
  }, outerBreaks);
}

/**
 * The local Q map Q(q) = E[phi(sqrt(q) z)^2].
 *
 * @example
 * ```ts
 * import { localQMap } from "./local_maps.ts";
 * const id = { f: (x: number) => x, df: () => 1, kinks: [] };
 * console.log(+localQMap(id, 3).toFixed(12)); // 3
 * ```
 */
export function localQMap(phi: ScalarActivation, q: number): number {
  checkQ("localQMap", q);
  const r = Math.sqrt(q);
  return gaussianExpectation((z) => phi.f(r * z) ** 2, phi.kinks.map((k) => k / r));
}

/**
 * The slope of the local Q map, Q'(q) = E[z phi(sqrt(q) z) phi'(sqrt(q) z)] / sqrt(q)
 * (default q = 1).
 *
 * @example
 * ```ts
 * import { localQSlope } from "./local_maps.ts";
 * import { baseActivation } from "./base_activations.ts";
 * console.log(+localQSlope(baseActivation("relu"), 4).toFixed(12)); // 0.5
 * ```
 */
export function localQSlope(phi: ScalarActivation, q = 1): number {
  checkQ("localQSlope", q);
  const r = Math.sqrt(q);
  return gaussianExpectation((z) => z * phi.f(r * z) * phi.df(r * z), phi.kinks.map((k) => k / r)) /
    r;
}

/**
 * The local C map for inputs with q = 1, C(c) = E[phi(u) phi(v)] / E[phi(z)^2].
 *
 * @example
 * ```ts
 * import { localCMap } from "./local_maps.ts";
 * import { baseActivation } from "./base_activations.ts";
 * console.log(+localCMap(baseActivation("tanh"), 1).toFixed(12)); // 1
 * ```
 */
export function localCMap(phi: ScalarActivation, c: number): number {
  checkC("localCMap", c);
  const q1 = gaussianExpectation((z) => phi.f(z) ** 2, phi.kinks);
  if (c === 0) return gaussianExpectation(phi.f, phi.kinks) ** 2 / q1;
  return bivariateExpectation(phi.f, phi.kinks, phi.f, phi.kinks, c) / q1;
}

/**
 * The slope of the local C map for inputs with q = 1, C'(c) = E[phi'(u) phi'(v)] / E[phi(z)^2]
 * (default c = 1, where it is E[phi'(z)^2] / E[phi(z)^2]).
 *
 * @example
 * ```ts
 * import { localCSlope } from "./local_maps.ts";
 * import { baseActivation } from "./base_activations.ts";
 * console.log(+localCSlope(baseActivation("relu"), 0).toFixed(12)); // 0.5
 * ```
 */
export function localCSlope(phi: ScalarActivation, c = 1): number {
  checkC("localCSlope", c);
  const q1 = gaussianExpectation((z) => phi.f(z) ** 2, phi.kinks);
  if (c === 1) return gaussianExpectation((z) => phi.df(z) ** 2, phi.kinks) / q1;
  if (c === 0) return gaussianExpectation(phi.df, phi.kinks) ** 2 / q1;
  return bivariateExpectation(phi.df, phi.kinks, phi.df, phi.kinks, c) / q1;
}

/**
 * The global C map of a chain of `depth` identical layers (each a dense layer that preserves
 * q = 1, then phi), C_f(c) = C(C(...C(c))). Meaningful when Q(1) = 1, as for DKS activations.
 *
 * @example
 * ```ts
 * import { globalCMap } from "./local_maps.ts";
 * const id = { f: (x: number) => x, df: () => 1, kinks: [] };
 * console.log(+globalCMap(id, 5, 0.25).toFixed(12)); // 0.25
 * ```
 */
export function globalCMap(phi: ScalarActivation, depth: number, c: number): number {
  if (!Number.isInteger(depth) || depth < 0) {
    throw new InvalidArgumentError(
      `globalCMap: depth must be a non-negative integer, got ${depth}`,
    );
  }
  checkC("globalCMap", c);
  let x = c;
  for (let i = 0; i < depth; i++) x = Math.min(1, Math.max(-1, localCMap(phi, x)));
  return x;
}
