/**
 * Host f64 special functions the dual kernels need: erf and the standard normal CDF/PDF.
 *
 * JavaScript has no `Math.erf`. This one uses the Maclaurin series for |x| < 2.5 (alternating
 * terms, summed until they stop changing the result; relative error about 1e-15) and the
 * continued fraction of erfc (evaluated with the modified Lentz method) beyond.
 *
 * @example
 * ```ts
 * import { erf, normalCdf } from "./special_functions.ts";
 * console.log(erf(1).toFixed(10), normalCdf(0)); // "0.8427007929" 0.5
 * ```
 * @module
 */

const TWO_OVER_SQRT_PI = 1.1283791670955126;

/**
 * The error function erf(x) = 2/sqrt(pi) * integral_0^x exp(-t^2) dt, in f64.
 *
 * @example
 * ```ts
 * import { erf } from "./special_functions.ts";
 * console.log(erf(0), erf(-0.5).toFixed(8)); // 0 "-0.52049988"
 * ```
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a < 2.5) {
    // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
    const x2 = x * x;
    let term = x; // (-1)^n x^(2n+1) / n!
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return TWO_OVER_SQRT_PI * sum;
  }
  const r = 1 - erfcLarge(a);
  return x < 0 ? -r : r;
}

/**
 * The complementary error function erfc(x) = 1 - erf(x), accurate in the tail.
 *
 * @example
 * ```ts
 * import { erfc } from "./special_functions.ts";
 * console.log(erfc(5).toExponential(6)); // "1.537460e-12"
 * ```
 */
export function erfc(x: number): number {
  if (x < 2.5) return 1 - erf(x);
  return erfcLarge(x);
}

/** erfc(a) for a >= 2.5: exp(-a^2)/sqrt(pi) / (a + 1/2/(a + 1/(a + 3/2/(a + ...)))). */
function erfcLarge(a: number): number {
  // Continued fraction erfc(a) = exp(-a^2)/sqrt(pi) * 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + ...))))
  const tiny = 1e-300;
  let f = a, c = a, d = 0;
  for (let n = 1; n < 300; n++) {
    const an = n / 2;
    d = a + an * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = a + an / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
}

/**
 * The standard normal CDF Phi(x).
 *
 * @example
 * ```ts
 * import { normalCdf } from "./special_functions.ts";
 * console.log(normalCdf(1.959963984540054).toFixed(6)); // "0.975000"
 * ```
 */
export function normalCdf(x: number): number {
  return x < 0 ? 0.5 * erfc(-x / Math.SQRT2) : 0.5 * (1 + erf(x / Math.SQRT2));
}

/**
 * The standard normal density phi(x).
 *
 * @example
 * ```ts
 * import { normalPdf } from "./special_functions.ts";
 * console.log(normalPdf(0).toFixed(6)); // "0.398942"
 * ```
 */
export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}
